// The command line as a user runs it (README's lines are in readme.test.ts): `config check`
// accepts and rejects files, user/domain administration on a data directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp.js';
import { eventually } from '../helpers/eventually.js';
import { bin, outpost } from './helpers.js';

test('adding a user to an unknown domain fails with its code', () => {
  const dataDir = tempDir('outpost-restart-');
  assert.equal(outpost(['domain', 'add', 'crepes.test', '--data', dataDir]).status, 0);
  const added = outpost(['user', 'add', 'carol@example.test', '--data', dataDir]);
  assert.notEqual(added.status, 0, 'domain must exist first');
  assert.match(added.stderr, /ERR_DOMAIN_NOT_FOUND/);
});

test('config check accepts a good file and rejects a bad one naming the key', () => {
  const dir = tempDir('outpost-check-');
  const good = join(dir, 'good.toml');
  writeFileSync(good, '[smtp]\nlisten = ["127.0.0.1:2525"]\n[pop3]\nlisten = ["127.0.0.1:1110"]\n');
  const ok = outpost(['config', 'check', good]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /OK \(smtp, pop3\)/);

  const bad = join(dir, 'bad.toml');
  writeFileSync(bad, '[smtp]\nlisten = ["127.0.0.1:2525", "not-an-address"]\n');
  const rejected = outpost(['config', 'check', bad]);
  assert.equal(rejected.status, 1);
  assert.match(rejected.stderr, /bad\.toml: smtp\.listen\[1\]: expected "host:port"/);
  assert.match(rejected.stderr, /ERR_CONFIG_INVALID/);

  const missing = outpost(['config', 'check', join(dir, 'nope.toml')]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /cannot read/);
});

test('config check accepts deprecated key names with a warning naming the new key', () => {
  const dir = tempDir('outpost-check-old-');
  const file = join(dir, 'old.toml');
  writeFileSync(
    file,
    '[ftp]\nlisten = ["127.0.0.1:0"]\nidle_timeout = 60\n[smtp]\nlisten = ["127.0.0.1:0"]\nallow_plaintext_auth_on_loopback = true\n',
  );
  const checked = outpost(['config', 'check', file]);
  assert.equal(checked.status, 0, checked.stderr);
  assert.match(checked.stdout, /OK \(smtp, ftp\)/);
  assert.match(
    checked.stderr,
    /^outpost: warning: .*old\.toml: ftp\.idle_timeout is deprecated; use ftp\.idle_timeout_seconds/m,
  );
  assert.match(
    checked.stderr,
    /^outpost: warning: .*old\.toml: smtp\.allow_plaintext_auth_on_loopback is deprecated; use smtp\.allow_plaintext_on_loopback/m,
  );
  const both = join(dir, 'both.toml');
  writeFileSync(both, '[ftp]\nidle_timeout = 60\nidle_timeout_seconds = 60\n');
  const refused = outpost(['config', 'check', both]);
  assert.equal(refused.status, 1);
  assert.match(
    refused.stderr,
    /both\.toml: ftp\.idle_timeout: both idle_timeout \(deprecated\) and idle_timeout_seconds/,
  );
  // serve logs the same warning at warn (JSON off a terminal) before it starts anything; a missing
  // zone file then stops it, so nothing listens.
  const served = join(dir, 'serve.toml');
  writeFileSync(
    served,
    '[ftp]\ndata_timeout = 30\n[dns]\nlisten = ["127.0.0.1:0"]\n[[dns.zones]]\nname = "example.test"\nfile = "missing.zone"\n',
  );
  const run = outpost(['serve', '--config', served, '--log-level', 'warn']);
  assert.equal(run.status, 1, run.stdout);
  const warning = run.stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .find((entry) => entry.key === 'ftp.data_timeout');
  assert.ok(warning, run.stderr);
  assert.equal(warning.level, 40);
  assert.equal(warning.use, 'ftp.data_timeout_seconds');
  assert.equal(warning.file, served);
  assert.match(
    String(warning.msg),
    /serve\.toml: ftp\.data_timeout is deprecated; use ftp\.data_timeout_seconds/,
  );
});

test('user and domain administration on a data directory', () => {
  const data = tempDir('outpost-users-');
  assert.equal(outpost(['domain', 'add', 'crepes.test', '--data', data]).status, 0);
  assert.equal(outpost(['domain', 'list', '--data', data]).stdout, 'crepes.test\n');
  const generated = outpost(['user', 'add', 'alice@crepes.test', '--data', data]);
  assert.equal(generated.status, 0, generated.stderr);
  assert.match(generated.stdout, /^added alice@crepes\.test {2}password: \S{16}\n$/);
  const fromStdin = outpost(['user', 'add', 'bob@crepes.test', '--password-stdin', '--data', data], {
    input: 'pw-from-stdin\n',
  });
  assert.equal(fromStdin.status, 0, fromStdin.stderr);
  assert.equal(fromStdin.stdout, 'added bob@crepes.test\n');
  const dup = outpost(['user', 'add', 'ALICE@crepes.test', '--password', 'x', '--data', data]);
  assert.equal(dup.status, 1);
  assert.match(dup.stderr, /ERR_ACCOUNT_EXISTS/);
  assert.equal(outpost(['user', 'list', '--data', data]).stdout, 'alice@crepes.test\nbob@crepes.test\n');
  const inUse = outpost(['domain', 'remove', 'crepes.test', '--data', data]);
  assert.equal(inUse.status, 1);
  assert.match(inUse.stderr, /ERR_DOMAIN_IN_USE/);
  assert.equal(outpost(['user', 'passwd', 'bob@crepes.test', '--password', 'new', '--data', data]).status, 0);
  assert.equal(outpost(['user', 'remove', 'bob@crepes.test', '--data', data]).status, 0);
  assert.equal(outpost(['user', 'list', 'crepes.test', '--data', data]).stdout, 'alice@crepes.test\n');
  assert.equal(outpost(['domain', 'remove', 'crepes.test', '--force', '--data', data]).status, 0);
  assert.equal(outpost(['domain', 'list', '--data', data]).stdout, '');
});

test('unknown commands and options are usage errors (exit 2)', () => {
  assert.equal(outpost(['frobnicate']).status, 2);
  assert.equal(outpost(['serve', '--no-such-option']).status, 2);
});

test('SIGHUP reloads the config file (a changed password applies) without stopping', async () => {
  const dir = tempDir('outpost-hup-');
  const file = join(dir, 'outpost.toml');
  const write = (pw: string): void => {
    writeFileSync(file, `data_dir = "data"\n[[users]]\naddress = "alice@crepes.test"\npassword = "${pw}"\n`);
  };
  write('one');
  const child = spawn(process.execPath, [bin, 'serve', '--config', file, '--log-level', 'silent'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  const exited = new Promise<number | null>((res) =>
    child.on('exit', (code) => {
      res(code);
    }),
  );
  try {
    await eventually(
      () => {
        assert.equal(child.exitCode, null);
        return stdout.includes('Press Ctrl-C');
      },
      { timeoutMs: 120_000, intervalMs: 50, what: 'the table' },
    );
    const { openAccounts } = await import('../../src/suite/suite.js');
    const { db, accounts } = openAccounts(join(dir, 'data'));
    try {
      const before = (await accounts.getUser('alice@crepes.test'))?.updatedAt.getTime() ?? 0;
      write('two');
      await new Promise((r) => setTimeout(r, 20));
      child.kill('SIGHUP');
      await eventually(
        async () => ((await accounts.getUser('alice@crepes.test'))?.updatedAt.getTime() ?? 0) !== before,
        { timeoutMs: 10_000, intervalMs: 50, what: 'the password to be reloaded' },
      );
      assert.equal((await accounts.authenticate('alice@crepes.test', 'two', { ip: '127.0.0.1' })).ok, true);
      assert.equal(child.exitCode, null, 'still running after SIGHUP');
    } finally {
      db.close();
    }
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exited, 0);
});

test('dns check-zone prints the serial and record count, or every problem with file:line', () => {
  const good = outpost(['dns', 'check-zone', 'example.test', 'test/dns/fixtures/example.test.zone']);
  assert.equal(good.status, 0, good.stderr);
  assert.match(good.stdout, /^zone example\.test\/IN: loaded serial \d+\nOK\n\d+ records\n$/);
  const bad = outpost(['dns', 'check-zone', 'example.test', 'test/dns/fixtures/broken.zone']);
  assert.equal(bad.status, 1);
  assert.match(bad.stdout, /broken\.zone:\d+: unterminated quoted string/);
  assert.match(bad.stdout, /not loaded due to errors\.\n$/);
});
