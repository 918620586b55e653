// `outpost mail fetch` as a user runs it (the built bin/outpost) against a real Outpost suite over
// TCP: folders with counts, a folder's messages, one message printed, messages saved as .eml files
// and into a Maildir. Mail is put in with Python's imaplib (APPEND with flags, non-ASCII headers,
// 8-bit bytes) and what our client prints or saves is compared byte for byte with what imaplib
// sent; Python's `mailbox.Maildir` reads the Maildir we wrote. TLS: the local suite found through
// --config (its development certificate trusted on loopback), implicit TLS with --ca,
// NODE_EXTRA_CA_CERTS, --insecure, and the refusal that says whose certificate it is.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startImapOutpost, ALICE, type ImapOutpost } from '../imap/helpers/imap-outpost.js';
import { run as runBytes, runText } from '../helpers/run.js';
import { tempDir } from '../helpers/temp.js';
import { bin } from './helpers.js';

/** Runs `outpost ARGS` from `cwd` without blocking the in-process suite. */
function outpost(args: readonly string[], env: NodeJS.ProcessEnv = {}): ReturnType<typeof runText> {
  return runText(process.execPath, [bin, ...args], {
    cwd: work,
    env: { OUTPOST_DATA: '', OUTPOST_IMAP_PASSWORD: ALICE.password, NODE_EXTRA_CA_CERTS: '', ...env },
  });
}

let suite: ImapOutpost;
let work: string;
let config: string;
let cert: string;

const FIRST = Buffer.concat([
  Buffer.from(
    'From: =?utf-8?q?Bj=C3=B6rn?= <bjorn@example.test>\r\nTo: alice@example.test\r\n' +
      'Subject: =?utf-8?q?R=C3=A9sum=C3=A9?=\r\nDate: Mon, 07 Dec 2026 10:00:00 +0000\r\n' +
      'Content-Type: text/plain; charset=latin1\r\nContent-Transfer-Encoding: 8bit\r\n\r\nHej ',
  ),
  Buffer.from([0xe5, 0xe4, 0xf6]),
  Buffer.from('.\r\n.a line with a dot\r\n'),
]);
const SECOND = Buffer.from('From: bob@example.test\r\nSubject: second\r\n\r\nBody two.\r\n');
const WORK = Buffer.from('From: carol@example.test\r\nSubject: in a folder\r\n\r\nWork.\r\n');

/** APPENDs with Python's imaplib (a peer we did not write), over STARTTLS. */
async function appendWithImaplib(): Promise<void> {
  const script = String.raw`
import imaplib, ssl, sys
m = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]))
m.starttls(ssl.create_default_context(cafile=sys.argv[2]))
m.login(sys.argv[3], sys.argv[4])
m.create('Work/Projects')
m.create('Caf&AOk-')
m.append('INBOX', '(\\Seen \\Flagged)', None, open(sys.argv[5], 'rb').read())
m.append('INBOX', None, None, open(sys.argv[6], 'rb').read())
m.append('Work/Projects', '(\\Answered)', None, open(sys.argv[7], 'rb').read())
m.logout()
`;
  const files = [FIRST, SECOND, WORK].map((bytes, i) => {
    const file = join(work, `in-${String(i)}.eml`);
    writeFileSync(file, bytes);
    return file;
  });
  const r = await runText('python3', [
    '-c',
    script,
    String(suite.port),
    cert,
    ALICE.address,
    ALICE.password,
    ...files,
  ]);
  assert.equal(r.code, 0, r.stderr);
}

before(async () => {
  suite = await startImapOutpost();
  work = tempDir('outpost-mail-fetch-');
  cert = join(suite.outpost.dataDir, 'tls', 'dev-cert.pem');
  config = join(work, 'outpost.toml');
  writeFileSync(
    config,
    `data_dir = ${JSON.stringify(suite.outpost.dataDir)}\n[imap]\nlisten = ["127.0.0.1:${String(suite.port)}"]\ntls_listen = ["127.0.0.1:${String(suite.tlsPort)}"]\n`,
  );
  await appendWithImaplib();
});
after(() => suite.close());

test('--folders, a folder listing and --show against the local suite of --config (STARTTLS, its certificate trusted)', async () => {
  const folders = await outpost(['mail', 'fetch', '--config', config, '--user', ALICE.address, '--folders']);
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

  const list = await outpost(['mail', 'fetch', '--config', config, '--user', ALICE.address, '-v']);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stderr, new RegExp(`^server 127\\.0\\.0\\.1:${String(suite.port)} \\(STARTTLS\\)$`, 'm'));
  assert.ok(list.stderr.includes(`trusting the local suite's development certificate ${cert}`), list.stderr);
  const lines = list.stdout.trimEnd().split('\n');
  assert.match(lines[0] ?? '', /^UID +DATE \(UTC\) +FROM +SUBJECT +FLAGS$/);
  assert.match(lines[1] ?? '', /^ +1 +2026-12-07 10:00 +Björn +Résumé +\\Flagged \\Seen$/);
  assert.match(lines[2] ?? '', /^ +2 +\d{4}-\d\d-\d\d \d\d:\d\d +bob@example\.test +second$/);

  const work2 = await outpost([
    'mail',
    'fetch',
    '--config',
    config,
    '--user',
    ALICE.address,
    '--folder',
    'Work/Projects',
  ]);
  assert.match(work2.stdout, /^ +1 .* carol@example\.test +in a folder +\\Answered$/m);

  const shown = await run(['mail', 'fetch', '--config', config, '--user', ALICE.address, '--show', '1']);
  assert.equal(shown.code, 0, shown.stderr);
  assert.ok(shown.stdout.equals(FIRST), 'printed exactly the bytes imaplib appended');
  const missing = await outpost([
    'mail',
    'fetch',
    '--config',
    config,
    '--user',
    ALICE.address,
    '--show',
    '99',
  ]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no message with UID 99 in INBOX/);

  // Reading changed no flag (EXAMINE, BODY.PEEK).
  const again = await outpost(['mail', 'fetch', '--config', config, '--user', ALICE.address, '--folders']);
  assert.ok(
    again.stdout.split('\n').some((r) => /^INBOX +2 +1$/.test(r)),
    again.stdout,
  );
});

/** `outpost ARGS` with stdout as bytes. */
async function run(
  args: readonly string[],
): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return runBytes(process.execPath, [bin, ...args], {
    cwd: work,
    env: { OUTPOST_DATA: '', OUTPOST_IMAP_PASSWORD: ALICE.password, NODE_EXTRA_CA_CERTS: '' },
  });
}

test('--save writes UID.eml files and --maildir a Maildir Python reads, flags in the info suffix; a second run skips what is there', async () => {
  const emls = join(work, 'eml');
  const saved = await outpost(['mail', 'fetch', '--config', config, '--user', ALICE.address, '--save', emls]);
  assert.equal(saved.code, 0, saved.stderr);
  assert.equal(saved.stdout, `saved 2 messages from INBOX to ${emls}\n`);
  assert.deepEqual(readdirSync(emls).sort(), ['1.eml', '2.eml']);
  assert.ok(readFileSync(join(emls, '1.eml')).equals(FIRST));
  assert.ok(readFileSync(join(emls, '2.eml')).equals(SECOND));

  const md = join(work, 'Maildir');
  const first = await outpost([
    'mail',
    'fetch',
    '--config',
    config,
    '--user',
    ALICE.address,
    '--maildir',
    md,
    '--imaps',
  ]);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stdout, `saved 2 messages from INBOX to ${md}\n`);
  const second = await outpost([
    'mail',
    'fetch',
    '--config',
    config,
    '--user',
    ALICE.address,
    '--maildir',
    md,
  ]);
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

test('TLS trust: implicit TLS with --ca and no suite, NODE_EXTRA_CA_CERTS, --insecure, and the refusal explained', async () => {
  const none = ['--data', join(work, 'no-suite')];
  const server = ['--server', `127.0.0.1:${String(suite.tlsPort)}`, '--imaps'];
  const withCa = await outpost([
    'mail',
    'fetch',
    ...none,
    ...server,
    '--user',
    ALICE.address,
    '--ca',
    cert,
    '--folders',
  ]);
  assert.equal(withCa.code, 0, withCa.stderr);
  assert.match(withCa.stdout, /^INBOX +2 +1$/m);
  const extra = await outpost(['mail', 'fetch', ...none, ...server, '--user', ALICE.address, '--folders'], {
    NODE_EXTRA_CA_CERTS: cert,
  });
  assert.equal(extra.code, 0, extra.stderr);
  const insecure = await outpost([
    'mail',
    'fetch',
    ...none,
    ...server,
    '--user',
    ALICE.address,
    '--insecure',
    '--folders',
  ]);
  assert.equal(insecure.code, 0, insecure.stderr);

  const refused = await outpost([
    'mail',
    'fetch',
    ...none,
    '--server',
    `127.0.0.1:${String(suite.port)}`,
    '--user',
    ALICE.address,
  ]);
  assert.equal(refused.code, 1);
  assert.match(
    refused.stderr,
    /^outpost: the server's certificate is not trusted: it is self-signed and not among the trusted CAs \(DEPTH_ZERO_SELF_SIGNED_CERT\); it is CN=localhost .*\[ERR_TLS_UNTRUSTED\]$/m,
  );
  assert.match(refused.stderr, /^To trust it: --ca FILE, or export NODE_EXTRA_CA_CERTS=FILE /m);
  assert.match(refused.stderr, /^To skip verification \(not for real servers\): --insecure\.$/m);
});

test('passwords: a wrong one is the server NO, --password-file, none at all; never printed', async () => {
  const wrong = await outpost(['mail', 'fetch', '--config', config, '--user', ALICE.address], {
    OUTPOST_IMAP_PASSWORD: 'not-the-password-31',
  });
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /^outpost: LOGIN failed: NO \[AUTHENTICATIONFAILED\] .*\[ERR_IMAP_REPLY\]$/m);
  assert.ok(!(wrong.stdout + wrong.stderr).includes('not-the-password-31'));

  const file = join(work, 'password');
  writeFileSync(file, `${ALICE.password}\n`, { mode: 0o600 });
  const fromFile = await outpost(
    ['mail', 'fetch', '--config', config, '--user', ALICE.address, '--password-file', file],
    {
      OUTPOST_IMAP_PASSWORD: undefined,
    },
  );
  assert.equal(fromFile.code, 0, fromFile.stderr);
  assert.match(fromFile.stdout, /second/);

  const none = await outpost(['mail', 'fetch', '--config', config, '--user', ALICE.address], {
    OUTPOST_IMAP_PASSWORD: undefined,
  });
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no password: set OUTPOST_IMAP_PASSWORD or use --password-file FILE/);
});
