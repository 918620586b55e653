// `outpost mail fetch` as a user runs it (the built bin/outpost) against a real Outpost suite over
// TCP: folders with counts, a folder's messages, one message printed, messages saved as .eml files
// and into a Maildir. Mail is put in with Python's imaplib (mail-fetch-fixture.ts) and what our
// client prints or saves is compared byte for byte with what imaplib sent; Python's
// `mailbox.Maildir` reads the Maildir we wrote. Trust and passwords: mail-fetch-trust.test.ts.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runText } from '../helpers/run.js';
import { ALICE, FIRST, SECOND, startFetchFixture, type FetchFixture } from './mail-fetch-fixture.js';

let f: FetchFixture;
before(async () => {
  f = await startFetchFixture();
});
after(() => f.suite.close());

test('--folders, a folder listing and --show against the local suite of --config (STARTTLS, its certificate trusted)', async () => {
  const folders = await f.fetchAlice(['--folders']);
  assert.equal(folders.code, 0, folders.stderr);
  const rows = folders.stdout.split('\n');
  assert.match(rows[0] ?? '', /^FOLDER +MESSAGES +UNSEEN$/);
  assert.ok(
    rows.some((r) => /^INBOX +2 +1$/.test(r)),
    folders.stdout,
  );
  assert.ok(
    rows.some((r) => /^Work\/Projects +1 +1$/.test(r)),
    folders.stdout,
  );
  assert.ok(
    rows.some((r) => /^Café +0 +0$/.test(r)),
    'modified UTF-7 decoded',
  );

  const list = await f.fetchAlice(['-v']);
  assert.equal(list.code, 0, list.stderr);
  assert.match(
    list.stderr,
    new RegExp(`^server 127\\.0\\.0\\.1:${String(f.suite.port)} \\(STARTTLS\\)$`, 'm'),
  );
  assert.ok(
    list.stderr.includes(`trusting the local suite's development certificate ${f.cert}`),
    list.stderr,
  );
  const lines = list.stdout.trimEnd().split('\n');
  assert.match(lines[0] ?? '', /^UID +DATE \(UTC\) +FROM +SUBJECT +FLAGS$/);
  assert.match(lines[1] ?? '', /^ +1 +2026-12-07 10:00 +Björn +Résumé +\\Flagged \\Seen$/);
  assert.match(lines[2] ?? '', /^ +2 +\d{4}-\d\d-\d\d \d\d:\d\d +bob@example\.test +second$/);

  const work2 = await f.fetchAlice(['--folder', 'Work/Projects']);
  assert.match(work2.stdout, /^ +1 .* carol@example\.test +in a folder +\\Answered$/m);

  const shown = await f.outpostBytes([
    'mail',
    'fetch',
    '--config',
    f.config,
    '--user',
    ALICE.address,
    '--show',
    '1',
  ]);
  assert.equal(shown.code, 0, shown.stderr);
  assert.ok(shown.stdout.equals(FIRST), 'printed exactly the bytes imaplib appended');
  const missing = await f.fetchAlice(['--show', '99']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no message with UID 99 in INBOX/);

  // Reading changed no flag (EXAMINE, BODY.PEEK).
  const again = await f.fetchAlice(['--folders']);
  assert.ok(
    again.stdout.split('\n').some((r) => /^INBOX +2 +1$/.test(r)),
    again.stdout,
  );
});

test('--save writes UID.eml files and --maildir a Maildir Python reads, flags in the info suffix; a second run skips what is there', async () => {
  const emls = join(f.work, 'eml');
  const saved = await f.fetchAlice(['--save', emls]);
  assert.equal(saved.code, 0, saved.stderr);
  assert.equal(saved.stdout, `saved 2 messages from INBOX to ${emls}\n`);
  assert.deepEqual(readdirSync(emls).sort(), ['1.eml', '2.eml']);
  assert.ok(readFileSync(join(emls, '1.eml')).equals(FIRST));
  assert.ok(readFileSync(join(emls, '2.eml')).equals(SECOND));

  const md = join(f.work, 'Maildir');
  const first = await f.fetchAlice(['--maildir', md, '--imaps']);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stdout, `saved 2 messages from INBOX to ${md}\n`);
  const second = await f.fetchAlice(['--maildir', md]);
  assert.equal(second.stdout, `saved 0 messages from INBOX to ${md} (2 saved before)\n`);
  assert.deepEqual(readdirSync(join(md, 'tmp')), []);
  const script = String.raw`
import mailbox, sys, json
box = mailbox.Maildir(sys.argv[1], factory=None, create=False)
out = sorted([[m.get_subdir(), m.get_flags(), m.as_bytes().hex()] for m in box])
print(json.dumps(out))
`;
  const py = await runText('python3', ['-c', script, md]);
  assert.equal(py.code, 0, py.stderr);
  const read = (JSON.parse(py.stdout) as [string, string, string][]).map(([sub, flags, hex]) => [
    sub,
    flags,
    Buffer.from(hex, 'hex').toString('latin1').replace(/\r\n/g, '\n'),
  ]);
  // Python's email layer re-serialises with LF; the bytes we wrote are compared above for .eml.
  assert.deepEqual(
    read.map(([sub, flags]) => [sub, flags]),
    [
      ['cur', 'FS'],
      ['new', ''],
    ],
  );
  assert.ok(read[0]?.[2]?.includes('Subject: =?utf-8?q?R=C3=A9sum=C3=A9?='));
  const curFile = readdirSync(join(md, 'cur'))[0] ?? '';
  assert.match(curFile, /^\d+\.O\d+_1\.[^:]+:2,FS$/);
  assert.ok(readFileSync(join(md, 'cur', curFile)).equals(FIRST), 'the file holds the exact bytes');
});
