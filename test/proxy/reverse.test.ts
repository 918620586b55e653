// The reverse proxy in front of a node:http origin, with real clients: curl over HTTP/1.1 and
// HTTP/2 (TLS, ALPN), node:http for header details. Hop-by-hop fields never cross, Via,
// X-Forwarded-For and Forwarded are added, bodies stream both ways, the origin's virtual host
// sees the client's Host.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from '../http/helpers.js';
import { tempDir } from '../helpers/temp.js';
import { run, startOrigin, startProxy, type Origin, type ProxyFixture } from './helpers.js';

let origin: Origin;
let proxy: ProxyFixture;
let work: string;
const BIG = Buffer.alloc(3 * 1024 * 1024, 'x');

before(async () => {
  origin = await startOrigin((req, res) => {
    if (req.url === '/big') {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': BIG.length });
      res.end(BIG);
      return;
    }
    if (req.url === '/cached' || req.headers['x-want'] === 'cache') {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'max-age=600' });
      res.end('cache me\n');
      return;
    }
    if (req.method === 'POST') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.writeHead(201, { 'Content-Type': 'text/plain' });
        res.end(`got ${String(Buffer.concat(chunks).length)}`);
      });
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'application/json',
      Connection: 'X-Secret-Hop',
      'X-Secret-Hop': 'must not pass',
      'Keep-Alive': 'timeout=5',
      'Set-Cookie': ['a=1', 'b=2'],
    });
    res.end(JSON.stringify({ url: req.url, headers: req.rawHeaders }));
  });
  proxy = await startProxy({ origin: origin.url, tls_listen: ['127.0.0.1:0'] });
  work = tempDir('outpost-proxy-reverse-');
  writeFileSync(join(work, 'ca.pem'), proxy.ca ?? '');
});
after(async () => {
  await proxy.close();
  await origin.close();
});

test('curl over HTTP/1.1 gets the origin answer with Via; hop-by-hop fields dropped both ways', async () => {
  const r = await run('curl', [
    '-sS',
    '-i',
    '--http1.1',
    '-H',
    'Connection: X-Client-Hop',
    '-H',
    'X-Client-Hop: secret',
    '-H',
    'Proxy-Authorization: Basic Zm9vOmJhcg==',
    '-H',
    'X-Forwarded-For: 192.0.2.7',
    `${proxy.base}/hello?x=1`,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const [head = '', body = ''] = r.stdout.split('\r\n\r\n');
  assert.match(head, /^HTTP\/1\.1 200/);
  assert.match(head, /^via: 1\.1 localhost$/im);
  assert.doesNotMatch(head, /x-secret-hop/i);
  assert.match(head, /^set-cookie: a=1$/im);
  assert.match(head, /^set-cookie: b=2$/im);
  const seen = JSON.parse(body) as { url: string; headers: string[] };
  assert.equal(seen.url, '/hello?x=1');
  const fields = new Map<string, string[]>();
  for (let i = 0; i < seen.headers.length; i += 2) {
    const name = (seen.headers[i] ?? '').toLowerCase();
    fields.set(name, [...(fields.get(name) ?? []), seen.headers[i + 1] ?? '']);
  }
  assert.equal(fields.get('host')?.[0], `127.0.0.1:${String(proxy.port)}`);
  assert.equal(fields.get('x-client-hop'), undefined);
  assert.equal(fields.get('proxy-authorization'), undefined);
  assert.deepEqual(fields.get('x-forwarded-for'), ['192.0.2.7', '127.0.0.1']);
  assert.match(fields.get('via')?.[0] ?? '', /^1\.1 localhost \(outpost-[0-9a-f]+\)$/);
  assert.equal(
    fields.get('forwarded')?.[0],
    `for=127.0.0.1;proto=http;host="127.0.0.1:${String(proxy.port)}"`,
  );
});

test('curl --http2 over TLS through the reverse proxy', async () => {
  const r = await run('curl', [
    '-sS',
    '--http2',
    '--cacert',
    join(work, 'ca.pem'),
    '--resolve',
    `localhost:${String(proxy.tlsPort)}:127.0.0.1`,
    '-o',
    join(work, 'big.bin'),
    '-w',
    '%{http_code} %{http_version} %{size_download}',
    `https://localhost:${String(proxy.tlsPort)}/big`,
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `200 2 ${String(BIG.length)}`);
});

test('a request body streams to the origin (HTTP/1.1 and HTTP/2)', async () => {
  const r = await run('curl', ['-sS', '--data-binary', '@-', `${proxy.base}/upload`], {
    input: Buffer.alloc(200_000, 'y'),
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'got 200000');
  const h2 = await run(
    'curl',
    [
      '-sS',
      '--http2',
      '--cacert',
      join(work, 'ca.pem'),
      '--resolve',
      `localhost:${String(proxy.tlsPort)}:127.0.0.1`,
      '--data-binary',
      '@-',
      `https://localhost:${String(proxy.tlsPort)}/upload`,
    ],
    { input: Buffer.alloc(70_000, 'z') },
  );
  assert.equal(h2.code, 0, h2.stderr);
  assert.equal(h2.stdout, 'got 70000');
});

test('a dead origin is 502, not a hang', async () => {
  const dead = await startOrigin(() => undefined);
  const url = dead.url;
  await dead.close();
  await using p = await startProxy({ origin: url });
  const r = await request(`${p.base}/x`);
  assert.equal(r.status, 502);
});

test('h2load over TLS (HTTP/2 by ALPN) against the reverse proxy: every request succeeds', async () => {
  const r = await run(
    'h2load',
    ['-n', '2000', '-c', '4', '-m', '10', '-t', '1', `https://127.0.0.1:${String(proxy.tlsPort)}/cached`],
    { timeoutMs: 60_000 },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Application protocol: h2/);
  assert.match(
    r.stdout,
    /requests: 2000 total, 2000 started, 2000 done, 2000 succeeded, 0 failed, 0 errored/,
  );
});

test('the transcript shows MISS, the origin exchange, then HIT', async () => {
  const { subscribeTranscript } = await import('../../src/core/transcript.js');
  const lines: string[] = [];
  const unsubscribe = subscribeTranscript((entry) => {
    if (entry.protocol === 'proxy') lines.push(`${entry.direction}: ${entry.text}`);
  });
  try {
    const path = `/transcript-${String(Date.now())}`;
    await request(`${proxy.base}${path}`, { headers: { 'X-Want': 'cache' } });
    await request(`${proxy.base}${path}`, { headers: { 'X-Want': 'cache' } });
    const text = lines.join('\n');
    assert.match(text, new RegExp(`\\*: GET http://127\\.0\\.0\\.1:${String(proxy.port)}${path} MISS`));
    assert.match(text, new RegExp(`C: GET ${path} HTTP/1\\.1`));
    assert.match(text, /S: HTTP\/1\.1 200 OK/);
    assert.match(text, new RegExp(`\\*: GET http://127\\.0\\.0\\.1:${String(proxy.port)}${path} HIT`));
  } finally {
    unsubscribe();
  }
});
