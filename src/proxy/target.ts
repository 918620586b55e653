/**
 * Where a request goes (pure): a reverse proxy sends every request to its one origin, keeping the
 * path and the client's Host (so the origin's virtual hosts still apply); a forward proxy takes
 * the absolute-form target of HTTP/1.1 (`GET http://host/path`, RFC 9112 §3.2.2) or HTTP/2's
 * :scheme and :authority, and sends the target's authority as Host. The cache key is the
 * absolute URL the client asked for.
 */
import type { HttpRequest } from '../http/index.js';

/** A checked target. */
export interface ProxyTarget {
  /** Where to connect and what path to ask for. */
  readonly url: URL;
  /** The Host field to send. */
  readonly host: string;
  /** The absolute URL the client asked for: the cache key and what PURGE names. */
  readonly cacheUrl: string;
}

/** The request's Host, or HTTP/2's :authority, as sent. */
function clientHost(req: HttpRequest): string | undefined {
  const authority = req.headers[':authority'];
  if (typeof authority === 'string' && authority !== '') return authority;
  const host = req.headers.host;
  return host === undefined || host === '' ? undefined : host;
}

/** The path and query of an origin-form or absolute-form target, or undefined. */
function pathOf(target: string): string | undefined {
  if (target.startsWith('/')) return target;
  if (!/^https?:\/\//i.test(target)) return undefined;
  try {
    const url = new URL(target);
    return `${url.pathname}${url.search}`;
  } catch {
    return undefined;
  }
}

/** A reverse proxy's target for `req`, or the 400 reason. */
export function reverseTarget(req: HttpRequest, origin: URL): ProxyTarget | string {
  const path = pathOf(req.url ?? '');
  if (path === undefined) return 'Bad Request: expected a path';
  let url: URL;
  try {
    // Concatenated, never resolved: `//other.host/x` stays a path on the origin.
    url = new URL(`${origin.protocol}//${origin.host}${path}`);
  } catch {
    return 'Bad Request: malformed request target';
  }
  if (url.host !== origin.host) return 'Bad Request: malformed request target';
  const host = clientHost(req) ?? origin.host;
  return { url, host, cacheUrl: `${origin.protocol}//${host.toLowerCase()}${path}` };
}

/** A forward proxy's target for `req`, or the 400 reason. */
export function forwardTarget(req: HttpRequest): ProxyTarget | string {
  const target = req.url ?? '';
  let text: string;
  if (req.httpVersionMajor === 2) {
    const scheme = req.headers[':scheme'];
    const authority = clientHost(req);
    if (typeof scheme !== 'string' || authority === undefined || !target.startsWith('/'))
      return 'Bad Request: expected :scheme, :authority and :path';
    text = `${scheme}://${authority}${target}`;
  } else {
    if (!/^https?:\/\//i.test(target))
      return 'Bad Request: this is a forward proxy; ask for an absolute URL (curl -x)';
    text = target;
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'Bad Request: malformed request target';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'Bad Request: only http and https';
  if (url.username !== '' || url.password !== '') return 'Bad Request: credentials in the target';
  if (url.hostname === '') return 'Bad Request: no host in the target';
  url.hash = '';
  return { url, host: url.host, cacheUrl: url.href };
}
