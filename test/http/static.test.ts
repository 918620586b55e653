// Static serving over a real listener: Content-Type, HEAD, Last-Modified and strong ETag,
// conditional GET (304/412), Range (206, multipart/byteranges, 416, If-Range), Accept-Encoding
// (precompressed siblings, on-the-fly gzip/br, Vary), Cache-Control per path, index files,
// directory redirect and listing, virtual hosts, traversal and symlink escapes refused, the
// cache noticing edits, reload of sites.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, brotliDecompressSync, gzipSync } from 'node:zlib';
import { configFromObject } from '../../src/core/config/load.js';
import { rawExchange, request, startHttp, statuses, type HttpFixture } from './helpers.js';
import { tempDir } from '../helpers/temp.js';

let f: HttpFixture;
let other: string;
const TEXT = 'Hello, Outpost!\n'.repeat(100); // 1600 bytes, compressible
const BIN = Buffer.from(Array.from({ length: 10000 }, (_, i) => i % 251));

before(async () => {
  other = tempDir('outpost-http-vhost-');
  writeFileSync(join(other, 'index.html'), '<p>other site</p>\n');
  mkdirSync(join(other, 'pub'));
  writeFileSync(join(other, 'pub', 'a <b>.txt'), 'x');
  f = await startHttp({
    cache_control: { '/assets/': 'public, max-age=86400', '/': 'no-cache' },
    sites: [{ host: 'other.test', root: other, listing: true }],
  });
  writeFileSync(join(f.root, 'index.html'), '<h1>home</h1>\n');
  writeFileSync(join(f.root, 'hello.txt'), TEXT);
  writeFileSync(join(f.root, 'data.bin'), BIN);
  writeFileSync(join(f.root, 'style.css'), 'body { color: red; }\n'.repeat(50));
  writeFileSync(join(f.root, 'style.css.gz'), gzipSync('PRECOMPRESSED'));
  mkdirSync(join(f.root, 'assets'));
  writeFileSync(join(f.root, 'assets', 'app.js'), 'console.log(1);\n');
  mkdirSync(join(f.root, 'docs'));
  writeFileSync(join(f.root, 'docs', 'index.htm'), 'docs index\n');
  mkdirSync(join(f.root, 'empty'));
  const outside = tempDir('outpost-http-outside-');
  writeFileSync(join(outside, 'secret.txt'), 'TOP SECRET\n');
  symlinkSync(join(outside, 'secret.txt'), join(f.root, 'link-out.txt'));
  symlinkSync(outside, join(f.root, 'dir-out'));
  symlinkSync(join(f.root, 'hello.txt'), join(f.root, 'link-in.txt'));
});
after(() => f.close());

test('GET: body, Content-Type, Content-Length, ETag, Last-Modified, Accept-Ranges', async () => {
  const r = await request(`${f.base}/hello.txt`);
  assert.equal(r.status, 200);
  assert.equal(r.body.toString(), TEXT);
  assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
  assert.equal(r.headers['content-length'], String(TEXT.length));
  assert.match(r.headers.etag ?? '', /^"[0-9a-f]+-[0-9a-f]+-[0-9a-f]+"$/);
  assert.ok(!Number.isNaN(Date.parse(r.headers['last-modified'] ?? '')));
  assert.equal(r.headers['accept-ranges'], 'bytes');
  assert.equal(r.headers.vary, 'Accept-Encoding');
  assert.equal((await request(`${f.base}/data.bin`)).headers['content-type'], 'application/octet-stream');
  assert.equal(
    (await request(`${f.base}/assets/app.js`)).headers['content-type'],
    'text/javascript; charset=utf-8',
  );
  assert.equal((await request(`${f.base}/nope.txt`)).status, 404);
});

test('HEAD has the GET headers and no body', async () => {
  const get = await request(`${f.base}/data.bin`);
  const head = await request(`${f.base}/data.bin`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  for (const h of ['content-length', 'content-type', 'etag', 'last-modified'])
    assert.equal(head.headers[h], get.headers[h], h);
  assert.equal((await request(`${f.base}/missing`, { method: 'HEAD' })).status, 404);
});

test('conditional GET: If-None-Match / If-Modified-Since → 304, If-Match / If-Unmodified-Since → 412', async () => {
  const first = await request(`${f.base}/data.bin`);
  const etag = first.headers.etag ?? '';
  const lm = first.headers['last-modified'] ?? '';
  const nm = await request(`${f.base}/data.bin`, { headers: { 'If-None-Match': etag } });
  assert.equal(nm.status, 304);
  assert.equal(nm.body.length, 0);
  assert.equal(nm.headers.etag, etag);
  assert.equal(
    (await request(`${f.base}/data.bin`, { headers: { 'If-None-Match': `"x", W/${etag}` } })).status,
    304,
  );
  assert.equal(
    (await request(`${f.base}/data.bin`, { headers: { 'If-None-Match': '"other"' } })).status,
    200,
  );
  assert.equal((await request(`${f.base}/data.bin`, { headers: { 'If-Modified-Since': lm } })).status, 304);
  assert.equal(
    (
      await request(`${f.base}/data.bin`, {
        headers: { 'If-Modified-Since': 'Thu, 01 Jan 1970 00:00:00 GMT' },
      })
    ).status,
    200,
  );
  // If-None-Match wins over If-Modified-Since (§13.2.2 step 3 before 4).
  assert.equal(
    (
      await request(`${f.base}/data.bin`, {
        headers: { 'If-None-Match': '"other"', 'If-Modified-Since': lm },
      })
    ).status,
    200,
  );
  assert.equal((await request(`${f.base}/data.bin`, { headers: { 'If-Match': '"other"' } })).status, 412);
  assert.equal((await request(`${f.base}/data.bin`, { headers: { 'If-Match': etag } })).status, 200);
  assert.equal(
    (
      await request(`${f.base}/data.bin`, {
        headers: { 'If-Unmodified-Since': 'Thu, 01 Jan 1970 00:00:00 GMT' },
      })
    ).status,
    412,
  );
});

test('Range: single → 206 + Content-Range; suffix; multiple → multipart/byteranges; 416; If-Range', async () => {
  const one = await request(`${f.base}/data.bin`, { headers: { Range: 'bytes=0-499' } });
  assert.equal(one.status, 206);
  assert.equal(one.headers['content-range'], 'bytes 0-499/10000');
  assert.deepEqual(one.body, BIN.subarray(0, 500));
  const suffix = await request(`${f.base}/data.bin`, { headers: { Range: 'bytes=-500' } });
  assert.equal(suffix.headers['content-range'], 'bytes 9500-9999/10000');
  assert.deepEqual(suffix.body, BIN.subarray(9500));
  const multi = await request(`${f.base}/data.bin`, { headers: { Range: 'bytes=0-0,-1' } });
  assert.equal(multi.status, 206);
  const boundary = /^multipart\/byteranges; boundary=(\S+)$/.exec(multi.headers['content-type'] ?? '')?.[1];
  assert.ok(boundary);
  assert.equal(Number(multi.headers['content-length']), multi.body.length);
  const text = multi.body.toString('latin1');
  assert.ok(
    text.includes(
      `--${boundary}\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 0-0/10000\r\n\r\n\x00\r\n`,
    ),
  );
  assert.ok(
    text.includes(
      `Content-Range: bytes 9999-9999/10000\r\n\r\n${String.fromCharCode(BIN[9999]!)}\r\n--${boundary}--\r\n`,
    ),
  );
  const bad = await request(`${f.base}/data.bin`, { headers: { Range: 'bytes=20000-' } });
  assert.equal(bad.status, 416);
  assert.equal(bad.headers['content-range'], 'bytes */10000');
  const etag = one.headers.etag ?? '';
  assert.equal(
    (await request(`${f.base}/data.bin`, { headers: { Range: 'bytes=0-9', 'If-Range': etag } })).status,
    206,
  );
  const stale = await request(`${f.base}/data.bin`, {
    headers: { Range: 'bytes=0-9', 'If-Range': '"stale"' },
  });
  assert.equal(stale.status, 200);
  assert.equal(stale.body.length, 10000);
  assert.equal((await request(`${f.base}/data.bin`, { headers: { Range: 'bytes=garbage' } })).status, 200);
});

test('Accept-Encoding: on-the-fly gzip and br with Vary and distinct ETags; identity otherwise', async () => {
  const gz = await request(`${f.base}/hello.txt`, { headers: { 'Accept-Encoding': 'gzip' } });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.equal(gz.headers.vary, 'Accept-Encoding');
  assert.equal(gunzipSync(gz.body).toString(), TEXT);
  assert.ok(gz.body.length < TEXT.length);
  const br = await request(`${f.base}/hello.txt`, { headers: { 'Accept-Encoding': 'gzip, br' } });
  assert.equal(br.headers['content-encoding'], 'br');
  assert.equal(brotliDecompressSync(br.body).toString(), TEXT);
  assert.notEqual(br.headers.etag, gz.headers.etag);
  const again = await request(`${f.base}/hello.txt`, {
    headers: { 'Accept-Encoding': 'br', 'If-None-Match': br.headers.etag ?? '' },
  });
  assert.equal(again.status, 304);
  const none = await request(`${f.base}/hello.txt`, { headers: { 'Accept-Encoding': 'identity' } });
  assert.equal(none.headers['content-encoding'], undefined);
  const bin = await request(`${f.base}/data.bin`, { headers: { 'Accept-Encoding': 'gzip' } });
  assert.equal(bin.headers['content-encoding'], undefined, 'binary types are not compressed');
});

test('a precompressed .gz sibling is preferred over compressing', async () => {
  const r = await request(`${f.base}/style.css`, { headers: { 'Accept-Encoding': 'gzip' } });
  assert.equal(r.headers['content-encoding'], 'gzip');
  assert.equal(r.headers['content-type'], 'text/css; charset=utf-8');
  assert.equal(gunzipSync(r.body).toString(), 'PRECOMPRESSED');
});

test('Cache-Control per path prefix (longest wins)', async () => {
  assert.equal((await request(`${f.base}/assets/app.js`)).headers['cache-control'], 'public, max-age=86400');
  assert.equal((await request(`${f.base}/hello.txt`)).headers['cache-control'], 'no-cache');
});

test('directories: index.html, index.htm, redirect without slash, 404 without listing', async () => {
  assert.equal((await request(`${f.base}/`)).body.toString(), '<h1>home</h1>\n');
  const redirect = await request(`${f.base}/docs`);
  assert.equal(redirect.status, 301);
  assert.equal(redirect.headers.location, '/docs/');
  assert.equal((await request(`${f.base}/docs/`)).body.toString(), 'docs index\n');
  assert.equal((await request(`${f.base}/empty/`)).status, 404);
});

test('virtual hosts: Host picks the site; listing escapes names', async () => {
  const r = await request(`${f.base}/`, { headers: { Host: 'other.test:8080' } });
  assert.equal(r.body.toString(), '<p>other site</p>\n');
  const listing = await request(`${f.base}/pub/`, { headers: { Host: 'OTHER.test' } });
  assert.equal(listing.status, 200);
  const html = listing.body.toString();
  assert.ok(html.includes('<a href="a%20%3Cb%3E.txt">a &#60;b&#62;.txt</a>'), html);
  assert.equal(
    (await request(`${f.base}/`, { headers: { Host: 'unknown.test' } })).body.toString(),
    '<h1>home</h1>\n',
  );
});

test('traversal refused: .., %2e%2e, %2f, backslash, NUL, absolute-form tricks', async () => {
  const targets = [
    '/../../../../etc/passwd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd',
    '/docs/..%2f..%2fetc/passwd',
    '/..%5c..%5cetc/passwd',
    '/hello.txt%00.html',
    '/%c0%ae%c0%ae/etc/passwd',
    'http://127.0.0.1/../../etc/passwd',
  ];
  for (const t of targets) {
    const raw = await rawExchange(f.port, `GET ${t} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    const [status] = statuses(raw);
    assert.ok(status === 400 || status === 403, `${t} → ${status}`);
    assert.ok(!raw.includes('root:'), t);
  }
});

test('symlinks: leading out of the root refused, inside the root allowed', async () => {
  assert.equal((await request(`${f.base}/link-out.txt`)).status, 403);
  const dir = await request(`${f.base}/dir-out/secret.txt`);
  assert.equal(dir.status, 403);
  assert.ok(!dir.body.toString().includes('SECRET'));
  assert.equal((await request(`${f.base}/link-in.txt`)).body.toString(), TEXT);
});

test('the cache serves an edited file fresh on the next request', async () => {
  const path = join(f.root, 'edit.txt');
  writeFileSync(path, 'version 1');
  const a = await request(`${f.base}/edit.txt`);
  assert.equal(a.body.toString(), 'version 1');
  writeFileSync(path, 'version 2, longer');
  const b = await request(`${f.base}/edit.txt`);
  assert.equal(b.body.toString(), 'version 2, longer');
  assert.notEqual(a.headers.etag, b.headers.etag);
  // Same size, different mtime: still noticed.
  writeFileSync(path, 'version 3, LONGER');
  utimesSync(path, new Date(), new Date(Date.now() + 5000));
  assert.equal((await request(`${f.base}/edit.txt`)).body.toString(), 'version 3, LONGER');
});

test('OPTIONS answers Allow; other methods get 405 with Allow on a read-only site', async () => {
  const o = await request(`${f.base}/hello.txt`, { method: 'OPTIONS' });
  assert.equal(o.status, 204);
  assert.equal(o.headers.allow, 'GET, HEAD, OPTIONS');
  const star = statuses(
    await rawExchange(f.port, 'OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
  );
  assert.deepEqual(star, [204]);
  for (const method of ['PUT', 'DELETE', 'POST', 'PATCH']) {
    const r = await request(`${f.base}/hello.txt`, { method, body: 'x' });
    assert.equal(r.status, 405, method);
    assert.equal(r.headers.allow, 'GET, HEAD, OPTIONS');
  }
});

test('reload: new sites apply without restarting the listener', async () => {
  const root2 = tempDir('outpost-http-reload-');
  writeFileSync(join(root2, 'index.html'), 'reloaded site\n');
  const current = f.outpost.suite.context.config;
  const config = configFromObject({
    data_dir: current.data_dir,
    http: { listen: ['127.0.0.1:0'], root: f.root, sites: [{ host: 'new.test', root: root2 }] },
  });
  const keepAlive = await request(`${f.base}/`, { headers: { Host: 'new.test' } });
  assert.equal(keepAlive.body.toString(), '<h1>home</h1>\n');
  await f.outpost.suite.reload(config);
  assert.equal(
    (await request(`${f.base}/`, { headers: { Host: 'new.test' } })).body.toString(),
    'reloaded site\n',
  );
  assert.equal(
    (await request(`${f.base}/`, { headers: { Host: 'other.test' } })).body.toString(),
    '<h1>home</h1>\n',
  );
});

test('files too large for the cache are streamed: full body, single and multiple ranges, aborted download', async () => {
  const big = Buffer.alloc(5 * 1024 * 1024 + 123);
  for (let i = 0; i < big.length; i += 4096) big.writeUInt32BE(i, i);
  writeFileSync(join(f.root, 'huge.bin'), big);
  const full = await request(`${f.base}/huge.bin`);
  assert.equal(full.status, 200);
  assert.ok(full.body.equals(big));
  const one = await request(`${f.base}/huge.bin`, { headers: { Range: 'bytes=4096-8191' } });
  assert.equal(one.status, 206);
  assert.ok(one.body.equals(big.subarray(4096, 8192)));
  const multi = await request(`${f.base}/huge.bin`, { headers: { Range: 'bytes=0-3,-4' } });
  assert.equal(multi.status, 206);
  assert.equal(Number(multi.headers['content-length']), multi.body.length);
  assert.ok(multi.body.includes(big.subarray(0, 4)));
  assert.ok(multi.body.includes(big.subarray(big.length - 4)));
  // A client that hangs up mid-body: the server carries on serving others.
  await rawExchange(f.port, 'GET /huge.bin HTTP/1.1\r\nHost: x\r\n\r\n', 50);
  assert.equal((await request(`${f.base}/hello.txt`)).status, 200);
});
