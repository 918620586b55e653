// The authentication-failure throttle, driven by a fake clock: lock-out per user and per IP,
// exponential growth and its cap, what a success clears, IPv6 /64 keys, and the memory bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuthThrottle, ipThrottleKey, type AuthThrottleOptions } from '../../src/core/accounts/throttle.js';

function setup(options: AuthThrottleOptions = {}): { t: AuthThrottle; clock: { now: number } } {
  const clock = { now: 1_000_000 };
  const t = new AuthThrottle({
    now: () => clock.now,
    maxFailuresPerUser: 3,
    maxFailuresPerIp: 10,
    failureWindowMs: 60_000,
    baseLockMs: 1_000,
    maxLockMs: 8_000,
    staleAfterMs: 3_600_000,
    ...options,
  });
  return { t, clock };
}

function failN(t: AuthThrottle, n: number, ip: string, user: string): void {
  for (let i = 0; i < n; i++) t.recordFailure(ip, user);
}

test('a user is locked after N failures, then allowed again when the lock ends', () => {
  const { t, clock } = setup();
  failN(t, 2, '192.0.2.1', 'alice@example.test');
  assert.deepEqual(t.check('192.0.2.1', 'alice@example.test'), { allowed: true });
  t.recordFailure('192.0.2.1', 'alice@example.test');
  assert.deepEqual(t.check('192.0.2.1', 'alice@example.test'), { allowed: false, retryAfterMs: 1_000 });
  // The lock is on the user: another IP is refused too, another user is not.
  assert.equal(t.check('198.51.100.7', 'ALICE@example.test').allowed, false);
  assert.equal(t.check('192.0.2.1', 'bob@example.test').allowed, true);
  clock.now += 400;
  assert.deepEqual(t.check('192.0.2.1', 'alice@example.test'), { allowed: false, retryAfterMs: 600 });
  clock.now += 600;
  assert.deepEqual(t.check('192.0.2.1', 'alice@example.test'), { allowed: true });
});

test('failures spread wider than the window never lock', () => {
  const { t, clock } = setup();
  for (let i = 0; i < 10; i++) {
    t.recordFailure('192.0.2.1', 'alice@example.test');
    clock.now += 30_001;
  }
  assert.equal(t.check('192.0.2.1', 'alice@example.test').allowed, true);
});

test('each further lock-out doubles, up to the cap', () => {
  const { t, clock } = setup();
  const seen: number[] = [];
  for (let round = 0; round < 6; round++) {
    failN(t, 3, '192.0.2.1', 'alice@example.test');
    const d = t.check('192.0.2.1', 'alice@example.test');
    assert.equal(d.allowed, false);
    seen.push(d.retryAfterMs);
    clock.now += d.retryAfterMs;
  }
  assert.deepEqual(seen, [1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
});

test('an IP is locked after its own threshold across many users; loopback is not exempt', () => {
  const { t } = setup();
  for (let i = 0; i < 10; i++) t.recordFailure('127.0.0.1', `user${i}@example.test`);
  const d = t.check('127.0.0.1', 'fresh@example.test');
  assert.deepEqual(d, { allowed: false, retryAfterMs: 1_000 });
  assert.equal(t.check('192.0.2.1', 'fresh@example.test').allowed, true);
});

test('an exemption hook, when given, spares the IP but still protects the user', () => {
  const { t } = setup({ isExempt: (ip) => ip === '127.0.0.1' });
  for (let i = 0; i < 20; i++) t.recordFailure('127.0.0.1', `user${i}@example.test`);
  assert.equal(t.check('127.0.0.1', 'fresh@example.test').allowed, true);
  failN(t, 3, '127.0.0.1', 'alice@example.test');
  assert.equal(t.check('127.0.0.1', 'alice@example.test').allowed, false);
});

test("success clears the user and forgives the IP that user's typos, not its other failures", () => {
  const { t } = setup();
  failN(t, 2, '192.0.2.1', 'alice@example.test');
  t.recordSuccess('192.0.2.1', 'alice@example.test');
  failN(t, 2, '192.0.2.1', 'alice@example.test');
  assert.equal(t.check('192.0.2.1', 'alice@example.test').allowed, true, 'user count was reset');
  t.recordSuccess('192.0.2.1', 'alice@example.test');

  // Guessing other accounts from one IP is not laundered by logging in to one's own.
  for (let round = 0; round < 5; round++) {
    failN(t, 2, '192.0.2.9', `victim${round}@example.test`);
    t.recordSuccess('192.0.2.9', 'mallory@example.test');
  }
  assert.equal(t.check('192.0.2.9', 'mallory@example.test').allowed, false);

  // Typos by honest users behind one NAT address are forgiven when each of them gets in.
  for (let i = 0; i < 20; i++) {
    failN(t, 2, '192.0.2.50', `user${i}@example.test`);
    t.recordSuccess('192.0.2.50', `user${i}@example.test`);
  }
  assert.equal(t.check('192.0.2.50', 'someone@example.test').allowed, true);
});

test('IPv6 clients are counted per /64; IPv4-mapped addresses as IPv4', () => {
  assert.equal(ipThrottleKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  assert.equal(ipThrottleKey('2001:0db8:0001:0002:ffff:0:0:9'), '2001:db8:1:2::/64');
  assert.equal(ipThrottleKey('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(ipThrottleKey('::1'), '0:0:0:0::/64');
  assert.equal(ipThrottleKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
  assert.equal(ipThrottleKey('::ffff:192.0.2.1'), '192.0.2.1');
  assert.equal(ipThrottleKey('192.0.2.1'), '192.0.2.1');
  const { t } = setup();
  for (let i = 0; i < 10; i++) t.recordFailure(`2001:db8:1:2::${i + 1}`, `u${i}@example.test`);
  assert.equal(t.check('2001:db8:1:2:ffff::77', 'x@example.test').allowed, false);
  assert.equal(t.check('2001:db8:1:3::1', 'x@example.test').allowed, true);
});

test('memory is bounded: the least recently failed keys are evicted first', () => {
  const { t } = setup({ maxTrackedKeys: 50 });
  failN(t, 3, '192.0.2.1', 'alice@example.test');
  assert.equal(t.check('192.0.2.1', 'alice@example.test').allowed, false);
  for (let i = 0; i < 200; i++) t.recordFailure(`198.51.100.${i % 250}`, `spray${i}@example.test`);
  assert.ok(t.size <= 50, `size ${t.size}`);
  assert.equal(t.check('192.0.2.1', 'alice@example.test').allowed, true, 'oldest entries went first');
});

test('stale entries are pruned, and a key forgets its lock level once stale', () => {
  const { t, clock } = setup({ staleAfterMs: 600_000 });
  failN(t, 3, '192.0.2.1', 'alice@example.test');
  clock.now += 1_000;
  failN(t, 3, '192.0.2.1', 'alice@example.test');
  const second = t.check('192.0.2.1', 'alice@example.test');
  assert.deepEqual(second, { allowed: false, retryAfterMs: 2_000 });
  const before = t.size;
  assert.ok(before >= 3);
  clock.now += 600_000;
  t.recordFailure('203.0.113.5', 'other@example.test');
  assert.equal(t.size, 3, 'only the new user, IP and pair remain');
  failN(t, 3, '192.0.2.1', 'alice@example.test');
  assert.deepEqual(t.check('192.0.2.1', 'alice@example.test'), { allowed: false, retryAfterMs: 1_000 });
});
