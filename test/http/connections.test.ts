// Connection handling with raw sockets: keep-alive and pipelined requests answered in order,
// `Connection: close` honoured, malformed requests (400), oversized headers (431), long URLs
// (414), a slowloris client cut off by the headers timeout, HTTP/1.0, and close() draining.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { createHttpServer } from '../../src/http/server.js';
import { SiteTable } from '../../src/http/sites.js';
import { rawExchange, startHttp, statuses, type HttpFixture } from './helpers.js';
import { tempDir } from '../helpers/temp.js';
import { recordTranscript } from '../../src/testing/index.js';

let f: HttpFixture;
before(async () => {
  f = await startHttp();
  writeFileSync(join(f.root, 'a.txt'), 'AAA');
  writeFileSync(join(f.root, 'b.txt'), 'BBBB');
});
after(() => f.close());

test('pipelining: two requests in one write are answered in order on one connection', async () => {
  const raw = await rawExchange(
    f.port,
    'GET /b.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /a.txt HTTP/1.1\r\nHost: x\r\n\r\nHEAD /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
  );
  assert.deepEqual(statuses(raw), [200, 200, 200]);
  const b = raw.indexOf('\r\n\r\nBBBB');
  const a = raw.indexOf('\r\n\r\nAAA');
  assert.ok(b !== -1 && a !== -1 && b < a, 'b.txt is answered before a.txt');
  assert.match(raw, /Connection: close\r\n/);
});

test('Connection: close is honoured: the server closes after the response', async () => {
  const socket = connect({ port: f.port, host: '127.0.0.1' });
  await once(socket, 'connect');
  socket.write('GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  let data = '';
  socket.setEncoding('latin1').on('data', (c: string) => (data += c));
  await once(socket, 'end');
  assert.deepEqual(statuses(data), [200]);
  socket.destroy();
});

test('HTTP/1.0 without keep-alive gets one answer and a close', async () => {
  const raw = await rawExchange(f.port, 'GET /a.txt HTTP/1.0\r\n\r\n');
  assert.deepEqual(statuses(raw), [200]);
  assert.match(raw, /^HTTP\/1\.1 200 OK\r\n/);
});

test('malformed requests get 400', async () => {
  for (const bad of [
    'GARBAGE\r\n\r\n',
    'GET / HTTP/1.1\r\nHost x\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx',
    'GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n',
    'GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n',
    'GET / HTTP/9.9\r\nHost: x\r\n\r\n',
  ]) {
    const raw = await rawExchange(f.port, bad);
    assert.equal(statuses(raw)[0], 400, JSON.stringify(bad));
  }
});

test('oversized headers get 431', async () => {
  const raw = await rawExchange(f.port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
  assert.deepEqual(statuses(raw), [431]);
});

test('a URL longer than 8000 octets gets 414', async () => {
  const raw = await rawExchange(
    f.port,
    `GET /${'a'.repeat(9000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
  );
  assert.deepEqual(statuses(raw), [414]);
});

test('slowloris: a client that never finishes its headers is cut off', async () => {
  const root = tempDir('outpost-http-slow-');
  await using server = createHttpServer({
    sites: new SiteTable({ root }, []),
    limits: { headersTimeoutMs: 300, checkIntervalMs: 100, requestTimeoutMs: 600 },
  });
  const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
  const rec = recordTranscript((e) => e.protocol === 'http');
  const socket = connect({ port, host: '127.0.0.1' });
  await once(socket, 'connect');
  let data = '';
  socket.setEncoding('latin1').on('data', (c: string) => (data += c));
  socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
  // Trickle a header byte now and then, as slowloris does; the server must still hang up.
  const trickle = setInterval(() => socket.write('X'), 100);
  await once(socket, 'close');
  clearInterval(trickle);
  rec.stop();
  assert.match(data, /^HTTP\/1\.1 408 Request Timeout/);
  // The transcript says why the connection ended.
  const lines = rec.entries.map((e) => `${e.direction} ${e.text}`);
  assert.ok(lines.includes('* no complete request head before the headers timeout'), lines.join('\n'));
  assert.ok(lines.includes('S HTTP/1.1 408 Request Timeout'), lines.join('\n'));
});

test('close() drains: an idle keep-alive connection is closed and the port freed', async () => {
  const root = tempDir('outpost-http-drain-');
  writeFileSync(join(root, 'x'), 'x');
  const server = createHttpServer({ sites: new SiteTable({ root }, []) });
  const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
  const socket = connect({ port, host: '127.0.0.1' });
  await once(socket, 'connect');
  socket.write('GET /x HTTP/1.1\r\nHost: x\r\n\r\n');
  await once(socket, 'data');
  const closed = once(socket, 'close');
  await server.close();
  await closed;
  await server.close(); // idempotent
  assert.deepEqual(server.addresses(), []);
});
