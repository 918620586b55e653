// Unit tests of the maildrop snapshot (numbering, deletion marks, UIDL), the INBOX index cache
// (index only, reused while the mailbox's counters are unchanged) and the maildrop locks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Maildrop, MaildropCache, MaildropLocks } from '../../src/pop3/maildrop.js';
import { Pop3TestStore } from './helpers/test-store.js';

test('a snapshot numbers messages 1..n, marks deletions, resets, and lists deleted UIDs', async () => {
  const store = new Pop3TestStore();
  for (const text of ['a\r\n', 'bb\r\n', 'ccc\r\n']) await store.add('u@example.test', text);
  await store.expunge(1, [2]);
  const m = new Maildrop(await new MaildropCache().open(store, 'u@example.test'));
  assert.equal(m.count, 2);
  assert.equal(m.octets, 3 + 5);
  assert.deepEqual(m.lookup(2), { kind: 'ok', uid: 3, size: 5 });
  assert.equal(m.uidl(2), '1700000000.3');
  assert.deepEqual(m.lookup(0), { kind: 'none' });
  assert.deepEqual(m.lookup(3), { kind: 'none' });
  assert.deepEqual(m.lookup(1.5), { kind: 'none' });
  assert.ok(m.markDeleted(1));
  assert.ok(!m.markDeleted(1));
  assert.deepEqual(m.lookup(1), { kind: 'deleted' });
  assert.deepEqual([...m.live()], [2]);
  assert.equal(m.octets, 5);
  assert.deepEqual(m.deletedUids(), [1]);
  m.reset();
  assert.equal(m.count, 2);
  assert.deepEqual(m.deletedUids(), []);
});

test('the cache reads the index once while INBOX is unchanged and never reads bytes', async () => {
  const store = new Pop3TestStore();
  for (let i = 0; i < 100; i++) await store.add('u@example.test', `message ${String(i)}\r\n`);
  const cache = new MaildropCache();
  const first = await cache.open(store, 'u@example.test');
  const again = await cache.open(store, 'u@example.test');
  assert.equal(again, first);
  assert.equal(store.calls.get('listMessages'), 1);
  assert.equal(store.calls.get('readMessage') ?? 0, 0);
  await store.add('u@example.test', 'new\r\n');
  const afterAppend = await cache.open(store, 'u@example.test');
  assert.equal(afterAppend.uids.length, 101);
  assert.equal(store.calls.get('listMessages'), 2);
  await store.expunge(afterAppend.mailboxId, [5]);
  const afterExpunge = await cache.open(store, 'u@example.test');
  assert.equal(afterExpunge.uids.length, 100);
  assert.ok(!afterExpunge.uids.includes(5));
  assert.equal(store.calls.get('listMessages'), 3);
});

test('a user without mailboxes gets them created and an empty maildrop', async () => {
  const store = new Pop3TestStore();
  const index = await new MaildropCache().open(store, 'new@example.test');
  assert.equal(index.uids.length, 0);
  assert.equal(store.calls.get('ensureMailboxes'), 1);
});

test('locks: one holder per user (case-insensitive), idempotent release', () => {
  const locks = new MaildropLocks();
  const release = locks.tryLock('Alice@example.test');
  assert.ok(release);
  assert.equal(locks.tryLock('alice@example.test'), null);
  release();
  release();
  assert.equal(locks.size, 0);
  assert.ok(locks.tryLock('alice@example.test'));
});
