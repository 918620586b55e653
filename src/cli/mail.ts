/**
 * `outpost mail send`: a small mail user agent. Builds a MIME message (text body from --body FILE
 * or stdin, optional --html, attachments) and submits it (RFC 6409) with AUTH over STARTTLS
 * (--smtps for implicit TLS), then prints the server's final reply. The server is --server, else
 * the submission listener of the local suite (--config, or the embedded default in --data /
 * $OUTPOST_DATA / ./data: 127.0.0.1:10587), else localhost:587. The password comes from
 * $OUTPOST_SMTP_PASSWORD or a prompt. Certificates are verified against Node's roots, --ca FILE
 * and, on loopback, the local suite's development certificate, unless --insecure; a refused one
 * is explained (whose it is, how to trust it). Non-ASCII headers become RFC 2047 encoded words,
 * or stay raw UTF-8 (RFC 6532) when the server offers SMTPUTF8. Exit 0 when every recipient was
 * accepted, 1 otherwise.
 */
import { readFileSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { ErrorCodes, OutpostError } from '../core/errors.js';
import { caWithRoots } from '../core/tls-trust.js';
import { parseAddressList, parseMailbox, flattenAddresses, type Address } from '../mail/message/address.js';
import { buildMessage } from '../mail/message/mime-build.js';
import { replyText } from '../mail/smtp/codec/reply.js';
import { connectSmtp, type SmtpClient } from '../mail/smtp/client/smtp-client.js';
import { dataOptions, type DataOptions } from './data-dir.js';
import { promptSecret } from './ftp-connect.js';
import {
  explainUntrusted,
  findLocalSuite,
  submissionServer,
  trustFor,
  type LocalSuite,
} from './local-suite.js';
import { registerMailFetch } from './mail-fetch.js';

/** Parsed `outpost mail send` options. */
export interface MailSendOptions extends DataOptions {
  from: string;
  to: string[];
  cc?: string[];
  bcc?: string[];
  subject?: string;
  body?: string;
  html?: string;
  attach?: string[];
  server?: string;
  user?: string;
  insecure?: boolean;
  ca?: string;
  smtps?: boolean;
  verbose?: boolean;
}

/** Where the command reads and writes (tests replace them). */
export interface MailIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly readStdin: () => string;
  readonly env: NodeJS.ProcessEnv;
  readonly password?: () => Promise<string>;
}

const defaultIo: MailIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  readStdin: () => readFileSync(0, 'utf8'),
  env: process.env,
};

/** `host:port`, `[v6]:port` or `host` (port 587). */
export function parseServer(text: string, defaultPort = 587): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d{1,5}))?$/.exec(text);
  const port = m?.[3] === undefined ? defaultPort : Number(m[3]);
  if (!m || port < 1 || port > 65535)
    throw new OutpostError(
      ErrorCodes.CONFIG_INVALID,
      `bad --server ${JSON.stringify(text)} (expected host:port)`,
    );
  return { host: m[1] ?? m[2] ?? '', port };
}

function addressesOf(values: readonly string[] | undefined): Address[] {
  return (values ?? []).flatMap((v) => parseAddressList(v));
}

/** Runs `outpost mail send`; resolves with the exit code. */
export async function runMailSend(opts: MailSendOptions, io: MailIo = defaultIo): Promise<number> {
  const from = parseMailbox(opts.from);
  const to = addressesOf(opts.to);
  const cc = addressesOf(opts.cc);
  const bcc = addressesOf(opts.bcc);
  const recipients = flattenAddresses([...to, ...cc, ...bcc]).map((m) => m.address);
  if (recipients.length === 0) throw new OutpostError(ErrorCodes.CONFIG_INVALID, 'no recipients (--to)');
  const text = opts.body === undefined ? io.readStdin() : readFileSync(opts.body, 'utf8');
  const html = opts.html === undefined ? undefined : readFileSync(opts.html, 'utf8');
  const attachments = (opts.attach ?? []).map((file) => ({
    filename: basename(file),
    content: readFileSync(file),
  }));
  const implicitTls = opts.smtps === true;
  const suite = findLocalSuite(opts);
  const suiteServer =
    opts.server === undefined && suite !== undefined ? submissionServer(suite, implicitTls) : undefined;
  const server = suiteServer ?? parseServer(opts.server ?? 'localhost', implicitTls ? 465 : 587);
  const trust = trustFor(server.host, suite, opts.ca);
  if (opts.verbose === true) {
    const where =
      suiteServer === undefined
        ? ''
        : ` (the ${implicitTls ? 'SMTPS' : 'submission'} listener of ${suiteName(suite)})`;
    io.stderr(`server ${server.host}:${String(server.port)}${where}\n`);
    if (trust.devCertificate !== undefined)
      io.stderr(`trusting the local suite's development certificate ${trust.devCertificate}\n`);
  }
  const username = opts.user ?? from.address;
  let password = io.env['OUTPOST_SMTP_PASSWORD'];
  if (password === undefined) {
    if (io.password) password = await io.password();
    else if (opts.body !== undefined && process.stdin.isTTY)
      password = await promptSecret(`Password for ${username}: `);
    else
      throw new OutpostError(
        ErrorCodes.CONFIG_INVALID,
        'no password: set OUTPOST_SMTP_PASSWORD (stdin carries the body)',
      );
  }
  let client: SmtpClient;
  try {
    client = await connectSmtp({
      host: server.host,
      port: server.port,
      clientName: osHostname() || 'localhost',
      security: implicitTls ? 'implicit' : 'starttls',
      tls: {
        rejectUnauthorized: opts.insecure !== true,
        ...caWithRoots(trust.ca),
      },
      auth: { username, password },
    });
  } catch (err) {
    if (!explainUntrusted(err, suite, io.stderr)) throw err;
    return 1;
  }
  try {
    if (opts.verbose === true)
      io.stderr(`connected to ${server.host}:${String(server.port)} (TLS, authenticated as ${username})\n`);
    const message = buildMessage({
      from: [from],
      to,
      ...(cc.length ? { cc } : {}),
      ...(opts.subject === undefined ? {} : { subject: opts.subject }),
      text,
      ...(html === undefined ? {} : { html }),
      attachments,
      hostname: from.domain,
      utf8Headers: client.capabilities.has('SMTPUTF8'),
    });
    const result = await client.send({
      mailFrom: from.address,
      recipients: recipients.map((address) => ({ address })),
      bytes: message,
    });
    const replies = new Set(result.recipients.map((r) => replyText(r.reply)));
    if (replies.size === 1) io.stdout(`${[...replies][0] ?? ''}\n`);
    else for (const r of result.recipients) io.stdout(`<${r.address}>: ${replyText(r.reply)}\n`);
    return result.recipients.every((r) => r.accepted) ? 0 : 1;
  } finally {
    await client.quit();
  }
}

/** "the suite in DIR" or "the suite of FILE", for -v. */
function suiteName(suite: LocalSuite | undefined): string {
  if (suite === undefined) return 'no suite';
  return suite.configFile === undefined
    ? `the embedded default in ${suite.dataDir}`
    : `the suite of ${suite.configFile}`;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Registers `outpost mail send` (and `outpost mail fetch`, mail-fetch.ts). */
export function registerMailCommand(program: Command): void {
  const mail = program.command('mail').description('mail tools');
  const send = mail
    .command('send')
    .description('compose a MIME message and submit it with AUTH over STARTTLS; prints the final reply')
    .requiredOption('--from <address>', 'sender (also the login unless --user)')
    .requiredOption('--to <address>', 'recipient (repeatable; "Name <a@b>" allowed)', collect)
    .option('--cc <address>', 'copy recipient (repeatable)', collect)
    .option('--bcc <address>', 'blind copy recipient (repeatable)', collect)
    .option('--subject <text>', 'subject')
    .option('--body <file>', 'text body from a file (default: standard input)')
    .option('--html <file>', 'HTML alternative from a file')
    .option('--attach <file>', 'attach a file (repeatable)', collect)
    .option(
      '--server <host:port>',
      "submission server (default: the local suite's submission listener, e.g. 127.0.0.1:10587, else localhost:587)",
    )
    .option(
      '--user <name>',
      'login name (default: the --from address); password from $OUTPOST_SMTP_PASSWORD or a prompt',
    )
    .option('--insecure', 'do not verify the server certificate')
    .option(
      '--ca <file>',
      "also trust this CA or certificate (PEM); a local suite's development certificate is trusted on loopback",
    )
    .option('--smtps', 'implicit TLS (port 465) instead of STARTTLS')
    .option('-v, --verbose', 'say what happens on stderr');
  dataOptions(send).action(async (opts: MailSendOptions) => {
    process.exitCode = await runMailSend(opts);
  });
  registerMailFetch(mail);
}
