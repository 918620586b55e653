// Tier-4 interop: mbsync (isync), a two-way IMAP <-> Maildir synchroniser nobody here wrote,
// against the suite's IMAP server with the real store. Three folders (INBOX, the nested
// Work/Projects, Sent): the first sync copies the server down; then both sides change (new
// messages, \Seen \Flagged \Answered, \Deleted on the server and the Maildir's T flag, each of
// which Expunge Both turns into an expunge on both sides) and the second sync, over implicit
// TLS with the suite's certificate, carries every change across; a third one, over STARTTLS,
// changes nothing on either side. mbsync 1.4 syncs no keywords (Maildir has no place for them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runText as run } from '../helpers/run.js';
import { tempDir } from '../helpers/temp.js';
import { ALICE, startImapOutpost, testMessage, type ImapOutpost } from './helpers/imap-outpost.js';

const FOLDERS = ['INBOX', 'Work/Projects', 'Sent'] as const;

/** An mbsync configuration for `ssl` (None: plaintext LOGIN on loopback, allowed by default). */
function mbsyncrc(imap: ImapOutpost, home: string, ssl: 'None' | 'IMAPS' | 'STARTTLS'): string {
  return [
    'IMAPAccount outpost',
    // By name for TLS, so the certificate's name matches; the listener is on 127.0.0.1.
    `Host ${ssl === 'None' ? '127.0.0.1' : 'localhost'}`,
    `Port ${String(ssl === 'IMAPS' ? imap.tlsPort : imap.port)}`,
    `User ${ALICE.address}`,
    `Pass "${ALICE.password}"`,
    `SSLType ${ssl}`,
    ...(ssl === 'None' ? ['AuthMechs LOGIN'] : [`CertificateFile ${join(home, 'ca.pem')}`]),
    '',
    'IMAPStore remote',
    'Account outpost',
    '',
    'MaildirStore local',
    `Path ${join(home, 'mail')}/`,
    `Inbox ${join(home, 'mail', 'INBOX')}`,
    'SubFolders Verbatim',
    '',
    'Channel outpost',
    'Far :remote:',
    'Near :local:',
    `Patterns ${FOLDERS.join(' ')}`,
    'Create Both',
    'Expunge Both',
    'SyncState *',
    '',
  ].join('\n');
}

async function mbsync(imap: ImapOutpost, home: string, ssl: 'None' | 'IMAPS' | 'STARTTLS'): Promise<string> {
  const rc = join(home, `mbsyncrc-${ssl}`);
  writeFileSync(rc, mbsyncrc(imap, home, ssl), { mode: 0o600 });
  const r = await run('mbsync', ['-V', '-c', rc, 'outpost'], { env: { HOME: home } });
  assert.equal(r.code, 0, `mbsync (${ssl}) failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout + r.stderr;
}

/** A Maildir message: its mbsync UID (U=n), its flag letters, its Subject. */
interface MaildirMessage {
  file: string;
  dir: 'new' | 'cur';
  uid: number | null;
  flags: string;
  subject: string;
}

function maildir(home: string, folder: string): MaildirMessage[] {
  const out: MaildirMessage[] = [];
  for (const dir of ['new', 'cur'] as const) {
    for (const file of readdirSync(join(home, 'mail', folder, dir))) {
      const text = readFileSync(join(home, 'mail', folder, dir, file), 'latin1');
      out.push({
        file,
        dir,
        uid: Number(/,U=(\d+)/.exec(file)?.[1] ?? NaN) || null,
        flags: /:2,([A-Z]*)$/.exec(file)?.[1] ?? '',
        subject: /^Subject: (.*)$/m.exec(text)?.[1]?.trim() ?? '',
      });
    }
  }
  return out.sort((a, b) => a.subject.localeCompare(b.subject));
}

/** Sets a Maildir message's flags as a mail reader would: moved to cur/, `:2,` + sorted letters. */
function setMaildirFlags(home: string, folder: string, m: MaildirMessage, flags: string): void {
  const base = m.file.replace(/:2,[A-Z]*$/, '');
  const letters = Array.from(flags).sort().join('');
  renameSync(
    join(home, 'mail', folder, m.dir, m.file),
    join(home, 'mail', folder, 'cur', `${base}:2,${letters}`),
  );
}

/** Every folder on the server: subject -> flags (sorted), with UIDs and MODSEQs for the no-op check. */
async function serverState(imap: ImapOutpost): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const folder of FOLDERS) {
    const box = await imap.store.getMailbox(ALICE.address, folder);
    assert.ok(box, folder);
    const rows: string[] = [];
    for (const m of await imap.store.listMessages(box.id)) {
      const bytes = await imap.store.readMessage(box.id, m.uid);
      const subject = /^Subject: (.*)$/m.exec(bytes?.toString('latin1') ?? '')?.[1]?.trim() ?? '';
      rows.push(
        `${subject} uid=${String(m.uid)} modseq=${String(m.modSeq)} (${[...m.flags].sort().join(' ')})`,
      );
    }
    out[folder] = rows.sort();
  }
  return out;
}

function summary(home: string): Record<string, string[]> {
  return Object.fromEntries(FOLDERS.map((f) => [f, maildir(home, f).map((m) => `${m.subject} :${m.flags}`)]));
}

function flagsOf(state: Record<string, string[]>, folder: string, subject: string): string | undefined {
  const row = state[folder]?.find((r) => r.startsWith(`${subject} `));
  return row === undefined ? undefined : /\(([^)]*)\)$/.exec(row)?.[1];
}

test('mbsync: two-way sync of INBOX, Work/Projects and Sent (new mail, flags, deletions both ways), plain, IMAPS and STARTTLS; a third sync is a no-op', async () => {
  await using imap = await startImapOutpost();
  const home = tempDir('imap-mbsync-');
  writeFileSync(join(home, 'ca.pem'), imap.ca);
  mkdirSync(join(home, 'mail'));
  const { store } = imap;
  await store.ensureMailboxes(ALICE.address);
  const projects = await store.createMailbox(ALICE.address, 'Work/Projects');
  const sent = await store.getMailbox(ALICE.address, 'Sent');
  const inbox = await store.getMailbox(ALICE.address, 'INBOX');
  assert.ok(sent && inbox);
  for (const n of [1, 2, 3]) await imap.deliver(ALICE.address, testMessage(n));
  await store.append(sent.id, Buffer.from('Subject: sent on server\r\n\r\nSent.\r\n'), { flags: ['\\Seen'] });

  // 1. Down: the server's messages and flags appear in the Maildir.
  await mbsync(imap, home, 'None');
  assert.deepEqual(summary(home), {
    INBOX: ['test message 1 :', 'test message 2 :', 'test message 3 :'],
    'Work/Projects': [],
    Sent: ['sent on server :S'],
  });

  // 2. Both sides change.
  const [m1, m2] = maildir(home, 'INBOX');
  assert.ok(m1 && m2);
  setMaildirFlags(home, 'INBOX', m1, 'SF'); // read and flagged locally
  setMaildirFlags(home, 'INBOX', m2, 'ST'); // trashed locally: expunged on the server
  writeFileSync(
    join(home, 'mail', 'Work/Projects', 'new', '1800000000.1.local'),
    'Subject: written locally\r\n\r\nFrom the Maildir.\r\n',
  );
  writeFileSync(
    join(home, 'mail', 'Sent', 'cur', '1800000000.2.local:2,S'),
    'Subject: sent locally\r\n\r\nA sent copy.\r\n',
  );
  // On the server: flags on message 3, new mail in INBOX and Work/Projects, the Sent copy deleted.
  await store.setFlags(inbox.id, [3], ['\\Flagged', '\\Answered'], 'add');
  await imap.deliver(ALICE.address, testMessage(4));
  await store.append(projects.id, Buffer.from('Subject: filed on server\r\n\r\nFiled.\r\n'), {
    flags: ['\\Seen'],
  });
  await store.setFlags(sent.id, [1], ['\\Deleted'], 'add');

  assert.match(await mbsync(imap, home, 'IMAPS'), /Connection is now encrypted/);
  const server = await serverState(imap);
  assert.deepEqual(
    server.INBOX?.map((r) => r.replace(/ uid=.*\(/, ' (')),
    ['test message 1 (\\Flagged \\Seen)', 'test message 3 (\\Answered \\Flagged)', 'test message 4 ()'],
    server.INBOX?.join('\n'),
  );
  assert.deepEqual(
    server['Work/Projects']?.map((r) => r.replace(/ uid=.*\(/, ' (')),
    ['filed on server (\\Seen)', 'written locally ()'],
  );
  assert.deepEqual(
    server.Sent?.map((r) => r.replace(/ uid=.*\(/, ' (')),
    ['sent locally (\\Seen)'],
  );
  assert.deepEqual(summary(home), {
    INBOX: ['test message 1 :FS', 'test message 3 :FR', 'test message 4 :'],
    'Work/Projects': ['filed on server :S', 'written locally :'],
    Sent: ['sent locally :S'],
  });
  assert.equal(flagsOf(server, 'INBOX', 'test message 2'), undefined);

  // 3. Nothing changed since: nothing moves, on either side (UIDs, flags and MODSEQs kept).
  const before = { server, local: maildir(home, 'INBOX').map((m) => m.file) };
  assert.match(await mbsync(imap, home, 'STARTTLS'), /Connection is now encrypted/);
  assert.deepEqual(await serverState(imap), before.server);
  assert.deepEqual(
    maildir(home, 'INBOX').map((m) => m.file),
    before.local,
  );
  assert.deepEqual(summary(home), {
    INBOX: ['test message 1 :FS', 'test message 3 :FR', 'test message 4 :'],
    'Work/Projects': ['filed on server :S', 'written locally :'],
    Sent: ['sent locally :S'],
  });
});
