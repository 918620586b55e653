// The account store over SQLite: domain and user CRUD, case-insensitive lookup, errors by code,
// authenticate (ok, invalid, unknown, disabled, throttled), the login cache proven by counting
// hasher calls, and durability of a file-backed database across a reopen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../src/core/db.js';
import { ErrorCodes, hasCode, type ErrorCode } from '../../src/core/errors.js';
import {
  SqliteAccountStore,
  type AccountStoreOptions,
  type PasswordHasher,
} from '../../src/core/accounts/store.js';
import { hashPassword, verifyPassword } from '../../src/core/accounts/password.js';
import { AuthThrottle } from '../../src/core/accounts/throttle.js';
import { tempDir } from '../helpers/temp.js';

const IP = { ip: '192.0.2.1' };
const code = (c: ErrorCode) => (err: unknown) => hasCode(err, c);

/** A cheap scrypt (ln=10) that counts how often each function really ran. */
function countingHasher(): PasswordHasher & { hashes: number; verifies: number } {
  const h = {
    hashes: 0,
    verifies: 0,
    hash(plain: string): Promise<string> {
      h.hashes++;
      return hashPassword(plain, { ln: 10, r: 8, p: 1 });
    },
    verify(plain: string, encoded: string): Promise<boolean> {
      h.verifies++;
      return verifyPassword(plain, encoded);
    },
  };
  return h;
}

function setup(extra: Partial<AccountStoreOptions> = {}) {
  const clock = { now: 1_700_000_000_000 };
  const hasher = countingHasher();
  const db = openDatabase(':memory:');
  const store = new SqliteAccountStore({ db, hasher, clock: () => clock.now, ...extra });
  return { store, hasher, clock, db };
}

test('domains: add, list, has, remove; names are lowercased and unique regardless of case', async () => {
  const { store } = setup();
  assert.equal((await store.addDomain('Example.TEST')).name, 'example.test');
  await store.addDomain('other.test');
  await assert.rejects(store.addDomain('EXAMPLE.test'), code(ErrorCodes.DOMAIN_EXISTS));
  await assert.rejects(store.addDomain('bad domain'), code(ErrorCodes.INVALID_ADDRESS));
  assert.deepEqual(
    (await store.listDomains()).map((d) => [d.name, d.users]),
    [
      ['example.test', 0],
      ['other.test', 0],
    ],
  );
  assert.equal(await store.hasDomain('EXAMPLE.TEST'), true);
  assert.equal(await store.hasDomain('nope.test'), false);
  assert.equal(await store.hasDomain('\r\n'), false);
  await store.removeDomain('Other.Test');
  assert.equal(await store.hasDomain('other.test'), false);
  await assert.rejects(store.removeDomain('other.test'), code(ErrorCodes.DOMAIN_NOT_FOUND));
});

test('users: add, get (any case), list, set password, disable, remove', async () => {
  const { store, clock } = setup();
  await store.addDomain('example.test');
  await store.addDomain('other.test');
  const alice = await store.addUser('Alice@Example.test', { password: 'pw-a' });
  assert.equal(alice.address, 'Alice@example.test');
  assert.equal(alice.domain, 'example.test');
  assert.equal(alice.disabled, false);
  assert.equal(alice.createdAt.getTime(), clock.now);
  assert.equal(Object.keys(alice).includes('passwordHash'), false, 'hash never leaves the store');
  await store.addUser('bob@example.test', {
    passwordHash: await hashPassword('pw-b', { ln: 10, r: 8, p: 1 }),
  });
  await store.addUser('carol@other.test', { password: 'pw-c' });

  assert.equal((await store.getUser('ALICE@EXAMPLE.TEST'))?.address, 'Alice@example.test');
  assert.equal(await store.getUser('nobody@example.test'), undefined);
  assert.equal(await store.getUser('not an address'), undefined);
  assert.deepEqual(
    (await store.listUsers()).map((u) => u.address),
    ['Alice@example.test', 'bob@example.test', 'carol@other.test'],
  );
  assert.deepEqual(
    (await store.listUsers('OTHER.test')).map((u) => u.address),
    ['carol@other.test'],
  );
  await assert.rejects(store.listUsers('nope.test'), code(ErrorCodes.DOMAIN_NOT_FOUND));
  assert.deepEqual(
    (await store.listDomains()).map((d) => d.users),
    [2, 1],
  );

  clock.now += 5_000;
  await store.setPassword('alice@example.test', { password: 'new' });
  assert.equal((await store.getUser('alice@example.test'))?.updatedAt.getTime(), clock.now);
  assert.equal((await store.authenticate('alice@example.test', 'new', IP)).ok, true);
  await store.setDisabled('alice@example.test', true);
  assert.equal((await store.getUser('alice@example.test'))?.disabled, true);
  await store.removeUser('alice@EXAMPLE.test');
  assert.equal(await store.getUser('alice@example.test'), undefined);
});

test('user errors carry stable codes', async () => {
  const { store } = setup();
  await store.addDomain('example.test');
  await store.addUser('alice@example.test', { password: 'pw' });
  await assert.rejects(
    store.addUser('ALICE@example.test', { password: 'x' }),
    code(ErrorCodes.ACCOUNT_EXISTS),
  );
  await assert.rejects(
    store.addUser('"alice"@example.test', { password: 'x' }),
    code(ErrorCodes.ACCOUNT_EXISTS),
  );
  await assert.rejects(store.addUser('zed@nope.test', { password: 'x' }), code(ErrorCodes.DOMAIN_NOT_FOUND));
  await assert.rejects(
    store.addUser('bad\r\n@example.test', { password: 'x' }),
    code(ErrorCodes.INVALID_ADDRESS),
  );
  await assert.rejects(
    store.addUser('bob@example.test', {
      passwordHash: '$scrypt$ln=30,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA',
    }),
    code(ErrorCodes.INVALID_PASSWORD_HASH),
  );
  await assert.rejects(
    store.addUser('bob@example.test', { passwordHash: 'plaintext' }),
    code(ErrorCodes.INVALID_PASSWORD_HASH),
  );
  assert.equal(await store.getUser('bob@example.test'), undefined);
  await assert.rejects(
    store.setPassword('nobody@example.test', { password: 'x' }),
    code(ErrorCodes.ACCOUNT_NOT_FOUND),
  );
  await assert.rejects(store.removeUser('nobody@example.test'), code(ErrorCodes.ACCOUNT_NOT_FOUND));
  await assert.rejects(store.setDisabled('nobody@example.test', true), code(ErrorCodes.ACCOUNT_NOT_FOUND));
});

test('a domain with users is DOMAIN_IN_USE unless forced, which removes its users too', async () => {
  const { store } = setup();
  await store.addDomain('example.test');
  await store.addDomain('keep.test');
  await store.addUser('alice@example.test', { password: 'pw' });
  await store.addUser('bob@keep.test', { password: 'pw' });
  await assert.rejects(store.removeDomain('example.test'), code(ErrorCodes.DOMAIN_IN_USE));
  assert.equal((await store.getUser('alice@example.test'))?.address, 'alice@example.test');
  await store.removeDomain('example.test', { force: true });
  assert.equal(await store.hasDomain('example.test'), false);
  assert.equal(await store.getUser('alice@example.test'), undefined);
  assert.deepEqual(
    (await store.listUsers()).map((u) => u.address),
    ['bob@keep.test'],
  );
});

test('authenticate: ok by any case, invalid for a wrong password, unknown user, malformed or disabled', async () => {
  const { store, hasher } = setup();
  await store.addDomain('example.test');
  await store.addUser('alice@example.test', { password: 'secret' });
  const ok = await store.authenticate('ALICE@example.TEST', 'secret', IP);
  assert.ok(ok.ok);
  assert.equal(ok.user.address, 'alice@example.test');

  const before = hasher.verifies;
  assert.deepEqual(await store.authenticate('alice@example.test', 'Secret', IP), {
    ok: false,
    reason: 'invalid',
  });
  assert.deepEqual(await store.authenticate('nobody@example.test', 'secret', IP), {
    ok: false,
    reason: 'invalid',
  });
  assert.deepEqual(await store.authenticate('nobody@nope.test', 'secret', IP), {
    ok: false,
    reason: 'invalid',
  });
  assert.deepEqual(await store.authenticate('alice\r\n@example.test', 'secret', IP), {
    ok: false,
    reason: 'invalid',
  });
  assert.equal(hasher.verifies - before, 4, 'unknown and malformed users still cost one verification each');

  await store.setDisabled('alice@example.test', true);
  assert.deepEqual(await store.authenticate('alice@example.test', 'secret', IP), {
    ok: false,
    reason: 'invalid',
  });
  await store.setDisabled('alice@example.test', false);
  assert.equal((await store.authenticate('alice@example.test', 'secret', IP)).ok, true);
});

test('authenticate: a corrupt stored hash is a failed login, not a crash', async () => {
  const { store, db } = setup();
  await store.addDomain('example.test');
  await store.addUser('alice@example.test', { password: 'secret' });
  db.prepare("UPDATE users SET password_hash = 'garbage'").run();
  assert.deepEqual(await store.authenticate('alice@example.test', 'secret', IP), {
    ok: false,
    reason: 'invalid',
  });
});

test('authenticate: throttled after repeated failures, without verifying, until the lock ends', async () => {
  const clock = { now: 0 };
  const throttle = new AuthThrottle({ now: () => clock.now, maxFailuresPerUser: 3, baseLockMs: 10_000 });
  const { store, hasher } = setup({ throttle, clock: () => clock.now });
  await store.addDomain('example.test');
  await store.addUser('alice@example.test', { password: 'secret' });
  for (let i = 0; i < 3; i++) await store.authenticate('Alice@example.test', 'wrong', IP);
  const verifies = hasher.verifies;
  const r = await store.authenticate('alice@example.test', 'secret', { ip: '198.51.100.1' });
  assert.deepEqual(r, { ok: false, reason: 'throttled', retryAfterMs: 10_000 });
  assert.equal(hasher.verifies, verifies, 'no scrypt spent while locked');
  // Unknown users are throttled the same way, so locking does not reveal existence either.
  for (let i = 0; i < 3; i++) await store.authenticate('ghost@example.test', 'x', IP);
  assert.equal((await store.authenticate('ghost@example.test', 'x', IP)).ok, false);
  assert.deepEqual(await store.authenticate('ghost@example.test', 'x', IP), {
    ok: false,
    reason: 'throttled',
    retryAfterMs: 10_000,
  });
  clock.now += 10_000;
  assert.equal((await store.authenticate('alice@example.test', 'secret', IP)).ok, true);
});

test('the login cache skips scrypt for a repeated good login, and only for that exact password and hash', async () => {
  const { store, hasher, clock } = setup({ authCache: { ttlMs: 60_000 } });
  await store.addDomain('example.test');
  await store.addUser('alice@example.test', { password: 'secret' });
  assert.equal((await store.authenticate('alice@example.test', 'secret', IP)).ok, true);
  assert.equal(hasher.verifies, 1);
  for (let i = 0; i < 50; i++) {
    assert.equal(
      (await store.authenticate(i % 2 ? 'ALICE@example.test' : 'alice@example.test', 'secret', IP)).ok,
      true,
    );
  }
  assert.equal(hasher.verifies, 1, 'fifty cached logins, no scrypt');

  // A wrong password is never a cache hit.
  assert.equal((await store.authenticate('alice@example.test', 'secreT', IP)).ok, false);
  assert.equal(hasher.verifies, 2);

  // Changing the password invalidates the entry: the old password fails, the new one verifies once.
  await store.setPassword('alice@example.test', { password: 'fresh' });
  assert.equal((await store.authenticate('alice@example.test', 'secret', IP)).ok, false);
  assert.equal(hasher.verifies, 3);
  assert.equal((await store.authenticate('alice@example.test', 'fresh', IP)).ok, true);
  assert.equal((await store.authenticate('alice@example.test', 'fresh', IP)).ok, true);
  assert.equal(hasher.verifies, 4);

  // Entries expire after the TTL.
  clock.now += 60_000;
  assert.equal((await store.authenticate('alice@example.test', 'fresh', IP)).ok, true);
  assert.equal(hasher.verifies, 5);

  // A removed user is not let in by a cached entry.
  await store.removeUser('alice@example.test');
  assert.deepEqual(await store.authenticate('alice@example.test', 'fresh', IP), {
    ok: false,
    reason: 'invalid',
  });
  // The cache can be turned off.
  const off = setup({ authCache: false });
  await off.store.addDomain('example.test');
  await off.store.addUser('bob@example.test', { password: 'pw' });
  await off.store.authenticate('bob@example.test', 'pw', IP);
  await off.store.authenticate('bob@example.test', 'pw', IP);
  assert.equal(off.hasher.verifies, 2);
});

test('durability: users committed to a file database are there after reopening', async () => {
  const dir = tempDir('outpost-accounts-');
  try {
    const path = join(dir, 'outpost.db');
    {
      const db = openDatabase(path);
      const store = new SqliteAccountStore({ db, hasher: countingHasher() });
      await store.addDomain('example.test');
      await store.addUser('alice@example.test', { password: 'secret' });
      db.close();
    }
    const db = openDatabase(path);
    const store = new SqliteAccountStore({ db, hasher: countingHasher() });
    assert.deepEqual(
      (await store.listUsers()).map((u) => u.address),
      ['alice@example.test'],
    );
    assert.equal((await store.authenticate('alice@example.test', 'secret', IP)).ok, true);
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the default hasher is real scrypt at ln=15', async () => {
  const db = openDatabase(':memory:');
  const store = new SqliteAccountStore({ db });
  await store.addDomain('example.test');
  await store.addUser('alice@example.test', { password: 'secret' });
  const row = db.prepare('SELECT password_hash AS h FROM users').get() as { h: string };
  assert.match(row.h, /^\$scrypt\$ln=15,r=8,p=1\$/);
  assert.equal((await store.authenticate('alice@example.test', 'secret', IP)).ok, true);
  db.close();
});

test('provisionUser: an unchanged plain password costs no hash; a changed one is re-hashed and the old one fails', async () => {
  const { store, hasher, db } = setup({ authCache: false });
  await store.addDomain('example.test');
  const stored = (): string =>
    (
      db.prepare('SELECT password_hash FROM users WHERE address = ?').get('alice@example.test') as {
        password_hash: string;
      }
    ).password_hash;
  assert.equal(await store.provisionUser('alice@example.test', { password: 'first' }), 'added');
  assert.equal(hasher.hashes, 1);
  const firstHash = stored();
  assert.equal(await store.provisionUser('ALICE@example.test', { password: 'first' }), 'unchanged');
  assert.equal(hasher.hashes, 1, 'no scrypt for an unchanged password');
  assert.equal(stored(), firstHash, 'the stored hash is kept');
  assert.equal(await store.provisionUser('alice@example.test', { password: 'second' }), 'updated');
  assert.equal(hasher.hashes, 2);
  assert.notEqual(stored(), firstHash);
  assert.equal((await store.authenticate('alice@example.test', 'first', IP)).ok, false);
  assert.equal((await store.authenticate('alice@example.test', 'second', IP)).ok, true);
  // Going back to the first password is a change too (the memo follows the stored hash).
  assert.equal(await store.provisionUser('alice@example.test', { password: 'first' }), 'updated');
  assert.equal(hasher.hashes, 3);
});

test('provisionUser: a hash changed by another route is overwritten by the configured password', async () => {
  const { store, hasher } = setup({ authCache: false });
  await store.addDomain('example.test');
  await store.provisionUser('alice@example.test', { password: 'config-pw' });
  await store.setPassword('alice@example.test', { password: 'cli-pw' }); // e.g. `outpost user passwd`
  assert.equal(await store.provisionUser('alice@example.test', { password: 'config-pw' }), 'updated');
  assert.equal(hasher.hashes, 3);
  assert.equal((await store.authenticate('alice@example.test', 'cli-pw', IP)).ok, false);
  assert.equal((await store.authenticate('alice@example.test', 'config-pw', IP)).ok, true);
  // A removed and re-added user is not "unchanged" either.
  await store.removeUser('alice@example.test');
  assert.equal(await store.provisionUser('alice@example.test', { password: 'config-pw' }), 'added');
});

test('provisionUser: password_hash entries are compared, not hashed; a new user needs its domain', async () => {
  const { store, hasher } = setup({ authCache: false });
  await store.addDomain('example.test');
  const hash = await hashPassword('pw', { ln: 10, r: 8, p: 1 });
  assert.equal(await store.provisionUser('bob@example.test', { passwordHash: hash }), 'added');
  assert.equal(await store.provisionUser('bob@example.test', { passwordHash: hash }), 'unchanged');
  assert.equal(hasher.hashes, 0);
  assert.equal((await store.authenticate('bob@example.test', 'pw', IP)).ok, true);
  await assert.rejects(
    store.provisionUser('carol@nowhere.test', { password: 'x' }),
    code(ErrorCodes.DOMAIN_NOT_FOUND),
  );
  await assert.rejects(
    store.provisionUser('bob@example.test', { passwordHash: 'not-a-hash' }),
    code(ErrorCodes.INVALID_PASSWORD_HASH),
  );
  assert.equal(hasher.hashes, 0, 'no scrypt spent on a user that cannot be added');
});
