// Hostile input against the POP3 session: bad and huge message numbers, negative numbers,
// trailing junk, commands in the wrong state, pipelined commands in one write, overlong lines,
// NUL and control bytes, and a flood of bad commands. Each gets a clear -ERR, never a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Pop3TestStore } from './helpers/test-store.js';
import { loginAlice, message, startSession } from './helpers/session-harness.js';

async function store2(): Promise<Pop3TestStore> {
  const s = new Pop3TestStore();
  await s.add('alice@example.test', message('one'));
  await s.add('alice@example.test', message('two'));
  return s;
}

test('bad, zero, negative, huge and junk message numbers', async () => {
  const { client } = await startSession({ store: await store2() });
  await loginAlice(client);
  const cases: [string, string][] = [
    ['RETR 0', '-ERR No such message'],
    ['RETR 3', '-ERR No such message'],
    ['RETR 99999999999999999999', '-ERR No such message'],
    ['RETR 4294967297', '-ERR No such message'],
    ['RETR -1', '-ERR Invalid message number'],
    ['RETR 1x', '-ERR Invalid message number'],
    ['RETR 0x1', '-ERR Invalid message number'],
    ['RETR one', '-ERR Invalid message number'],
    ['RETR', '-ERR RETR: missing argument'],
    ['RETR 1 junk', '-ERR RETR: too many arguments'],
    ['DELE 1 2', '-ERR DELE: too many arguments'],
    ['LIST 1 2', '-ERR LIST: too many arguments'],
    ['STAT now', '-ERR STAT: too many arguments'],
    ['TOP 1', '-ERR TOP: missing argument'],
    ['TOP 1 -2', '-ERR Invalid line count'],
    ['TOP 0 1', '-ERR No such message'],
    ['UIDL 0', '-ERR No such message'],
    ['LIST -5', '-ERR Invalid message number'],
    ['DELE 99999999999999999999', '-ERR No such message'],
    [`RETR ${'1'.repeat(41)}`, '-ERR RETR: argument too long'],
    ['RETR  1', '-ERR Arguments are separated by one space'],
    ['XYZZY', '-ERR Unknown command'],
    ['R3TR 1', '-ERR Malformed command'],
  ];
  for (const [cmd, reply] of cases) assert.equal(await client.cmd(cmd), reply, cmd);
  // Still a healthy session: the right message comes back.
  assert.equal(await client.cmd('LIST 2'), `+OK 2 ${String(Buffer.byteLength(message('two')))}`);
  client.end();
});

test('NUL and control bytes are refused; the session goes on', async () => {
  const { client } = await startSession({ store: await store2() });
  assert.equal(await client.cmd('USER a\0b'), '-ERR Bad characters in command');
  assert.equal(await client.cmd('CAPA\x1b'), '-ERR Bad characters in command');
  assert.equal(await client.cmd('\0'), '-ERR Bad characters in command');
  assert.equal(await client.cmd(''), '-ERR Malformed command');
  assert.match((await loginAlice(client)) ?? '', /^\+OK/);
  client.end();
});

test('pipelined commands in one write are answered in order (RFC 2449 PIPELINING)', async () => {
  const { client } = await startSession({ store: await store2() });
  client.send(
    'USER alice@example.test\r\nPASS alice pw\r\nSTAT\r\nDELE 1\r\nUIDL 2\r\nRETR 1\r\nLIST\r\nQUIT\r\n',
  );
  assert.equal(await client.line(), '+OK Send your password');
  assert.match((await client.line()) ?? '', /^\+OK alice@example.test has 2 messages/);
  assert.match((await client.line()) ?? '', /^\+OK 2 \d+$/);
  assert.equal(await client.line(), '+OK Message 1 deleted');
  assert.equal(await client.line(), '+OK 2 1700000000.2');
  assert.equal(await client.line(), '-ERR Message 1 already deleted');
  assert.match((await client.line()) ?? '', /^\+OK 1 messages/);
  assert.deepEqual(await client.body(), [`2 ${String(Buffer.byteLength(message('two')))}`]);
  assert.match((await client.line()) ?? '', /^\+OK .*1 messages left/);
  assert.ok(await client.closed());
});

test('an overlong line gets -ERR and is discarded, the next command works', async () => {
  const { client } = await startSession({ store: await store2(), maxLineOctets: 512 });
  client.send(`USER ${'a'.repeat(5000)}\r\nCAPA\r\n`);
  assert.equal(await client.line(), '-ERR Line too long');
  assert.equal(await client.line(), '+OK Capability list follows');
  await client.body();
  assert.equal(await client.cmd(`USER ${'a'.repeat(300)}`), '-ERR USER: argument too long');
  client.end();
});

test('a flood of bad commands ends the session', async () => {
  const { client, done } = await startSession();
  client.send('BOGUS\r\n'.repeat(30));
  let errors = 0;
  for (;;) {
    const l = await client.line();
    if (l === null) break;
    assert.match(l, /^-ERR /);
    errors++;
  }
  assert.equal(errors, 21, 'twenty rejections then the goodbye');
  await done;
});

test('QUIT with arguments is refused; the session stays usable', async () => {
  const { client } = await startSession();
  assert.equal(await client.cmd('QUIT now'), '-ERR QUIT: too many arguments');
  assert.equal(await client.cmd('QUIT'), '+OK pop.example.test POP3 server signing off');
  assert.ok(await client.closed());
});

test('a client disconnecting in the middle of an AUTH exchange leaves nothing behind', async () => {
  const { client, locks, done } = await startSession({ store: await store2() });
  assert.equal(await client.cmd('AUTH PLAIN'), '+ ');
  client.destroy();
  await done;
  assert.equal(locks.size, 0);
});
