// Tier-3 tests of the POP3 server in the suite over real sockets, with the real SQLite store:
// STLS (and the plaintext-injection defence), implicit TLS, the TLS policy off loopback,
// [IN-USE] across connections, deletions visible to another store reader, draining close.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openSqliteMailStore } from '../../src/mail/store/index.js';
import { RawClient } from '../helpers/line-client.js';
import { ALICE, startPop3Outpost, testMessage } from './helpers/pop3-outpost.js';
import { eventually } from '../helpers/eventually.js';

async function login(c: RawClient): Promise<string | null> {
  c.send(`USER ${ALICE.address}\r\n`);
  await c.line();
  c.send(`PASS ${ALICE.password}\r\n`);
  return c.line();
}

async function body(c: RawClient): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const l = await c.line();
    if (l === null || l === '.') return out;
    out.push(l);
  }
}

test('plain listener offers STLS; pipelined plaintext after STLS is discarded; login works over TLS', async () => {
  await using pop = await startPop3Outpost({ allowPlaintextOnLoopback: false });
  await pop.deliver(ALICE.address, testMessage(1));
  const c = await RawClient.connect(pop.port);
  assert.match((await c.line()) ?? '', /^\+OK /);
  c.send('CAPA\r\n');
  await c.line();
  const capa = await body(c);
  assert.ok(capa.includes('STLS'), capa.join(','));
  assert.ok(!capa.includes('USER'), 'no USER before TLS when plaintext is off');
  c.send(`USER ${ALICE.address}\r\n`);
  assert.match((await c.line()) ?? '', /^-ERR \[AUTH\] Plaintext/);
  c.send(`STLS\r\nUSER ${ALICE.address}\r\n`);
  assert.equal(await c.line(), '+OK Begin TLS negotiation');
  await c.startTls(pop.ca);
  // The injected USER was dropped: PASS now has no USER to go with.
  c.send(`PASS ${ALICE.password}\r\n`);
  assert.equal(await c.line(), '-ERR USER first');
  c.send('CAPA\r\n');
  await c.line();
  const secureCapa = await body(c);
  assert.ok(!secureCapa.includes('STLS') && secureCapa.includes('USER'), secureCapa.join(','));
  c.send('STLS\r\n');
  assert.equal(await c.line(), '-ERR Already using TLS');
  assert.match((await login(c)) ?? '', /^\+OK alice@example.test has 1 messages/);
  c.send('QUIT\r\n');
  assert.match((await c.line()) ?? '', /^\+OK /);
});

test('implicit TLS listener (POP3S): greeting and login over TLS, no STLS offered', async () => {
  await using pop = await startPop3Outpost({ allowPlaintextOnLoopback: false });
  const c = await RawClient.connectTls(pop.tlsPort, pop.ca);
  assert.match((await c.line()) ?? '', /^\+OK /);
  c.send('CAPA\r\n');
  await c.line();
  assert.ok(!(await body(c)).includes('STLS'));
  assert.match((await login(c)) ?? '', /^\+OK /);
  c.send('STAT\r\n');
  assert.equal(await c.line(), '+OK 0 0');
  c.end();
});

test('[IN-USE] for a second connection; a drop releases the lock and applies nothing', async () => {
  await using pop = await startPop3Outpost();
  await pop.deliver(ALICE.address, testMessage(1));
  const a = await RawClient.connect(pop.port);
  const b = await RawClient.connect(pop.port);
  await a.line();
  await b.line();
  assert.match((await login(a)) ?? '', /^\+OK /);
  assert.equal(await login(b), '-ERR [IN-USE] Maildrop is locked by another POP3 session');
  a.send('DELE 1\r\n');
  assert.equal(await a.line(), '+OK Message 1 deleted');
  a.socket.destroy();
  // The server notices the drop; then b may log in and still sees the message.
  const reply = await eventually(
    async () => {
      const r = await login(b);
      return r?.startsWith('+OK') === true && r;
    },
    { timeoutMs: 5_000, what: 'the maildrop lock to be released' },
  );
  assert.match(reply, /^\+OK alice@example.test has 1 messages/);
  b.end();
});

test('a deletion by POP3 is visible to another reader of the store (what IMAP will be)', async () => {
  await using pop = await startPop3Outpost();
  await pop.deliver(ALICE.address, testMessage(1));
  const keep = await pop.deliver(ALICE.address, testMessage(2));
  await pop.deliver(ALICE.address, testMessage(3));
  const other = openSqliteMailStore({ path: join(pop.outpost.dataDir, 'mail.db') });
  try {
    const inbox = await other.getMailbox(ALICE.address, 'INBOX');
    assert.ok(inbox);
    assert.equal((await other.listMessages(inbox.id)).length, 3);
    const c = await RawClient.connect(pop.port);
    await c.line();
    await login(c);
    c.send('DELE 1\r\nDELE 3\r\nQUIT\r\n');
    assert.equal(await c.line(), '+OK Message 1 deleted');
    assert.equal(await c.line(), '+OK Message 3 deleted');
    assert.match((await c.line()) ?? '', /1 messages left/);
    assert.ok(await c.closed());
    assert.deepEqual(
      (await other.listMessages(inbox.id)).map((m) => m.uid),
      [keep],
    );
    assert.equal((await other.getMailbox(ALICE.address, 'INBOX'))?.messages, 1);
  } finally {
    await other.close();
  }
});

test('UIDL is stable across sessions and new mail appears at the next login', async () => {
  await using pop = await startPop3Outpost();
  await pop.deliver(ALICE.address, testMessage(1));
  const uidl = async (): Promise<string[]> => {
    const c = await RawClient.connect(pop.port);
    await c.line();
    await login(c);
    c.send('UIDL\r\n');
    await c.line();
    const ids = await body(c);
    c.send('QUIT\r\n');
    await c.closed();
    return ids;
  };
  const first = await uidl();
  assert.equal(first.length, 1);
  assert.match(first[0] ?? '', /^1 \d+\.\d+$/);
  await pop.deliver(ALICE.address, testMessage(2));
  const second = await uidl();
  assert.equal(second[0], first[0]);
  assert.equal(second.length, 2);
});

test('closing the server ends idle sessions with [SYS/TEMP] and applies no deletion', async () => {
  const pop = await startPop3Outpost();
  await pop.deliver(ALICE.address, testMessage(1));
  const c = await RawClient.connect(pop.port);
  await c.line();
  await login(c);
  c.send('DELE 1\r\n');
  await c.line();
  const closing = pop.outpost.suite.close();
  assert.equal(await c.line(), '-ERR [SYS/TEMP] Server shutting down');
  assert.ok(await c.closed());
  await closing;
  const reader = openSqliteMailStore({ path: join(pop.outpost.dataDir, 'mail.db') });
  try {
    const inbox = await reader.getMailbox(ALICE.address, 'INBOX');
    assert.ok(inbox);
    assert.equal((await reader.listMessages(inbox.id)).length, 1);
  } finally {
    await reader.close();
    await pop.close();
  }
});
