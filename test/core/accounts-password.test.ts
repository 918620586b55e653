// scrypt password hashes: PHC encoding, round trips, wrong passwords, malformed and tampered
// strings, and the DoS bounds on the cost a stored hash may ask for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCodes, hasCode } from '../../src/core/errors.js';
import { hashPassword, isPasswordHash, verifyPassword } from '../../src/core/accounts/password.js';

const CHEAP = { ln: 10, r: 8, p: 1 };

const isBadHash = (err: unknown): boolean => hasCode(err, ErrorCodes.INVALID_PASSWORD_HASH);

test('the default hash is PHC-encoded with ln=15, r=8, p=1, a 16-byte salt and a 32-byte key', async () => {
  const h = await hashPassword('correct horse');
  const m = /^\$scrypt\$ln=15,r=8,p=1\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(h);
  assert.ok(m, h);
  assert.equal(Buffer.from(m[1]!, 'base64').length, 16);
  assert.equal(Buffer.from(m[2]!, 'base64').length, 32);
  assert.ok(isPasswordHash(h));
  assert.equal(await verifyPassword('correct horse', h), true);
  assert.equal(await verifyPassword('correct horsf', h), false);
});

test('round trips, including empty and non-ASCII passwords; salts differ', async () => {
  for (const pw of ['', 'pässwörd ✓', 'a'.repeat(1024), 'with\0nul']) {
    const h = await hashPassword(pw, CHEAP);
    assert.equal(await verifyPassword(pw, h), true);
    assert.equal(await verifyPassword(`${pw}x`, h), false);
  }
  assert.notEqual(await hashPassword('same', CHEAP), await hashPassword('same', CHEAP));
});

test('over-long passwords: cannot be hashed, and never verify', async () => {
  await assert.rejects(hashPassword('a'.repeat(1025), CHEAP), RangeError);
  const h = await hashPassword('a'.repeat(1024), CHEAP);
  assert.equal(await verifyPassword('a'.repeat(5000), h), false);
});

test('malformed hashes throw INVALID_PASSWORD_HASH and are not password hashes', async () => {
  const good = await hashPassword('pw', CHEAP);
  const [, , params, salt, key] = good.split('$') as [string, string, string, string, string];
  const bad = [
    '',
    'pw',
    '$2b$10$abcdefghijklmnopqrstuuu0123456789012345678901234567890',
    '$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g',
    `$scrypt$${params}$${salt}`,
    `$scrypt$${params}$${salt}$${key}$`,
    `$scrypt$${params}$${salt}$${key}=`,
    `$scrypt$${params}$${salt}$${key}\n`,
    `$scrypt$ln=10,p=1,r=8$${salt}$${key}`,
    `$scrypt$ln=10,r=8$${salt}$${key}`,
    `$scrypt$${params}$${salt}$!!!!`,
    `$scrypt$${params}$$${key}`,
    `$scrypt$${params}$c2hvcnQ$${key}`, // 5-byte salt
    `$scrypt$${params}$${salt}$c2hvcnQ`, // 5-byte key
    `$scrypt$${params}$${salt}$${key.slice(0, -1)}B`, // non-canonical last character
    `$SCRYPT$${params}$${salt}$${key}`,
  ];
  for (const s of bad) {
    assert.equal(isPasswordHash(s), false, JSON.stringify(s));
    await assert.rejects(verifyPassword('pw', s), isBadHash, JSON.stringify(s));
  }
});

test('tampered parameters or salt no longer verify', async () => {
  const good = await hashPassword('pw', CHEAP);
  const [, , , salt, key] = good.split('$') as [string, string, string, string, string];
  assert.equal(await verifyPassword('pw', `$scrypt$ln=11,r=8,p=1$${salt}$${key}`), false);
  assert.equal(await verifyPassword('pw', `$scrypt$ln=10,r=4,p=1$${salt}$${key}`), false);
  const flipped = Buffer.from(salt, 'base64');
  flipped[0] = (flipped[0] ?? 0) ^ 1;
  const salt2 = flipped.toString('base64').replace(/=+$/, '');
  assert.equal(await verifyPassword('pw', `$scrypt$ln=10,r=8,p=1$${salt2}$${key}`), false);
});

test('absurd costs are refused before any work (DoS bounds)', async () => {
  const good = await hashPassword('pw', CHEAP);
  const [, , , salt, key] = good.split('$') as [string, string, string, string, string];
  const absurd = [
    'ln=30,r=8,p=1',
    'ln=21,r=1,p=1',
    'ln=18,r=8,p=1', // 256 MiB and 8x the work
    'ln=15,r=8,p=16', // 16x the work
    'ln=15,r=999,p=1',
    'ln=15,r=8,p=0',
    'ln=15,r=0,p=1',
    'ln=1,r=8,p=1', // too weak to be a real hash
  ];
  for (const params of absurd) {
    const s = `$scrypt$${params}$${salt}$${key}`;
    assert.equal(isPasswordHash(s), false, params);
    await assert.rejects(verifyPassword('pw', s), isBadHash, params);
  }
  await assert.rejects(hashPassword('pw', { ln: 25, r: 8, p: 1 }), isBadHash);
});
