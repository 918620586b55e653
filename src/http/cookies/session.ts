/**
 * Signed login sessions in a cookie: the value is `base64url(JSON {sub, exp})` + '.' +
 * `base64url(HMAC-SHA256)`, so the server keeps no session table and a client cannot forge or
 * extend one. The key is 32 random bytes kept 0600 in the data directory (rotating it signs
 * everyone out). Verification uses a constant-time comparison. The admin UI and webmail reuse it.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** The name of the session cookie. */
export const SESSION_COOKIE = 'outpost_session';

/** A verified session. */
export interface Session {
  /** The account's address. */
  readonly user: string;
  /** Expiry, seconds since the epoch. */
  readonly expiresS: number;
}

/** Signs and verifies session tokens with one key. */
export class SessionSigner {
  readonly #key: Buffer;
  readonly #now: () => number;

  constructor(key: Buffer, now: () => number = Date.now) {
    if (key.length < 32) throw new RangeError('session key must be at least 32 bytes');
    this.#key = key;
    this.#now = now;
  }

  /** A token for `user` valid for `ttlS` seconds (a valid cookie-value: base64url and '.'). */
  sign(user: string, ttlS: number): string {
    const payload = Buffer.from(
      JSON.stringify({ sub: user, exp: Math.floor(this.#now() / 1000) + ttlS }),
    ).toString('base64url');
    return `${payload}.${this.#mac(payload)}`;
  }

  /** The session in `token`, or undefined when forged, malformed or expired. */
  verify(token: string | undefined): Session | undefined {
    if (token === undefined || token.length > 2048) return undefined;
    const dot = token.indexOf('.');
    if (dot <= 0) return undefined;
    const payload = token.slice(0, dot);
    // Compared as text, not decoded: base64url ignores the spare low bits of the last character,
    // and only the one canonical spelling of the MAC is accepted.
    const given = Buffer.from(token.slice(dot + 1), 'latin1');
    const expected = Buffer.from(this.#mac(payload), 'latin1');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    let data: unknown;
    try {
      data = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    if (typeof data !== 'object' || data === null) return undefined;
    const { sub, exp } = data as { sub?: unknown; exp?: unknown };
    if (typeof sub !== 'string' || typeof exp !== 'number') return undefined;
    if (exp * 1000 <= this.#now()) return undefined;
    return { user: sub, expiresS: exp };
  }

  #mac(payload: string): string {
    return createHmac('sha256', this.#key).update(payload).digest('base64url');
  }
}

/** Reads the key at `file`, creating 32 random bytes (mode 0600) when it does not exist. */
export function loadOrCreateSessionKey(file: string): Buffer {
  if (existsSync(file)) {
    const key = readFileSync(file);
    if (key.length >= 32) return key;
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  writeFileSync(file, key, { mode: 0o600 });
  return key;
}
