// README.md as a new user follows it: the Quick start's first line (`npm start`) starts the
// embedded default on a fresh data directory and prints the table and demo passwords; then every
// line of README's marked examples block runs, in order, with alice's printed password, and each
// must do what it shows (the block is parsed out of README.md, so the two cannot drift); SIGTERM
// stops the suite. The embedded default's ports are fixed, so the test holds
// /tmp/default-ports.lock while the suite runs (helpers/default-ports.ts). The second Quick start line must be what CI runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { withDefaultPorts } from '../helpers/default-ports.js';
import { runText } from '../helpers/run.js';
import { tempDir } from '../helpers/temp.js';
import { root } from './helpers.js';

const readme = readFileSync(join(root, 'README.md'), 'utf8');
const EXAMPLES_MARKER =
  '<!-- examples: test/cli/readme.test.ts runs every line of the next block, in order -->';

function quickStartLines(): string[] {
  const section = /## Quick start\s+```sh\n([\s\S]*?)```/.exec(readme);
  assert.ok(section?.[1], 'README has a Quick start code block');
  return section[1].split('\n').filter((l) => l.trim() !== '');
}

function exampleLines(): string[] {
  const at = readme.indexOf(EXAMPLES_MARKER);
  assert.ok(at >= 0, 'README marks its examples block');
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at));
  assert.ok(block?.[1], 'a sh block follows the marker');
  return block[1].split('\n').filter((l) => l.trim() !== '');
}

/** What a run of one example gave, and what the test knows about the running suite. */
interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  dataDir: string;
  passwords: ReadonlyMap<string, string>;
}

/** How each example is judged; every README example must match exactly one, every rule be used. */
const EXPECTATIONS: readonly { command: RegExp; check: (r: Run) => Promise<void> | void }[] = [
  {
    command: /^node bin\/outpost dig @127\.0\.0\.1 -p 10053 example\.test MX$/,
    check: (r) => {
      assert.match(r.stdout, /status: NOERROR/);
      assert.match(r.stdout, /^example\.test\.\s+\d+\s+IN\s+MX\s+10 mail\.example\.test\.$/m);
    },
  },
  {
    command: /^curl http:\/\/127\.0\.0\.1:18080\/$/,
    check: (r) => {
      assert.match(r.stdout, /<html/i);
    },
  },
  {
    command: /^curl -f -u alice@example\.test:\S+ -T README\.md http:\/\/127\.0\.0\.1:18080\/readme\.txt$/,
    check: (r) => {
      assert.equal(readFileSync(join(r.dataDir, 'www/readme.txt'), 'utf8'), readme);
    },
  },
  {
    command: /^node bin\/outpost http http:\/\/127\.0\.0\.1:18080\/readme\.txt$/,
    check: (r) => {
      assert.equal(r.stdout, readme);
    },
  },
  {
    command: /^swaks --server 127\.0\.0\.1:10025 --from bob@example\.test --to alice@example\.test$/,
    check: (r) => {
      // The reply to the final dot: stored.
      assert.match(r.stdout, /^ -> \.\n<- {2}250 2\.0\.0 /m);
    },
  },
  {
    command: /^curl -u alice@example\.test:\S+ pop3:\/\/127\.0\.0\.1:10110\/1$/,
    check: (r) => {
      // The message swaks just sent, by its own headers and body.
      assert.match(r.stdout, /^To: alice@example\.test\r?$/m);
      assert.match(r.stdout, /^From: bob@example\.test\r?$/m);
      assert.match(r.stdout, /This is a test mailing/);
    },
  },
  {
    command:
      /^echo "Hello Bob" \| OUTPOST_SMTP_PASSWORD=\S+ node bin\/outpost mail send --from alice@example\.test --to bob@example\.test --subject Hello$/,
    check: async (r) => {
      // Bob finds it in his mailbox (python3 poplib, his printed password).
      const pop = await runText('python3', [
        '-c',
        'import poplib,sys\np=poplib.POP3("127.0.0.1",10110)\np.user(sys.argv[1]);p.pass_(sys.argv[2])\n' +
          'n=len(p.list()[1])\nprint(b"\\n".join(p.retr(n)[1]).decode())\np.quit()',
        'bob@example.test',
        r.passwords.get('bob@example.test') ?? '',
      ]);
      assert.equal(pop.code, 0, pop.stderr);
      assert.match(pop.stdout, /^Subject: Hello$/m);
      assert.match(pop.stdout, /^From: alice@example\.test$/m);
      assert.match(pop.stdout, /^Hello Bob$/m);
    },
  },
  {
    command: /^OUTPOST_IMAP_PASSWORD=\S+ node bin\/outpost mail fetch --user alice@example\.test$/,
    check: (r) => {
      // Alice's INBOX over IMAP (the embedded default's 10143, STARTTLS with the development
      // certificate found in ./data): the message swaks sent, which POP3's RETR marked \Seen.
      assert.match(r.stdout, /^UID +DATE \(UTC\) +FROM +SUBJECT +FLAGS$/m);
      assert.match(r.stdout, /^ +1 +\d{4}-\d\d-\d\d \d\d:\d\d +bob@example\.test +test .*\\Seen$/m);
    },
  },
  {
    command:
      /^OUTPOST_FTP_PASSWORD=\S+ node bin\/outpost ftp put README\.md ftp:\/\/alice@127\.0\.0\.1:10021\/README\.md$/,
    check: (r) => {
      assert.equal(readFileSync(join(r.dataDir, 'ftp/alice@example.test/README.md'), 'utf8'), readme);
    },
  },
  {
    command: /^OUTPOST_FTP_PASSWORD=\S+ node bin\/outpost ftp ls ftp:\/\/alice@127\.0\.0\.1:10021\/$/,
    check: (r) => {
      assert.match(r.stdout, / README\.md\r?$/m);
    },
  },
  {
    command: /^printf 'HELO me\\nQUIT\\n' \| node bin\/outpost telnet 127\.0\.0\.1 10025$/,
    check: (r) => {
      // The textbook's SMTP by hand: every reply shows, up to the server's goodbye.
      assert.match(r.stdout, /^220 mail\.example\.test ESMTP/m);
      assert.match(r.stdout, /^250 mail\.example\.test Hello me/m);
      assert.match(r.stdout, /^221 /m);
    },
  },
  {
    command: /^curl http:\/\/127\.0\.0\.1:19090\/healthz$/,
    check: (r) => {
      const health = JSON.parse(r.stdout) as { status: string; services: string[] };
      assert.equal(health.status, 'ok');
      assert.deepEqual(health.services, ['dns', 'smtp', 'http', 'proxy', 'admin', 'pop3', 'imap', 'ftp']);
    },
  },
  {
    command: /^curl -s http:\/\/127\.0\.0\.1:19090\/metrics \| grep '\^outpost_'$/,
    check: (r) => {
      const lines = r.stdout.trim().split('\n');
      assert.ok(lines.length > 0 && lines.every((l) => l.startsWith('outpost_')), r.stdout);
      // The examples above were counted: SMTP and POP3 connections among them.
      assert.match(r.stdout, /^outpost_connections_total\{[^}]*protocol="smtp"[^}]*\} [1-9]/m);
      assert.match(r.stdout, /^outpost_connections_total\{[^}]*protocol="pop3"[^}]*\} [1-9]/m);
    },
  },
];

test('README Quick start has exactly two command lines, the second is what CI runs', () => {
  const lines = quickStartLines();
  assert.equal(lines.length, 2);
  const ci = readFileSync(join(root, '.ci/run'), 'utf8');
  assert.ok(ci.split('\n').includes(lines[1] ?? '<none>'), '.ci/run runs README line 2 verbatim');
});

test('every README example has its expectation, and every expectation its example', () => {
  const lines = exampleLines();
  for (const line of lines) {
    const rules = EXPECTATIONS.filter((e) => e.command.test(line));
    assert.equal(rules.length, 1, `exactly one expectation for: ${line}`);
  }
  for (const e of EXPECTATIONS) {
    assert.ok(
      lines.some((l) => e.command.test(l)),
      `README no longer shows ${String(e.command)}`,
    );
  }
});

test("README's first line starts the suite; every example then works in order; SIGTERM stops it", async () => {
  await withDefaultPorts(readmeSession);
});

async function readmeSession(): Promise<void> {
  const line = quickStartLines()[0] ?? '';
  const dataDir = tempDir('outpost-readme-');
  const child = spawn('bash', ['-c', line], {
    cwd: root,
    // OUTPOST_NO_INSTALL: never `npm ci` under the other running tests (CI installs first).
    env: { ...process.env, OUTPOST_DATA: dataDir, OUTPOST_NO_INSTALL: '1' },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const exited = new Promise<number | null>((res) =>
    child.on('exit', (code) => {
      res(code);
    }),
  );
  // The server is a grandchild (bash -> npm -> node): its output ends when the pipe closes.
  const outputClosed = once(child.stdout, 'close');
  try {
    const deadline = Date.now() + 300_000;
    while (!stdout.includes('Press Ctrl-C to stop.')) {
      assert.ok(Date.now() < deadline, `no table in time; stdout=${stdout} stderr=${stderr}`);
      assert.equal(child.exitCode, null, `exited early: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(stdout.includes(`data in ${dataDir} (created now)`), stdout);
    // Observability is on by default: the admin listener is in the table.
    assert.match(stdout, /^ {2}admin +tcp +127\.0\.0\.1:19090 +none +\/healthz, \/metrics$/m);
    const passwords = new Map(
      [...stdout.matchAll(/^ {2}(\S+@example\.test) {2}password: ([A-Za-z0-9]{16})$/gm)].map((m) => [
        m[1] ?? '',
        m[2] ?? '',
      ]),
    );
    assert.deepEqual([...passwords.keys()], ['alice@example.test', 'bob@example.test']);
    // Passwords are stored hashed only, in an owner-only file.
    const alice = passwords.get('alice@example.test') ?? '';
    const db = readFileSync(join(dataDir, 'accounts.db'));
    assert.equal(db.includes(Buffer.from(alice)), false, 'clear password not in the database');
    assert.equal(statSync(join(dataDir, 'accounts.db')).mode & 0o077, 0);

    for (const example of exampleLines()) {
      const command = example.replaceAll(/\bPASSWORD\b/g, alice);
      const r = await runText('bash', ['-o', 'pipefail', '-c', command], {
        cwd: root,
        env: { OUTPOST_DATA: dataDir },
      });
      assert.equal(r.code, 0, `${example}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
      const rule = EXPECTATIONS.find((e) => e.command.test(command));
      assert.ok(rule, `no expectation for ${example}`);
      await rule.check({ ...r, dataDir, passwords });
    }
    assert.equal(existsSync(join(dataDir, 'mail.db')), true);
  } finally {
    process.kill(-(child.pid ?? 0), 'SIGTERM');
  }
  const code = await exited;
  await outputClosed;
  assert.ok(code === 0 || code === null, `exit code ${String(code)}: ${stderr}`);
  assert.match(stdout, /Outpost stopped\./, `stderr: ${stderr}`);
}
