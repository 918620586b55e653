// `outpost config init` as a user runs it: a commented file equal to the embedded default and the
// demo zone beside it, passwords printed once and stored as scrypt hashes; `config check` says OK,
// `outpost serve --config` runs it and the printed password logs in (python3 poplib), alice may
// upload to the web site (curl); existing files are kept unless --force.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyPassword } from '../../src/core/accounts/password.js';
import { configFromObject, loadConfigFile } from '../../src/core/config/load.js';
import { embeddedDefaultConfig } from '../../src/suite/default-config.js';
import { runText } from '../helpers/run.js';
import { tempDir } from '../helpers/temp.js';
import { bin, outpost } from './helpers.js';

const PASSWORD_LINE = /^ {2}(\S+@example\.test) {2}password: ([A-Za-z0-9]{16})$/gm;

/** Runs `config init` in a fresh directory; returns the directory and the printed passwords. */
function init(): { dir: string; file: string; passwords: Map<string, string> } {
  const dir = tempDir('outpost-init-');
  const r = outpost(['config', 'init'], { cwd: dir });
  assert.equal(r.status, 0, r.stderr);
  const file = join(dir, 'outpost.toml');
  assert.ok(r.stdout.startsWith(`wrote ${file}\nwrote ${join(dir, 'example.test.zone')}\n`), r.stdout);
  const passwords = new Map([...r.stdout.matchAll(PASSWORD_LINE)].map((m) => [m[1] ?? '', m[2] ?? '']));
  assert.deepEqual([...passwords.keys()], ['alice@example.test', 'bob@example.test']);
  return { dir, file, passwords };
}

test('the file is the embedded default, commented, with the demo users as scrypt hashes only', async () => {
  const { dir, file, passwords } = init();
  const text = readFileSync(file, 'utf8');
  assert.equal(statSync(file).mode & 0o077, 0, 'owner-only: it holds password hashes');
  for (const password of passwords.values())
    assert.equal(text.includes(password), false, 'no clear password');

  const loaded = loadConfigFile(file);
  assert.equal(loaded.data_dir, join(dir, 'data'));
  const zoneFile = loaded.dns?.zones[0]?.file ?? '';
  assert.equal(zoneFile, join(dir, 'example.test.zone'));
  const { users, ...rest } = loaded;
  const { users: noUsers, ...embedded } = configFromObject(embeddedDefaultConfig(loaded.data_dir, zoneFile));
  assert.deepEqual(noUsers, []);
  assert.deepEqual(rest, embedded, 'same effective config as the embedded default');
  assert.deepEqual(
    users.map((u) => u.address),
    ['alice@example.test', 'bob@example.test'],
  );
  for (const user of users) {
    assert.equal(user.password, undefined);
    assert.ok(
      await verifyPassword(passwords.get(user.address) ?? '', user.password_hash ?? ''),
      user.address,
    );
  }
  // Every top-level key has its comment right above it.
  for (const [key, value] of Object.entries(loaded)) {
    if (value !== undefined)
      assert.match(text, new RegExp(`# .*\\n(\\[\\[?${key}\\]\\]?|${key} =)`), `comment above ${key}`);
  }
  // The zone beside it is the demo zone and checks clean.
  const zone = outpost(['dns', 'check-zone', 'example.test', zoneFile]);
  assert.equal(zone.status, 0, zone.stdout);
});

test('init refuses to overwrite the file or the zone without --force', () => {
  const { dir, file } = init();
  const before = readFileSync(file, 'utf8');
  const again = outpost(['config', 'init'], { cwd: dir });
  assert.equal(again.status, 1);
  assert.equal(
    again.stderr,
    `outpost: ${file} already exists; pass --force to overwrite it (and example.test.zone) [ERR_FILE_EXISTS]\n`,
  );
  assert.equal(readFileSync(file, 'utf8'), before);

  const other = join(dir, 'other.toml');
  const zoneOnly = outpost(['config', 'init', 'other.toml'], { cwd: dir });
  assert.equal(zoneOnly.status, 1, 'the zone beside it exists');
  assert.match(zoneOnly.stderr, /example\.test\.zone already exists/);

  const forced = outpost(['config', 'init', '--force'], { cwd: dir });
  assert.equal(forced.status, 0, forced.stderr);
  assert.notEqual(readFileSync(file, 'utf8'), before, 'new passwords, new hashes');
  assert.equal(outpost(['config', 'check', other]).status, 1, 'other.toml was never written');
});

test('config check says OK; serve --config runs it; the printed password logs in over POP3; alice uploads', async () => {
  const { dir, file, passwords } = init();
  const checked = outpost(['config', 'check', file]);
  assert.equal(checked.status, 0, checked.stderr);
  assert.match(checked.stdout, /: OK \(dns, smtp, http, .*pop3, imap, ftp\)\n$/);

  // The default ports are fixed; for a parallel test run every listener moves to port 0.
  writeFileSync(file, readFileSync(file, 'utf8').replaceAll(/"127\.0\.0\.1:\d+"/g, '"127.0.0.1:0"'));
  const child = spawn(process.execPath, [bin, 'serve', '--config', file], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((res) => child.on('exit', res));
  try {
    const deadline = Date.now() + 60_000;
    while (!stdout.includes('Press Ctrl-C to stop.')) {
      assert.ok(Date.now() < deadline, `no table; stderr: ${stderr}`);
      assert.equal(child.exitCode, null, `exited: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(stdout.includes(`data in ${join(dir, 'data')} (created now)`), stdout);
    assert.doesNotMatch(stdout, /password:/, 'no passwords: the file has only hashes');
    const port = (service: string, tls: string): string =>
      new RegExp(`^ {2}${service} +tcp +127\\.0\\.0\\.1:(\\d+) +${tls}`, 'm').exec(stdout)?.[1] ??
      assert.fail(stdout);

    const alice = passwords.get('alice@example.test') ?? '';
    const pop = await runText('python3', [
      '-c',
      'import poplib,sys\np=poplib.POP3("127.0.0.1",int(sys.argv[1]))\np.user(sys.argv[2]);p.pass_(sys.argv[3])\nprint(p.stat());p.quit()',
      port('pop3', 'starttls'),
      'alice@example.test',
      alice,
    ]);
    assert.equal(pop.code, 0, pop.stderr);
    assert.equal(pop.stdout, '(0, 0)\n');
    const wrong = await runText('python3', [
      '-c',
      'import poplib,sys\np=poplib.POP3("127.0.0.1",int(sys.argv[1]))\np.user("alice@example.test");p.pass_("wrong")',
      port('pop3', 'starttls'),
    ]);
    assert.notEqual(wrong.code, 0, 'a wrong password is refused');
    const imap = await runText('python3', [
      '-c',
      'import imaplib,sys\nm=imaplib.IMAP4("127.0.0.1",int(sys.argv[1]))\nprint(m.login(sys.argv[2],sys.argv[3])[0]);m.logout()',
      port('imap', 'starttls'),
      'alice@example.test',
      alice,
    ]);
    assert.equal(imap.code, 0, imap.stderr);
    assert.equal(imap.stdout, 'OK\n');

    const upload = await runText('curl', [
      '-sS',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      '-u',
      `alice@example.test:${alice}`,
      '-T',
      file,
      `http://127.0.0.1:${port('http', 'none')}/uploaded.toml`,
    ]);
    assert.equal(upload.stdout, '201', upload.stderr);
    assert.equal(readFileSync(join(dir, 'data/www/uploaded.toml'), 'utf8'), readFileSync(file, 'utf8'));
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exited, 0, stderr);
});
