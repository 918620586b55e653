// The packet cache: ID patched on hits, exact-bytes keys (case, transport), bounded, cleared.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PacketCache } from '../../src/dns/server/packet-cache.js';

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
