// Tier-4 interop: mutt (a mail reader nobody here wrote) against the suite's IMAP server with
// the real store, without anyone at the keyboard. Reading: mutt runs on a terminal that
// `script` (util-linux) gives it, its keys pushed from the command line (-e 'push …'): it opens
// INBOX over imaps:// (the suite's certificate as certificate_file), shows a message, flags and
// copies one, deletes one, syncs and quits; its debug log (-d) shows the IMAP it spoke. Sending:
// batch mode (-s, body on stdin) saves the Fcc copy to Sent over IMAP (APPEND); $sendmail is
// /usr/bin/true, as delivery is SMTP's business, not this test's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runText as run } from '../helpers/run.js';
import { tempDir } from '../helpers/temp.js';
import { ALICE, startImapOutpost, testMessage, type ImapOutpost } from './helpers/imap-outpost.js';

function muttrc(imap: ImapOutpost, home: string): string {
  const rc = join(home, 'muttrc');
  writeFileSync(join(home, 'ca.pem'), imap.ca);
  writeFileSync(
    rc,
    [
      `set imap_user="${ALICE.address}"`,
      `set imap_pass="${ALICE.password}"`,
      'set ssl_force_tls=yes',
      `set certificate_file="${join(home, 'ca.pem')}"`,
      // By name, so the certificate's name matches; the listener is on 127.0.0.1.
      `set folder="imaps://localhost:${String(imap.tlsPort)}/"`,
      'set spoolfile="=INBOX"',
      'set record="=Sent"',
      'set header_cache=""',
      // No questions: delete at sync, no mbox move, quit without asking.
      'set delete=yes quit=yes move=no mark_old=no confirmappend=no wait_key=no resolve=no',
      'set sendmail="/usr/bin/true"',
      `set from="${ALICE.address}" use_from=yes`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return rc;
}

/** The IMAP commands mutt sent and the tagged answers, from its debug log. */
function imapLog(home: string): string {
  const log = readFileSync(join(home, '.muttdebug0'), 'latin1');
  return log
    .split('\n')
    .filter((l) => /\d[<>] (?:[a-z]\d{4} |\* )/.test(l))
    .map((l) => l.replace(/^\[[^\]]*\] \d/, '').trimEnd())
    .join('\n');
}

async function flagsBySubject(imap: ImapOutpost, folder: string): Promise<Record<string, string>> {
  const box = await imap.store.getMailbox(ALICE.address, folder);
  assert.ok(box, folder);
  const out: Record<string, string> = {};
  for (const m of await imap.store.listMessages(box.id)) {
    const text = (await imap.store.readMessage(box.id, m.uid))?.toString('latin1') ?? '';
    out[/^Subject: (.*)$/m.exec(text)?.[1]?.trim() ?? '?'] = [...m.flags].sort().join(' ');
  }
  return out;
}

test('mutt over imaps://: reads, flags, copies, deletes and expunges with pushed keys on a terminal', async () => {
  await using imap = await startImapOutpost();
  for (const n of [1, 2, 3]) await imap.deliver(ALICE.address, testMessage(n));
  const home = tempDir('imap-mutt-');
  const rc = muttrc(imap, home);
  // First message: deleted. Second: flagged, copied to Archive. Third: shown (\Seen). No
  // cursor moves after an action (resolve=no).
  const keys =
    '<first-entry><delete-message><next-entry><flag-message><copy-message>=Archive<enter>' +
    '<last-entry><display-message><exit><sync-mailbox><quit>';
  const mutt = `mutt -n -F ${rc} -d 5 -e 'push "${keys}"'`;
  const r = await run('script', ['-qec', mutt, '/dev/null'], {
    cwd: home,
    env: { HOME: home, TERM: 'xterm' },
    timeoutMs: 30_000,
  });
  const log = imapLog(home);
  assert.equal(r.code, 0, `${r.stderr}\n${log}`);
  assert.match(log, /> a\d{4} AUTHENTICATE PLAIN /);
  assert.match(log, /> a\d{4} SELECT "INBOX"\n< \* 3 EXISTS\n/);
  assert.match(log, /> a\d{4} UID COPY 2 "Archive"\n< a\d{4} OK \[COPYUID \d+ 2 1\] COPY completed/);
  assert.match(log, /> a\d{4} EXPUNGE\n< \* 1 EXPUNGE\n< a\d{4} OK EXPUNGE completed/);
  assert.match(log, /> a\d{4} LOGOUT\n< \* BYE Logging out\n< a\d{4} OK LOGOUT completed/);
  assert.doesNotMatch(log, / (?:NO|BAD) /, log);
  assert.deepEqual(await flagsBySubject(imap, 'INBOX'), {
    'test message 2': '\\Flagged',
    'test message 3': '\\Seen',
  });
  // mutt stores the flag before it copies; COPY keeps flags (RFC 9051 §6.4.7).
  assert.deepEqual(await flagsBySubject(imap, 'Archive'), { 'test message 2': '\\Flagged' });
});

test('mutt batch send: the Fcc copy is APPENDed to Sent over imaps:// as \\Seen', async () => {
  await using imap = await startImapOutpost();
  const home = tempDir('imap-mutt-');
  const rc = muttrc(imap, home);
  const r = await run('mutt', ['-n', '-F', rc, '-d', '5', '-s', 'sent by mutt', '--', 'bob@example.test'], {
    cwd: home,
    env: { HOME: home },
    input: 'Hello from mutt.\n',
    timeoutMs: 30_000,
  });
  const log = imapLog(home);
  assert.equal(r.code, 0, `${r.stderr}\n${log}`);
  assert.match(log, /> a\d{4} APPEND "Sent" \(\\Seen\) "[^"]+" \{\d+\}\n< a\d{4} OK \[APPENDUID \d+ 1\]/);
  assert.deepEqual(await flagsBySubject(imap, 'Sent'), { 'sent by mutt': '\\Seen' });
  const sent = await imap.store.getMailbox(ALICE.address, 'Sent');
  assert.ok(sent);
  const text = (await imap.store.readMessage(sent.id, 1))?.toString('utf8') ?? '';
  assert.match(text, /^To: bob@example\.test\r$/m);
  assert.match(text, /\r\n\r\nHello from mutt\.\r\n$/);
});
