/**
 * The successful-login cache (like Dovecot's auth_cache). Mail clients poll: a POP3 or IMAP client
 * logs in every minute with the same password, and scrypt, deliberately slow, caps a 2-core host
 * at about 30 logins a second. After one successful verification we remember an
 * HMAC-SHA256(process-random key, address NUL password NUL stored-hash) for a bounded time, so the
 * next login with the same triple costs a hash instead of a scrypt. The stored hash is part of
 * the key, so changing the password (or removing and re-adding the user) invalidates the entry
 * without any bookkeeping, and a different password simply misses. Neither the password nor
 * anything reversible without the in-memory key is kept. Entries expire after `ttlMs` from when
 * they were added (a hit does not extend them) and the oldest go first when the cache is full.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { AUTH_LIMITS } from '../limits.js';
import type { Clock } from './throttle.js';

/**
 * HMAC-SHA256(key, address NUL password NUL stored-hash), base64: what this cache and the
 * provisioning memo (provisioned.ts) keep instead of a password. `key` is process-random and
 * never leaves memory, so the digest cannot be brute-forced offline like a plain fast hash.
 */
export function secretDigest(key: Buffer, address: string, password: string, storedHash: string): string {
  // Address and hash cannot contain NUL, so the split is unambiguous even if the password does.
  return createHmac('sha256', key)
    .update(address.toLowerCase())
    .update('\0')
    .update(password)
    .update('\0')
    .update(storedHash)
    .digest('base64');
}

/** Options of AuthCache; numbers default to AUTH_LIMITS.authCacheTtlMs / authCacheMaxEntries. */
export interface AuthCacheOptions {
  ttlMs?: number;
  maxEntries?: number;
  now?: Clock;
}

/** Remembers recently verified (address, password, stored hash) triples. */
export class AuthCache {
  readonly #key = randomBytes(32);
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: Clock;
  /** Digest -> expiry time; insertion order is age order. */
  readonly #entries = new Map<string, number>();

  constructor(options: AuthCacheOptions = {}) {
    this.#ttlMs = options.ttlMs ?? AUTH_LIMITS.authCacheTtlMs;
    this.#maxEntries = options.maxEntries ?? AUTH_LIMITS.authCacheMaxEntries;
    this.#now = options.now ?? Date.now;
  }

  /** Number of entries held, expired ones included until they are swept. */
  get size(): number {
    return this.#entries.size;
  }

  /** True when this exact triple was verified less than `ttlMs` ago. */
  has(address: string, password: string, storedHash: string): boolean {
    const digest = this.#digest(address, password, storedHash);
    const expires = this.#entries.get(digest);
    if (expires === undefined) return false;
    if (expires > this.#now()) return true;
    this.#entries.delete(digest);
    return false;
  }

  /** Records a triple that scrypt has just verified. */
  add(address: string, password: string, storedHash: string): void {
    if (this.#maxEntries <= 0 || this.#ttlMs <= 0) return;
    const now = this.#now();
    const digest = this.#digest(address, password, storedHash);
    this.#entries.delete(digest);
    this.#entries.set(digest, now + this.#ttlMs);
    this.#sweep(now);
  }

  /** Forgets everything (e.g. after an administrative bulk change). */
  clear(): void {
    this.#entries.clear();
  }

  #digest(address: string, password: string, storedHash: string): string {
    return secretDigest(this.#key, address, password, storedHash);
  }

  /** Drops expired entries from the front (all share one TTL, so they are oldest) and the overflow. */
  #sweep(now: number): void {
    for (const [digest, expires] of this.#entries) {
      if (expires > now && this.#entries.size <= this.#maxEntries) break;
      this.#entries.delete(digest);
    }
  }
}
