/**
 * Authentication-failure throttling for every protocol that logs users in. Failures are counted
 * per client IP (IPv6 per /64, since one host usually holds a whole /64) and per user address;
 * after N failures inside a window the key is locked for a delay that doubles with each lock-out,
 * up to a cap. A success clears the user's record and forgives the IP the failures it made *for
 * that user* (typos), but not those it made for other users, so one valid account cannot launder
 * a guessing run. Memory is bounded: the least recently failed keys are evicted first and entries
 * idle for `staleAfterMs` are pruned. Time comes from an injected clock; nothing here sets timers.
 * Loopback is not exempt unless the caller says so: a local proxy is still a guessing channel.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { Clock as CoreClock } from '../clock.js';
import { AUTH_LIMITS } from '../limits.js';

/** Milliseconds since the epoch (the core Clock's `now`); injected so tests never sleep. */
export type Clock = CoreClock['now'];

/** The outcome of `check`. */
export type ThrottleDecision =
  { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

/** Options of AuthThrottle; every number defaults to its AUTH_LIMITS counterpart. */
export interface AuthThrottleOptions {
  now?: Clock;
  maxFailuresPerUser?: number;
  maxFailuresPerIp?: number;
  failureWindowMs?: number;
  baseLockMs?: number;
  maxLockMs?: number;
  staleAfterMs?: number;
  maxTrackedKeys?: number;
  /** IPs that are never throttled (none by default, loopback included). */
  isExempt?: (ip: string) => boolean;
}

interface Entry {
  /** Failures in the current window. */
  failures: number;
  windowStart: number;
  /** Lock-outs so far; the next lasts baseLockMs * 2^level. */
  level: number;
  lockedUntil: number;
  lastSeen: number;
}

function expandIPv6(ip: string): string[] {
  const [head = '', tail] = ip.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const fill = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...fill, ...right];
}

/**
 * The throttling key of a client address: IPv4 as is (IPv4-mapped IPv6 unwrapped), IPv6 reduced
 * to its /64 prefix, anything else (e.g. a test stream's label) lowercased verbatim.
 */
export function ipThrottleKey(ip: string): string {
  const bare = ip.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped?.[1] !== undefined) return mapped[1];
  if (isIPv4(bare)) return bare;
  if (isIPv6(bare) && !bare.includes('.')) {
    const groups = expandIPv6(bare.toLowerCase()).slice(0, 4);
    return `${groups.map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
  }
  return bare.toLowerCase();
}

/** Counts authentication failures and decides when a client or user must wait. */
export class AuthThrottle {
  readonly #now: Clock;
  readonly #maxUser: number;
  readonly #maxIp: number;
  readonly #windowMs: number;
  readonly #baseLockMs: number;
  readonly #maxLockMs: number;
  readonly #staleMs: number;
  readonly #maxKeys: number;
  readonly #isExempt: (ip: string) => boolean;
  /** Insertion order is recency order: every write moves the key to the end. */
  readonly #entries = new Map<string, Entry>();

  constructor(options: AuthThrottleOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#maxUser = options.maxFailuresPerUser ?? AUTH_LIMITS.maxFailuresPerUser;
    this.#maxIp = options.maxFailuresPerIp ?? AUTH_LIMITS.maxFailuresPerIp;
    this.#windowMs = options.failureWindowMs ?? AUTH_LIMITS.failureWindowMs;
    this.#baseLockMs = options.baseLockMs ?? AUTH_LIMITS.baseLockMs;
    this.#maxLockMs = options.maxLockMs ?? AUTH_LIMITS.maxLockMs;
    this.#staleMs = options.staleAfterMs ?? AUTH_LIMITS.staleAfterMs;
    this.#maxKeys = options.maxTrackedKeys ?? AUTH_LIMITS.maxTrackedKeys;
    this.#isExempt = options.isExempt ?? (() => false);
  }

  /** Number of keys currently tracked (for metrics and tests). */
  get size(): number {
    return this.#entries.size;
  }

  /** Whether `user` may try to log in from `ip` now; never records anything. */
  check(ip: string, user: string): ThrottleDecision {
    const now = this.#now();
    const keys = this.#isExempt(ip) ? [userKey(user)] : [userKey(user), ipKey(ip)];
    let wait = 0;
    for (const key of keys) {
      const entry = this.#entries.get(key);
      if (entry !== undefined) wait = Math.max(wait, entry.lockedUntil - now);
    }
    return wait > 0 ? { allowed: false, retryAfterMs: wait } : { allowed: true };
  }

  /** Records one failed login of `user` from `ip`. */
  recordFailure(ip: string, user: string): void {
    const now = this.#now();
    this.#prune(now);
    this.#fail(userKey(user), this.#maxUser, now);
    if (!this.#isExempt(ip)) {
      this.#fail(ipKey(ip), this.#maxIp, now);
      this.#fail(pairKey(ip, user), Number.POSITIVE_INFINITY, now);
    }
  }

  /** Records a successful login: clears the user, and the IP's failures for that user. */
  recordSuccess(ip: string, user: string): void {
    this.#entries.delete(userKey(user));
    const pair = this.#entries.get(pairKey(ip, user));
    if (pair === undefined) return;
    this.#entries.delete(pairKey(ip, user));
    const forIp = this.#entries.get(ipKey(ip));
    // Only failures still in the IP's current window count there; forgive at most those.
    if (forIp !== undefined && pair.windowStart >= forIp.windowStart) {
      forIp.failures = Math.max(0, forIp.failures - pair.failures);
    }
  }

  #fail(key: string, max: number, now: number): void {
    const prev = this.#entries.get(key);
    const entry: Entry = prev ?? { failures: 0, windowStart: now, level: 0, lockedUntil: 0, lastSeen: now };
    if (now - entry.windowStart >= this.#windowMs) {
      entry.failures = 0;
      entry.windowStart = now;
    }
    entry.failures++;
    entry.lastSeen = now;
    if (entry.failures >= max) {
      entry.lockedUntil = now + Math.min(this.#baseLockMs * 2 ** entry.level, this.#maxLockMs);
      entry.level = Math.min(entry.level + 1, 30);
      entry.failures = 0;
      entry.windowStart = now;
    }
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    while (this.#entries.size > this.#maxKeys) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
  }

  /** Drops entries idle for staleAfterMs whose lock has ended; they sit at the front of the map. */
  #prune(now: number): void {
    for (const [key, entry] of this.#entries) {
      if (now - entry.lastSeen < this.#staleMs) break;
      if (entry.lockedUntil > now) continue;
      this.#entries.delete(key);
    }
  }
}

function userKey(user: string): string {
  return `u\0${user.toLowerCase()}`;
}

function ipKey(ip: string): string {
  return `i\0${ipThrottleKey(ip)}`;
}

function pairKey(ip: string, user: string): string {
  return `p\0${ipThrottleKey(ip)}\0${user.toLowerCase()}`;
}
