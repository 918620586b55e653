/**
 * The resolver cache on a fake clock: TTL countdown and caps, negative caching per RFC 2308,
 * trust ranks, LRU and LFU eviction by entries and by bytes, stale data only on request (RFC 8767), and
 * the prefetch hook.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RRClass, RRType } from '../../../src/dns/index.js';
import { ResolverCache, Trust, type PrefetchRequest } from '../../../src/dns/resolver/cache.js';
import { rr } from '../helpers.js';

const IN = RRClass.IN;

function clock(start = 1_000_000): { now: () => number; advance: (s: number) => void } {
  let t = start;
  return {
    now: () => t,
    advance: (s) => {
      t += s * 1000;
    },
  };
}

const soa = (ttl: number, minimum: number) =>
  rr(
    'example.test.',
    {
      type: 'SOA',
      mname: 'ns.example.test.',
      rname: 'h.example.test.',
      serial: 1,
      refresh: 3600,
      retry: 600,
      expire: 86400,
      minimum,
    },
    ttl,
  );

describe('resolver cache', () => {
  it('counts TTLs down and forgets expired data', () => {
    const c = clock();
    const cache = new ResolverCache({ now: c.now });
    cache.putRRset([rr('www.example.test.', { type: 'A', address: '192.0.2.1' }, 300)], Trust.answer);
    assert.equal(cache.get('WWW.example.test', RRType.A, IN)?.records[0]?.ttl, 300);
    c.advance(100);
    assert.equal(cache.get('www.example.test.', RRType.A, IN)?.records[0]?.ttl, 200);
    c.advance(200);
    assert.equal(cache.get('www.example.test.', RRType.A, IN), undefined);
  });

  it('uses the lowest TTL of an RRset and caps at one day (configurable)', () => {
    const c = clock();
    const cache = new ResolverCache({ now: c.now });
    cache.putRRset(
      [
        rr('a.test.', { type: 'A', address: '192.0.2.1' }, 1_000_000),
        rr('a.test.', { type: 'A', address: '192.0.2.2' }, 900_000),
      ],
      Trust.answer,
    );
    assert.deepEqual(
      cache.get('a.test.', RRType.A, IN)?.records.map((r) => r.ttl),
      [86400, 86400],
    );
    const small = new ResolverCache({ now: c.now, maxTtl: 60 });
    small.putRRset([rr('a.test.', { type: 'A', address: '192.0.2.1' }, 300)], Trust.answer);
    assert.equal(small.get('a.test.', RRType.A, IN)?.records[0]?.ttl, 60);
  });

  it('caches NXDOMAIN for every type and NODATA per type with the SOA minimum (RFC 2308)', () => {
    const c = clock();
    const cache = new ResolverCache({ now: c.now });
    assert.ok(cache.putNegative('nxdomain', 'gone.example.test.', RRType.A, IN, [soa(3600, 120)]));
    const hit = cache.get('gone.example.test.', RRType.MX, IN);
    assert.equal(hit?.kind, 'nxdomain');
    assert.equal(hit.records[0]?.ttl, 120);
    cache.putNegative('nodata', 'www.example.test.', RRType.AAAA, IN, [soa(60, 900)]);
    assert.equal(cache.get('www.example.test.', RRType.AAAA, IN)?.kind, 'nodata');
    assert.equal(cache.get('www.example.test.', RRType.AAAA, IN)?.records[0]?.ttl, 60);
    assert.equal(cache.get('www.example.test.', RRType.A, IN), undefined);
    c.advance(61);
    assert.equal(cache.get('www.example.test.', RRType.AAAA, IN), undefined);
  });

  it('caps negative TTLs at one hour and caches nothing without an SOA', () => {
    const cache = new ResolverCache({ now: clock().now });
    cache.putNegative('nxdomain', 'x.test.', RRType.A, IN, [soa(86400, 86400)]);
    assert.equal(cache.get('x.test.', RRType.A, IN)?.records[0]?.ttl, 3600);
    assert.equal(cache.putNegative('nodata', 'y.test.', RRType.A, IN, []), false);
    assert.equal(cache.get('y.test.', RRType.A, IN), undefined);
  });

  it('a positive answer replaces the NXDOMAIN kept for the name', () => {
    const cache = new ResolverCache({ now: clock().now });
    cache.putNegative('nxdomain', 'n.test.', RRType.A, IN, [soa(300, 300)]);
    cache.putRRset([rr('n.test.', { type: 'TXT', strings: [new Uint8Array([104])] })], Trust.answer);
    assert.equal(cache.get('n.test.', RRType.A, IN), undefined);
    assert.equal(cache.get('n.test.', RRType.TXT, IN)?.kind, 'rrset');
  });

  it('never lets live data be replaced by data of a lower rank (glue over answers)', () => {
    const c = clock();
    const cache = new ResolverCache({ now: c.now });
    cache.putRRset([rr('ns.test.', { type: 'A', address: '192.0.2.1' }, 300)], Trust.answer);
    assert.equal(
      cache.putRRset([rr('ns.test.', { type: 'A', address: '203.0.113.66' }, 300)], Trust.glue),
      false,
    );
    assert.equal(cache.get('ns.test.', RRType.A, IN)?.records[0]?.data.type, 'A');
    assert.deepEqual(cache.get('ns.test.', RRType.A, IN)?.records[0]?.data, {
      type: 'A',
      address: '192.0.2.1',
    });
    c.advance(301);
    assert.ok(cache.putRRset([rr('ns.test.', { type: 'A', address: '192.0.2.9' }, 300)], Trust.glue));
  });

  it('evicts the least recently used entry when the entry bound is reached', () => {
    const cache = new ResolverCache({ now: clock().now, maxEntries: 3 });
    for (const n of ['a', 'b', 'c'])
      cache.putRRset([rr(`${n}.test.`, { type: 'A', address: '192.0.2.1' })], Trust.answer);
    assert.ok(cache.get('a.test.', RRType.A, IN)); // a is now the most recent
    cache.putRRset([rr('d.test.', { type: 'A', address: '192.0.2.1' })], Trust.answer);
    assert.equal(cache.size, 3);
    assert.equal(cache.get('b.test.', RRType.A, IN), undefined);
    assert.ok(cache.get('a.test.', RRType.A, IN));
    assert.ok(cache.get('d.test.', RRType.A, IN));
    assert.equal(cache.evictions, 1);
  });

  it('drops what each eviction policy names: LRU the least recent, LFU the least used', () => {
    const fill = (eviction: 'lru' | 'lfu'): ResolverCache => {
      const cache = new ResolverCache({ now: clock().now, maxEntries: 3, eviction });
      for (const n of ['a', 'b', 'c'])
        cache.putRRset([rr(`${n}.test.`, { type: 'A', address: '192.0.2.1' })], Trust.answer);
      // a is popular but read longest ago; b and c are read once each, b before c.
      for (let i = 0; i < 3; i++) cache.get('a.test.', RRType.A, IN);
      cache.get('b.test.', RRType.A, IN);
      cache.get('c.test.', RRType.A, IN);
      cache.putRRset([rr('d.test.', { type: 'A', address: '192.0.2.1' })], Trust.answer);
      return cache;
    };
    const kept = (cache: ResolverCache): string[] =>
      ['a', 'b', 'c', 'd'].filter((n) => cache.getRRset(`${n}.test.`, RRType.A, IN) !== undefined);
    assert.deepEqual(kept(fill('lru')), ['b', 'c', 'd']);
    const lfu = fill('lfu');
    assert.deepEqual(kept(lfu), ['a', 'c', 'd']);
    // The newcomer d (one read by `kept`) and c (two reads) versus a (four): e evicts d.
    lfu.putRRset([rr('e.test.', { type: 'A', address: '192.0.2.1' })], Trust.answer);
    assert.deepEqual(kept(lfu), ['a', 'c']);
    assert.ok(lfu.getRRset('e.test.', RRType.A, IN), 'a new entry is never its own victim');
    assert.equal(lfu.evictions, 2);
  });

  it('LFU keeps counting after removals and replacements', () => {
    const cache = new ResolverCache({ now: clock().now, maxEntries: 2, eviction: 'lfu' });
    const put = (n: string): boolean =>
      cache.putRRset([rr(`${n}.test.`, { type: 'A', address: '192.0.2.1' })], Trust.answer);
    put('a');
    put('b');
    cache.get('a.test.', RRType.A, IN);
    cache.get('b.test.', RRType.A, IN);
    cache.get('b.test.', RRType.A, IN);
    cache.delete('a.test.', RRType.A, IN); // the lowest bucket empties
    put('c'); // count 0
    cache.get('c.test.', RRType.A, IN);
    cache.get('c.test.', RRType.A, IN);
    cache.get('c.test.', RRType.A, IN);
    put('b'); // stored again: b's count starts over
    put('d');
    assert.equal(cache.getRRset('b.test.', RRType.A, IN), undefined);
    assert.ok(cache.getRRset('c.test.', RRType.A, IN));
    assert.ok(cache.getRRset('d.test.', RRType.A, IN));
    assert.equal(cache.size, 2);
  });

  it('evicts by estimated bytes and refuses a single entry larger than the bound', () => {
    const cache = new ResolverCache({ now: clock().now, maxBytes: 1000 });
    const big = (n: string) =>
      rr(`${n}.test.`, { type: 'TXT', strings: [new Uint8Array(255), new Uint8Array(200)] });
    cache.putRRset([big('a')], Trust.answer);
    cache.putRRset([big('b')], Trust.answer);
    cache.putRRset([big('c')], Trust.answer);
    assert.ok(cache.bytes <= 1000);
    assert.equal(cache.get('a.test.', RRType.TXT, IN), undefined);
    assert.ok(cache.get('c.test.', RRType.TXT, IN));
    const huge = Array.from({ length: 10 }, () => big('h'));
    assert.equal(cache.putRRset(huge, Trust.answer), false);
  });

  it('keeps expired data for serve-stale, returned only on request with TTL 30 (RFC 8767)', () => {
    const c = clock();
    const cache = new ResolverCache({ now: c.now, maxStaleSeconds: 3600 });
    cache.putRRset([rr('s.test.', { type: 'A', address: '192.0.2.1' }, 10)], Trust.answer);
    c.advance(20);
    assert.equal(cache.get('s.test.', RRType.A, IN), undefined);
    const stale = cache.get('s.test.', RRType.A, IN, { allowStale: true });
    assert.equal(stale?.stale, true);
    assert.equal(stale.records[0]?.ttl, 30);
    c.advance(3600);
    assert.equal(cache.get('s.test.', RRType.A, IN, { allowStale: true }), undefined);
    assert.equal(cache.size, 0);
  });

  it('asks once for a prefetch of a popular entry close to expiry', () => {
    const c = clock();
    const asked: PrefetchRequest[] = [];
    const cache = new ResolverCache({ now: c.now, onPrefetch: (q) => asked.push(q) });
    cache.putRRset([rr('hot.test.', { type: 'A', address: '192.0.2.1' }, 100)], Trust.answer);
    cache.putRRset([rr('cold.test.', { type: 'A', address: '192.0.2.1' }, 100)], Trust.answer);
    for (let i = 0; i < 5; i++) cache.get('hot.test.', RRType.A, IN);
    assert.equal(asked.length, 0, 'not near expiry yet');
    c.advance(95);
    cache.get('hot.test.', RRType.A, IN);
    cache.get('hot.test.', RRType.A, IN);
    cache.get('cold.test.', RRType.A, IN);
    assert.deepEqual(asked, [{ name: 'hot.test.', type: RRType.A, class: IN }]);
  });
});
