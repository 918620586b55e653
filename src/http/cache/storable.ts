/**
 * Whether a response may be stored at all (RFC 9111 §3): GET only here, a final status we can
 * reuse whole (not 206, not 304), no `no-store` on either side, `private` only in a private
 * cache, a request with Authorization only in a private cache or when the response allows a
 * shared one (§3.5), and something that gives it a lifetime: public, private (private cache),
 * Expires, max-age, s-maxage (shared cache) or a heuristically cacheable status.
 */
import { parseCacheControl, type HeaderSource } from './cache-control.js';
import { HEURISTICALLY_CACHEABLE } from './freshness.js';

/** The request side of the decision. */
export interface StoreRequest {
  readonly method: string;
  readonly headers: HeaderSource;
}

/** The response side of the decision. */
export interface StoreResponse {
  readonly status: number;
  readonly headers: HeaderSource;
}

/** True when `response` to `request` may be stored; `shared` for a cache serving many users. */
export function isStorable(request: StoreRequest, response: StoreResponse, shared: boolean): boolean {
  if (request.method !== 'GET') return false;
  const status = response.status;
  if (status < 200 || status === 206 || status === 304) return false;
  const reqcc = parseCacheControl(request.headers.get('cache-control'));
  const rescc = parseCacheControl(response.headers.get('cache-control'));
  if (reqcc.has('no-store') || rescc.has('no-store')) return false;
  if (shared && rescc.has('private')) return false;
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
