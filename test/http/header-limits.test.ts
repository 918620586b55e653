// The header limits docs/http.md promises, as clients meet them: 100 header fields are served and
// the 101st gets 431 (node:http used to drop fields past 100 and answer 200), over raw sockets,
// curl on HTTP/1.1 (plain and TLS) and curl --http2; on HTTP/2 a header list over 16 KiB gets a
// 431 response up to the 64 KiB ceiling, and only past the ceilings is the stream reset.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { connect as h2connect, constants as h2 } from 'node:http2';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HTTP_LIMITS } from '../../src/http/limits.js';
import { rawExchange, run, startHttp, statuses, type HttpFixture } from './helpers.js';
import { tempDir } from '../helpers/temp.js';

let f: HttpFixture;
let caFile: string;

before(async () => {
  f = await startHttp({}, { http: { listen: ['127.0.0.1:0'], tls_listen: ['127.0.0.1:0'], h2c: true } });
  const work = tempDir('outpost-http-limits-');
  caFile = join(work, 'ca.pem');
  writeFileSync(caFile, f.ca);
  writeFileSync(join(f.root, 'index.html'), '<p>hi</p>\n');
});
after(() => f.close());

/** `n` header fields `X-Fi: v`, as curl -H arguments. */
const curlFields = (n: number): string[] =>
  Array.from({ length: n }, (_, i) => ['-H', `X-F${String(i)}: v`]).flat();

/** A raw HTTP/1.1 request with Host plus `extra` more fields. */
const rawRequest = (extra: number): string =>
  `GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${Array.from({ length: extra }, (_, i) => `X-F${String(i)}: v\r\n`).join('')}\r\n`;

test('HTTP/1.1 raw: 100 header fields get 200, 101 and 200 get 431', async () => {
  assert.equal(HTTP_LIMITS.maxHeadersCount, 100);
  // Host and Connection are two of the fields.
  assert.deepEqual(statuses(await rawExchange(f.port, rawRequest(98))), [200]);
  const over = await rawExchange(f.port, rawRequest(99));
  assert.deepEqual(statuses(over), [431]);
  assert.match(over, /more than 100 header fields/);
  assert.match(over, /\r\nConnection: close\r\n/i);
  assert.deepEqual(statuses(await rawExchange(f.port, rawRequest(198))), [431]);
});

test('curl (HTTP/1.1 plain and TLS): 100 fields 200, 101 fields 431', async () => {
  // curl sends Host, User-Agent and Accept itself.
  for (const target of [
    ['--http1.1', `${f.base}/`],
    [
      '--http1.1',
      '--cacert',
      caFile,
      '--resolve',
      `localhost:${String(f.tlsPort)}:127.0.0.1`,
      `https://localhost:${String(f.tlsPort)}/`,
    ],
  ]) {
    const ok = await run('curl', [
      '-sS',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      ...curlFields(97),
      ...target,
    ]);
    assert.equal(ok.stdout, '200', ok.stderr);
    const over = await run('curl', [
      '-sS',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      ...curlFields(98),
      ...target,
    ]);
    assert.equal(over.stdout, '431', over.stderr);
  }
});

test('curl --http2 (TLS and h2c): 101 fields and a 20 KB header block get a 431 response, not a reset', async () => {
  const tls = [
    '--http2',
    '--cacert',
    caFile,
    '--resolve',
    `localhost:${String(f.tlsPort)}:127.0.0.1`,
    `https://localhost:${String(f.tlsPort)}/`,
  ];
  const h2c = ['--http2-prior-knowledge', `${f.base}/`];
  for (const target of [tls, h2c]) {
    const w = ['-sS', '-o', '/dev/null', '-w', '%{http_code} %{http_version}'];
    // Over HTTP/2 curl sends user-agent and accept (the authority is a pseudo-header field).
    const ok = await run('curl', [...w, ...curlFields(98), ...target]);
    assert.equal(ok.stdout, '200 2', ok.stderr);
    const many = await run('curl', [...w, ...curlFields(99), ...target]);
    assert.equal(many.stdout, '431 2', many.stderr);
    const big = await run('curl', [...w, '-H', `X-Big: ${'a'.repeat(20_000)}`, ...target]);
    assert.equal(big.code, 0, big.stderr);
    assert.equal(big.stdout, '431 2', big.stderr);
    const small = await run('curl', [...w, '-H', `X-Big: ${'a'.repeat(10_000)}`, ...target]);
    assert.equal(small.stdout, '200 2', small.stderr);
  }
});

/** One HTTP/2 request with node:http2 over TLS: the status, or the RST_STREAM code. */
function h2Request(headers: Record<string, string>): Promise<{ status?: number; rstCode?: number }> {
  return new Promise((resolve, reject) => {
    const session = h2connect(`https://127.0.0.1:${String(f.tlsPort)}`, { ca: f.ca });
    session.on('error', reject);
    const stream = session.request({ ':path': '/', ...headers });
    let status: number | undefined;
    stream.on('response', (h) => {
      status = Number(h[':status']);
    });
    stream.resume();
    stream.on('error', () => undefined);
    stream.on('close', () => {
      session.close();
      resolve(status === undefined ? { rstCode: stream.rstCode } : { status });
    });
    stream.end();
  });
}

test('curl --http2 past the 64 KiB ceiling: the stream is reset and curl gives up', async () => {
  const r = await run('curl', [
    '-sS',
    '-o',
    '/dev/null',
    '--http2-prior-knowledge',
    '-H',
    `X-Big: ${'a'.repeat(70_000)}`,
    `${f.base}/`,
  ]);
  assert.notEqual(r.code, 0);
  assert.deepEqual(statuses(await rawExchange(f.port, rawRequest(0))), [200], 'still serving');
});

test('HTTP/2 past the hard ceilings: the stream is reset (64 KiB list: REFUSED_STREAM; 256 fields: ENHANCE_YOUR_CALM)', async () => {
  assert.deepEqual(await h2Request({ 'x-big': 'a'.repeat(60_000) }), { status: 431 });
  assert.deepEqual(await h2Request({ 'x-big': 'a'.repeat(70_000) }), { rstCode: h2.NGHTTP2_REFUSED_STREAM });
  const fields = (n: number): Record<string, string> =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [`x-f${String(i)}`, 'v']));
  assert.deepEqual(await h2Request(fields(200)), { status: 431 });
  assert.deepEqual(await h2Request(fields(300)), { rstCode: h2.NGHTTP2_ENHANCE_YOUR_CALM });
  // The server keeps serving.
  assert.deepEqual(await h2Request({}), { status: 200 });
});
