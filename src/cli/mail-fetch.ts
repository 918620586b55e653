/**
 * `outpost mail fetch`: reading a mailbox over IMAP from the terminal. With no action it lists
 * the messages of a folder (UID, date, sender, subject, flags); `--folders` lists the folders
 * with their message and unseen counts; `--show UID` prints one message as stored; `--save DIR`
 * writes messages as DIR/UID.eml, `--maildir DIR` delivers them into a Maildir (flags in the
 * info suffix; messages saved before are skipped). Folders are opened read-only (EXAMINE) and
 * bodies fetched with BODY.PEEK, so reading never changes a flag. The server is --server, else
 * the local suite's IMAP listener (--config, or the embedded default in --data / $OUTPOST_DATA /
 * ./data: 127.0.0.1:10143), else localhost:143; TLS is always used (STARTTLS, or implicit TLS
 * with --imaps or port 993), trusted as `outpost mail send` trusts it. The password comes from
 * $OUTPOST_IMAP_PASSWORD, --password-file or a prompt on a terminal.
 */
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ErrorCodes, OutpostError } from '../core/errors.js';
import { parseDateTime } from '../imap/codec/date.js';
import {
  examine,
  fetchByUid,
  folderStatus,
  listFolders,
  type FetchedMessage,
} from '../imap/client/commands.js';
import { ImapClient } from '../imap/client/imap-client.js';
import type { ImapValue } from '../imap/client/response.js';
import {
  decodeEncodedWords,
  flattenAddresses,
  getHeader,
  parseAddressList,
  parseHeaderSection,
} from '../mail/index.js';
import { dataOptions, type DataOptions } from './data-dir.js';
import { promptSecret } from './ftp-connect.js';
import { explainUntrusted, findLocalSuite, imapServer, trustFor } from './local-suite.js';
import { parseServer } from './mail.js';
import { MaildirWriter } from './maildir.js';

/** Parsed `outpost mail fetch` options. */
export interface MailFetchOptions extends DataOptions {
  user: string;
  server?: string;
  imaps?: boolean;
  passwordFile?: string;
  ca?: string;
  insecure?: boolean;
  folders?: boolean;
  folder: string;
  show?: string;
  save?: string;
  maildir?: string;
  uid?: string;
  verbose?: boolean;
}

/** Where the command writes (tests replace it). */
export interface FetchIo {
  readonly stdout: (data: string | Buffer) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
}

const defaultIo: FetchIo = {
  stdout: (d) => process.stdout.write(d),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
};

/** Bodies fetched per UID FETCH when saving: at most this many octets (by RFC822.SIZE) at once. */
const SAVE_BATCH_OCTETS = 32 * 1024 * 1024;

function usage(message: string): OutpostError {
  return new OutpostError(ErrorCodes.CONFIG_INVALID, message);
}

async function passwordFor(opts: MailFetchOptions, io: FetchIo): Promise<string> {
  const env = io.env['OUTPOST_IMAP_PASSWORD'];
  if (env !== undefined) return env;
  if (opts.passwordFile !== undefined) return readFileSync(opts.passwordFile, 'utf8').split(/\r?\n/)[0] ?? '';
  if (process.stdin.isTTY) return promptSecret(`Password for ${opts.user}: `);
  throw usage('no password: set OUTPOST_IMAP_PASSWORD or use --password-file FILE');
}

/** Runs `outpost mail fetch`; resolves with the exit code. */
export async function runMailFetch(opts: MailFetchOptions, io: FetchIo = defaultIo): Promise<number> {
  const actions = [
    opts.folders === true,
    opts.show !== undefined,
    opts.save !== undefined,
    opts.maildir !== undefined,
  ];
  if (actions.filter(Boolean).length > 1)
    throw usage('choose one of --folders, --show, --save and --maildir');
  const uidSet = opts.uid ?? (opts.show !== undefined ? opts.show : '1:*');
  if (!/^(\d+|\*)(:(\d+|\*))?(,(\d+|\*)(:(\d+|\*))?)*$/.test(uidSet))
    throw usage(`bad UID set ${JSON.stringify(uidSet)} (e.g. 7, 1:10, 3,5:*)`);
  const suite = findLocalSuite(opts);
  const explicit =
    opts.server === undefined ? undefined : parseServer(opts.server, opts.imaps === true ? 993 : 143);
  const implicitTls = opts.imaps === true || explicit?.port === 993;
  const server = explicit ??
    (suite === undefined ? undefined : imapServer(suite, implicitTls)) ?? {
      host: 'localhost',
      port: implicitTls ? 993 : 143,
    };
  const trust = trustFor(server.host, suite, opts.ca);
  if (opts.verbose === true) {
    io.stderr(
      `server ${server.host}:${String(server.port)} (${implicitTls ? 'implicit TLS' : 'STARTTLS'})\n`,
    );
    if (trust.devCertificate !== undefined)
      io.stderr(`trusting the local suite's development certificate ${trust.devCertificate}\n`);
  }
  const password = await passwordFor(opts, io);
  let client: ImapClient;
  try {
    client = await ImapClient.connect({
      host: server.host,
      port: server.port,
      security: implicitTls ? 'implicit' : 'starttls',
      ca: trust.ca,
      insecure: opts.insecure === true,
    });
  } catch (err) {
    if (!explainUntrusted(err, suite, io.stderr)) throw err;
    return 1;
  }
  try {
    await client.login(opts.user, password);
    if (opts.verbose === true) io.stderr(`logged in as ${opts.user} (TLS)\n`);
    if (opts.folders === true) return await printFolders(client, io);
    const { exists, uidValidity } = await examine(client, opts.folder);
    if (opts.show !== undefined) return await showMessage(client, opts, io);
    if (opts.save !== undefined || opts.maildir !== undefined)
      return await saveMessages(client, opts, { exists, uidValidity, uidSet }, io);
    return await listMessages(client, exists, uidSet, io);
  } finally {
    await client.logout();
  }
}

function textOf(value: ImapValue | undefined): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return '';
}

function flagsOf(value: ImapValue | undefined): string[] {
  return Array.isArray(value) ? value.map((v) => textOf(v)) : [];
}

/** Columns padded to their widest value (a last, left-aligned one is not). */
function table(rows: readonly (readonly string[])[], rightAligned: ReadonlySet<number> = new Set()): string {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, Array.from(cell).length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => {
          if (i === row.length - 1 && !rightAligned.has(i)) return cell;
          const pad = ' '.repeat((widths[i] ?? 0) - Array.from(cell).length);
          return rightAligned.has(i) ? pad + cell : cell + pad;
        })
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}

async function printFolders(client: ImapClient, io: FetchIo): Promise<number> {
  const rows: string[][] = [['FOLDER', 'MESSAGES', 'UNSEEN']];
  for (const folder of await listFolders(client)) {
    if (folder.attributes.some((a) => /^\\(noselect|nonexistent)$/i.test(a))) {
      rows.push([folder.name, '-', '-']);
      continue;
    }
    const status = await folderStatus(client, folder.name);
    rows.push([folder.name, String(status.messages), String(status.unseen)]);
  }
  io.stdout(table(rows, new Set([1, 2])));
  return 0;
}

/** `2026-12-07 10:00` in UTC, from the Date header or else INTERNALDATE. */
function dateText(header: string | undefined, internal: string): string {
  let date = header === undefined ? null : new Date(header.replace(/\s*\([^)]*\)\s*$/, ''));
  if (date === null || Number.isNaN(date.getTime())) date = parseDateTime(internal);
  return date === null ? '' : date.toISOString().slice(0, 16).replace('T', ' ');
}

function fromText(value: string | undefined): string {
  if (value === undefined) return '';
  try {
    const first = flattenAddresses(parseAddressList(value))[0];
    if (first !== undefined) return first.name === '' ? first.address : first.name;
  } catch {
    // A From the parser refuses is shown as sent.
  }
  return decodeEncodedWords(value).trim();
}

function clip(text: string, max: number): string {
  const chars = Array.from(text.replace(/[\p{Cc}]/gu, ' '));
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
}

function headerBytes(m: FetchedMessage): Buffer {
  for (const [key, value] of m.items) if (key.startsWith('BODY[') && Buffer.isBuffer(value)) return value;
  return Buffer.alloc(0);
}

async function listMessages(
  client: ImapClient,
  exists: number,
  uidSet: string,
  io: FetchIo,
): Promise<number> {
  const rows: string[][] = [['UID', 'DATE (UTC)', 'FROM', 'SUBJECT', 'FLAGS']];
  const messages =
    exists === 0
      ? []
      : await fetchByUid(
          client,
          uidSet,
          '(UID FLAGS INTERNALDATE BODY.PEEK[HEADER.FIELDS (DATE FROM SUBJECT)])',
        );
  for (const m of messages) {
    const fields = parseHeaderSection(headerBytes(m)).fields;
    const subject = getHeader(fields, 'Subject');
    rows.push([
      textOf(m.items.get('UID')),
      dateText(getHeader(fields, 'Date'), textOf(m.items.get('INTERNALDATE'))),
      clip(fromText(getHeader(fields, 'From')), 30),
      clip(subject === undefined ? '' : decodeEncodedWords(subject).trim(), 50),
      flagsOf(m.items.get('FLAGS')).join(' '),
    ]);
  }
  io.stdout(table(rows, new Set([0])));
  return 0;
}

async function showMessage(client: ImapClient, opts: MailFetchOptions, io: FetchIo): Promise<number> {
  const uid = opts.show ?? '';
  if (!/^\d+$/.test(uid)) throw usage(`--show takes one UID, not ${JSON.stringify(uid)}`);
  const [m] = await fetchByUid(client, uid, '(UID BODY.PEEK[])');
  const body = m?.items.get('BODY[]');
  if (!Buffer.isBuffer(body)) {
    io.stderr(`outpost: no message with UID ${uid} in ${opts.folder}\n`);
    return 1;
  }
  io.stdout(body);
  return 0;
}

async function saveMessages(
  client: ImapClient,
  opts: MailFetchOptions,
  box: { exists: number; uidValidity: number; uidSet: string },
  io: FetchIo,
): Promise<number> {
  const maildir = opts.maildir === undefined ? null : new MaildirWriter(opts.maildir);
  const dir = opts.save;
  if (dir !== undefined) mkdirSync(dir, { recursive: true });
  const listed = box.exists === 0 ? [] : await fetchByUid(client, box.uidSet, '(UID RFC822.SIZE)');
  const wanted = listed
    .map((m) => ({
      uid: Number(textOf(m.items.get('UID'))),
      size: Number(textOf(m.items.get('RFC822.SIZE'))),
    }))
    .filter((m) => maildir === null || !maildir.has(box.uidValidity, m.uid));
  let saved = 0;
  for (let i = 0; i < wanted.length;) {
    // A batch of UIDs whose bodies together stay under SAVE_BATCH_OCTETS (at least one).
    const batch: number[] = [];
    let octets = 0;
    while (i < wanted.length) {
      const next = wanted[i];
      if (next === undefined || (batch.length > 0 && octets + next.size > SAVE_BATCH_OCTETS)) break;
      batch.push(next.uid);
      octets += next.size;
      i++;
    }
    for (const m of await fetchByUid(client, batch.join(','), '(UID FLAGS INTERNALDATE BODY.PEEK[])')) {
      const uid = Number(textOf(m.items.get('UID')));
      const bytes = m.items.get('BODY[]');
      if (!Buffer.isBuffer(bytes) || !Number.isInteger(uid)) continue;
      const date = parseDateTime(textOf(m.items.get('INTERNALDATE'))) ?? new Date();
      let path: string;
      if (maildir !== null) {
        path = maildir.add({
          uidValidity: box.uidValidity,
          uid,
          flags: flagsOf(m.items.get('FLAGS')),
          date,
          bytes,
        });
      } else {
        path = join(dir ?? '.', `${String(uid)}.eml`);
        writeFileSync(path, bytes);
        utimesSync(path, date, date);
      }
      saved++;
      if (opts.verbose === true) io.stderr(`${path}\n`);
    }
  }
  const skipped = listed.length - wanted.length;
  io.stdout(
    `saved ${String(saved)} message${saved === 1 ? '' : 's'} from ${opts.folder} to ${opts.maildir ?? dir ?? ''}` +
      (skipped > 0 ? ` (${String(skipped)} saved before)` : '') +
      '\n',
  );
  return 0;
}

/** Registers `outpost mail fetch` under `outpost mail`. */
export function registerMailFetch(mail: Command): void {
  const fetch = mail
    .command('fetch')
    .description(
      'read a mailbox over IMAP (TLS): list a folder, --folders, --show UID, --save DIR as .eml files, --maildir DIR',
    )
    .requiredOption(
      '--user <address>',
      'login name; password from $OUTPOST_IMAP_PASSWORD, --password-file or a prompt',
    )
    .option('--password-file <file>', 'read the password from the first line of this file')
    .option('--folder <name>', 'the folder to read', 'INBOX')
    .option('--folders', 'list the folders with their message and unseen counts')
    .option('--show <uid>', 'print the message with this UID as stored (headers and body)')
    .option('--save <dir>', 'save the messages as DIR/UID.eml')
    .option('--maildir <dir>', 'deliver the messages into a Maildir (cur/new/tmp; skips ones saved before)')
    .option('--uid <set>', 'only these UIDs (e.g. 7, 1:10, 3,5:*; default all)')
    .option(
      '--server <host:port>',
      "IMAP server (default: the local suite's IMAP listener, e.g. 127.0.0.1:10143, else localhost:143)",
    )
    .option('--imaps', 'implicit TLS (port 993) instead of STARTTLS; implied by port 993')
    .option(
      '--ca <file>',
      "also trust this CA or certificate (PEM); a local suite's development certificate is trusted on loopback",
    )
    .option('--insecure', 'do not verify the server certificate')
    .option('-v, --verbose', 'say what happens on stderr');
  dataOptions(fetch).action(async (opts: MailFetchOptions) => {
    process.exitCode = await runMailFetch(opts);
  });
}
