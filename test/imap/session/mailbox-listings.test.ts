// The selected mailboxes' shared listing: sessions on one store and mailbox share one listing,
// listed once until a change; a change lists it again; one session's own flag change stays its
// own (copy on write) and is still reported to the others; the last holder frees it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryMailStore } from '../../../src/mail/index.js';
import { holdListing } from '../../../src/imap/session/mailbox-listings.js';
import { SelectedMailbox } from '../../../src/imap/session/selected-mailbox.js';

async function inboxWith(count: number): Promise<{ store: MemoryMailStore; lists: () => number }> {
  const store = new MemoryMailStore();
  await store.ensureMailboxes('alice@example.test');
  const inbox = await store.getMailbox('alice@example.test', 'INBOX');
  if (!inbox) throw new Error('no INBOX');
  for (let i = 0; i < count; i++)
    await store.append(inbox.id, Buffer.from(`Subject: ${String(i)}\r\n\r\nx\r\n`));
  let calls = 0;
  const list = store.listMessages.bind(store);
  store.listMessages = (id: number) => {
    calls++;
    return list(id);
  };
  return { store, lists: () => calls };
}

async function open(store: MemoryMailStore): Promise<SelectedMailbox> {
  const info = await store.getMailbox('alice@example.test', 'INBOX');
  if (!info) throw new Error('no INBOX');
  return SelectedMailbox.open(store, info, false);
}

test('sessions share one listing until the mailbox changes', async () => {
  const { store, lists } = await inboxWith(3);
  const a = await open(store);
  const b = await open(store);
  assert.equal(lists(), 1);
  assert.equal(a.messages, b.messages, 'the same array, not a copy');
  await store.append(a.id, Buffer.from('Subject: new\r\n\r\nx\r\n'));
  assert.deepEqual(await a.updates(true), ['* 4 EXISTS']);
  assert.deepEqual(await b.updates(true), ['* 4 EXISTS']);
  assert.equal(lists(), 2, 'listed once for both sessions');
  assert.equal(a.messages, b.messages);
  a.close();
  b.close();
});

test("a session's own flag change is its own; the others are told", async () => {
  const { store } = await inboxWith(2);
  const a = await open(store);
  const b = await open(store);
  const changed = await store.setFlags(a.id, [1], ['\\Seen'], 'add');
  a.learn(changed);
  assert.notEqual(a.messages, b.messages, 'a copied on write');
  assert.deepEqual(b.messages[0]?.flags, [], "b's view is untouched");
  assert.deepEqual(await a.updates(true), [], 'a reported it in its own reply');
  assert.deepEqual(await b.updates(true), ['* 1 FETCH (UID 1 FLAGS (\\Seen))']);
  assert.equal(a.messages, b.messages, 'both back on the shared listing');
  a.close();
  b.close();
});

test('an expunge a session may not report yet keeps its own view', async () => {
  const { store } = await inboxWith(2);
  const a = await open(store);
  const b = await open(store);
  await store.setFlags(a.id, [1], ['\\Deleted'], 'add');
  await store.expunge(a.id, [1]);
  const held = await a.updates(false);
  assert.deepEqual(held, []);
  assert.equal(a.exists, 2, 'message 1 keeps its number');
  assert.deepEqual(await b.updates(true), ['* 1 EXPUNGE']);
  assert.deepEqual(await a.updates(true), ['* 1 EXPUNGE']);
  assert.equal(a.messages, b.messages);
  a.close();
  b.close();
});

test('the last holder frees the listing; a new holder lists again', async () => {
  const { store, lists } = await inboxWith(1);
  const a = await open(store);
  a.close();
  a.close();
  const handle = holdListing(store, a.id);
  await handle.latest();
  assert.equal(lists(), 2);
  handle.invalidate();
  await handle.latest();
  assert.equal(lists(), 3);
  await handle.latest();
  assert.equal(lists(), 3);
  handle.release();
});
