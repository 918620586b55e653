// Hostile origins and clients against the reverse proxy. Origins: a lying Content-Length, endless
// header fields, a body that stalls, a reset mid-body, no answer at all: the client sees a clean
// error (502/504, or a response cut short, never passed off as complete) and nothing partial is
// stored. Clients: smuggling attempts (Content-Length with Transfer-Encoding, differing
// Content-Lengths, Transfer-Encoding not ending in chunked), a huge header section, a slowloris
// head; the proxy answers 400/431/408 and keeps serving. h2load: a short run, all requests answered.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { configFromObject } from '../../src/core/config/load.js';
import { ProxyServer, proxySettings } from '../../src/proxy/index.js';
import { rawExchange, request } from '../http/helpers.js';
import { run, startRawOrigin, type Origin } from './helpers.js';
import { MemoryCache } from './memory-cache.js';

let cache: MemoryCache;
let proxy: ProxyServer;
let origin: Origin;
let base: string;
let port: number;

const HEAD = 'HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\n';

before(async () => {
  origin = await startRawOrigin((socket) => {
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      if (!buffered.includes('\r\n\r\n')) return;
      const path = /^[A-Z]+ (\S+)/.exec(buffered)?.[1] ?? '';
      buffered = '';
      switch (path) {
        case '/lying-length':
          socket.end(`${HEAD}Content-Length: 1000\r\n\r\nonly this much`);
          break;
        case '/endless-headers': {
          socket.write('HTTP/1.1 200 OK\r\n');
          const line = `X-Filler: ${'a'.repeat(1000)}\r\n`;
          for (let i = 0; i < 200 && !socket.destroyed; i++) socket.write(line);
          break;
        }
        case '/stalls':
          socket.write(`${HEAD}Content-Length: 100\r\n\r\nfirst part`);
          break;
        case '/reset':
          socket.write(`${HEAD}Content-Length: 100000\r\n\r\n${'r'.repeat(5000)}`, () => {
            socket.resetAndDestroy();
          });
          break;
        case '/silent':
          break;
        default:
          socket.write(`${HEAD}Content-Length: 2\r\n\r\nok`);
      }
    });
  });
  const config = configFromObject({ proxy: { listen: [], origin: origin.url } });
  if (!config.proxy) throw new Error('no proxy');
  cache = new MemoryCache();
  proxy = new ProxyServer({
    settings: proxySettings(config.proxy, 'edge.test'),
    cache,
    origin: { timeoutMs: 1000, idleTimeoutMs: 1000 },
    limits: { headersTimeoutMs: 1000, checkIntervalMs: 200 },
  });
  port = (await proxy.listen({ host: '127.0.0.1', port: 0 })).port;
  base = `http://127.0.0.1:${String(port)}`;
});
after(async () => {
  await proxy.close();
  await origin.close();
});

/** curl's exit code and what it got. */
async function curl(path: string): Promise<{ code: number | null; status: string; stderr: string }> {
  const r = await run('curl', [
    '-sS',
    '-o',
    '/dev/null',
    '-w',
    '%{http_code}',
    '--max-time',
    '10',
    `${base}${path}`,
  ]);
  return { code: r.code, status: r.stdout, stderr: r.stderr };
}

test('a lying Content-Length: the client sees a short transfer; nothing is stored', async () => {
  const r = await curl('/lying-length');
  assert.equal(r.code, 18, r.stderr); // CURLE_PARTIAL_FILE
  assert.equal(cache.stored.has(`http://127.0.0.1:${String(port)}/lying-length`), false);
  assert.ok(cache.outcomes.includes('aborted'));
});

test('endless header fields from the origin are 502', async () => {
  const r = await curl('/endless-headers');
  assert.equal(r.status, '502');
});

test('an origin body that stalls is cut; nothing is stored', async () => {
  const r = await curl('/stalls');
  assert.equal(r.code, 18, r.stderr);
  assert.equal(cache.stored.has(`http://127.0.0.1:${String(port)}/stalls`), false);
});

test('an origin reset mid-body cuts the client; nothing is stored', async () => {
  const r = await curl('/reset');
  assert.equal(r.code, 18, r.stderr);
  assert.equal(cache.stored.has(`http://127.0.0.1:${String(port)}/reset`), false);
});

test('an origin that never answers is 504', async () => {
  const r = await curl('/silent');
  assert.equal(r.status, '504');
});

test('smuggling attempts get 400 and reach no origin; the proxy keeps serving', async () => {
  const attempts = [
    'POST /s HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /x HTTP/1.1\r\n\r\n',
    'POST /s HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 40\r\n\r\nabc',
    'POST /s HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n',
    'POST /s HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n',
  ];
  for (const raw of attempts) {
    const answer = await rawExchange(port, raw, 500);
    assert.match(answer, /^HTTP\/1\.1 400 /, raw);
    assert.doesNotMatch(answer, /HTTP\/1\.1 200/, raw);
  }
  const ok = await request(`${base}/fine`);
  assert.equal(ok.status, 200);
});

test('a huge header section is 431; a slowloris head is cut off', async () => {
  const huge = await rawExchange(
    port,
    `GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`,
    500,
  );
  assert.match(huge, /^HTTP\/1\.1 431 /);
  const started = Date.now();
  const slow = await rawExchange(port, 'GET / HTTP/1.1\r\nHost: a\r\nX-Slow: 1\r\n', 5000);
  assert.match(slow, /^HTTP\/1\.1 408 /);
  assert.ok(Date.now() - started < 5000);
});

test('h2load through the reverse proxy over h2c-less HTTP/1.1: every request succeeds', async () => {
  const r = await run('h2load', ['--h1', '-n', '2000', '-c', '8', '-t', '1', `${base}/fine`], {
    timeoutMs: 60_000,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /requests: 2000 total, 2000 started, 2000 done, 2000 succeeded, 0 failed, 0 errored/,
  );
  assert.match(r.stdout, /status codes: 2000 2xx/);
});
