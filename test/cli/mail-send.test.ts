// `outpost mail send` as a new user runs it: against `outpost serve`'s embedded default with no
// flag at all (the submission listener 127.0.0.1:10587 and the development certificate found in
// ./data), against a suite described by --config, and against one whose certificate it does not
// know, where it says whose certificate it refused and how to trust it (--ca, NODE_EXTRA_CA_CERTS,
// --insecure). Delivery is checked with Python's poplib, not with our own code.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startTestOutpost, type TestOutpost } from '../../src/testing/index.js';
import { withDefaultPorts } from '../helpers/default-ports.js';
import { runText } from '../helpers/run.js';
import { tempDir } from '../helpers/temp.js';
import { bin } from './helpers.js';

const ALICE = { address: 'alice@example.test', password: 'alice-secret-1' };
const BOB = { address: 'bob@example.test', password: 'bob-secret-22' };

/** Runs `outpost ARGS` from `cwd` without blocking the in-process suite. */
function outpost(
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; input?: string },
): ReturnType<typeof runText> {
  return runText(process.execPath, [bin, ...args], {
    cwd: options.cwd,
    env: { OUTPOST_DATA: '', ...options.env },
    input: options.input ?? '',
  });
}

/** Subjects of the messages in a POP3 maildrop, read with Python's poplib. */
async function popSubjects(port: number, user: { address: string; password: string }): Promise<string[]> {
  const script = `
import poplib, sys, email
p = poplib.POP3('127.0.0.1', int(sys.argv[1]))
p.user(sys.argv[2]); p.pass_(sys.argv[3])
for i in range(1, p.stat()[0] + 1):
    msg = email.message_from_bytes(b'\\r\\n'.join(p.retr(i)[1]))
    print(msg['Subject'])
p.quit()
`;
  const r = await runText('python3', ['-c', script, String(port), user.address, user.password]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.split('\n').filter((l) => l !== '');
}

test('the embedded default: `outpost serve`, then `outpost mail send` with no flag reaches bob', async () => {
  await withDefaultPorts(async () => {
    const cwd = tempDir('outpost-first-contact-');
    const serve = spawn(process.execPath, [bin, 'serve'], {
      cwd,
      env: { ...process.env, OUTPOST_DATA: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    serve.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    serve.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = once(serve, 'exit');
    try {
      while (!stdout.includes('Press Ctrl-C to stop.')) {
        assert.equal(serve.exitCode, null, `serve exited: ${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const cert = join(cwd, 'data', 'tls', 'dev-cert.pem');
      assert.ok(stdout.includes(`TLS uses the self-signed development certificate ${cert}.`), stdout);
      assert.ok(stdout.includes(`  export NODE_EXTRA_CA_CERTS=${cert}\n`), stdout);
      const password = (who: string): string =>
        new RegExp(`${who}@example\\.test {2}password: (\\S+)`).exec(stdout)?.[1] ?? '';

      const sent = await outpost(
        [
          'mail',
          'send',
          '-v',
          '--from',
          'alice@example.test',
          '--to',
          'bob@example.test',
          '--subject',
          'First contact',
        ],
        { cwd, env: { OUTPOST_SMTP_PASSWORD: password('alice') }, input: 'Hello Bob.\n' },
      );
      assert.equal(sent.code, 0, sent.stderr);
      assert.match(sent.stdout, /^250 /);
      assert.match(
        sent.stderr,
        /^server 127\.0\.0\.1:10587 \(the submission listener of the embedded default in /m,
      );
      assert.ok(
        sent.stderr.includes(`trusting the local suite's development certificate ${cert}`),
        sent.stderr,
      );
      assert.deepEqual(await popSubjects(10110, { address: 'bob@example.test', password: password('bob') }), [
        'First contact',
      ]);
    } finally {
      serve.kill('SIGTERM');
      await exited;
    }
  });
});

let suite: TestOutpost;
let work: string;
let submission: number;
let cert: string;

before(async () => {
  suite = await startTestOutpost({ users: [ALICE, BOB], smtp: true, pop3: true });
  submission = suite.submission?.port ?? 0;
  cert = join(suite.dataDir, 'tls', 'dev-cert.pem');
  work = tempDir('outpost-mail-send-');
});
after(() => suite.close());

function send(
  subject: string,
  extra: readonly string[],
  env: NodeJS.ProcessEnv = {},
): ReturnType<typeof runText> {
  return outpost(
    ['mail', 'send', '--from', ALICE.address, '--to', BOB.address, '--subject', subject, ...extra],
    {
      cwd: work,
      env: { OUTPOST_SMTP_PASSWORD: ALICE.password, ...env },
      input: `${subject}\n`,
    },
  );
}

test('a suite described by --config: its submission listener is the default, its certificate trusted', async () => {
  const config = join(work, 'outpost.toml');
  writeFileSync(
    config,
    `data_dir = ${JSON.stringify(suite.dataDir)}\n[smtp]\nsubmission_listen = ["127.0.0.1:${String(submission)}"]\n`,
  );
  const r = await send('by config', ['--config', config, '-v']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(
      `^server 127\\.0\\.0\\.1:${String(submission)} \\(the submission listener of the suite of `,
      'm',
    ),
  );
  const found = await suite.waitForMessage(BOB.address, { match: (m) => m.subject === 'by config' });
  assert.equal(found.text.trim(), 'by config');
});

test('$OUTPOST_DATA names the suite: its development certificate is trusted on loopback', async () => {
  const r = await send('by data dir', ['--server', `127.0.0.1:${String(submission)}`], {
    OUTPOST_DATA: suite.dataDir,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    (await popSubjects(suite.pop3?.port ?? 0, BOB)).filter((s) => s === 'by data dir'),
    ['by data dir'],
  );
});

test('an unknown certificate is explained; --ca, NODE_EXTRA_CA_CERTS and --insecure each get through', async () => {
  const server = ['--server', `127.0.0.1:${String(submission)}`];
  const refused = await send('refused', server);
  assert.equal(refused.code, 1);
  assert.match(
    refused.stderr,
    /starttls: the server's certificate is not trusted: it is self-signed and not among the trusted CAs \(DEPTH_ZERO_SELF_SIGNED_CERT\)/,
  );
  assert.match(
    refused.stderr,
    /it is CN=\S+ \(self-signed, names DNS:.*IP Address:127\.0\.0\.1.*SHA-256 [0-9A-F:]{95}\)/,
  );
  assert.match(refused.stderr, /\[ERR_TLS_UNTRUSTED\]/);
  assert.match(refused.stderr, /^To trust it: --ca FILE, or export NODE_EXTRA_CA_CERTS=FILE/m);
  assert.match(refused.stderr, /^To skip verification \(not for real servers\): --insecure\.$/m);
  assert.doesNotMatch(refused.stderr, /ERR_TLS_UNAVAILABLE/);

  for (const [subject, extra, env] of [
    ['with --ca', ['--ca', cert], {}],
    ['with NODE_EXTRA_CA_CERTS', [], { NODE_EXTRA_CA_CERTS: cert }],
    ['with --insecure', ['--insecure'], {}],
  ] as const) {
    const r = await send(subject, [...server, ...extra], env);
    assert.equal(r.code, 0, `${subject}: ${r.stderr}`);
  }
  const subjects = await popSubjects(suite.pop3?.port ?? 0, BOB);
  for (const s of ['with --ca', 'with NODE_EXTRA_CA_CERTS', 'with --insecure'])
    assert.ok(subjects.includes(s), s);
  assert.ok(!subjects.includes('refused'));
});
