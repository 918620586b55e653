// The server's use of the cache contract, with a small in-memory cache (test/proxy/memory-cache.ts)
// in a ProxyServer on port 0: N concurrent misses of one URL make one origin request and every
// client gets the body; a second request is a hit with Cache-Status; PURGE from an allowed
// client removes it (200, then 404), from another address is 403, and with an empty purge_allow
// is 405; a slow client does not hold up the origin fetch, and continues from the stored copy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { configFromObject } from '../../src/core/config/load.js';
import { subscribeTranscript } from '../../src/core/transcript.js';
import { ProxyServer, proxySettings } from '../../src/proxy/index.js';
import { request } from '../http/helpers.js';
import { eventually } from '../helpers/eventually.js';
import { run, startOrigin } from './helpers.js';
import { MemoryCache } from './memory-cache.js';

function settings(origin: string, extra: Record<string, unknown> = {}) {
  const config = configFromObject({ proxy: { listen: [], origin, ...extra } });
  if (!config.proxy) throw new Error('no proxy');
  return proxySettings(config.proxy, 'edge.test');
}

test('N concurrent misses of one URL make one origin request; then hits; PURGE', async () => {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  await using origin = await startOrigin((_req, res) => {
    void gate.then(() => {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'max-age=60' });
      res.end('one body for all\n');
    });
  });
  const cache = new MemoryCache();
  await using proxy = new ProxyServer({ settings: settings(origin.url), cache });
  const { port } = await proxy.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${String(port)}`;
  // The transcript says when a request starts waiting for the fetch in flight.
  let waiting = 0;
  const unsubscribe = subscribeTranscript((entry) => {
    if (entry.protocol === 'proxy' && entry.text.includes('waits for a fetch in flight')) waiting++;
  });
  const answers = Array.from({ length: 20 }, () => request(`${base}/same`));
  await eventually(() => origin.requests.length === 1, { what: 'the origin request' });
  // Let the other 19 requests arrive and start waiting.
  await eventually(() => waiting >= 19, { what: () => `19 waiting requests (${String(waiting)})` });
  release();
  const all = await Promise.all(answers);
  unsubscribe();
  assert.equal(origin.requests.length, 1);
  for (const r of all) {
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), 'one body for all\n');
  }
  const statuses = all.map((r) => String(r.headers['cache-status']));
  assert.equal(statuses.filter((s) => /fwd=uri-miss; fwd-status=200; stored/.test(s)).length, 1);
  assert.equal(statuses.filter((s) => /hit.*collapsed/.test(s)).length, 19);
  assert.equal(proxy.metrics.count('coalesced'), 19);

  const hit = await request(`${base}/same`);
  // The cache is named by the suite's hostname (the helper's edge.test), as in Via.
  assert.match(String(hit.headers['cache-status']), /^edge\.test; hit; ttl=60$/);
  assert.equal(hit.headers.age, '0');
  assert.equal(origin.requests.length, 1);

  const purged = await run('curl', ['-sS', '-X', 'PURGE', '-w', ' %{http_code}', `${base}/same`]);
  assert.match(purged.stdout, /200$/);
  const again = await run('curl', [
    '-sS',
    '-X',
    'PURGE',
    '-o',
    '/dev/null',
    '-w',
    '%{http_code}',
    `${base}/same`,
  ]);
  assert.equal(again.stdout, '404');
  await request(`${base}/same`);
  assert.equal(origin.requests.length, 2);
});

test('PURGE from outside purge_allow is 403; with purge_allow empty it is 405', async () => {
  await using origin = await startOrigin((_req, res) => res.end('x'));
  await using proxy = new ProxyServer({
    settings: settings(origin.url, { purge_allow: ['127.0.0.1/32'] }),
    cache: new MemoryCache(),
  });
  const { port } = await proxy.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${String(port)}/x`;
  const other = await run('curl', [
    '-sS',
    '-X',
    'PURGE',
    '--interface',
    '127.0.0.3',
    '-o',
    '/dev/null',
    '-w',
    '%{http_code}',
    url,
  ]);
  assert.equal(other.stdout, '403');
  proxy.reconfigure(settings(origin.url, { purge_allow: [] }));
  const off = await run('curl', ['-sS', '-X', 'PURGE', '-o', '/dev/null', '-w', '%{http_code}', url]);
  assert.equal(off.stdout, '405');
});

test('a slow client does not stall the origin fetch; it continues from the stored copy', async () => {
  const BODY = Buffer.alloc(8 * 1024 * 1024, 'b');
  await using origin = await startOrigin((_req, res) => {
    res.writeHead(200, { 'Content-Length': BODY.length, 'Cache-Control': 'max-age=60' });
    res.end(BODY);
  });
  const cache = new MemoryCache();
  await using proxy = new ProxyServer({ settings: settings(origin.url), cache });
  const { port } = await proxy.listen({ host: '127.0.0.1', port: 0 });
  // A client that sends the request and then does not read.
  const slow = connect({ host: '127.0.0.1', port });
  slow.write(`GET /big HTTP/1.1\r\nHost: 127.0.0.1:${String(port)}\r\n\r\n`);
  slow.pause();
  // The origin body is stored in full while the client reads nothing.
  await eventually(() => cache.outcomes.includes('stored'), { what: 'the stored body' });
  assert.deepEqual(cache.outcomes, ['stored']);
  // A second client meanwhile is a hit.
  const other = await request(`http://127.0.0.1:${String(port)}/big`);
  assert.equal(other.body.length, BODY.length);
  assert.equal(origin.requests.length, 1);
  // The slow client now reads everything, from the stored copy.
  let received = 0;
  slow.on('data', (chunk: Buffer) => {
    received += chunk.length;
  });
  slow.resume();
  await eventually(() => received > BODY.length, { what: () => `all of the body (${String(received)})` });
  slow.destroy();
});
