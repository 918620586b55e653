// View selection (BIND match-clients style) and its RFC 7871 scope, the strict ECS option codec
// (hostile options: wrong lengths, family 3, prefixes beyond the address, stray bits), and the
// round-robin rotation of RRsets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ViewSelector } from '../../src/dns/service/views.js';
import { clientSubnetReply, parseClientSubnet } from '../../src/dns/ecs.js';
import { rotateRRsets } from '../../src/dns/service/rotate.js';
import { parseIpv4, parseIpv6 } from '../../src/dns/ip.js';
import type { ResourceRecord } from '../../src/dns/types.js';

const v4 = (s: string): Uint8Array => parseIpv4(s);
const v6 = (s: string): Uint8Array => parseIpv6(s);

test('the first view whose CIDRs cover the address wins; none: the default (-1)', () => {
  const views = new ViewSelector([['127.0.0.0/24', '10.1.0.0/16'], ['127.0.0.0/8'], ['2001:db8::/32']]);
  assert.equal(views.select(v4('127.0.0.9')).view, 0);
  assert.equal(views.select(v4('10.1.200.1')).view, 0);
  assert.equal(views.select(v4('127.0.1.9')).view, 1);
  assert.equal(views.select(v4('192.0.2.1')).view, -1);
  assert.equal(views.select(v6('2001:db8:5::1')).view, 2);
  assert.equal(views.select(v6('2001:db9::1')).view, -1);
  assert.equal(views.select(v6('::1')).view, -1);
});

test('scope: the matching CIDR prefix, longer when a more specific earlier view lies inside', () => {
  const views = new ViewSelector([['127.0.0.0/24'], ['127.0.0.0/8'], ['2001:db8::/32']]);
  assert.deepEqual(views.select(v4('127.0.0.9')), { view: 0, scope: 24 });
  // 127.0.1.9 is in view 1's /8, but 127.0.0.0/24 (view 0) is inside that /8: the answer holds
  // for 127.0.1.0/24 (127.0.0.0/23 would take in view 0's block), 127.128.0.0/9 for 127.200.1.9.
  assert.deepEqual(views.select(v4('127.0.1.9')), { view: 1, scope: 24 });
  assert.deepEqual(views.select(v4('127.2.1.9')), { view: 1, scope: 15 });
  assert.deepEqual(views.select(v4('127.200.1.9')), { view: 1, scope: 9 });
  assert.deepEqual(views.select(v6('2001:db8:5::1')), { view: 2, scope: 32 });
  // Not in any view: the shortest prefix that is disjoint from every view's CIDR.
  assert.deepEqual(views.select(v4('192.0.2.1')), { view: -1, scope: 1 }); // 128/1 misses 127/8
  assert.deepEqual(views.select(v4('126.0.0.1')), { view: -1, scope: 8 });
  assert.deepEqual(new ViewSelector([['10.0.0.0/8']]).select(v6('::1')), { view: -1, scope: 0 });
  assert.deepEqual(new ViewSelector([['0.0.0.0/0']]).select(v4('192.0.2.1')), { view: 0, scope: 0 });
  assert.deepEqual(new ViewSelector([['192.0.2.7']]).select(v4('192.0.2.7')), { view: 0, scope: 32 });
});

test('an IPv4-mapped IPv6 entry is the IPv4 prefix; invalid entries are config errors', () => {
  const views = new ViewSelector([['::ffff:10.0.0.0/104']]);
  assert.deepEqual(views.select(v4('10.9.9.9')), { view: 0, scope: 8 });
  for (const bad of ['10.0.0.0/33', 'nope', '2001:db8::/129', '10.0.0.0/x']) {
    assert.throws(() => new ViewSelector([[bad]]), /invalid match_clients entry/);
  }
});

test('ECS options parse strictly (RFC 7871 §6, §7.2.1)', () => {
  const ok = parseClientSubnet(Uint8Array.of(0, 1, 24, 0, 127, 0, 0));
  assert.deepEqual(ok, { family: 1, sourcePrefix: 24, scopePrefix: 0, address: v4('127.0.0.0') });
  const six = parseClientSubnet(Uint8Array.of(0, 2, 56, 0, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0));
  assert.equal(typeof six, 'object');
  assert.deepEqual(parseClientSubnet(Uint8Array.of(0, 1, 0, 0)), {
    family: 1,
    sourcePrefix: 0,
    scopePrefix: 0,
    address: v4('0.0.0.0'),
  });
  const hostile: [number[], RegExp][] = [
    [[], /0 octets/],
    [[0, 1, 24], /3 octets/],
    [[0, 3, 0, 0], /family 3/],
    [[0, 0, 0, 0], /family 0/],
    [[0, 1, 33, 0, 1, 2, 3, 4, 5], /beyond 32 bits/],
    [[0, 2, 129, 0, ...new Array<number>(17).fill(0)], /beyond 128 bits/],
    [[0, 1, 24, 0, 127, 0], /2 octets for \/24/],
    [[0, 1, 24, 0, 127, 0, 0, 1], /4 octets for \/24/],
    [[0, 1, 0, 0, 127], /1 octets for \/0/],
    [[0, 1, 23, 0, 127, 0, 1], /bits set beyond \/23/],
    [[0, 1, 24, 8, 127, 0, 0], /scope prefix not 0/],
    [[0, 1, 24, 40, 127, 0, 0], /scope prefix \/40/],
  ];
  for (const [bytes, reason] of hostile) {
    const parsed = parseClientSubnet(Uint8Array.from(bytes));
    assert.equal(typeof parsed, 'string', `accepted ${bytes.join(',')}`);
    assert.match(parsed as string, reason);
  }
});

test('the reply option echoes family, source and address with our scope', () => {
  const q = parseClientSubnet(Uint8Array.of(0, 1, 20, 0, 10, 1, 0x10));
  assert.ok(typeof q === 'object');
  assert.deepEqual([...clientSubnetReply(q, 16).data], [0, 1, 20, 16, 10, 1, 0x10]);
  assert.equal(clientSubnetReply(q, 16).code, 8);
});

function rr(name: string, type: number, n: number): ResourceRecord {
  return { name, type, class: 1, ttl: 60, data: { type: 'A', address: `192.0.2.${n}` } };
}

test('rotation turns each RRset by one place per answer and leaves single records alone', () => {
  const records = [rr('a.test.', 1, 1), rr('a.test.', 1, 2), rr('a.test.', 1, 3), rr('b.test.', 1, 9)];
  const order = (turn: number): string[] =>
    rotateRRsets(records, turn).map((r) => (r.data as { address: string }).address);
  assert.deepEqual(order(0), ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.9']);
  assert.deepEqual(order(1), ['192.0.2.2', '192.0.2.3', '192.0.2.1', '192.0.2.9']);
  assert.deepEqual(order(2), ['192.0.2.3', '192.0.2.1', '192.0.2.2', '192.0.2.9']);
  assert.deepEqual(order(3), order(0));
  assert.equal(rotateRRsets(records, 0), records);
});
