// HTTP/2 over cleartext with prior knowledge (h2c, RFC 9113 §3.3) on the plain listener, next to
// HTTP/1.1 on the same port: curl --http2-prior-knowledge and nghttp (several streams on one
// connection), HTTP/1.1 clients and raw pipelining unchanged, the deprecated `Upgrade: h2c`
// answered as HTTP/1.1, the same handler, access log, metrics, transcript and draining close,
// and hostile first bytes (partial preface + stall, preface + garbage, huge first lines).
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { connect as connectHttp2, type ClientHttp2Session } from 'node:http2';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { createMetrics } from '../../src/core/metrics.js';
import { formatCombined } from '../../src/http/access-log.js';
import { classifyFirstBytes, H2_PREFACE } from '../../src/http/h2c.js';
import { HttpMetrics } from '../../src/http/metrics.js';
import { createHttpServer, type HttpServerOptions } from '../../src/http/server.js';
import { SiteTable } from '../../src/http/sites.js';
import { recordTranscript } from '../../src/testing/index.js';
import { rawExchange, run, startHttp, statuses, type HttpFixture } from './helpers.js';
import { tempDir } from '../helpers/temp.js';
import { eventually } from '../helpers/eventually.js';

let f: HttpFixture;
before(async () => {
  f = await startHttp({ h2c: true });
  for (const name of ['a', 'b', 'c', 'd', 'e']) writeFileSync(join(f.root, `${name}.txt`), name.repeat(100));
});
after(() => f.close());

/** An empty SETTINGS frame (RFC 9113 §6.5): length 0, type 4, flags 0, stream 0. */
const EMPTY_SETTINGS = Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]);

/** A bare server on a fresh root with `a.txt`, for tests that need their own limits or options. */
async function bareServer(
  options: Partial<HttpServerOptions> = {},
): Promise<{ server: ReturnType<typeof createHttpServer>; port: number }> {
  const root = tempDir('outpost-h2c-');
  writeFileSync(join(root, 'a.txt'), 'AAA');
  const server = createHttpServer({ sites: new SiteTable({ root }, []), h2c: true, ...options });
  const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
  return { server, port };
}

/** One GET over an h2c session; resolves with status and body. */
function h2Get(session: ClientHttp2Session, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':path': path });
    let status = 0;
    let body = '';
    stream.on('response', (h) => (status = Number(h[':status'])));
    stream.setEncoding('utf8').on('data', (c: string) => (body += c));
    stream.on('end', () => {
      resolve({ status, body });
    });
    stream.on('error', reject);
  });
}

/** Collects what a raw socket receives until it closes; `write` runs once connected. */
async function collectUntilClose(port: number, write: (s: Socket) => void): Promise<Buffer> {
  const socket = connect({ port, host: '127.0.0.1' });
  await once(socket, 'connect');
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.on('error', () => undefined);
  const closed = once(socket, 'close');
  write(socket);
  await closed;
  return Buffer.concat(chunks);
}

test('classifyFirstBytes: decides on the first differing byte or on the whole preface', () => {
  assert.equal(classifyFirstBytes(Buffer.from('G')), 'http/1.1');
  assert.equal(classifyFirstBytes(Buffer.from('POST / HTTP/1.1\r\n')), 'http/1.1');
  assert.equal(classifyFirstBytes(Buffer.from('PRI * HTTP/2.0\r\n\r\nXX')), 'http/1.1');
  assert.equal(classifyFirstBytes(Buffer.from('P')), undefined);
  assert.equal(classifyFirstBytes(H2_PREFACE.subarray(0, 23)), undefined);
  assert.equal(classifyFirstBytes(H2_PREFACE), 'h2c');
  assert.equal(classifyFirstBytes(Buffer.concat([H2_PREFACE, EMPTY_SETTINGS])), 'h2c');
});

test('curl --http2-prior-knowledge gets HTTP/2 on the plain port', async () => {
  const r = await run('curl', [
    '-sS',
    '--http2-prior-knowledge',
    '-w',
    '\n%{http_version}',
    `${f.base}/a.txt`,
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${'a'.repeat(100)}\n2`);
});

test('nghttp: five concurrent streams on one h2c connection', async () => {
  const urls = ['a', 'b', 'c', 'd', 'e'].map((n) => `${f.base}/${n}.txt`);
  const r = await run('nghttp', ['-v', '-n', ...urls]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  // Without -u (upgrade), nghttp speaks with prior knowledge: it sends the preface at once.
  assert.doesNotMatch(r.stdout, /HTTP Upgrade/);
  const streams = [...r.stdout.matchAll(/recv HEADERS frame <[^>]*stream_id=(\d+)>/g)].map((m) => m[1]);
  assert.equal(new Set(streams).size, 5, r.stdout);
  assert.ok(
    streams.every((id) => Number(id) % 2 === 1),
    'client-initiated streams are odd (RFC 9113 §5.1.1)',
  );
  assert.equal([...r.stdout.matchAll(/:status: 200/g)].length, 5, r.stdout);
});

test('node:http2 client: several requests in flight at once on one session', async () => {
  const session = connectHttp2(f.base);
  try {
    const results = await Promise.all(
      ['a', 'b', 'c', 'd', 'e', 'missing'].map((n) => h2Get(session, `/${n}.txt`)),
    );
    assert.deepEqual(
      results.map((r) => r.status),
      [200, 200, 200, 200, 200, 404],
    );
    assert.equal(results[3]?.body, 'd'.repeat(100));
  } finally {
    session.close();
  }
});

test('HTTP/1.1 on the same port: curl --http1.1 and raw pipelining', async () => {
  const r = await run('curl', ['-sS', '--http1.1', '-w', '\n%{http_version}', `${f.base}/b.txt`]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${'b'.repeat(100)}\n1.1`);
  const raw = await rawExchange(
    f.port,
    'GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /b.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /c.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
  );
  assert.deepEqual(statuses(raw), [200, 200, 200]);
  assert.ok(raw.indexOf('aaaa') < raw.indexOf('bbbb') && raw.indexOf('bbbb') < raw.indexOf('cccc'));
});

test('Upgrade: h2c is answered as plain HTTP/1.1 (RFC 9113 §3.1 removed it)', async () => {
  // curl --http2 on http:// offers the upgrade; it must get a plain 200 over HTTP/1.1.
  const r = await run('curl', ['-sS', '-i', '--http2', '-w', '\n%{http_version}', `${f.base}/a.txt`]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^HTTP\/1\.1 200 OK\r\n/);
  assert.doesNotMatch(r.stdout, /101 Switching Protocols/i);
  assert.match(r.stdout, /\n1\.1$/);
  // The same by hand, then a second request on the same connection once the answer is in.
  const socket = connect({ port: f.port, host: '127.0.0.1' });
  await once(socket, 'connect');
  let raw = '';
  socket.setEncoding('latin1').on('data', (c: string) => (raw += c));
  socket.write(
    'GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n',
  );
  while (!raw.endsWith('a'.repeat(100))) await once(socket, 'data');
  socket.write('GET /b.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  await once(socket, 'close');
  assert.deepEqual(statuses(raw), [200, 200]);
  assert.doesNotMatch(raw, /^Upgrade:/im);
  assert.ok(raw.endsWith('b'.repeat(100)));
});

test('the preface trickled one byte at a time still opens an h2c session', async () => {
  const received = await collectUntilClose(f.port, (socket) => {
    const bytes = Buffer.concat([H2_PREFACE, EMPTY_SETTINGS]);
    let i = 0;
    const timer = setInterval(() => {
      socket.write(bytes.subarray(i, i + 1));
      if (++i === bytes.length) {
        clearInterval(timer);
        // Wait for the server's SETTINGS, then leave.
        socket.once('data', () => socket.end());
      }
    }, 2);
  });
  // The server's first frame is its SETTINGS (RFC 9113 §3.4): type 0x4 on stream 0.
  assert.ok(received.length >= 9, `got ${received.length} bytes`);
  assert.equal(received[3], 0x04);
  assert.equal(received.readUInt32BE(5), 0);
});

test('hostile: a partial preface that stalls gets the headers timeout (408), as does silence', async () => {
  const { server, port } = await bareServer({ limits: { headersTimeoutMs: 300, checkIntervalMs: 100 } });
  try {
    const partial = await collectUntilClose(port, (s) => s.write(H2_PREFACE.subarray(0, 10)));
    assert.match(partial.toString('latin1'), /^HTTP\/1\.1 408 Request Timeout\r\n/);
    const silent = await collectUntilClose(port, () => undefined);
    assert.match(silent.toString('latin1'), /^HTTP\/1\.1 408 Request Timeout\r\n/);
    // A slow HTTP/1.1 head after a decisive first byte is still cut off by node:http.
    const slow = await collectUntilClose(port, (s) => s.write('GET / HTTP/1.1\r\n'));
    assert.match(slow.toString('latin1'), /^HTTP\/1\.1 408 Request Timeout\r\n/);
  } finally {
    await server.close();
  }
});

test('hostile: a partial preface then garbage gets 400 and a close', async () => {
  for (const bad of [
    'PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n',
    'PRI * HTTP/1.1\r\nHost: x\r\n\r\n',
    'PRXgarbage\r\n\r\n',
  ]) {
    const raw = await rawExchange(f.port, bad);
    assert.deepEqual(statuses(raw), [400], JSON.stringify(bad));
  }
});

test('hostile: the preface then garbage frames gets GOAWAY and a close; the server carries on', async () => {
  const received = await collectUntilClose(f.port, (s) =>
    s.write(Buffer.concat([H2_PREFACE, Buffer.from('this is not a frame at all, not even close\r\n')])),
  );
  // Somewhere after the server's SETTINGS comes a GOAWAY frame (type 0x7).
  let offset = 0;
  const types: number[] = [];
  while (offset + 9 <= received.length) {
    types.push(received[offset + 3] ?? -1);
    offset += 9 + received.readUIntBE(offset, 3);
  }
  assert.ok(types.includes(0x07), `frame types ${types.join(',')}`);
  const r = await run('curl', ['-sS', '--http2-prior-knowledge', `${f.base}/e.txt`]);
  assert.equal(r.stdout, 'e'.repeat(100));
});

test('hostile: huge first lines go to HTTP/1.1 and its limits (414/431/400)', async () => {
  const longUrl = await rawExchange(f.port, `GET /${'a'.repeat(9000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
  assert.deepEqual(statuses(longUrl), [414]);
  const longLine = await rawExchange(f.port, `GET /${'a'.repeat(40_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
  assert.deepEqual(statuses(longLine), [431]);
  const longPri = await rawExchange(f.port, `PRI${'R'.repeat(40_000)}\r\n\r\n`);
  assert.deepEqual(statuses(longPri), [400]);
});

test('same handler, access log, metrics and transcript for h2c; the connect entry says h2c', async () => {
  const lines: string[] = [];
  const metricSet = createMetrics();
  const registry = metricSet.registry;
  const { server, port } = await bareServer({
    accessLog: { write: (r) => lines.push(formatCombined(r)), close: () => Promise.resolve() },
    metrics: new HttpMetrics(metricSet),
  });
  const rec = recordTranscript((e) => e.protocol === 'http');
  try {
    const h2 = await run('curl', ['-sS', '--http2-prior-knowledge', `http://127.0.0.1:${port}/a.txt`]);
    assert.equal(h2.stdout, 'AAA', h2.stderr);
    const h1 = await run('curl', ['-sS', '--http1.1', `http://127.0.0.1:${port}/nothing`]);
    assert.equal(h1.code, 0, h1.stderr);
    await eventually(() => rec.entries.filter((e) => e.text === 'closed').length >= 2, {
      timeoutMs: 2_000,
      intervalMs: 10,
      what: 'two closed entries',
    });
  } finally {
    rec.stop();
    await server.close();
  }
  assert.equal(lines.length, 2);
  // The HTTP/2 line names the client, read before the stream closed (it used to show `-`).
  assert.match(
    lines[0] ?? '',
    /^127\.0\.0\.1 - - \[.*\] "GET \/a\.txt HTTP\/2\.0" 200 3 "-" "curl\/[\d.]+"$/,
  );
  assert.match(lines[1] ?? '', /^127\.0\.0\.1 - - \[.*\] "GET \/nothing HTTP\/1\.1" 404 /);
  const metrics = await registry.getSingleMetricAsString('outpost_http_requests_total');
  assert.match(metrics, /outpost_http_requests_total\{class="2xx"\} 1/);
  assert.match(metrics, /outpost_http_requests_total\{class="4xx"\} 1/);
  const sessions = [...new Set(rec.entries.map((e) => e.sessionId))];
  assert.equal(sessions.length, 2);
  const h2c = rec.entries.filter((e) => e.sessionId === sessions[0]).map((e) => `${e.direction}: ${e.text}`);
  assert.match(h2c[0] ?? '', /^\*: connect from 127\.0\.0\.1:\d+, h2c$/);
  assert.ok(h2c.includes('C: GET /a.txt HTTP/2'), h2c.join('\n'));
  assert.ok(h2c.includes('S: HTTP/2 200'), h2c.join('\n'));
  assert.equal(h2c.at(-1), '*: closed');
  const h1 = rec.entries.filter((e) => e.sessionId === sessions[1]).map((e) => `${e.direction}: ${e.text}`);
  assert.match(h1[0] ?? '', /^\*: connect from 127\.0\.0\.1:\d+$/);
  assert.ok(h1.includes('C: GET /nothing HTTP/1.1'), h1.join('\n'));
});

test('transcript: a connection that closes before its first bytes is still shown', async () => {
  const { server, port } = await bareServer();
  const rec = recordTranscript((e) => e.protocol === 'http');
  try {
    const socket = connect({ port, host: '127.0.0.1' });
    await once(socket, 'connect');
    socket.end();
    await once(socket, 'close');
    await eventually(() => rec.entries.length >= 2, {
      timeoutMs: 2_000,
      intervalMs: 10,
      what: 'two entries',
    });
  } finally {
    rec.stop();
    await server.close();
  }
  assert.deepEqual(
    rec.entries.map((e) => e.text.replace(/:\d+$/, ':PORT')),
    ['connect from 127.0.0.1:PORT', 'closed before a request'],
  );
});

test('close() drains h2c: an open session gets GOAWAY, a connection still sniffing is closed', async () => {
  const { server, port } = await bareServer();
  const session = connectHttp2(`http://127.0.0.1:${port}`);
  const got = await h2Get(session, '/a.txt');
  assert.deepEqual(got, { status: 200, body: 'AAA' });
  const goaway = once(session, 'goaway');
  const sessionClosed = once(session, 'close');
  const sniffing = connect({ port, host: '127.0.0.1' });
  await once(sniffing, 'connect');
  sniffing.write('PRI * HT');
  const sniffClosed = once(sniffing, 'close');
  await new Promise((ok) => setTimeout(ok, 50));
  await server.close();
  await Promise.all([goaway, sessionClosed, sniffClosed]);
  assert.deepEqual(server.addresses(), []);
});

test('without h2c (the default) the plain listener is HTTP/1.1 only: the preface gets 400', async () => {
  const root = tempDir('outpost-h2c-off-');
  writeFileSync(join(root, 'a.txt'), 'AAA');
  const server = createHttpServer({ sites: new SiteTable({ root }, []) });
  const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
  try {
    const raw = await rawExchange(port, Buffer.concat([H2_PREFACE, EMPTY_SETTINGS]));
    assert.deepEqual(statuses(raw), [400]);
    const r = await run('curl', ['-sS', `http://127.0.0.1:${port}/a.txt`]);
    assert.equal(r.stdout, 'AAA');
  } finally {
    await server.close();
  }
});
