// Tier-3 tests of the shared line-protocol layer over real sockets on 127.0.0.1: limits,
// hostile input, STARTTLS injection, timeouts (on node:test's mocked timers), interrupts, ordered
// responses, connection accounting, draining close, transcript.
import { test, before } from 'node:test';
import { once } from 'node:events';
import { connect } from 'node:net';
import assert from 'node:assert/strict';
import { createSecureContext, type SecureContext } from 'node:tls';
import { generateSelfSigned } from '../../src/core/tls.js';
import { subscribeTranscript, type TranscriptEntry } from '../../src/core/transcript.js';
import { hasCode, ErrorCodes } from '../../src/core/errors.js';
import type { LineConnection } from '../../src/core/line/connection.js';
import { createEchoService, FETCH_CHUNK_OCTETS } from '../helpers/echo-protocol.js';
import { RawClient } from '../helpers/line-client.js';
import { eventually } from '../helpers/eventually.js';

let context: SecureContext;
let ca: string;

before(async () => {
  const pem = await generateSelfSigned(['localhost']);
  context = createSecureContext({ cert: pem.cert, key: pem.key });
  ca = pem.cert;
});

test('a session reads commands and answers in order, including pipelined ones', async () => {
  await using service = createEchoService();
  const { port } = await service.listen({ port: 0 });
  const c = await RawClient.connect(port);
  assert.equal(await c.line(), '220 echo ready');
  c.send('ECHO one\r\nECHO two\r\nECHO three\r\n');
  assert.equal(await c.line(), '250 one');
  assert.equal(await c.line(), '250 two');
  assert.equal(await c.line(), '250 three');
  c.send('QUIT\r\n');
  assert.equal(await c.line(), '221 bye');
  assert.ok(await c.closed());
});

test('over-long lines get an error and the session goes on', async () => {
  await using service = createEchoService({ connection: { maxLineOctets: 64 } });
  const { port } = await service.listen({ port: 0 });
  const c = await RawClient.connect(port);
  await c.line();
  c.send(`ECHO ${'x'.repeat(500)}\r\nECHO ok\r\n`);
  assert.equal(await c.line(), '500 line too long');
  assert.equal(await c.line(), '250 ok');
  c.end();
});

test('a client that never sends a newline gets one error, not unbounded buffering', async () => {
  await using service = createEchoService({ connection: { maxLineOctets: 1024 } });
  const { port } = await service.listen({ port: 0 });
  const c = await RawClient.connect(port);
  await c.line();
  for (let i = 0; i < 200; i++) c.send(Buffer.alloc(8192, 0x41));
  assert.equal(await c.line(), '500 line too long');
  c.send('\r\nECHO still here\r\n');
  assert.equal(await c.line(), '250 still here');
  c.end();
});

test('bare LF endings and NUL/bare CR inside lines are visible to the session', async () => {
  await using service = createEchoService();
  const { port } = await service.listen({ port: 0 });
  const c = await RawClient.connect(port);
  await c.line();
  c.send('ECHO lf\nECHO a\0b\r\nECHO a\rb\r\n');
  assert.equal(await c.line(), '501 bare LF');
  assert.equal(await c.line(), '501 bad characters');
  assert.equal(await c.line(), '501 bad characters');
  c.end();
});

test('STARTTLS discards commands pipelined before the handshake (no plaintext injection)', async () => {
  await using service = createEchoService({ context });
  const { port } = await service.listen({ port: 0 });
  const c = await RawClient.connect(port);
  await c.line();
  // The injected ECHO arrives in the same packet as STARTTLS; it must never be answered over TLS.
  c.send('STARTTLS\r\nECHO injected\r\n');
  assert.equal(await c.line(), '220 go ahead');
  await c.startTls(ca);
  c.send('TLS?\r\n');
  assert.equal(await c.line(), '250 secure');
  c.send('ECHO after\r\n');
  assert.equal(await c.line(), '250 after');
  c.end();
});

test('a failed TLS handshake closes the connection without crashing the server', async () => {
  await using service = createEchoService({ context, connection: { tlsHandshakeTimeoutMs: 2000 } });
  const { port } = await service.listen({ port: 0 });
  const c = await RawClient.connect(port);
  await c.line();
  c.send('STARTTLS\r\n');
  assert.equal(await c.line(), '220 go ahead');
  c.send('this is not a TLS ClientHello\r\n\r\n');
  assert.ok(await c.closed());
  const d = await RawClient.connect(port);
  assert.equal(await d.line(), '220 echo ready');
  d.end();
});

test('implicit TLS listeners serve the same session over TLS', async () => {
  await using service = createEchoService({ context });
  const { port } = await service.listen({ port: 0, tls: true });
  const c = await RawClient.connectTls(port, ca);
  assert.equal(await c.line(), '220 echo ready');
  c.send('TLS?\r\n');
  assert.equal(await c.line(), '250 secure');
  c.end();
});

test('implicit TLS answers clients that send no SNI (connecting by IP address)', async () => {
  await using service = createEchoService({ context });
  const { port } = await service.listen({ port: 0, tls: true });
  const c = await RawClient.connectTlsWithoutSni(port);
  assert.equal(await c.line(), '220 echo ready');
  c.end();
});

test('close() does not wait for a client stuck in the implicit TLS handshake', async () => {
  const service = createEchoService({ context, connection: { tlsHandshakeTimeoutMs: 60_000 } });
  const { port } = await service.listen({ port: 0, tls: true });
  const stuck = await RawClient.connect(port);
  await service.close();
  assert.ok(await stuck.closed());
});

test('implicit TLS without a certificate is refused at listen()', async () => {
  await using service = createEchoService();
  await assert.rejects(service.listen({ port: 0, tls: true }), (err) =>
    hasCode(err, ErrorCodes.TLS_UNAVAILABLE),
  );
});

test('counted bytes (literals) pass CRLF and NUL through untouched, then lines resume', async () => {
  await using service = createEchoService();
  const { port } = await service.listen({ port: 0 });
  const c = await RawClient.connect(port);
  await c.line();
  c.send('RAWBYTES 6\r\n');
  assert.equal(await c.line(), '354 go');
  c.send(Buffer.from([0x61, 0x0d, 0x0a, 0x00, 0x0a, 0x62]));
  c.send('ECHO next\r\n');
  assert.equal(await c.line(), '250 got 6 bytes: 610d0a000a62');
  assert.equal(await c.line(), '250 next');
  c.end();
});

/** Resolves with each session's connection, in order of arrival. */
function connections(): {
  onConnection: (conn: LineConnection) => void;
  next: () => Promise<LineConnection>;
} {
  const arrived: LineConnection[] = [];
  const waiting: ((conn: LineConnection) => void)[] = [];
  return {
    onConnection: (conn) => {
      const w = waiting.shift();
      if (w) w(conn);
      else arrived.push(conn);
    },
    next: () => {
      const conn = arrived.shift();
      return conn ? Promise.resolve(conn) : new Promise((resolve) => waiting.push(resolve));
    },
  };
}

test('early talkers are detected before the greeting', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const conns = connections();
  await using service = createEchoService({ earlyTalkerMs: 300, onConnection: conns.onConnection });
  const { port } = await service.listen({ port: 0 });
  const c = await RawClient.connect(port);
  c.send('EHLO too-early\r\n');
  assert.equal(await c.line(), '554 early talker');
  assert.ok(await c.closed());
  const polite = await RawClient.connect(port);
  const greeted = polite.line();
  t.mock.timers.tick(299);
  await new Promise((resolve) => setImmediate(resolve));
  t.mock.timers.tick(1);
  assert.equal(await greeted, '220 echo ready');
  await conns.next(); // the early talker never got this far
  polite.end();
});

test('idle timeout ends a silent session with the protocol reply', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  await using service = createEchoService({ connection: { idleTimeoutMs: 200 } });
  const { port } = await service.listen({ port: 0 });
  const c = await RawClient.connect(port);
  await c.line();
  t.mock.timers.tick(200);
  assert.equal(await c.line(), '421 idle timeout');
  assert.ok(await c.closed());
});

test('the idle timeout changes with the session state (LOGIN), over a socket', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  await using service = createEchoService({
    connection: { idleTimeoutMs: 60_000, sessionTimeoutMs: Infinity },
    loggedInIdleMs: 30 * 60_000,
  });
  const { port } = await service.listen({ port: 0 });
  const c = await RawClient.connect(port);
  await c.line();
  c.send('LOGIN\r\n');
  assert.equal(await c.line(), '250 logged in');
  // Ten minutes of silence: more than before login allowed, less than after.
  t.mock.timers.tick(10 * 60_000);
  c.send('ECHO awake\r\n');
  assert.equal(await c.line(), '250 awake');
  // (Ticked before reading: the test client's own 5 s timeout runs on the mocked timers too.)
  t.mock.timers.tick(30 * 60_000 - 1);
  await new Promise((resolve) => setImmediate(resolve));
  t.mock.timers.tick(1);
  assert.equal(await c.line(), '421 idle timeout');
});

test('IDLE waits for DONE or an interrupt with one read, over a socket', async () => {
  const conns = connections();
  await using service = createEchoService({ onConnection: conns.onConnection });
  const { port } = await service.listen({ port: 0 });
  const c = await RawClient.connect(port);
  const conn = await conns.next();
  assert.equal(await c.line(), '220 echo ready');
  c.send('IDLE\r\n');
  assert.equal(await c.line(), '+ idling');
  conn.interrupt('3 EXISTS');
  assert.equal(await c.line(), '* 3 EXISTS');
  // A partial DONE is kept while an interrupt wakes the session, then completes.
  c.send('DO');
  await eventually(() => conn.bufferedInput === 2, { what: 'the partial line at the server' });
  conn.interrupt('4 EXISTS');
  assert.equal(await c.line(), '* 4 EXISTS');
  c.send('NE\r\n');
  assert.equal(await c.line(), '250 idle done');
  // Outside IDLE the interrupt waits for the next interruptible read.
  conn.interrupt('5 EXISTS');
  c.send('ECHO plain\r\nIDLE\r\n');
  assert.equal(await c.line(), '250 plain');
  assert.equal(await c.line(), '+ idling');
  assert.equal(await c.line(), '* 5 EXISTS');
  c.send('DONE\r\nQUIT\r\n');
  assert.equal(await c.line(), '250 idle done');
  assert.equal(await c.line(), '221 bye');
});

test('an asynchronous line written during a long response waits for its end, over a socket', async () => {
  const size = 1024 * 1024 + 5;
  await using service = createEchoService({
    midResponse: (conn) => {
      conn.writeLine('* 9 EXISTS');
    },
  });
  const { port } = await service.listen({ port: 0 });
  const socket = connect({ port, host: '127.0.0.1' });
  socket.on('error', () => undefined);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await once(socket, 'data');
  socket.write('FETCH ' + String(size) + '\r\n');
  const expected = Buffer.alloc(size);
  for (let i = 0; i < size; i++) expected[i] = 0x61 + (i % 26);
  const want = Buffer.concat([
    Buffer.from('220 echo ready\r\n* FETCH {' + String(size) + '}\r\n'),
    expected,
    Buffer.from(')\r\n250 fetched\r\n* 9 EXISTS\r\n'),
  ]);
  while (Buffer.concat(chunks).length < want.length) await once(socket, 'data');
  assert.ok(size > 2 * FETCH_CHUNK_OCTETS, 'the untagged line was written between chunks');
  assert.ok(Buffer.concat(chunks).equals(want), 'the literal arrived whole, the untagged line after it');
  socket.destroy();
});

/** Resolves with the first 421 the server sends, as the transcript shows it. */
function first421(): Promise<string> {
  return new Promise((resolve) => {
    const off = subscribeTranscript((e) => {
      if (e.direction === 'S' && e.text.startsWith('421 ')) {
        off();
        resolve(e.text);
      }
    });
  });
}

for (const halfClose of [false, true]) {
  test(`a client that pipelines without reading is not read further; the idle timeout ends the wait${halfClose ? ' (client half-closed)' : ''}`, async () => {
    await using service = createEchoService({ connection: { idleTimeoutMs: 500, sessionTimeoutMs: 3000 } });
    const { port } = await service.listen({ port: 0 });
    const socket = connect({ port, host: '127.0.0.1' });
    socket.on('error', () => undefined);
    const closed = new Promise((resolve) => socket.once('close', resolve));
    await once(socket, 'data');
    socket.pause();
    const gaveUp = first421();
    // Half-closed: few enough commands that all of them and the FIN get through.
    const sent = halfClose ? 20_000 : 100_000;
    const commands = `ECHO ${'x'.repeat(250)}\r\n`.repeat(sent);
    if (halfClose) socket.end(commands);
    else socket.write(commands);
    // Nothing is read: the server, blocked on our unread replies, must give up at its idle
    // timeout (not wait for the session timeout, half-closed client or not) instead of reading
    // and answering everything. Then the client reads what was sent before the close.
    assert.equal(await gaveUp, '421 idle timeout');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.resume();
    await closed;
    if (halfClose) return; // its write side ended with the FIN: only the transcript saw the 421
    const lines = Buffer.concat(chunks).toString('latin1').split('\r\n');
    assert.equal(lines.at(-2), '421 idle timeout');
    assert.ok(lines.length - 2 < sent / 2, `${lines.length - 2} of ${sent} commands answered`);
  });
}

test('the total session timeout ends even a chatty session', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  await using service = createEchoService({ connection: { sessionTimeoutMs: 300, idleTimeoutMs: 10_000 } });
  const { port } = await service.listen({ port: 0 });
  const c = await RawClient.connect(port);
  await c.line();
  for (let i = 0; i < 5; i++) {
    c.send('ECHO x\r\n');
    assert.equal(await c.line(), '250 x');
    t.mock.timers.tick(50);
  }
  const last = c.line();
  t.mock.timers.tick(50);
  assert.equal(await last, '421 session timeout');
});

test('connections over the per-IP limit get the busy reply and are closed', async () => {
  await using service = createEchoService({ maxConnectionsPerIp: 2, busyReply: '421 too many connections' });
  const { port } = await service.listen({ port: 0 });
  const a = await RawClient.connect(port);
  const b = await RawClient.connect(port);
  assert.equal(await a.line(), '220 echo ready');
  assert.equal(await b.line(), '220 echo ready');
  const c = await RawClient.connect(port);
  assert.equal(await c.line(), '421 too many connections');
  assert.ok(await c.closed());
  assert.equal(service.connectionCount, 2);
  a.send('QUIT\r\n');
  await a.line();
  await a.closed();
  // Accounting released the slot: a new connection is served.
  await eventually(() => service.connectionCount === 1, { what: 'the slot to be released' });
  const d = await RawClient.connect(port);
  assert.equal(await d.line(), '220 echo ready');
  b.end();
  d.end();
  const metrics = await service.metrics.registry.getSingleMetricAsString('outpost_connections_refused_total');
  assert.match(metrics, /reason="max_per_ip"} 1/);
});

test('close() lets a busy command finish, says goodbye at the next boundary, and is idempotent', async () => {
  const service = createEchoService();
  const { port } = await service.listen({ port: 0 });
  const idle = await RawClient.connect(port);
  const busy = await RawClient.connect(port);
  await idle.line();
  await busy.line();
  busy.send('SLOW 200\r\n');
  await new Promise((r) => setTimeout(r, 50));
  const closing = service.close();
  assert.equal(service.close(), closing, 'same promise on a second call');
  assert.equal(await idle.line(), '421 shutting down');
  assert.equal(await busy.line(), '250 done');
  assert.equal(await busy.line(), '421 shutting down');
  await closing;
  assert.equal(service.connectionCount, 0);
  await assert.rejects(RawClient.connect(port));
});

test('close() destroys sessions that do not finish within the drain timeout', async () => {
  const service = createEchoService({ drainTimeoutMs: 200 });
  const { port } = await service.listen({ port: 0 });
  const c = await RawClient.connect(port);
  await c.line();
  c.send('SLOW 5000\r\n');
  await new Promise((r) => setTimeout(r, 50));
  const started = Date.now();
  await service.close();
  assert.ok(Date.now() - started < 2000);
  assert.ok(await c.closed());
});

test('the transcript shows C:/S: lines with secrets redacted, and costs nothing when off', async () => {
  await using service = createEchoService();
  const { port } = await service.listen({ port: 0 });
  const entries: TranscriptEntry[] = [];
  const unsubscribe = subscribeTranscript((e) => {
    if (e.protocol === 'echo') entries.push(e);
  });
  try {
    const c = await RawClient.connect(port);
    await c.line();
    c.send('ECHO hello\r\nSECRET\r\nhunter2\r\nQUIT\r\n');
    await c.line();
    await c.line();
    await c.line();
    await c.line();
    await c.closed();
  } finally {
    unsubscribe();
  }
  const script = entries.filter((e) => e.direction !== '*').map((e) => `${e.direction}: ${e.text}`);
  assert.deepEqual(script, [
    'S: 220 echo ready',
    'C: ECHO hello',
    'S: 250 hello',
    'C: SECRET',
    'S: 334 send it',
    'C: ****',
    'S: 500 unknown',
    'C: QUIT',
    'S: 221 bye',
  ]);
  assert.ok(!entries.some((e) => e.text.includes('hunter2')));
});
