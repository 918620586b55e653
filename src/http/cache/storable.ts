/**
 * Whether a response may be stored at all (RFC 9111 §3): GET only here, a final status we can
 * reuse whole (not 206, not 304), no `no-store` on either side (unless `must-understand` with a
 * status whose caching rules we implement, §5.2.2.3), `private` only in a private cache (its
 * qualified form `private="Set-Cookie"` lets a shared cache store the rest, §5.2.2.7), a request
 * with Authorization only in a private cache or when the response allows a shared one (§3.5),
 * and something that gives it a lifetime: public, private (private cache), Expires, max-age,
 * s-maxage (shared cache) or a heuristically cacheable status.
 */
import { parseCacheControl, type CacheDirectives, type HeaderSource } from './cache-control.js';
import { directivesOf, HEURISTICALLY_CACHEABLE } from './freshness.js';

/**
 * Final status codes whose caching requirements this cache implements (those RFC 9110 defines),
 * for `must-understand` (RFC 9111 §5.2.2.3).
 */
export const UNDERSTOOD_STATUS: ReadonlySet<number> = new Set([
  200, 201, 202, 203, 204, 205, 206, 300, 301, 302, 303, 304, 305, 307, 308, 400, 401, 402, 403, 404, 405,
  406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 421, 422, 426, 500, 501, 502, 503, 504, 505,
]);

/** The request side of the decision. */
export interface StoreRequest {
  readonly method: string;
  readonly headers: HeaderSource;
}

/** The response side of the decision. */
export interface StoreResponse {
  readonly status: number;
  readonly headers: HeaderSource;
  /** The directives to obey, when not the Cache-Control field's (CDN-Cache-Control, RFC 9213). */
  readonly directives?: CacheDirectives | undefined;
}

/** True when `response` to `request` may be stored; `shared` for a cache serving many users. */
export function isStorable(request: StoreRequest, response: StoreResponse, shared: boolean): boolean {
  if (request.method !== 'GET') return false;
  const status = response.status;
  if (status < 200 || status === 206 || status === 304) return false;
  const reqcc = parseCacheControl(request.headers.get('cache-control'));
  const rescc = directivesOf(response);
  if (reqcc.has('no-store')) return false;
  if (rescc.has('must-understand')) {
    if (!UNDERSTOOD_STATUS.has(status)) return false;
  } else if (rescc.has('no-store')) return false;
  if (shared && rescc.has('private') && rescc.get('private') === undefined) return false;
  if (
    shared &&
    request.headers.get('authorization') !== null &&
    !rescc.has('public') &&
    !rescc.has('must-revalidate') &&
    !rescc.has('s-maxage')
  )
    return false;
  return (
    rescc.has('public') ||
    (!shared && rescc.has('private')) ||
    response.headers.get('expires') !== null ||
    rescc.has('max-age') ||
    (shared && rescc.has('s-maxage')) ||
    HEURISTICALLY_CACHEABLE.has(status)
  );
}
