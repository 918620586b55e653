// Tier-2 tests of LineConnection over an in-memory duplex, with time faked by node:test's
// mock.timers (the connection's default clock reads the mocked globals): one read at a time,
// interrupt(), idle timeouts per session state and no session timeout, the output buffer, and
// responses that hold the output across awaits with backpressure between their chunks.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Duplex } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { ErrorCodes, hasCode } from '../../src/core/errors.js';
import { LineConnection, type LineConnectionOptions } from '../../src/core/line/connection.js';
import { OrderedWriter } from '../../src/core/line/ordered-writer.js';
import { duplexPair } from '../helpers/duplex-pair.js';

/** A connection on one end of an in-memory pair; `client` is the other end. */
function open(
  t: TestContext,
  options: Partial<LineConnectionOptions> = {},
): { conn: LineConnection; client: Duplex; received: () => string } {
  const [server, client] = duplexPair();
  const conn = new LineConnection(server, { protocol: 'test', remoteAddress: '192.0.2.1', ...options });
  let received = '';
  client.on('error', () => undefined);
  client.setEncoding('latin1');
  client.on('data', (chunk: string) => (received += chunk));
  t.after(() => {
    conn.destroy();
    client.destroy();
  });
  return { conn, client, received: () => received };
}

/** Tracks whether a promise settled yet (checked after the event loop turned). */
function track<T>(p: Promise<T>): { readonly settled: boolean; readonly value: Promise<T> } {
  const state = { settled: false, value: p };
  void p.then(
    () => (state.settled = true),
    () => (state.settled = true),
  );
  return state;
}

/** Lets in-memory stream events and promise callbacks run (setImmediate is not mocked). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await tick();
}

test('a second read while one is pending is refused, and the first read still gets its line', async (t) => {
  const { conn, client } = open(t);
  const first = conn.readLine({ command: true });
  await assert.rejects(conn.readLine(), (err) => hasCode(err, ErrorCodes.READ_PENDING));
  await assert.rejects(conn.readBytes(4), (err) => hasCode(err, ErrorCodes.READ_PENDING));
  await assert.rejects(conn.detectEarlyTalker(100), (err) => hasCode(err, ErrorCodes.READ_PENDING));
  client.write('NOOP\r\n');
  const r = await first;
  assert.equal(r.kind === 'line' && r.text, 'NOOP');
  // Once it resolved, reading again is fine.
  client.write('NEXT\r\n');
  const next = await conn.readLine();
  assert.equal(next.kind === 'line' && next.text, 'NEXT');
});

test('interrupt() wakes an interruptible read; bytes that arrived meanwhile stay for the next read', async (t) => {
  const { conn, client } = open(t);
  const waiting = conn.readLine({ command: true, interruptible: true });
  client.write('DO');
  await settle();
  conn.interrupt('3 EXISTS');
  assert.deepEqual(await waiting, { kind: 'interrupted', reason: '3 EXISTS' });
  assert.equal(conn.bufferedInput, 2);
  client.write('NE\r\n');
  const r = await conn.readLine({ command: true, interruptible: true });
  assert.equal(r.kind === 'line' && r.text, 'DONE');
});

test('an interrupt with no read waiting is kept for the next interruptible read, after a buffered line', async (t) => {
  const { conn, client } = open(t);
  conn.interrupt('EXISTS');
  conn.interrupt('EXPUNGE');
  conn.interrupt('EXISTS'); // kept once
  client.write('DONE\r\n');
  await settle();
  const line = await conn.readLine({ command: true, interruptible: true });
  assert.equal(line.kind === 'line' && line.text, 'DONE', 'the client line goes first');
  assert.deepEqual(await conn.readLine({ command: true, interruptible: true }), {
    kind: 'interrupted',
    reason: 'EXISTS',
  });
  assert.deepEqual(await conn.readLine({ command: true, interruptible: true }), {
    kind: 'interrupted',
    reason: 'EXPUNGE',
  });
  const rest = track(conn.readLine({ command: true, interruptible: true }));
  await settle();
  assert.equal(rest.settled, false, 'no interrupt left');
  client.write('X\r\n');
  const x = await rest.value;
  assert.equal(x.kind === 'line' && x.text, 'X');
});

test('reads that are not interruptible are not woken by interrupt()', async (t) => {
  const { conn, client } = open(t);
  const plain = track(conn.readLine({ command: true }));
  conn.interrupt('change');
  await settle();
  assert.equal(plain.settled, false);
  client.write('LINE\r\n');
  const r = await plain.value;
  assert.equal(r.kind === 'line' && r.text, 'LINE');
  // Still pending for the next interruptible read.
  assert.deepEqual(await conn.readLine({ command: true, interruptible: true }), {
    kind: 'interrupted',
    reason: 'change',
  });
});

test('the idle timeout is set per session state (1 minute before login, 30 after)', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const { conn, client } = open(t, { idleTimeoutMs: 60_000, sessionTimeoutMs: Infinity });
  const beforeLogin = track(conn.readLine({ command: true }));
  t.mock.timers.tick(59_999);
  await settle();
  assert.equal(beforeLogin.settled, false);
  t.mock.timers.tick(1);
  assert.deepEqual(await beforeLogin.value, { kind: 'timeout', which: 'idle' });

  client.write('LOGIN\r\n');
  await settle();
  const login = await conn.readLine({ command: true });
  assert.equal(login.kind === 'line' && login.text, 'LOGIN');
  conn.setIdleTimeout(30 * 60_000);
  assert.equal(conn.idleTimeoutMs, 30 * 60_000);
  const afterLogin = track(conn.readLine({ command: true }));
  t.mock.timers.tick(29 * 60_000);
  await settle();
  assert.equal(afterLogin.settled, false, 'a minute of silence is fine once logged in');
  // Input restarts the idle period: 29 more minutes after a line are fine too.
  client.write('NOOP\r\n');
  await settle();
  assert.equal(afterLogin.settled, true);
  const again = track(conn.readLine({ command: true }));
  t.mock.timers.tick(29 * 60_000);
  await settle();
  assert.equal(again.settled, false);
  t.mock.timers.tick(60_000);
  assert.deepEqual(await again.value, { kind: 'timeout', which: 'idle' });
});

test('with no session timeout and no idle timeout a connection waits as long as the client', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const { conn, client } = open(t, { idleTimeoutMs: Infinity, sessionTimeoutMs: Infinity });
  const read = track(conn.readLine({ command: true }));
  t.mock.timers.tick(7 * 24 * 60 * 60_000);
  await settle();
  assert.equal(read.settled, false);
  client.write('STILL HERE\r\n');
  const r = await read.value;
  assert.equal(r.kind === 'line' && r.text, 'STILL HERE');
});

test('the session timeout ends a connection that keeps talking', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const { conn, client } = open(t, { idleTimeoutMs: 10_000, sessionTimeoutMs: 30_000 });
  for (let i = 0; i < 5; i++) {
    client.write('NOOP\r\n');
    await settle();
    const r = await conn.readLine({ command: true });
    assert.equal(r.kind, 'line');
    t.mock.timers.tick(5_000);
  }
  const read = track(conn.readLine({ command: true }));
  t.mock.timers.tick(5_000);
  assert.deepEqual(await read.value, { kind: 'timeout', which: 'session' });
});

test('interrupts do not count as client activity for the idle timeout', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const { conn } = open(t, { idleTimeoutMs: 1_000, sessionTimeoutMs: Infinity });
  const first = conn.readLine({ command: true, interruptible: true });
  t.mock.timers.tick(600);
  conn.interrupt('EXISTS');
  assert.deepEqual(await first, { kind: 'interrupted', reason: 'EXISTS' });
  const second = track(conn.readLine({ command: true, interruptible: true }));
  t.mock.timers.tick(399);
  await settle();
  assert.equal(second.settled, false);
  t.mock.timers.tick(1);
  assert.deepEqual(await second.value, { kind: 'timeout', which: 'idle' });
});

test('early talkers are detected on the injected clock', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const polite = open(t);
  const waited = track(polite.conn.detectEarlyTalker(5_000));
  t.mock.timers.tick(4_999);
  await settle();
  assert.equal(waited.settled, false);
  t.mock.timers.tick(1);
  assert.equal(await waited.value, false);

  const rude = open(t);
  const detected = rude.conn.detectEarlyTalker(5_000);
  rude.client.write('EHLO early\r\n');
  assert.equal(await detected, true);
});

test('buffered lines go out in one write at flush, checked for CR/LF when buffered', async (t) => {
  const { conn, client, received } = open(t);
  const writes: string[] = [];
  client.on('data', (chunk: string) => writes.push(chunk));
  conn.bufferLines(['250-first', '250 second']);
  conn.bufferLines(['354 go']);
  assert.equal(conn.bufferedOutput, '250-first\r\n250 second\r\n354 go\r\n'.length);
  assert.throws(
    () => {
      conn.bufferLines(['250 fine', '250 bad\r\nINJECTED']);
    },
    (err) => hasCode(err, ErrorCodes.UNSAFE_OUTPUT),
  );
  await settle();
  assert.equal(received(), '', 'nothing before the flush');
  conn.flush();
  await settle();
  assert.deepEqual(writes, ['250-first\r\n250 second\r\n354 go\r\n']);
  assert.equal(conn.bufferedOutput, 0);
});

test('a response holds the output across awaits; lines written meanwhile go out after it', async (t) => {
  const { conn, received } = open(t);
  conn.bufferLines(['* before']);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const response = conn.response(async (w) => {
    await w.writeLine('* 1 FETCH (BODY[] {5}');
    await gate;
    await w.writeRaw('he\r\nl', '<5 octets>');
    await w.writeLines([')', 'A1 OK FETCH done']);
    return 'done';
  });
  conn.writeLine('* 2 EXISTS'); // an asynchronous untagged response, mid-FETCH
  const raw = conn.writeRaw('raw after\r\n');
  await settle();
  assert.equal(received(), '* before\r\n* 1 FETCH (BODY[] {5}\r\n');
  release();
  assert.equal(await response, 'done');
  await raw;
  await settle();
  assert.equal(
    received(),
    '* before\r\n* 1 FETCH (BODY[] {5}\r\nhe\r\nl)\r\nA1 OK FETCH done\r\n* 2 EXISTS\r\nraw after\r\n',
  );
});

test('a response waits for the client to read between chunks of a long response', async (t) => {
  const [server, client] = duplexPair();
  client.on('error', () => undefined);
  t.after(() => {
    server.destroy();
    client.destroy();
  });
  const conn = new LineConnection(server, { protocol: 'test', remoteAddress: '192.0.2.1' });
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  let written = 0;
  const response = track(
    conn.response(async (w) => {
      for (let i = 0; i < 8; i++) {
        await w.writeRaw(chunk);
        written++;
      }
    }),
  );
  await settle();
  // Nobody reads: the first chunk fills the stream's buffer and the response waits.
  assert.equal(written, 0);
  assert.equal(response.settled, false);
  let got = 0;
  client.on('data', (c: Buffer) => (got += c.length));
  await response.value;
  assert.equal(written, 8);
  await settle();
  assert.equal(got, 8 * chunk.length);
});

test('the ordered writer runs responses one at a time, in order, and a failed one releases the output', async () => {
  const out: string[] = [];
  const writer = new OrderedWriter({
    write: (d) => out.push(d.toString()) > 0,
    drained: () => Promise.resolve(),
  });
  let leaked: ((d: string) => Promise<void>) | undefined;
  const a = writer.response(async (write) => {
    await write('a1');
    await tick();
    await write('a2');
    leaked = write;
  });
  const b = writer.response(async (write) => {
    await write('b1');
    throw new Error('b failed');
  });
  writer.write('plain');
  const c = writer.response(async (write) => {
    await write('c1');
  });
  assert.equal(writer.busy, true);
  await a;
  await assert.rejects(b, /b failed/);
  await c;
  await writer.idle();
  assert.equal(writer.busy, false);
  assert.deepEqual(out, ['a1', 'a2', 'b1', 'plain', 'c1']);
  assert.ok(leaked);
  await assert.rejects(leaked('late'), /after its response ended/);
});

test('close() flushes buffered lines and lets a running response finish first', async (t) => {
  const { conn, client, received } = open(t);
  client.resume();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const response = conn.response(async (w) => {
    await w.writeLine('part 1');
    await gate;
    await w.writeLine('part 2');
  });
  conn.bufferLines(['queued']);
  const closing = conn.close();
  await settle();
  assert.equal(conn.closed, false);
  release();
  await response;
  client.end();
  await closing;
  assert.equal(received(), 'part 1\r\npart 2\r\nqueued\r\n');
});
