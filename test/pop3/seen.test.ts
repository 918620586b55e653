// POP3 and IMAP share the mailbox: what a POP3 session downloaded with RETR is \Seen afterwards,
// whether the session ended with QUIT or its connection dropped (Dovecot's default); TOP is a
// peek and sets nothing; a message RETR sent and DELE marked is expunged, not flagged; a store
// that cannot set the flag costs only the flag.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { captureLogs } from '../helpers/log-capture.js';
import { loginAlice, message, startSession } from './helpers/session-harness.js';
import { Pop3TestStore } from './helpers/test-store.js';

const ALICE = 'alice@example.test';

/** The flags of every message in alice's INBOX, by UID. */
async function inboxFlags(store: Pop3TestStore): Promise<Map<number, readonly string[]>> {
  const inbox = await store.getMailbox(ALICE, 'INBOX');
  assert.ok(inbox);
  return new Map((await store.listMessages(inbox.id)).map((m) => [m.uid, m.flags]));
}

test('RETR marks \\Seen at QUIT; TOP does not; a retrieved and deleted message is just expunged', async () => {
  const store = new Pop3TestStore();
  const [one, two, three] = [
    await store.add(ALICE, message('one')),
    await store.add(ALICE, message('two')),
    await store.add(ALICE, message('three')),
  ];
  const { client, done, locks } = await startSession({ store });
  assert.match((await loginAlice(client)) ?? '', /^\+OK/);
  await client.cmd('RETR 1');
  await client.body();
  await client.cmd('TOP 2 0');
  await client.body();
  await client.cmd('RETR 3');
  await client.body();
  assert.match(await client.talk('DELE 3'), /^\+OK/);
  // Nothing is written before the session ends.
  assert.deepEqual([...(await inboxFlags(store)).values()], [[], [], []]);
  await client.play(`
    C: QUIT
    S: +OK*
    S: <closed>
  `);
  await done;
  assert.equal(locks.size, 0);
  const flags = await inboxFlags(store);
  assert.deepEqual(flags.get(one), ['\\Seen']);
  assert.deepEqual(flags.get(two), [], 'TOP is a peek');
  assert.equal(flags.has(three), false, 'deleted at QUIT');
});

test('a dropped connection still marks what RETR sent \\Seen, and deletes nothing', async () => {
  const store = new Pop3TestStore();
  const [one, two] = [await store.add(ALICE, message('one')), await store.add(ALICE, message('two'))];
  const { client, done, locks } = await startSession({ store });
  await loginAlice(client);
  await client.cmd('RETR 2');
  await client.body();
  assert.match(await client.talk('DELE 1'), /^\+OK/);
  client.destroy();
  await done;
  assert.equal(locks.size, 0);
  const flags = await inboxFlags(store);
  assert.deepEqual(flags.get(two), ['\\Seen']);
  assert.deepEqual(flags.get(one), [], 'DELE without QUIT applies nothing');
});

test('a store that cannot set \\Seen: QUIT still answers +OK and the failure is logged', async () => {
  const store = new Pop3TestStore();
  await store.add(ALICE, message('one'));
  store.setFlags = () => Promise.reject(new Error('disk full'));
  const { logger, entries } = captureLogs();
  const { client, done, locks } = await startSession({ store, logger });
  await loginAlice(client);
  await client.cmd('RETR 1');
  await client.body();
  await client.play(`
    C: QUIT
    S: +OK pop.example.test POP3 server signing off (1 messages left)
    S: <closed>
  `);
  await done;
  assert.equal(locks.size, 0);
  const logged = entries.find((e) => e.msg === 'pop3: cannot set \\Seen');
  assert.ok(logged);
  assert.match(JSON.stringify(logged.err), /disk full/);
});
