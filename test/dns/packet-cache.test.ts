// The packet cache: ID patched on hits, exact-bytes keys (case, transport), bounded, cleared;
// in aging mode (the resolver's) TTLs counted down and lifetimes bounded; ttlLayout on hostile bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessage, encodeMessage, RRType } from '../../src/dns/index.js';
import { PacketCache } from '../../src/dns/server/packet-cache.js';
import { ttlLayout } from '../../src/dns/wire-ttl.js';
import { prng } from '../helpers/prng.js';

const query = (id: number, name: string): Buffer =>
  Buffer.concat([Buffer.from([id >> 8, id & 0xff]), Buffer.from(name)]);

test('a hit returns a copy of the stored reply with the new query ID', () => {
  const cache = new PacketCache();
  const key = PacketCache.key(query(1, 'www'), 'udp');
  cache.set(key, Buffer.from([0, 1, 0xaa, 0xbb]));
  const hit = cache.get(PacketCache.key(query(0x1234, 'www'), 'udp'), query(0x1234, 'www'));
  assert.deepEqual(hit, Buffer.from([0x12, 0x34, 0xaa, 0xbb]));
  hit[2] = 0;
  assert.deepEqual(
    cache.get(key, query(1, 'www')),
    Buffer.from([0, 1, 0xaa, 0xbb]),
    'callers cannot corrupt the cache',
  );
  assert.equal(cache.hits, 2);
});

test('keys differ by case (0x20) and by transport', () => {
  assert.notEqual(PacketCache.key(query(1, 'www'), 'udp'), PacketCache.key(query(1, 'WWW'), 'udp'));
  assert.notEqual(PacketCache.key(query(1, 'www'), 'udp'), PacketCache.key(query(1, 'www'), 'tcp'));
  assert.equal(PacketCache.key(query(1, 'www'), 'udp'), PacketCache.key(query(2, 'www'), 'udp'));
});

test('bounded, and clear() forgets everything', () => {
  const cache = new PacketCache(3);
  for (let i = 0; i < 10; i++) cache.set(`k${i}`, Buffer.from([0, 0]));
  assert.ok(cache.size <= 3);
  cache.clear();
  assert.equal(cache.size, 0);
  assert.equal(cache.get('k9', query(1, 'x')), undefined);
});

// Aging (the resolver's packet cache): TTLs counted down, bounded lifetime, records required.
const reply = (ttls: readonly number[]): Buffer =>
  encodeMessage({
    header: {
      id: 7,
      qr: true,
      opcode: 0,
      aa: false,
      tc: false,
      rd: true,
      ra: true,
      z: false,
      ad: false,
      cd: false,
      rcode: 0,
    },
    questions: [{ name: 'www.example.test.', type: RRType.A, class: 1 }],
    answers: ttls.map((ttl, i) => ({
      name: 'www.example.test.',
      type: RRType.A,
      class: 1,
      ttl,
      data: { type: 'A' as const, address: `192.0.2.${String(i + 1)}` },
    })),
    authorities: [],
    additionals: [],
    edns: { udpPayloadSize: 1232, extendedRcode: 0, version: 0, dnssecOk: false, z: 0, options: [] },
  });

test('aging: a hit has its TTLs counted down by the whole seconds since it was stored', () => {
  let now = 1_000_000;
  const cache = new PacketCache(10, { maxAgeMs: 60_000, now: () => now });
  cache.set('k', reply([300, 120]));
  now += 2_999;
  const hit = decodeMessage(cache.get('k', query(0x4242, 'www')) ?? Buffer.alloc(0));
  assert.equal(hit.header.id, 0x4242);
  assert.deepEqual(
    hit.answers.map((r) => r.ttl),
    [298, 118],
  );
  assert.equal(hit.edns?.udpPayloadSize, 1232, 'the OPT record is not aged');
  const again = decodeMessage(cache.get('k', query(1, 'www')) ?? Buffer.alloc(0));
  assert.deepEqual(
    again.answers.map((r) => r.ttl),
    [298, 118],
    'the same second: the same aged copy',
  );
  now += 1_000;
  const later = decodeMessage(cache.get('k', query(2, 'www')) ?? Buffer.alloc(0));
  assert.deepEqual(
    later.answers.map((r) => r.ttl),
    [297, 117],
  );
  assert.equal(later.header.id, 2);
});

test('aging: a reply is served for maxAgeMs at most and never past its smallest TTL', () => {
  let now = 0;
  const cache = new PacketCache(10, { maxAgeMs: 5_000, now: () => now });
  cache.set('long', reply([3600]));
  cache.set('short', reply([2, 3600]));
  now = 1_999;
  assert.ok(cache.get('short', query(1, 'x')));
  now = 2_000;
  assert.equal(cache.get('short', query(1, 'x')), undefined, 'its TTL would reach 0');
  now = 4_999;
  assert.equal(decodeMessage(cache.get('long', query(1, 'x')) ?? Buffer.alloc(0)).answers[0]?.ttl, 3596);
  now = 5_000;
  assert.equal(cache.get('long', query(1, 'x')), undefined, 'past maxAgeMs');
});

test('aging: replies without records, or with a TTL of 0, are not kept', () => {
  const cache = new PacketCache(10, { maxAgeMs: 5_000, now: () => 0 });
  cache.set('empty', reply([]));
  cache.set('zero', reply([0]));
  assert.equal(cache.size, 0);
});

test('ttlLayout finds each TTL behind compressed names and skips OPT; hostile bytes give undefined, never a throw', () => {
  const wire = reply([10, 20]);
  const layout = ttlLayout(wire);
  assert.ok(layout);
  assert.equal(layout.offsets.length, 2);
  assert.equal(layout.minTtl, 10);
  for (const at of layout.offsets) assert.ok([10, 20].includes(wire.readUInt32BE(at)));
  assert.equal(ttlLayout(wire.subarray(0, wire.length - 3)), undefined, 'cut short');
  assert.equal(ttlLayout(Buffer.alloc(5)), undefined);
  const next = prng(20);
  const int = (n: number): number => Math.floor(next() * n);
  for (let i = 0; i < 2000; i++) {
    const bytes = Buffer.from(Array.from({ length: int(64) }, () => int(256)));
    const copy = Buffer.from(wire);
    copy[int(copy.length)] = int(256);
    for (const b of [bytes, copy]) {
      const l = ttlLayout(b);
      for (const at of l?.offsets ?? []) assert.ok(at + 4 <= b.length);
    }
  }
});
