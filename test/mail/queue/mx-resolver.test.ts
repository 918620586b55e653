// DnsMxResolver against Outpost's own DNS server: MX order, randomised equals, implicit MX,
// null MX (RFC 7505), NXDOMAIN, glue, refused lookups as transient.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DnsMxResolver, orderByPreference } from '../../../src/mail/queue/mx-resolver.js';
import { startTestOutpost, type TestOutpost } from '../../../src/testing/index.js';

const ZONE = `$ORIGIN example.test.
$TTL 300
@        IN SOA ns1 hostmaster 1 3600 600 86400 300
@        IN NS  ns1
ns1      IN A   127.0.0.1
@        IN MX  20 backup
@        IN MX  10 mx1
@        IN MX  10 mx2
mx1      IN A   127.0.0.11
mx2      IN A   127.0.0.12
mx2      IN AAAA ::1
backup   IN A   127.0.0.13
nomx     IN A   127.0.0.14
null     IN MX  0 .
nohost   IN MX  10 missing
`;

let outpost: TestOutpost;
let resolver: DnsMxResolver;
before(async () => {
  outpost = await startTestOutpost({ zones: [{ name: 'example.test', text: ZONE }] });
  const dns = outpost.dns;
  assert.ok(dns);
  resolver = new DnsMxResolver({ server: dns, timeoutMs: 2000 });
});
after(async () => {
  await outpost.close();
});

test('MX records by preference, addresses resolved', async () => {
  const r = await resolver.resolve('example.test');
  assert.equal(r.kind, 'hosts');
  assert.deepEqual(
    r.hosts.map((h) => h.preference),
    [10, 10, 20],
  );
  assert.deepEqual(
    new Set(r.hosts.slice(0, 2).map((h) => h.exchange)),
    new Set(['mx1.example.test', 'mx2.example.test']),
  );
  assert.equal(r.hosts[2]?.exchange, 'backup.example.test');
  const mx2 = r.hosts.find((h) => h.exchange === 'mx2.example.test');
  assert.deepEqual(mx2?.addresses, ['127.0.0.12', '::1']);
});

test('equal preferences are shuffled, lower preference always first', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 50; i++) {
    const order = orderByPreference(
      [
        { preference: 20, n: 'c' },
        { preference: 10, n: 'a' },
        { preference: 10, n: 'b' },
      ],
      Math.random,
    );
    assert.equal(order[2]?.n, 'c');
    seen.add(order.map((o) => o.n).join(''));
  }
  assert.deepEqual(seen, new Set(['abc', 'bac']));
});

test('no MX: the domain itself is the implicit MX (RFC 5321 §5.1)', async () => {
  const r = await resolver.resolve('nomx.example.test');
  assert.deepEqual(r, {
    kind: 'hosts',
    hosts: [{ exchange: 'nomx.example.test', preference: 0, addresses: ['127.0.0.14'] }],
  });
});

test('null MX fails permanently with 556 5.1.10 (RFC 7505)', async () => {
  const r = await resolver.resolve('null.example.test');
  assert.deepEqual(r.kind === 'hosts' ? r : [r.kind, r.code, r.status], ['permanent', 556, '5.1.10']);
});

test('NXDOMAIN is permanent; a refused lookup is transient; MX without addresses is permanent', async () => {
  const nx = await resolver.resolve('nope.example.test');
  assert.equal(nx.kind, 'permanent');
  const refused = await resolver.resolve('other.invalid');
  assert.equal(refused.kind, 'transient');
  const nohost = await resolver.resolve('nohost.example.test');
  assert.equal(nohost.kind, 'permanent');
  const dead = new DnsMxResolver({ server: { host: '127.0.0.1', port: 9 }, timeoutMs: 200 });
  assert.equal((await dead.resolve('example.test')).kind, 'transient');
});

test('address literals need no lookup', async () => {
  assert.deepEqual(await resolver.resolve('[127.0.0.1]'), {
    kind: 'hosts',
    hosts: [{ exchange: '[127.0.0.1]', preference: 0, addresses: ['127.0.0.1'] }],
  });
});
