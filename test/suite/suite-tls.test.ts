// The suite's lazy development certificate: a suite whose services offer no TLS writes no tls/
// files; SMTP (STARTTLS) and FTP (AUTH TLS) get one shared certificate that openssl s_client
// verifies; a valid certificate on disk is reused across restarts and reloads. Also the suite's
// provisioning: a SIGHUP with unchanged plain passwords leaves the stored hashes as they were.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import { configFromObject } from '../../src/core/config/load.js';
import type { OutpostConfig, OutpostConfigInput } from '../../src/core/config/schema.js';
import type { RunningService, ServiceDefinition } from '../../src/core/service/service.js';
import { Suite } from '../../src/suite/suite.js';
import { tempDir } from '../helpers/temp.js';

const ANY = ['127.0.0.1:0'];
const USERS = [{ address: 'alice@crepes.test', password: 'alice-pw-1' }];

function config(dataDir: string, extra: Partial<OutpostConfigInput>): OutpostConfig {
  return configFromObject({ data_dir: dataDir, ...extra });
}

const newDir = (): string => tempDir('outpost-suite-tls-');
const devCert = (dataDir: string): string => join(dataDir, 'tls', 'dev-cert.pem');

/**
 * Runs `openssl s_client -starttls <proto>` against 127.0.0.1:`port`, trusting only `caFile` and
 * checking the name localhost; returns the SHA-256 fingerprint of the certificate the server sent.
 */
async function starttlsFingerprint(proto: 'smtp' | 'ftp', port: number, caFile: string): Promise<string> {
  const args = [
    's_client',
    '-connect',
    `127.0.0.1:${port}`,
    '-starttls',
    proto,
    '-CAfile',
    caFile,
    '-verify_hostname',
    'localhost',
    '-verify_return_error',
  ];
  const child = spawn('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.match(
    out,
    /Verify return code: 0 \(ok\)/,
    `openssl s_client -starttls ${proto} (${status}): ${err}`,
  );
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(out)?.[0];
  assert.ok(pem, 'the server certificate is printed');
  return new X509Certificate(pem).fingerprint256;
}

const fileFingerprint = (path: string): string => new X509Certificate(readFileSync(path)).fingerprint256;

function endpointPort(suite: Suite, service: string, role?: string): number {
  const e = suite.endpoints().find((x) => x.service === service && (role === undefined || x.role === role));
  assert.ok(e, `${service} endpoint`);
  return e.port;
}

test('a DNS-only suite creates no tls/ files, and its DNS answers', async () => {
  const dir = newDir();
  const zone = join(dir, 'crepes.test.zone');
  writeFileSync(
    zone,
    [
      '$ORIGIN crepes.test.',
      '$TTL 300',
      '@ IN SOA ns1 hostmaster 1 3600 600 86400 300',
      '@ IN NS ns1',
      'ns1 IN A 192.0.2.1',
      'www IN A 192.0.2.10',
      '',
    ].join('\n'),
  );
  await using suite = await Suite.start({
    config: config(dir, { dns: { listen: ANY, zones: [{ name: 'crepes.test', file: zone }] } }),
  });
  assert.deepEqual(suite.serviceNames, ['dns']);
  const port = endpointPort(suite, 'dns');
  const { stdout } = await promisify(execFile)('dig', [
    '@127.0.0.1',
    '-p',
    String(port),
    'www.crepes.test',
    'A',
    '+short',
    '+time=2',
    '+tries=1',
  ]);
  assert.equal(stdout.trim(), '192.0.2.10');
  await suite.reload();
  assert.equal(existsSync(join(dir, 'tls')), false, 'no certificate made for a suite without TLS');
});

test('SMTP (STARTTLS) and FTP (AUTH TLS) share one generated certificate that verifies', async () => {
  const dir = newDir();
  await using suite = await Suite.start({
    config: config(dir, {
      users: USERS,
      smtp: { listen: ANY, submission_listen: ANY },
      ftp: { listen: ANY },
    }),
  });
  assert.ok(existsSync(devCert(dir)), 'made because SMTP offers STARTTLS');
  assert.deepEqual(readdirSync(join(dir, 'tls')).sort(), ['dev-cert.pem', 'dev-key.pem']);
  assert.ok(suite.endpoints().every((e) => e.tls === 'starttls'));
  const onDisk = fileFingerprint(devCert(dir));
  const [smtp, submission, ftp] = await Promise.all([
    starttlsFingerprint('smtp', endpointPort(suite, 'smtp', 'mx'), devCert(dir)),
    starttlsFingerprint('smtp', endpointPort(suite, 'smtp', 'submission'), devCert(dir)),
    starttlsFingerprint('ftp', endpointPort(suite, 'ftp'), devCert(dir)),
  ]);
  assert.equal(smtp, onDisk);
  assert.equal(submission, onDisk);
  assert.equal(ftp, onDisk, 'FTP serves the same certificate as SMTP');
});

test('the certificate is made only when an enabled service offers TLS, and every service shares it', async () => {
  const dir = newDir();
  const seen: unknown[] = [];
  const service = (name: string, offers: boolean, enabled = true): ServiceDefinition => ({
    name,
    enabled: () => enabled,
    offersTls: () => offers,
    start: (context) => {
      seen.push(context.tls);
      const running: RunningService = { name, endpoints: () => [], close: () => Promise.resolve() };
      return Promise.resolve(running);
    },
  });
  const quiet = await Suite.start({
    config: config(dir, {}),
    services: [service('quiet', false), service('disabled', true, false)],
  });
  const undeclared: ServiceDefinition = {
    name: 'embedder',
    enabled: () => true,
    start: (context) => {
      seen.push(context.tls);
      return Promise.resolve({ name: 'embedder', endpoints: () => [], close: () => Promise.resolve() });
    },
  };
  assert.equal(quiet.context.tls, null);
  assert.equal(existsSync(join(dir, 'tls')), false, 'no service offering TLS: no certificate');
  await quiet.close();
  seen.length = 0;
  await using suite = await Suite.start({
    config: config(dir, {}),
    services: [service('quiet', false), service('a', true), service('b', true)],
  });
  assert.equal(seen.length, 3);
  assert.ok(seen[0], 'a provider');
  assert.ok(
    seen.every((p) => p === seen[0]),
    'one provider for every service',
  );
  assert.equal(suite.context.tls, seen[0]);
  assert.deepEqual(readdirSync(join(dir, 'tls')).sort(), ['dev-cert.pem', 'dev-key.pem']);
  seen.length = 0;
  const other = newDir();
  await using embedded = await Suite.start({ config: config(other, {}), services: [undeclared] });
  assert.ok(seen[0], 'a service that does not say gets a certificate rather than none');
  assert.equal(embedded.context.tls, seen[0]);
});

test('a valid certificate on disk is reused by the next start and kept by a reload', async () => {
  const dir = newDir();
  const cfg = config(dir, { smtp: { listen: ANY } });
  const first = await Suite.start({ config: cfg });
  const before = readFileSync(devCert(dir), 'utf8');
  const fp1 = await starttlsFingerprint('smtp', endpointPort(first, 'smtp'), devCert(dir));
  await first.close();
  await using second = await Suite.start({ config: cfg });
  assert.equal(readFileSync(devCert(dir), 'utf8'), before, 'the file was not rewritten');
  assert.equal(await starttlsFingerprint('smtp', endpointPort(second, 'smtp'), devCert(dir)), fp1);
  await second.reload(cfg);
  assert.equal(await starttlsFingerprint('smtp', endpointPort(second, 'smtp'), devCert(dir)), fp1);
});

test('a reload keeps the stored hash of an unchanged plain password and replaces a changed one', async () => {
  const dir = newDir();
  const users = [
    { address: 'alice@crepes.test', password: 'alice-pw-1' },
    { address: 'bob@crepes.test', password: 'bob-pw-1' },
    { address: 'Bob@crepes.test', password: 'bob-pw-2' }, // listed twice: the last one wins
  ];
  await using suite = await Suite.start({ config: config(dir, { users }), services: [] });
  const db = new BetterSqlite3(join(dir, 'accounts.db'), { readonly: true });
  const hashes = (): Record<string, string> =>
    Object.fromEntries(
      (
        db.prepare('SELECT address, password_hash FROM users').all() as {
          address: string;
          password_hash: string;
        }[]
      ).map((r) => [r.address.toLowerCase(), r.password_hash]),
    );
  const login = async (address: string, password: string): Promise<boolean> =>
    (await suite.context.accounts.authenticate(address, password, { ip: '127.0.0.1' })).ok;
  try {
    assert.equal(await login('bob@crepes.test', 'bob-pw-2'), true);
    assert.equal(await login('bob@crepes.test', 'bob-pw-1'), false);
    const start = hashes();
    await suite.reload(config(dir, { users }));
    assert.deepEqual(hashes(), start, 'nothing re-hashed');
    const changed = [...USERS, { address: 'bob@crepes.test', password: 'bob-pw-3' }];
    await suite.reload(config(dir, { users: changed }));
    const after = hashes();
    assert.equal(after['alice@crepes.test'], start['alice@crepes.test']);
    assert.notEqual(after['bob@crepes.test'], start['bob@crepes.test']);
    assert.equal(await login('bob@crepes.test', 'bob-pw-2'), false, 'the old password stops working');
    assert.equal(await login('bob@crepes.test', 'bob-pw-3'), true);
  } finally {
    db.close();
  }
});
