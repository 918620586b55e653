// `outpost config check` loads what `outpost serve` would (zone files, TLS files, paths) and
// refuses with serve's own words: each broken file is checked, then served, and both must fail
// with the same line; a good config is accepted without listening or writing anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp.js';
import { outpost, root } from './helpers.js';

const goodZone = join(root, 'test/dns/fixtures/example.test.zone');
const brokenZone = join(root, 'test/dns/fixtures/broken.zone');

/** A config file in a fresh directory; its data_dir is `data` beside it. */
function configFile(body: string): { dir: string; file: string } {
  const dir = tempDir('outpost-check-');
  const file = join(dir, 'outpost.toml');
  writeFileSync(file, `data_dir = "data"\n${body}`);
  return { dir, file };
}

const dnsWithZone = (zone: string): string =>
  `[dns]\nlisten = ["127.0.0.1:0"]\n[[dns.zones]]\nname = "example.test"\nfile = ${JSON.stringify(zone)}\n`;

/** `config check` and `serve` on the same file both fail, with the same message; returns it. */
function refusedAlike(file: string): string {
  const checked = outpost(['config', 'check', file]);
  assert.equal(checked.status, 1, `check accepted it: ${checked.stdout}`);
  assert.equal(checked.stdout, '');
  const served = outpost(['serve', '--config', file, '--log-level', 'silent']);
  assert.equal(served.status, 1, `serve ran it: ${served.stdout}`);
  assert.equal(checked.stderr, served.stderr, 'check and serve refuse in the same words');
  return checked.stderr;
}

test('a missing zone file: refused by check as by serve, naming the file', () => {
  const { dir, file } = configFile(dnsWithZone('zones/missing.zone'));
  const message = refusedAlike(file);
  assert.match(message, /^outpost: zone example\.test\. refused: 1 error\n/);
  assert.ok(message.includes(`${join(dir, 'zones/missing.zone')}: cannot read: ENOENT`), message);
  assert.match(message, /\[ERR_PARSE\]\n$/);
});

test('a broken zone file: every problem with file:line, as serve prints them', () => {
  const { file } = configFile(dnsWithZone(brokenZone));
  const message = refusedAlike(file);
  assert.match(message, /broken\.zone:\d+: unterminated quoted string/);
  assert.match(message, /broken\.zone:\d+: .*192\.0\.2\.256/);
});

test('a zone path that is a directory (unreadable as a file)', () => {
  const { dir, file } = configFile(dnsWithZone('zones'));
  mkdirSync(join(dir, 'zones'));
  assert.match(refusedAlike(file), /zones: cannot read: EISDIR/);
});

test('a missing TLS certificate or key', () => {
  const { dir, file } = configFile(
    `[tls]\ncert = "cert.pem"\nkey = "key.pem"\n[pop3]\nlisten = ["127.0.0.1:0"]\n`,
  );
  const message = refusedAlike(file);
  assert.ok(
    message.includes(`cannot load TLS certificate ${join(dir, 'cert.pem')} / key ${join(dir, 'key.pem')}`),
  );
  assert.match(message, /ENOENT.*\[ERR_TLS_UNAVAILABLE\]\n$/);
});

test('unusable paths: a data_dir under a file, a site root that is a file, a missing anonymous FTP root (a virtual host’s too)', () => {
  const underFile = configFile('[pop3]\nlisten = ["127.0.0.1:0"]\n');
  writeFileSync(underFile.file, `data_dir = "plain/data"\n[pop3]\nlisten = ["127.0.0.1:0"]\n`);
  writeFileSync(join(underFile.dir, 'plain'), 'a file, not a directory\n');
  assert.equal(
    refusedAlike(underFile.file),
    `outpost: data_dir ${join(underFile.dir, 'plain/data')}: cannot be created: ${join(underFile.dir, 'plain')} is not a directory [ERR_PATH_UNUSABLE]\n`,
  );

  const rootFile = configFile('[http]\nlisten = ["127.0.0.1:0"]\nroot = "site"\n');
  writeFileSync(join(rootFile.dir, 'site'), 'not a directory\n');
  assert.equal(
    refusedAlike(rootFile.file),
    `outpost: http.root ${join(rootFile.dir, 'site')}: not a directory [ERR_PATH_UNUSABLE]\n`,
  );

  const noAnon = configFile('[ftp]\nlisten = ["127.0.0.1:0"]\nanonymous_root = "pub"\n');
  assert.equal(
    refusedAlike(noAnon.file),
    `outpost: ftp.anonymous_root ${join(noAnon.dir, 'pub')}: no such directory [ERR_PATH_UNUSABLE]\n`,
  );

  const vhost = configFile(
    '[ftp]\nlisten = ["127.0.0.1:0"]\n[ftp.virtual_hosts."pub.example.test"]\nanonymous_root = "vpub"\n',
  );
  assert.equal(
    refusedAlike(vhost.file),
    `outpost: ftp.virtual_hosts."pub.example.test".anonymous_root ${join(vhost.dir, 'vpub')}: no such directory [ERR_PATH_UNUSABLE]\n`,
  );

  const logDir = configFile('[http]\nlisten = ["127.0.0.1:0"]\naccess_log = "/nonexistent-dir/access.log"\n');
  assert.match(
    refusedAlike(logDir.file),
    /http\.access_log \/nonexistent-dir\/access\.log: cannot be created: no directory/,
  );
});

test('a good config is OK, listens on nothing and writes nothing', async () => {
  // The config names a port that is already taken: check must not try to bind it.
  const taken = createServer();
  taken.listen(0, '127.0.0.1');
  await once(taken, 'listening');
  const port = (taken.address() as { port: number }).port;
  try {
    const { dir, file } = configFile(
      `[[domains]]\nname = "example.test"\n${dnsWithZone(goodZone).replace('127.0.0.1:0', `127.0.0.1:${String(port)}`)}` +
        `[http]\nlisten = ["127.0.0.1:${String(port)}"]\nroot = "site"\n[smtp]\nlisten = ["127.0.0.1:${String(port)}"]\n`,
    );
    const before = readdirSync(dir);
    const checked = outpost(['config', 'check', file]);
    assert.equal(checked.status, 0, checked.stderr);
    assert.equal(checked.stdout, `${file}: OK (dns, smtp, http)\n`);
    assert.deepEqual(readdirSync(dir), before, 'nothing created beside the config');
    assert.equal(existsSync(join(dir, 'data')), false, 'no data directory');
  } finally {
    taken.close();
  }
});

test('users: a malformed password hash or address is refused as serve refuses it', () => {
  const badHash = configFile(
    '[[users]]\naddress = "alice@example.test"\npassword_hash = "$scrypt$ln=99,r=8,p=1$c2FsdA$a2V5"\n',
  );
  assert.equal(
    refusedAlike(badHash.file),
    'outpost: password hash is malformed or its cost is out of bounds [ERR_INVALID_PASSWORD_HASH]\n',
  );
  const badAddress = configFile('[[users]]\naddress = "alice smith@example.test"\npassword = "x"\n');
  assert.match(refusedAlike(badAddress.file), /\[ERR_INVALID_ADDRESS\]\n$/);
});
