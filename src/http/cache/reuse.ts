/**
 * Whether a stored response may answer a request (RFC 9111 §4.2, §4.2.4, §5.2), for a cache that
 * also serves stale responses where RFC 5861 allows: fresh, stale within the client's max-stale,
 * stale within stale-while-revalidate (serve, then refresh), or revalidate first. And whether it
 * may stand in for an origin that failed (stale-if-error). Pure: times in ms.
 */
import { deltaSeconds, parseCacheControl, type CacheDirectives, type HeaderSource } from './cache-control.js';
import { currentAge, directivesOf, freshnessLifetime, type TimedResponse } from './freshness.js';

/**
 * How long, in seconds past its freshness, a response may stand in for a failed origin when it
 * has no stale-if-error of its own (§4.2.4 lets a disconnected cache serve stale; one day, like a
 * typical proxy_cache_use_stale setup).
 */
export const DEFAULT_STALE_IF_ERROR_S = 86_400;

/** What to do with a stored response for a request; `ttl` is freshness left in seconds. */
export type Reuse =
  | { readonly kind: 'fresh'; readonly ttl: number }
  /** Stale, but the request's max-stale accepts it (§5.2.1.2). */
  | { readonly kind: 'stale-ok'; readonly ttl: number }
  /** Stale within stale-while-revalidate (RFC 5861 §3): serve it, refresh in the background. */
  | { readonly kind: 'stale-while-revalidate'; readonly ttl: number }
  /** Ask the origin first (conditionally when there are validators). */
  | { readonly kind: 'revalidate'; readonly ttl: number; readonly why: 'stale' | 'request' | 'no-cache' };

/** A response's own directives forbid serving it stale (§4.2.4): no-cache, must-revalidate, … */
export function staleForbidden(rescc: CacheDirectives, shared: boolean): boolean {
  return (
    (rescc.has('no-cache') && rescc.get('no-cache') === undefined) ||
    rescc.has('must-revalidate') ||
    (shared && (rescc.has('proxy-revalidate') || rescc.has('s-maxage')))
  );
}

/** Decides how `stored` may answer a request with `requestHeaders` at `now`. */
export function reuse(
  stored: TimedResponse,
  requestHeaders: HeaderSource,
  now: number,
  shared: boolean,
): Reuse {
  const rescc = directivesOf(stored);
  const reqcc = parseCacheControl(requestHeaders.get('cache-control'));
  const age = currentAge(stored, now);
  const ttl = freshnessLifetime(stored, shared) - age;
  if (rescc.has('no-cache') && rescc.get('no-cache') === undefined)
    return { kind: 'revalidate', ttl, why: 'no-cache' };
  if (reqcc.has('no-cache')) return { kind: 'revalidate', ttl, why: 'request' };
  // RFC 8246: an immutable response is not revalidated because a client reloads (max-age=0).
  const immutable = rescc.has('immutable') && ttl > 0;
  const maxAge = deltaSeconds(reqcc.get('max-age'));
  if (!immutable && maxAge !== undefined && age > maxAge) return { kind: 'revalidate', ttl, why: 'request' };
  const minFresh = deltaSeconds(reqcc.get('min-fresh'));
  if (minFresh !== undefined && ttl < minFresh) return { kind: 'revalidate', ttl, why: 'request' };
  if (ttl > 0) return { kind: 'fresh', ttl };
  if (staleForbidden(rescc, shared)) return { kind: 'revalidate', ttl, why: 'stale' };
  if (reqcc.has('max-stale')) {
    const arg = reqcc.get('max-stale');
    const limit = arg === undefined ? Infinity : deltaSeconds(arg);
    if (limit !== undefined && -ttl <= limit) return { kind: 'stale-ok', ttl };
  }
  const swr = deltaSeconds(rescc.get('stale-while-revalidate'));
  if (swr !== undefined && -ttl <= swr) return { kind: 'stale-while-revalidate', ttl };
  return { kind: 'revalidate', ttl, why: 'stale' };
}

/**
 * True when `stored` may answer in place of an origin that failed (connection error, timeout,
 * 5xx) at `now`: not forbidden by its directives, and within stale-if-error (RFC 5861 §4) of the
 * response or the request, or DEFAULT_STALE_IF_ERROR_S without one.
 */
export function staleIfErrorAllowed(
  stored: TimedResponse,
  requestHeaders: HeaderSource,
  now: number,
  shared: boolean,
): boolean {
  const rescc = directivesOf(stored);
  if (staleForbidden(rescc, shared)) return false;
  const reqcc = parseCacheControl(requestHeaders.get('cache-control'));
  if (reqcc.has('no-cache')) return false;
  const ttl = freshnessLifetime(stored, shared) - currentAge(stored, now);
  if (ttl > 0) return true;
  const window =
    deltaSeconds(reqcc.get('stale-if-error')) ??
    deltaSeconds(rescc.get('stale-if-error')) ??
    DEFAULT_STALE_IF_ERROR_S;
  return -ttl <= window;
}
