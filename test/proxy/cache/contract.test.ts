// The cache contract's own pieces: the RFC 9211 Cache-Status value and NoCache, which forwards
// everything and stores nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NoCache, formatCacheStatus, streamOf } from '../../../src/proxy/cache/index.js';

test('Cache-Status: a hit with its ttl, a stored miss, a forwarded revalidation', () => {
  assert.equal(formatCacheStatus({ hit: true, ttl: 42 }), 'Outpost; hit; ttl=42');
  assert.equal(
    formatCacheStatus({ hit: false, fwd: 'uri-miss', fwdStatus: 200, stored: true }),
    'Outpost; fwd=uri-miss; fwd-status=200; stored',
  );
  assert.equal(
    formatCacheStatus({ hit: false, fwd: 'stale', collapsed: true }, 'edge-a'),
    'edge-a; fwd=stale; collapsed',
  );
  assert.equal(
    formatCacheStatus({ hit: true, ttl: -3.7, detail: 'stale-if-error' }),
    'Outpost; hit; ttl=-3; detail="stale-if-error"',
  );
});

test('Cache-Status: names and details that are not tokens are quoted and escaped', () => {
  assert.equal(formatCacheStatus({ hit: true }, 'my cache'), '"my cache"; hit');
  assert.equal(formatCacheStatus({ hit: false, detail: 'a"b\\c\né' }), 'Outpost; detail="a\\"b\\\\c??"');
  assert.equal(formatCacheStatus({ hit: true, ttl: Number.NaN }), 'Outpost; hit');
});

test('NoCache forwards every request unchanged and stores nothing', async () => {
  const cache = new NoCache();
  const req = { method: 'GET', url: 'http://o.test/a', headers: [['Accept', '*/*']] as const };
  assert.equal(cache.key(), undefined);
  const lookup = await cache.lookup(req);
  assert.ok(lookup.kind === 'miss');
  assert.equal(lookup.requestHeaders, req.headers);
  assert.equal(cache.admit(), undefined);
  assert.equal(await cache.staleIfError(), undefined);
  assert.equal(await cache.purge(), false);
  await cache.close();
});

test('NoCache answers only-if-cached with 504', async () => {
  const lookup = await new NoCache().lookup({
    method: 'GET',
    url: 'http://o.test/a',
    headers: [['cache-control', 'max-age=0, only-if-cached']],
  });
  assert.equal(lookup.kind, 'gateway-timeout');
});

test('streamOf yields a buffer body once', async () => {
  const chunks: Buffer[] = [];
  for await (const c of streamOf({ kind: 'buffer', data: Buffer.from('abc') })) chunks.push(c as Buffer);
  assert.equal(Buffer.concat(chunks).toString(), 'abc');
});
