/**
 * A client-side cookie jar with the RFC 6265 §5.3 storage model: host-only versus domain
 * cookies (§5.1.3 domain-match), default and explicit paths (§5.1.4 path-match), expiry by
 * Max-Age or Expires, Secure cookies only over https, replacement keeping the creation time, and
 * the §5.4 Cookie header order (longer paths first, then older). Public-suffix checks are not
 * made: a Domain attribute must simply domain-match the request host. Bounded per domain and in
 * all (§6.1). Used by `outpost http --cookie-jar`.
 */
import { isIP } from 'node:net';
import { HTTP_LIMITS } from '../limits.js';
import { parseSetCookie } from './cookie.js';

/** One stored cookie (§5.3 step 3's fields). */
export interface StoredCookie {
  name: string;
  value: string;
  /** Lowercase host or domain, no leading dot. */
  domain: string;
  path: string;
  /** ms since epoch; undefined for a session cookie. */
  expiresMs: number | undefined;
  creationMs: number;
  hostOnly: boolean;
  secure: boolean;
  httpOnly: boolean;
}

/** §5.1.3: `host` domain-matches `domain`. */
export function domainMatch(host: string, domain: string): boolean {
  if (host === domain) return true;
  return isIP(host) === 0 && host.endsWith(`.${domain}`);
}

/** §5.1.4: the default path of a request path. */
export function defaultPath(requestPath: string): string {
  if (!requestPath.startsWith('/')) return '/';
  const last = requestPath.lastIndexOf('/');
  return last <= 0 ? '/' : requestPath.slice(0, last);
}

/** §5.1.4: `requestPath` path-matches `cookiePath`. */
export function pathMatch(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath.charAt(cookiePath.length) === '/';
}

/** Cookies for many sites, in memory (see netscape.ts to load and save them). */
export class CookieJar {
  #cookies: StoredCookie[] = [];

  /** Every live cookie (expired ones are dropped first). */
  all(nowMs: number = Date.now()): readonly StoredCookie[] {
    this.#expire(nowMs);
    return this.#cookies;
  }

  /** Adds a cookie loaded from a file (replacing the same name/domain/path). */
  add(cookie: StoredCookie): void {
    this.#cookies = this.#cookies.filter((c) => !same(c, cookie));
    this.#cookies.push(cookie);
    this.#bound(cookie.domain);
  }

  /** §5.3: stores one Set-Cookie received from `url`; returns false when it was ignored. */
  setCookie(header: string, url: URL, nowMs: number = Date.now()): boolean {
    const parsed = parseSetCookie(header, nowMs);
    if (parsed === undefined) return false;
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    let domain = host;
    let hostOnly = true;
    if (parsed.domain !== undefined) {
      if (!domainMatch(host, parsed.domain)) return false; // §5.3 step 6
      domain = parsed.domain;
      hostOnly = false;
    }
    // Secure cookies may only be set from secure origins (RFC 6265bis §5.6 step 8).
    if (parsed.secure && url.protocol !== 'https:') return false;
    const cookie: StoredCookie = {
      name: parsed.name,
      value: parsed.value,
      domain,
      path: parsed.path ?? defaultPath(url.pathname),
      expiresMs: parsed.expiresMs,
      creationMs: nowMs,
      hostOnly,
      secure: parsed.secure,
      httpOnly: parsed.httpOnly,
    };
    const old = this.#cookies.find((c) => same(c, cookie));
    if (old !== undefined) cookie.creationMs = old.creationMs; // §5.3 step 11.3
    this.#cookies = this.#cookies.filter((c) => !same(c, cookie));
    if (cookie.expiresMs !== undefined && cookie.expiresMs <= nowMs) return true; // a deletion
    this.#cookies.push(cookie);
    this.#bound(domain);
    return true;
  }

  /** §5.4: the Cookie header value for a request to `url`, or undefined when none apply. */
  cookieHeader(url: URL, nowMs: number = Date.now()): string | undefined {
    this.#expire(nowMs);
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const secure = url.protocol === 'https:';
    const matching = this.#cookies
      .filter(
        (c) =>
          (c.hostOnly ? host === c.domain : domainMatch(host, c.domain)) &&
          pathMatch(url.pathname, c.path) &&
          (!c.secure || secure),
      )
      .sort((a, b) => b.path.length - a.path.length || a.creationMs - b.creationMs);
    if (matching.length === 0) return undefined;
    return matching.map((c) => `${c.name}=${c.value}`).join('; ');
  }

  #expire(nowMs: number): void {
    this.#cookies = this.#cookies.filter((c) => c.expiresMs === undefined || c.expiresMs > nowMs);
  }

  #bound(domain: string): void {
    const forDomain = this.#cookies.filter((c) => c.domain === domain);
    const excess = forDomain.length - HTTP_LIMITS.jarMaxCookiesPerDomain;
    const drop = new Set(excess > 0 ? oldest(forDomain, excess) : []);
    if (this.#cookies.length - drop.size > HTTP_LIMITS.jarMaxCookies) {
      for (const c of oldest(this.#cookies, this.#cookies.length - drop.size - HTTP_LIMITS.jarMaxCookies))
        drop.add(c);
    }
    if (drop.size > 0) this.#cookies = this.#cookies.filter((c) => !drop.has(c));
  }
}

function same(a: StoredCookie, b: StoredCookie): boolean {
  return a.name === b.name && a.domain === b.domain && a.path === b.path;
}

function oldest(cookies: readonly StoredCookie[], n: number): StoredCookie[] {
  return [...cookies].sort((a, b) => a.creationMs - b.creationMs).slice(0, n);
}
