// Real clients nobody here wrote: curl over HTTP/1.1 and HTTP/2 (TLS with ALPN, certificate
// verified against the suite's self-signed CA), nghttp, wget, and Python's http.client. A
// missing peer fails the test.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALICE, run, startHttp, type HttpFixture } from './helpers.js';
import { tempDir } from '../helpers/temp.js';

let f: HttpFixture;
let caFile: string;
let work: string;
const BODY = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 256));

before(async () => {
  f = await startHttp({ writers: [ALICE.address] });
  work = tempDir('outpost-http-interop-');
  caFile = join(work, 'ca.pem');
  writeFileSync(caFile, f.ca);
  writeFileSync(join(f.root, 'big.bin'), BODY);
  writeFileSync(join(f.root, 'page.html'), '<p>hi</p>\n'.repeat(200));
});
after(() => f.close());

const tls = (): string[] => ['--cacert', caFile, '--resolve', `localhost:${f.tlsPort}:127.0.0.1`];
const tlsUrl = (path: string): string => `https://localhost:${f.tlsPort}${path}`;

test('curl HTTP/1.1: GET, conditional 304 with -z, range, gzip with --compressed', async () => {
  const r = await run('curl', [
    '-sS',
    '--http1.1',
    '-o',
    join(work, 'out.bin'),
    '-w',
    '%{http_code} %{http_version}',
    `${f.base}/big.bin`,
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '200 1.1');
  assert.deepEqual(readFileSync(join(work, 'out.bin')), BODY);
  const cond = await run('curl', [
    '-sS',
    '-o',
    '/dev/null',
    '-w',
    '%{http_code}',
    '-z',
    join(work, 'out.bin'),
    `${f.base}/big.bin`,
  ]);
  assert.equal(cond.stdout, '304');
  const range = await run('curl', ['-sS', '-r', '100-199', '-w', '\n%{http_code}', `${f.base}/big.bin`], {});
  assert.match(range.stdout, /\n206$/);
  const gz = await run('curl', ['-sS', '--compressed', '-D', '-', `${f.base}/page.html`]);
  assert.match(gz.stdout, /content-encoding: br|content-encoding: gzip/i);
  assert.ok(gz.stdout.endsWith('<p>hi</p>\n'.repeat(200)));
});

test('curl --http2 over TLS negotiates h2 by ALPN, verifies the certificate, uploads with PUT', async () => {
  const r = await run('curl', [
    '-sS',
    '--http2',
    ...tls(),
    '-o',
    join(work, 'h2.bin'),
    '-w',
    '%{http_version}',
    tlsUrl('/big.bin'),
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '2');
  assert.deepEqual(readFileSync(join(work, 'h2.bin')), BODY);
  const h1 = await run('curl', [
    '-sS',
    '--http1.1',
    ...tls(),
    '-o',
    '/dev/null',
    '-w',
    '%{http_version}',
    tlsUrl('/big.bin'),
  ]);
  assert.equal(h1.stdout, '1.1', 'ALPN falls back to http/1.1');
  writeFileSync(join(work, 'up.txt'), 'uploaded over h2\n');
  const put = await run('curl', [
    '-sS',
    '--http2',
    ...tls(),
    '-u',
    `${ALICE.address}:${ALICE.password}`,
    '-T',
    join(work, 'up.txt'),
    '-w',
    '%{http_code}',
    '-o',
    '/dev/null',
    tlsUrl('/h2/up.txt'),
  ]);
  assert.equal(put.stdout, '201', put.stderr);
  assert.equal(readFileSync(join(f.root, 'h2', 'up.txt'), 'utf8'), 'uploaded over h2\n');
  const multi = await run('curl', [
    '-sS',
    '--http2',
    ...tls(),
    '-r',
    '0-0,-1',
    '-D',
    '-',
    '-o',
    '/dev/null',
    tlsUrl('/big.bin'),
  ]);
  assert.match(multi.stdout, /^HTTP\/2 206/);
  assert.match(multi.stdout, /content-type: multipart\/byteranges; boundary=/);
  const notfound = await run('curl', [
    '-sS',
    '--http2',
    ...tls(),
    '-o',
    '/dev/null',
    '-w',
    '%{http_code}',
    tlsUrl('/nope'),
  ]);
  assert.equal(notfound.stdout, '404');
});

test('curl --http2: a read-only method error and the 401 challenge over h2', async () => {
  const r = await run('curl', [
    '-sS',
    '--http2',
    ...tls(),
    '-X',
    'DELETE',
    '-D',
    '-',
    '-o',
    '/dev/null',
    tlsUrl('/big.bin'),
  ]);
  assert.match(r.stdout, /^HTTP\/2 401/);
  assert.match(r.stdout, /www-authenticate: Basic realm="outpost"/i);
});

test('nghttp (nghttp2 client) fetches over h2', async () => {
  const r = await run('nghttp', ['-n', '-s', `https://127.0.0.1:${f.tlsPort}/big.bin`]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\/big\.bin/);
  assert.match(r.stdout, /200|complete/i);
});

test('wget downloads a file and follows the directory redirect', async () => {
  const r = await run('wget', ['-q', '-O', join(work, 'wget.bin'), `${f.base}/big.bin`]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readFileSync(join(work, 'wget.bin')), BODY);
  const dir = await run('wget', ['-S', '-O', join(work, 'idx.html'), `${f.base}/sub`]);
  // /sub does not exist: wget reports the 404 and exits 8 (server error response).
  assert.equal(dir.code, 8);
  assert.match(dir.stderr, /404 Not Found/);
});

test("Python's http.client: keep-alive requests, HEAD, conditional and range", async () => {
  const script = `
import http.client, sys
c = http.client.HTTPConnection('127.0.0.1', ${f.port})
c.request('GET', '/big.bin'); r = c.getresponse(); body = r.read(); etag = r.getheader('ETag')
print(r.status, len(body))
c.request('HEAD', '/big.bin'); r = c.getresponse(); r.read(); print(r.status, r.getheader('Content-Length'))
c.request('GET', '/big.bin', headers={'If-None-Match': etag}); r = c.getresponse(); r.read(); print(r.status)
c.request('GET', '/big.bin', headers={'Range': 'bytes=10-19'}); r = c.getresponse(); print(r.status, r.getheader('Content-Range'), len(r.read()))
c.request('OPTIONS', '/'); r = c.getresponse(); r.read(); print(r.status, r.getheader('Allow'))
`;
  const r = await run('python3', ['-c', script]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), [
    '200 300000',
    '200 300000',
    '304',
    '206 bytes 10-19/300000 10',
    '204 GET, HEAD, PUT, DELETE, POST, OPTIONS',
  ]);
});
