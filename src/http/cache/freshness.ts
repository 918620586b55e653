/**
 * Freshness and age of a stored response (RFC 9111 §4.2): the freshness lifetime from s-maxage
 * (shared caches only), max-age, Expires minus Date, or the Last-Modified heuristic; the current
 * age from Age, Date and the request/response times; and whether a stored response may be used
 * without asking the origin again (§4.2, §5.2.1, §5.2.2). Pure: times are passed in, in ms.
 * Invalid freshness information (a non-integer max-age, an Expires that is not an HTTP-date)
 * makes a response stale, as §4.2.1 and §5.3 encourage.
 */
import { parseHttpDateMs } from '../http-date.js';
import { deltaSeconds, parseCacheControl, type CacheDirectives, type HeaderSource } from './cache-control.js';

/**
 * Status codes a cache may give a heuristic freshness lifetime (RFC 9110 §15.1: "heuristically
 * cacheable").
 */
export const HEURISTICALLY_CACHEABLE: ReadonlySet<number> = new Set([
  200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501,
]);

/** The heuristic's share of the time since Last-Modified (RFC 9111 §4.2.2 suggests 10%). */
export const HEURISTIC_FRACTION = 0.1;
/** Our cap on a heuristic lifetime, in seconds (one day), so a very old file is still rechecked. */
export const HEURISTIC_MAX_S = 86_400;

/** A response as the freshness rules see it. */
export interface TimedResponse {
  readonly status: number;
  readonly headers: HeaderSource;
  /** When the request that fetched it was sent (ms since the epoch). */
  readonly requestTime: number;
  /** When its header section arrived (ms since the epoch). */
  readonly responseTime: number;
  /** The directives to obey, when not the Cache-Control field's (CDN-Cache-Control, RFC 9213). */
  readonly directives?: CacheDirectives | undefined;
}

/** The response directives a rule obeys. */
export function directivesOf(response: {
  headers: HeaderSource;
  directives?: CacheDirectives | undefined;
}): CacheDirectives {
  return response.directives ?? parseCacheControl(response.headers.get('cache-control'));
}

/** An HTTP-date in ms, or undefined when the value is not one (RFC 9110 §5.6.7). */
function httpDate(value: string | null): number | undefined {
  return parseHttpDateMs(value);
}

/** The Date of a response, or when it arrived if it has none (or an invalid one). */
function dateOf(response: TimedResponse): number {
  return httpDate(response.headers.get('date')) ?? response.responseTime;
}

/** The freshness lifetime in seconds (RFC 9111 §4.2.1); `shared` caches honour s-maxage. */
export function freshnessLifetime(response: TimedResponse, shared: boolean): number {
  const cc = directivesOf(response);
  if (shared && cc.has('s-maxage')) return deltaSeconds(cc.get('s-maxage')) ?? 0;
  if (cc.has('max-age')) return deltaSeconds(cc.get('max-age')) ?? 0;
  const expiresRaw = response.headers.get('expires');
  if (expiresRaw !== null) {
    // §5.3: an invalid Expires (such as "0") means already expired.
    const expires = httpDate(expiresRaw);
    if (expires === undefined) return 0;
    return Math.max(0, Math.floor((expires - dateOf(response)) / 1000));
  }
  if (!HEURISTICALLY_CACHEABLE.has(response.status) && !cc.has('public')) return 0;
  const lastModified = httpDate(response.headers.get('last-modified'));
  if (lastModified === undefined) return 0;
  const since = Math.max(0, (dateOf(response) - lastModified) / 1000);
  return Math.min(Math.floor(since * HEURISTIC_FRACTION), HEURISTIC_MAX_S);
}

/**
 * The Age field's value in seconds (RFC 9111 §5.1): 0 when absent; a value that is not exactly
 * one non-negative integer (a list, two lines, a parameter, a sign, a fraction) cannot be
 * trusted, so the response is treated as infinitely old (stale), as http-cache-tests expects.
 */
export function ageValue(headers: HeaderSource): number {
  const raw = headers.get('age');
  if (raw === null) return 0;
  return deltaSeconds(raw.trim()) ?? Infinity;
}

/** The current age in seconds at `now` (RFC 9111 §4.2.3). */
export function currentAge(response: TimedResponse, now: number): number {
  const apparentAge = Math.max(0, (response.responseTime - dateOf(response)) / 1000);
  const responseDelay = Math.max(0, (response.responseTime - response.requestTime) / 1000);
  const correctedAgeValue = ageValue(response.headers) + responseDelay;
  const correctedInitialAge = Math.max(apparentAge, correctedAgeValue);
  const residentTime = Math.max(0, (now - response.responseTime) / 1000);
  return Math.floor(correctedInitialAge + residentTime);
}

/** True while the response is fresh at `now` (RFC 9111 §4.2). */
export function isFresh(response: TimedResponse, now: number, shared: boolean): boolean {
  return freshnessLifetime(response, shared) > currentAge(response, now);
}

/**
 * True when the stored response may answer `requestHeaders` at `now` without a round trip:
 * fresh, the response did not say no-cache (§5.2.2.4), and the request neither said no-cache
 * (§5.2.1.4) nor asked for a younger response with max-age (§5.2.1.1).
 */
export function usableWithoutRevalidation(
  response: TimedResponse,
  requestHeaders: HeaderSource,
  now: number,
  shared: boolean,
): boolean {
  const rescc = directivesOf(response);
  if (rescc.has('no-cache')) return false;
  const reqcc = parseCacheControl(requestHeaders.get('cache-control'));
  if (reqcc.has('no-cache')) return false;
  const age = currentAge(response, now);
  const maxAge = deltaSeconds(reqcc.get('max-age'));
  if (maxAge !== undefined && age > maxAge) return false;
  return freshnessLifetime(response, shared) > age;
}
