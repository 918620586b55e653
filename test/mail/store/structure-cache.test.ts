// The parsed-structure cache behind SqliteMailStore.readStructures: parts merge per message,
// keys include UIDVALIDITY, the byte bound evicts least recently used first; and through the
// store, an expunged message's cached structure is not returned.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StructureCache } from '../../../src/mail/store/structure-cache.js';
import { openSqliteMailStore } from '../../../src/mail/store/index.js';

const ENVELOPE = JSON.stringify({ subject: 'x'.repeat(100) });

test('parts merge per message, and UIDVALIDITY is part of the key', () => {
  const cache = new StructureCache(1_000_000);
  cache.add(7, 1, { envelope: ENVELOPE });
  cache.add(7, 1, { body: '{"type":"text"}' });
  const held = cache.get(7, 1);
  assert.ok(held);
  assert.deepEqual(held.envelope, { subject: 'x'.repeat(100) });
  assert.deepEqual(held.body, { type: 'text' });
  assert.equal(cache.get(8, 1), undefined);
});

test('the byte bound evicts the least recently used', () => {
  const cache = new StructureCache(3 * (200 + ENVELOPE.length));
  for (const uid of [1, 2, 3]) cache.add(1, uid, { envelope: ENVELOPE });
  cache.get(1, 1); // 1 is now the most recently used
  cache.add(1, 4, { envelope: ENVELOPE });
  assert.equal(cache.get(1, 2), undefined, 'the oldest unused went');
  assert.ok(cache.get(1, 1) && cache.get(1, 3) && cache.get(1, 4));
  assert.ok(cache.bytes <= 3 * (200 + ENVELOPE.length));
});

test('readStructures serves repeats from the cache and leaves out expunged messages', async () => {
  const store = openSqliteMailStore({ path: ':memory:' });
  try {
    await store.ensureMailboxes('alice@example.test');
    const inbox = await store.getMailbox('alice@example.test', 'INBOX');
    if (!inbox) throw new Error('no INBOX');
    for (const s of ['one', 'two']) await store.append(inbox.id, Buffer.from(`Subject: ${s}\r\n\r\nx\r\n`));
    const first = await store.readStructures(inbox.id, [1, 2], { envelope: true });
    const again = await store.readStructures(inbox.id, [1, 2], { envelope: true, body: true });
    assert.deepEqual(
      again.map((s) => s.envelope?.subject),
      ['one', 'two'],
    );
    assert.equal(again[0]?.envelope, first[0]?.envelope, 'the same parsed object');
    assert.ok(
      again.every((s) => s.body !== undefined),
      'the body read later joins the entry',
    );
    await store.setFlags(inbox.id, [1], ['\\Deleted'], 'add');
    await store.expunge(inbox.id, [1]);
    const after = await store.readStructures(inbox.id, [1, 2], { envelope: true });
    assert.deepEqual(
      after.map((s) => s.uid),
      [2],
    );
  } finally {
    await store.close();
  }
});
