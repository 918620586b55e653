// The cache engine through its contract: misses stored and answered as hits with Age and
// Cache-Status, revalidation and the 304 update, Vary variants, HEAD and Range from a stored GET,
// client conditionals, only-if-cached, invalidation by unsafe methods, stale-while-revalidate,
// stale-if-error, CDN-Cache-Control, purge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CacheEngine,
  streamOf,
  type CacheRequest,
  type Lookup,
  type ServedResponse,
} from '../../../src/proxy/cache/index.js';
import { tempDir } from '../../helpers/temp.js';

const T0 = Date.parse('2026-12-07T12:00:00Z');
const DATE = new Date(T0).toUTCString();
const URL1 = 'http://origin.test/a';

async function open(maxBytes = 10_000_000, cdn = true): Promise<CacheEngine> {
  return CacheEngine.open({ dir: tempDir('outpost-cache-'), maxBytes, cdn });
}

function get(headers: [string, string][] = [], url = URL1, method = 'GET'): CacheRequest {
  return { method, url, headers };
}

async function store(
  cache: CacheEngine,
  req: CacheRequest,
  headers: [string, string][],
  body = 'hello',
  status = 200,
  at = T0,
): Promise<boolean> {
  const sink = cache.admit(req, { status, headers, requestTime: at, responseTime: at });
  if (sink === undefined) return false;
  sink.write(Buffer.from(body));
  return sink.end();
}

async function text(response: ServedResponse): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of streamOf(response.body)) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
}

function field(response: ServedResponse, name: string): string | undefined {
  return response.headers.find(([k]) => k.toLowerCase() === name)?.[1];
}

function hit(lookup: Lookup): ServedResponse {
  assert.ok(lookup.kind === 'hit', `expected a hit, got ${lookup.kind}`);
  return lookup.response;
}

test('a stored response is a hit with Age, its own Content-Length and the stored Date', async () => {
  const cache = await open();
  assert.equal((await cache.lookup(get(), T0)).kind, 'miss');
  assert.ok(
    await store(cache, get(), [
      ['Cache-Control', 'max-age=100'],
      ['Date', DATE],
      ['Content-Length', '5'],
    ]),
  );
  const lookup = await cache.lookup(get(), T0 + 10_000);
  const r = hit(lookup);
  assert.equal(field(r, 'age'), '10');
  assert.equal(field(r, 'content-length'), '5');
  assert.equal(field(r, 'date'), DATE);
  assert.equal(await text(r), 'hello');
  assert.ok(lookup.kind === 'hit');
  assert.deepEqual(lookup.status, { hit: true, ttl: 90 });
  assert.equal((await cache.lookup(get(), T0 + 101_000)).kind, 'miss');
  await cache.close();
});

test('not stored: no-store, private, Vary: *, Authorization, POST; a lying Content-Length', async () => {
  const cache = await open();
  assert.equal(
    cache.admit(get(), {
      status: 200,
      headers: [['Cache-Control', 'no-store']],
      requestTime: T0,
      responseTime: T0,
    }),
    undefined,
  );
  assert.equal(
    cache.admit(get(), {
      status: 200,
      headers: [['Cache-Control', 'private, max-age=9']],
      requestTime: T0,
      responseTime: T0,
    }),
    undefined,
  );
  assert.equal(
    cache.admit(get(), {
      status: 200,
      headers: [
        ['Cache-Control', 'max-age=9'],
        ['Vary', 'a, *'],
      ],
      requestTime: T0,
      responseTime: T0,
    }),
    undefined,
  );
  assert.equal(
    cache.admit(get([['Authorization', 'x']]), {
      status: 200,
      headers: [['Cache-Control', 'max-age=9']],
      requestTime: T0,
      responseTime: T0,
    }),
    undefined,
  );
  assert.equal(
    await store(
      cache,
      get(),
      [
        ['Cache-Control', 'max-age=9'],
        ['Content-Length', '50'],
      ],
      'short',
    ),
    false,
  );
  assert.equal((await cache.lookup(get(), T0)).kind, 'miss');
  await cache.close();
});

test('revalidation: the cache sends its validators, a 304 updates the fields but not Content-Length', async () => {
  const cache = await open();
  await store(cache, get(), [
    ['Cache-Control', 'max-age=1'],
    ['ETag', '"v1"'],
    ['Test-Header', 'old'],
    ['Content-Length', '5'],
    ['Date', DATE],
  ]);
  const lookup = await cache.lookup(
    get([
      ['If-None-Match', '"client"'],
      ['Foo', '1'],
    ]),
    T0 + 5000,
  );
  assert.ok(lookup.kind === 'revalidate');
  assert.deepEqual(lookup.requestHeaders, [
    ['Foo', '1'],
    ['If-None-Match', '"v1"'],
    ['Surrogate-Capability', 'outpost="Surrogate/1.0"'],
  ]);
  const after = await cache.revalidated(
    get(),
    lookup.stored,
    {
      status: 304,
      headers: [
        ['Cache-Control', 'max-age=3600'],
        ['Test-Header', 'new'],
        ['Content-Length', '0'],
        ['ETag', '"v1"'],
      ],
      requestTime: T0 + 5000,
      responseTime: T0 + 5000,
    },
    T0 + 5000,
  );
  const r = hit(after);
  assert.equal(field(r, 'test-header'), 'new');
  assert.equal(field(r, 'content-length'), '5');
  assert.equal(await text(r), 'hello');
  assert.ok(after.kind === 'hit' && after.status.fwd === 'stale' && after.status.fwdStatus === 304);
  assert.equal(field(hit(await cache.lookup(get(), T0 + 6000)), 'test-header'), 'new');
  // A 304 naming another ETag still refreshes the fields, never the stored ETag.
  const l2 = await cache.lookup(get(), T0 + 4_000_000);
  assert.ok(l2.kind === 'revalidate');
  const other = await cache.revalidated(
    get(),
    l2.stored,
    {
      status: 304,
      headers: [
        ['ETag', '"v2"'],
        ['Test-Header', 'newer'],
      ],
      requestTime: T0,
      responseTime: T0,
    },
    T0,
  );
  assert.equal(field(hit(other), 'etag'), '"v1"');
  assert.equal(field(hit(other), 'test-header'), 'newer');
  await cache.close();
});

test('no validators and stale: a miss; response no-cache: always revalidated', async () => {
  const cache = await open();
  await store(cache, get(), [
    ['Cache-Control', 'max-age=1'],
    ['Date', DATE],
  ]);
  assert.equal((await cache.lookup(get(), T0 + 5000)).kind, 'miss');
  await store(cache, get(), [
    ['Cache-Control', 'max-age=1000, no-cache'],
    ['ETag', '"x"'],
    ['Date', DATE],
  ]);
  assert.equal((await cache.lookup(get(), T0)).kind, 'revalidate');
  await cache.close();
});

test('Vary: several variants per URL, each answering its own requests', async () => {
  const cache = await open();
  const cc: [string, string][] = [
    ['Cache-Control', 'max-age=100'],
    ['Vary', 'Foo'],
    ['Date', DATE],
  ];
  await store(cache, get([['Foo', '1']]), cc, 'one');
  await store(cache, get([['Foo', '2']]), cc, 'two');
  assert.equal(await text(hit(await cache.lookup(get([['Foo', '1']]), T0))), 'one');
  assert.equal(await text(hit(await cache.lookup(get([['foo', '2']]), T0))), 'two');
  const none = await cache.lookup(get(), T0);
  assert.ok(none.kind === 'miss' && none.status.fwd === 'vary-miss');
  await store(cache, get([['Foo', '1']]), cc, 'uno');
  assert.equal(await text(hit(await cache.lookup(get([['Foo', '1']]), T0))), 'uno');
  assert.equal(cache.store.count, 2);
  await cache.close();
});

test('HEAD, Range (one, several, unsatisfiable), If-None-Match and If-Modified-Since from a stored GET', async () => {
  const cache = await open();
  const lm = new Date(T0 - 3_600_000).toUTCString();
  await store(
    cache,
    get(),
    [
      ['Cache-Control', 'max-age=100'],
      ['ETag', 'W/"e"'],
      ['Last-Modified', lm],
      ['Content-Type', 'text/plain'],
    ],
    '0123456789',
  );
  const head = hit(await cache.lookup(get([], URL1, 'HEAD'), T0));
  assert.equal(head.body.kind, 'none');
  assert.equal(field(head, 'content-length'), '10');
  const one = hit(await cache.lookup(get([['Range', 'bytes=2-4']]), T0));
  assert.equal(one.status, 206);
  assert.equal(field(one, 'content-range'), 'bytes 2-4/10');
  assert.equal(await text(one), '234');
  const suffix = hit(await cache.lookup(get([['Range', 'bytes=-1']]), T0));
  assert.equal(await text(suffix), '9');
  const multi = hit(await cache.lookup(get([['Range', 'bytes=0-0, 5-5']]), T0));
  assert.equal(multi.status, 206);
  assert.match(field(multi, 'content-type') ?? '', /^multipart\/byteranges/);
  const body = await text(multi);
  assert.equal(Buffer.byteLength(body), multi.length);
  assert.match(body, /Content-Range: bytes 5-5\/10\r\n\r\n5/);
  assert.equal(hit(await cache.lookup(get([['Range', 'bytes=50-']]), T0)).status, 416);
  assert.equal(
    hit(
      await cache.lookup(
        get([
          ['Range', 'bytes=0-1'],
          ['If-Range', '"other"'],
        ]),
        T0,
      ),
    ).status,
    200,
  );
  assert.equal(hit(await cache.lookup(get([['If-None-Match', '"a", W/"e"']]), T0)).status, 304);
  assert.equal(hit(await cache.lookup(get([['If-None-Match', '"a"']]), T0)).status, 200);
  const ims = hit(await cache.lookup(get([['If-Modified-Since', lm]]), T0));
  assert.equal(ims.status, 304);
  assert.equal(ims.body.kind, 'none');
  assert.equal(field(ims, 'etag'), 'W/"e"');
  await cache.close();
});

test('only-if-cached: 504 with nothing usable; request no-store goes forward', async () => {
  const cache = await open();
  assert.equal((await cache.lookup(get([['Cache-Control', 'only-if-cached']]), T0)).kind, 'gateway-timeout');
  await store(cache, get(), [
    ['Cache-Control', 'max-age=1'],
    ['ETag', '"x"'],
    ['Date', DATE],
  ]);
  assert.equal(
    (await cache.lookup(get([['Cache-Control', 'only-if-cached']]), T0 + 9000)).kind,
    'gateway-timeout',
  );
  assert.equal((await cache.lookup(get([['Cache-Control', 'only-if-cached']]), T0)).kind, 'hit');
  assert.equal((await cache.lookup(get([['Cache-Control', 'no-store']]), T0)).kind, 'miss');
  await cache.close();
});

test('§4.4: a successful unsafe method invalidates its URL and same-origin Location/Content-Location', async () => {
  const cache = await open();
  const cc: [string, string][] = [['Cache-Control', 'max-age=100']];
  await store(cache, get(), cc);
  await store(cache, get([], 'http://origin.test/b'), cc);
  await store(cache, get([], 'http://other.test/c'), cc);
  cache.admit(get([], URL1, 'POST'), { status: 500, headers: [], requestTime: T0, responseTime: T0 });
  assert.equal((await cache.lookup(get(), T0)).kind, 'hit');
  cache.admit(get([], URL1, 'M-SEARCH'), {
    status: 201,
    headers: [
      ['Location', '/b'],
      ['Content-Location', 'http://other.test/c'],
    ],
    requestTime: T0,
    responseTime: T0,
  });
  assert.equal((await cache.lookup(get(), T0)).kind, 'miss');
  assert.equal((await cache.lookup(get([], 'http://origin.test/b'), T0)).kind, 'miss');
  assert.equal((await cache.lookup(get([], 'http://other.test/c'), T0)).kind, 'hit');
  assert.equal(await cache.purge('http://other.test/c'), true);
  assert.equal(await cache.purge('http://other.test/c'), false);
  assert.equal((await cache.lookup(get([], 'http://other.test/c'), T0)).kind, 'miss');
  await cache.close();
});

test('stale-while-revalidate serves and refreshes; stale-if-error stands in unless must-revalidate', async () => {
  const cache = await open();
  await store(cache, get(), [
    ['Cache-Control', 'max-age=1, stale-while-revalidate=60'],
    ['ETag', '"s"'],
    ['Date', DATE],
  ]);
  const swr = await cache.lookup(get(), T0 + 5000);
  assert.ok(
    swr.kind === 'hit-and-revalidate' &&
      swr.requestHeaders.some(([k, v]) => k === 'If-None-Match' && v === '"s"'),
  );
  assert.ok(await cache.staleIfError(get(), T0 + 70_000));
  await store(cache, get(), [
    ['Cache-Control', 'max-age=1, must-revalidate'],
    ['Date', DATE],
  ]);
  assert.equal(await cache.staleIfError(get(), T0 + 5000), undefined);
  await cache.close();
});

test('Surrogate-Control meant for us (untargeted or ;outpost) replaces Cache-Control; others are ignored', async () => {
  const cache = await open();
  assert.ok(
    await store(cache, get(), [
      ['Cache-Control', 'no-store'],
      ['Surrogate-Control', 'max-age=100;outpost'],
    ]),
  );
  assert.equal((await cache.lookup(get(), T0)).kind, 'hit');
  assert.equal(
    await store(cache, get([], 'http://o.test/x'), [
      ['Cache-Control', 'max-age=100'],
      ['Surrogate-Control', 'no-store'],
    ]),
    false,
  );
  await store(cache, get([], 'http://o.test/y'), [['Surrogate-Control', 'max-age=100;not-for-you']]);
  assert.equal((await cache.lookup(get([], 'http://o.test/y'), T0)).kind, 'miss');
  await cache.close();
});

test('a response still streaming in when its URL is invalidated is not stored', async () => {
  const cache = await open();
  const sink = cache.admit(get(), {
    status: 200,
    headers: [['Cache-Control', 'max-age=100']],
    requestTime: T0,
    responseTime: T0,
  });
  assert.ok(sink);
  sink.write(Buffer.from('old'));
  cache.admit(get([], URL1, 'POST'), { status: 204, headers: [], requestTime: T0, responseTime: T0 });
  assert.equal(await sink.end(), false);
  assert.equal((await cache.lookup(get(), T0)).kind, 'miss');
  await cache.close();
});

test('CDN-Cache-Control wins over Cache-Control on a CDN cache, not otherwise', async () => {
  const h: [string, string][] = [
    ['Cache-Control', 'no-store'],
    ['CDN-Cache-Control', 'max-age=100'],
  ];
  const cdn = await open(10_000_000, true);
  assert.ok(await store(cdn, get(), h));
  assert.equal((await cdn.lookup(get(), T0)).kind, 'hit');
  const plain = await open(10_000_000, false);
  assert.equal(await store(plain, get(), h), false);
  await cdn.close();
  await plain.close();
});
