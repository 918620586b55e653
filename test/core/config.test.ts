// Configuration: TOML parsing, schema validation with key paths, defaults, path resolution.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { ConfigError, ErrorCodes, hasCode } from '../../src/core/errors.js';
import {
  loadConfigFile,
  parseConfigText,
  configFromObject,
  logConfigWarnings,
  type ConfigWarning,
} from '../../src/core/config/load.js';
import { createLogger } from '../../src/core/logger.js';
import { RENAMED_KEYS } from '../../src/core/config/renamed-keys.js';
import { parseListenAddress } from '../../src/core/config/schema.js';
import { embeddedDefaultConfig } from '../../src/suite/default-config.js';
import { FETCH_BAD_PORTS } from '../helpers/bad-ports.js';
import { tempDir } from '../helpers/temp.js';

function rejects(text: string, keyPath: string, messagePart?: RegExp): void {
  assert.throws(
    () => parseConfigText(text, '/etc/outpost/test.toml'),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError, String(err));
      assert.equal(err.code, ErrorCodes.CONFIG_INVALID);
      assert.equal(err.keyPath, keyPath);
      assert.match(err.message, /^\/etc\/outpost\/test\.toml: /);
      if (messagePart) assert.match(err.message, messagePart);
      return true;
    },
  );
}

test('a full config parses, applies defaults and resolves paths against the file', () => {
  const config = parseConfigText(
    `
data_dir = "var"
hostname = "mx.crepes.test"
[[domains]]
name = "crepes.test"
[[users]]
address = "alice@crepes.test"
password = "s3cret"
[tls]
cert = "tls/cert.pem"
key = "/abs/key.pem"
[dns]
listen = ["127.0.0.1:10053", "[::1]:10053"]
[[dns.zones]]
name = "crepes.test"
file = "zones/crepes.zone"
allow_transfer = ["127.0.0.2", "10.0.0.0/8"]
[smtp]
listen = ["0.0.0.0:25"]
`,
    '/srv/outpost/outpost.toml',
  );
  assert.equal(config.data_dir, '/srv/outpost/var');
  assert.deepEqual(config.tls, { cert: '/srv/outpost/tls/cert.pem', key: '/abs/key.pem' });
  assert.deepEqual(config.dns?.listen, [
    { host: '127.0.0.1', port: 10053 },
    { host: '::1', port: 10053 },
  ]);
  assert.equal(config.dns.zones[0]?.file, '/srv/outpost/zones/crepes.zone');
  assert.equal(config.smtp?.max_message_size, 25 * 1024 * 1024);
  assert.deepEqual(config.smtp.submission_listen, []);
  assert.equal(config.pop3, undefined, 'absent table = service off');
  assert.equal(config.log.level, 'info');
});

test('site roots and FTP roots (virtual hosts too) resolve against the file; the access log stays relative to data_dir', () => {
  const config = parseConfigText(
    `
[http]
root = "www"
access_log = "logs/access.log"
[[http.sites]]
host = "www.crepes.test"
root = "/abs/site"
[ftp]
anonymous_root = "pub"
[ftp.virtual_hosts."pub.crepes.test"]
anonymous_root = "vhosts/pub"
`,
    '/srv/outpost/outpost.toml',
  );
  assert.equal(config.http?.root, '/srv/outpost/www');
  assert.equal(config.http.access_log, 'logs/access.log', 'accessLogPath() puts it under data_dir');
  assert.equal(config.http.sites[0]?.root, '/abs/site');
  assert.equal(config.ftp?.anonymous_root, '/srv/outpost/pub');
  assert.equal(config.ftp.virtual_hosts['pub.crepes.test']?.anonymous_root, '/srv/outpost/vhosts/pub');
  const off = parseConfigText('[http]\naccess_log = "off"\n', '/srv/outpost/outpost.toml');
  assert.equal(off.http?.access_log, 'off', '"off" is a switch, not a file name');
});

test('a DNS view’s zone file resolves against the config file, like its zone’s', () => {
  const config = parseConfigText(
    `
[dns]
[[dns.zones]]
name = "cdn.test"
file = "zones/cdn.test.zone"
[[dns.zones.views]]
match_clients = ["127.0.0.0/24"]
file = "zones/cdn.test.edge-a.zone"
[[dns.zones.views]]
match_clients = ["10.0.0.0/8"]
file = "/abs/edge-b.zone"
`,
    '/srv/outpost/outpost.toml',
  );
  const zone = config.dns?.zones[0];
  assert.equal(zone?.file, '/srv/outpost/zones/cdn.test.zone');
  assert.deepEqual(
    zone.views.map((v) => v.file),
    ['/srv/outpost/zones/cdn.test.edge-a.zone', '/abs/edge-b.zone'],
  );
});

test('errors name the key path and the file', () => {
  rejects('[smtp]\nlisten = ["nonsense"]\n', 'smtp.listen[0]', /expected "host:port"/);
  rejects('[smtp]\nlisten = ["127.0.0.1:99999"]\n', 'smtp.listen[0]');
  rejects('[smtp]\nlisten = "127.0.0.1:25"\n', 'smtp.listen');
  rejects('[smtp]\nlisten = []\nmax_mesage_size = 10\n', 'smtp', /unknown key "max_mesage_size"/);
  rejects('bogus = 1\n', '(top level)', /unknown key "bogus"/);
  rejects('[[dns.zones]]\nname = "a.test"\n', 'dns.zones[0]', /exactly one of file/);
  rejects('[[users]]\naddress = "a@b.test"\n', 'users[0]', /exactly one of password/);
  rejects(
    '[[users]]\naddress = "a@b.test"\npassword_hash = "plain"\n',
    'users[0].password_hash',
    /\$scrypt\$/,
  );
  rejects('hostname = "bad host!"\n', 'hostname');
  rejects('[log]\nlevel = "loud"\n', 'log.level');
  rejects('[ftp]\npassive_ports = "40000"\n', 'ftp.passive_ports', /low-high/);
});

test('TOML syntax errors give file:line:column', () => {
  assert.throws(
    () => parseConfigText('[smtp\nlisten = 1', 'bad.toml'),
    (err: unknown) => err instanceof ConfigError && /^bad\.toml:1:\d+: TOML syntax/.test(err.message),
  );
});

test('a missing file is a read error with its own code', () => {
  assert.throws(
    () => loadConfigFile('/nonexistent/outpost.toml'),
    (err: unknown) => hasCode(err, ErrorCodes.CONFIG_READ),
  );
});

test('loadConfigFile reads from disk', () => {
  const dir = tempDir('outpost-config-');
  const file = join(dir, 'outpost.toml');
  writeFileSync(file, '[pop3]\nlisten = ["127.0.0.1:0"]\n');
  const config = loadConfigFile(file);
  assert.deepEqual(config.pop3?.listen, [{ host: '127.0.0.1', port: 0 }]);
  assert.equal(config.data_dir, join(dir, 'data'));
});

test('the embedded default validates and uses standard ports + 10000 (HTTP 18080) on loopback', () => {
  const config = configFromObject(embeddedDefaultConfig('/tmp/outpost-data'));
  const ports = [
    config.dns?.listen[0],
    config.http?.listen[0],
    config.http?.tls_listen[0],
    config.smtp?.listen[0],
    config.smtp?.submission_listen[0],
    config.smtp?.tls_listen[0],
    config.pop3?.listen[0],
    config.pop3?.tls_listen[0],
    config.imap?.listen[0],
    config.imap?.tls_listen[0],
    config.ftp?.listen[0],
  ];
  assert.deepEqual(
    ports.map((p) => p?.port),
    [10053, 18080, 10443, 10025, 10587, 10465, 10110, 10995, 10143, 10993, 10021],
  );
  assert.ok(ports.every((p) => p?.host === '127.0.0.1'));
  assert.deepEqual(config.domains, [{ name: 'example.test' }]);
});

test('no embedded default port is a Fetch "bad port", so browsers and fetch reach every one', async () => {
  const config = configFromObject(embeddedDefaultConfig('/tmp/outpost-data'));
  type Listener = { readonly port: number };
  const listeners = (table: object | undefined): Listener[] =>
    ['listen', 'tls_listen', 'submission_listen'].flatMap(
      (key) => (table as Record<string, Listener[] | undefined> | undefined)?.[key] ?? [],
    );
  const ports = [config.dns, config.http, config.admin, config.smtp, config.pop3, config.imap, config.ftp]
    .flatMap(listeners)
    .map((a) => a.port);
  assert.equal(ports.length, 12);
  assert.deepEqual(
    ports.filter((p) => FETCH_BAD_PORTS.has(p)),
    [],
  );
  // The list is the one Node's fetch applies: each listed port (10080, HTTP's old default,
  // among them) is refused before any connection is tried, while 18080 gets as far as connecting.
  const refusal = (port: number): Promise<string> =>
    fetch(`http://127.0.0.1:${String(port)}/`).then(
      (r) => `status ${String(r.status)}`,
      (err: unknown) => ((err as Error).cause as Error).message,
    );
  for (const port of FETCH_BAD_PORTS) assert.equal(await refusal(port), 'bad port', String(port));
  assert.notEqual(await refusal(18080), 'bad port');
});

test('listen addresses: IPv4, hostnames and bracketed IPv6 only', () => {
  assert.deepEqual(parseListenAddress('localhost:25'), { host: 'localhost', port: 25 });
  assert.deepEqual(parseListenAddress('[2001:db8::1]:53'), { host: '2001:db8::1', port: 53 });
  for (const bad of [
    '::1:53',
    '[nothex]:53',
    '127.0.0.1',
    ':25',
    '127.0.0.1:',
    'a b:25',
    '[::1]:70000',
    'host:25\n',
  ]) {
    assert.equal(parseListenAddress(bad), null, bad);
  }
});

test('renamed keys: the old names load to the same configuration, with one warning each naming old and new', () => {
  const oldNames = `
[smtp]
allow_plaintext_auth_on_loopback = false
[ftp]
implicit_tls_listen = ["127.0.0.1:10990"]
idle_timeout = 42
data_timeout = 7
`;
  const newNames = `
[smtp]
allow_plaintext_on_loopback = false
[ftp]
tls_listen = ["127.0.0.1:10990"]
idle_timeout_seconds = 42
data_timeout_seconds = 7
`;
  const warnings: ConfigWarning[] = [];
  const old = parseConfigText(oldNames, '/etc/outpost/old.toml', { onWarning: (w) => warnings.push(w) });
  const current = parseConfigText(newNames, '/etc/outpost/old.toml', {
    onWarning: () => assert.fail('no warning for the new names'),
  });
  assert.deepEqual(old, current);
  assert.equal(old.smtp?.allow_plaintext_on_loopback, false);
  assert.deepEqual(old.ftp?.tls_listen, [{ host: '127.0.0.1', port: 10990 }]);
  assert.equal(old.ftp.idle_timeout_seconds, 42);
  assert.equal(old.ftp.data_timeout_seconds, 7);
  assert.deepEqual(
    warnings.map((w) => [w.file, w.key, w.replacement]),
    RENAMED_KEYS.map((r) => ['/etc/outpost/old.toml', `${r.section}.${r.old}`, `${r.section}.${r.key}`]),
  );
  assert.equal(
    warnings[2]?.message,
    '/etc/outpost/old.toml: ftp.idle_timeout is deprecated; use ftp.idle_timeout_seconds (same meaning)',
  );
});

test('renamed keys: old and new name together is an error naming both; a caller object is not changed', () => {
  rejects(
    '[ftp]\nidle_timeout = 5\nidle_timeout_seconds = 6\n',
    'ftp.idle_timeout',
    /both idle_timeout \(deprecated\) and idle_timeout_seconds/,
  );
  rejects(
    '[smtp]\nallow_plaintext_auth_on_loopback = true\nallow_plaintext_on_loopback = false\n',
    'smtp.allow_plaintext_auth_on_loopback',
  );
  // A deprecated key's value is still validated, under its new name.
  rejects('[ftp]\ndata_timeout = 0\n', 'ftp.data_timeout_seconds');
  const input = { ftp: { idle_timeout: 9 } };
  const warnings: ConfigWarning[] = [];
  const config = configFromObject(input as never, '/tmp', { onWarning: (w) => warnings.push(w) });
  assert.equal(config.ftp?.idle_timeout_seconds, 9);
  assert.deepEqual(input, { ftp: { idle_timeout: 9 } });
  assert.equal(
    warnings[0]?.message,
    'ftp.idle_timeout is deprecated; use ftp.idle_timeout_seconds (same meaning)',
  );
  // An old name in a table that does not have it is still an unknown key.
  rejects('[pop3]\nidle_timeout = 5\n', 'pop3', /unknown key "idle_timeout"/);
});

test('logConfigWarnings: outpost serve logs each deprecated key at warn with file, key and replacement', () => {
  const records: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      records.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger({ destination });
  parseConfigText('[ftp]\ndata_timeout = 30\n', '/srv/outpost.toml', {
    onWarning: logConfigWarnings(logger),
  });
  assert.equal(records.length, 1);
  const [record] = records;
  assert.ok(record);
  assert.equal(record.level, 40, 'warn');
  assert.equal(record.file, '/srv/outpost.toml');
  assert.equal(record.key, 'ftp.data_timeout');
  assert.equal(record.use, 'ftp.data_timeout_seconds');
  assert.equal(
    record.msg,
    '/srv/outpost.toml: ftp.data_timeout is deprecated; use ftp.data_timeout_seconds (same meaning)',
  );
});
