// The cache's storage: objects survive a restart (index rebuilt from the directory), damaged or
// half-written files read as absent, LRU eviction by bytes, an aborted body is never served, a
// large body streams through a file without entering the memory tier, hostile header sets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CacheEngine,
  MEMORY_OBJECT_MAX,
  streamOf,
  type CacheRequest,
  type ServedResponse,
} from '../../../src/proxy/cache/index.js';
import { tempDir } from '../../helpers/temp.js';

const T0 = Date.now();
const fresh: [string, string][] = [['Cache-Control', 'max-age=3600']];

function get(url: string, headers: [string, string][] = []): CacheRequest {
  return { method: 'GET', url, headers };
}

async function put(cache: CacheEngine, url: string, body: Buffer, headers = fresh): Promise<boolean> {
  const sink = cache.admit(get(url), { status: 200, headers, requestTime: T0, responseTime: T0 });
  if (sink === undefined) return false;
  for (let i = 0; i < body.length; i += 65_536) {
    if (!sink.write(body.subarray(i, i + 65_536))) await sink.drained();
  }
  return sink.end();
}

async function bytes(r: ServedResponse): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of streamOf(r.body)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function served(
  cache: CacheEngine,
  url: string,
  headers: [string, string][] = [],
): Promise<ServedResponse | undefined> {
  const l = await cache.lookup(get(url, headers), T0);
  return l.kind === 'hit' ? l.response : undefined;
}

test('objects survive a restart, small ones back in memory on first use, Vary variants too', async () => {
  const dir = tempDir('outpost-cache-');
  const first = await CacheEngine.open({ dir, maxBytes: 10_000_000 });
  assert.ok(await put(first, 'http://o.test/a', Buffer.from('alpha')));
  const sink = first.admit(get('http://o.test/v', [['Accept-Language', 'de']]), {
    status: 200,
    headers: [...fresh, ['Vary', 'Accept-Language']],
    requestTime: T0,
    responseTime: T0,
  });
  sink?.write(Buffer.from('hallo'));
  assert.ok(await sink?.end());
  await first.close();
  const second = await CacheEngine.open({ dir, maxBytes: 10_000_000 });
  assert.equal(second.store.count, 2);
  assert.equal(second.store.memoryBytes, 0);
  const a = await served(second, 'http://o.test/a');
  assert.ok(a);
  assert.equal((await bytes(a)).toString(), 'alpha');
  assert.equal(second.store.memoryBytes, 5);
  assert.equal(await served(second, 'http://o.test/v', [['Accept-Language', 'en']]), undefined);
  const v = await served(second, 'http://o.test/v', [['Accept-Language', 'DE']]);
  assert.equal(v && (await bytes(v)).toString(), 'hallo');
  await second.close();
});

test('damaged, truncated and half-written files read as absent and are cleaned up', async () => {
  const dir = tempDir('outpost-cache-');
  const cache = await CacheEngine.open({ dir, maxBytes: 10_000_000 });
  assert.ok(await put(cache, 'http://o.test/ok', Buffer.from('fine')));
  assert.ok(await put(cache, 'http://o.test/cut', Buffer.from('0123456789')));
  assert.ok(await put(cache, 'http://o.test/bad', Buffer.from('x')));
  await cache.close();
  const files = readdirSync(dir);
  const idOf = async (url: string): Promise<string> => {
    const c = await CacheEngine.open({ dir, maxBytes: 10_000_000 });
    const id = c.store.variants(url)[0]?.id ?? '';
    await c.close();
    return id;
  };
  writeFileSync(join(dir, `${await idOf('http://o.test/cut')}.body`), '01234');
  writeFileSync(join(dir, `${await idOf('http://o.test/bad')}.meta`), '{"url": 5, ');
  writeFileSync(join(dir, 'ffffffffffffffffffffffffffffffff.body.tmp'), 'partial');
  writeFileSync(join(dir, 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee.body'), 'orphan');
  assert.equal(files.length, 6);
  const again = await CacheEngine.open({ dir, maxBytes: 10_000_000 });
  assert.equal(again.store.count, 1);
  assert.ok(await served(again, 'http://o.test/ok'));
  assert.equal(await served(again, 'http://o.test/cut'), undefined);
  assert.equal(await served(again, 'http://o.test/bad'), undefined);
  await again.close();
  assert.equal(readdirSync(dir).length, 2);
});

test('LRU by bytes: the least recently used objects go first once cache_size is exceeded', async () => {
  const cache = await CacheEngine.open({ dir: tempDir('outpost-cache-'), maxBytes: 3 * 1400 });
  const kb = Buffer.alloc(1000, 'k');
  await put(cache, 'http://o.test/1', kb);
  await put(cache, 'http://o.test/2', kb);
  await put(cache, 'http://o.test/3', kb);
  assert.equal(cache.store.count, 3);
  assert.ok(await served(cache, 'http://o.test/1'));
  await put(cache, 'http://o.test/4', kb);
  assert.equal(cache.store.count, 3);
  assert.equal(await served(cache, 'http://o.test/2'), undefined);
  assert.ok(await served(cache, 'http://o.test/1'));
  assert.ok(cache.store.bytes <= 3 * 1400);
  // Bigger than the whole cache: never stored.
  assert.equal(await put(cache, 'http://o.test/huge', Buffer.alloc(5000)), false);
  await cache.close();
});

test('an aborted body is never served and leaves no file', async () => {
  const dir = tempDir('outpost-cache-');
  const cache = await CacheEngine.open({ dir, maxBytes: 10_000_000 });
  const sink = cache.admit(get('http://o.test/x'), {
    status: 200,
    headers: fresh,
    requestTime: T0,
    responseTime: T0,
  });
  assert.ok(sink);
  sink.write(Buffer.from('part of it'));
  sink.abort();
  assert.equal(await sink.end(), false);
  assert.equal((await cache.lookup(get('http://o.test/x'), T0)).kind, 'miss');
  await cache.close();
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(readdirSync(dir), []);
});

test('a large body streams through its file: nothing of it in the memory tier, ranges read from disk', async () => {
  const cache = await CacheEngine.open({ dir: tempDir('outpost-cache-'), maxBytes: 64 * 1024 * 1024 });
  const size = 8 * 1024 * 1024 + 3;
  const big = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4096) big[i] = i % 251;
  assert.ok(await put(cache, 'http://o.test/big', big));
  assert.ok(size > MEMORY_OBJECT_MAX);
  assert.equal(cache.store.memoryBytes, 0);
  const r = await served(cache, 'http://o.test/big');
  assert.ok(r);
  assert.equal(r.body.kind, 'stream');
  assert.equal(r.length, size);
  assert.ok((await bytes(r)).equals(big));
  const part = await served(cache, 'http://o.test/big', [['Range', 'bytes=8192-8195']]);
  assert.ok(part);
  assert.ok((await bytes(part)).equals(big.subarray(8192, 8196)));
  assert.equal(cache.store.memoryBytes, 0);
  // A served file stays readable while it is evicted under a reader.
  const reader = await served(cache, 'http://o.test/big');
  assert.ok(reader);
  await cache.purge('http://o.test/big');
  assert.equal((await bytes(reader)).length, size);
  await cache.close();
});

test('hostile inputs: a huge header set, absurd max-age, invalid dates, malformed Vary and Cache-Control', async () => {
  const cache = await CacheEngine.open({ dir: tempDir('outpost-cache-'), maxBytes: 10_000_000 });
  const many: [string, string][] = Array.from({ length: 2000 }, (_, i) => [
    `X-H${String(i)}`,
    'v'.repeat(50),
  ]);
  assert.ok(await put(cache, 'http://o.test/many', Buffer.from('m'), [...fresh, ...many]));
  const m = await served(cache, 'http://o.test/many');
  assert.equal(m?.headers.length, 2000 + 3);
  for (const [cc, expectHit] of [
    ['max-age=99999999999999999999999999', true],
    ['max-age=-1', false],
    ['max-age=1e9', false],
    [',,,;;;===,max-age', false],
    ['max-age="', false],
  ] as const) {
    const url = `http://o.test/cc/${encodeURIComponent(cc)}`;
    await put(cache, url, Buffer.from('c'), [
      ['Cache-Control', cc],
      ['Date', 'not a date'],
      ['Expires', '-1'],
    ]);
    assert.equal(Boolean(await served(cache, url)), expectHit, cc);
  }
  await put(cache, 'http://o.test/vary', Buffer.from('v'), [...fresh, ['Vary', ',,, ,Foo,,']]);
  assert.ok(await served(cache, 'http://o.test/vary'));
  assert.equal(await served(cache, 'http://o.test/vary', [['Foo', 'x']]), undefined);
  await cache.close();
});
