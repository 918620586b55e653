// The development certificate: what `selfsigned` makes for us, checked by Node's X509Certificate
// and by openssl (parse + verify), and ensureDevCertificate's reuse rules (kept while valid,
// replaced when expiring, not covering the names, not matching its key, or garbage).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDevCertificate, generateSelfSigned } from '../../src/core/tls-dev-cert.js';
import { TlsProvider } from '../../src/core/tls.js';
import { tempDir } from '../helpers/temp.js';

const fingerprint = (path: string): string => new X509Certificate(readFileSync(path)).fingerprint256;
const DAY = 24 * 3600 * 1000;

test('generateSelfSigned: a P-256 server certificate for the names, localhost and loopback, that openssl verifies', async () => {
  const dir = tempDir('outpost-devcert-');
  const now = new Date('2031-05-04T10:00:00Z');
  const pem = await generateSelfSigned(['Mail.Crepes.test', 'crepes.test', '192.0.2.7', 'bad name!'], now);
  const cert = new X509Certificate(pem.cert);
  assert.equal(cert.subject, 'CN=mail.crepes.test');
  assert.equal(cert.issuer, cert.subject);
  assert.ok(cert.verify(cert.publicKey), 'self-signed: verifies with its own key');
  assert.equal(cert.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  assert.equal(cert.ca, false);
  assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1']);
  for (const host of ['mail.crepes.test', 'crepes.test', 'localhost'])
    assert.equal(cert.checkHost(host), host);
  assert.equal(cert.checkHost('other.test'), undefined);
  for (const ip of ['127.0.0.1', '::1', '192.0.2.7']) assert.ok(cert.checkIP(ip), ip);
  assert.ok(!cert.subjectAltName?.includes('bad'), 'a name a dNSName cannot hold is left out');
  assert.equal(Date.parse(cert.validFrom), now.getTime() - 60_000);
  assert.equal(Date.parse(cert.validTo), now.getTime() - 60_000 + 825 * DAY);
  assert.match(cert.serialNumber, /^[0-9A-F]+$/);
  // A real, independent parser and verifier.
  writeFileSync(join(dir, 'c.pem'), pem.cert);
  const text = execFileSync('openssl', ['x509', '-in', join(dir, 'c.pem'), '-noout', '-text'], {
    encoding: 'utf8',
  });
  assert.match(text, /Basic Constraints: critical\s+CA:FALSE/);
  assert.match(text, /Key Usage: critical\s+Digital Signature/);
  const verified = execFileSync(
    'openssl',
    [
      'verify',
      '-attime',
      String(now.getTime() / 1000 + 3600),
      '-CAfile',
      join(dir, 'c.pem'),
      join(dir, 'c.pem'),
    ],
    { encoding: 'utf8' },
  );
  assert.match(verified, /: OK/);
  // The key is the certificate's, and Node's TLS accepts the pair.
  writeFileSync(join(dir, 'k.pem'), pem.key);
  assert.doesNotThrow(() => new TlsProvider({ cert: join(dir, 'c.pem'), key: join(dir, 'k.pem') }));
});

test('ensureDevCertificate: writes the pair (key 0600), then reuses it while it is good', async () => {
  const dir = tempDir('outpost-devcert-');
  const now = new Date();
  const files = await ensureDevCertificate(dir, ['a.test'], now);
  assert.equal(statSync(files.key).mode & 0o777, 0o600);
  assert.equal(statSync(join(dir, 'tls')).mode & 0o777, 0o700);
  assert.deepEqual(
    readdirSync(join(dir, 'tls')).sort(),
    ['dev-cert.pem', 'dev-key.pem'],
    'no temp files left',
  );
  const first = fingerprint(files.cert);
  assert.equal(fingerprint((await ensureDevCertificate(dir, ['a.test'], now)).cert), first, 'reused');
  const later = new Date(now.getTime() + 700 * DAY);
  assert.equal(fingerprint((await ensureDevCertificate(dir, ['A.test.'], later)).cert), first, 'still valid');
});

test('ensureDevCertificate: replaces a pair that expires soon, misses a name, mismatches or is garbage', async () => {
  const dir = tempDir('outpost-devcert-');
  const now = new Date();
  const files = await ensureDevCertificate(dir, ['a.test'], now);
  const fp = (): string => fingerprint(files.cert);
  let last = fp();
  const check = async (why: string, names: string[], at: Date = now): Promise<void> => {
    await ensureDevCertificate(dir, names, at);
    assert.notEqual(fp(), last, why);
    last = fp();
    const cert = new X509Certificate(readFileSync(files.cert));
    assert.ok(
      cert.checkPrivateKey(createPrivateKey(readFileSync(files.key))),
      `${why}: the new pair matches`,
    );
  };
  await check('expires within 30 days', ['a.test'], new Date(now.getTime() + 800 * DAY));
  await check('a new configured name', ['a.test', 'b.test']);
  writeFileSync(files.key, (await generateSelfSigned(['a.test'])).key);
  await check('key does not match the certificate', ['a.test']);
  writeFileSync(files.cert, 'not a certificate');
  await ensureDevCertificate(dir, ['a.test']);
  assert.doesNotThrow(() => new TlsProvider(files), 'a garbage file is replaced by a usable pair');
});
