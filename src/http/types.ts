/**
 * The request and response shapes the handlers are written against: the common part of node:http
 * (HTTP/1.1) and node:http2's compatibility API, so one handler serves both listeners.
 */
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';

/** A request from either protocol. */
export type HttpRequest = IncomingMessage | Http2ServerRequest;

/** The response methods the handlers use, present on both protocols' response objects. */
export interface HttpResponse extends NodeJS.WritableStream {
  statusCode: number;
  readonly headersSent: boolean;
  writeHead(status: number, headers?: OutgoingHttpHeaders): unknown;
  setHeader(name: string, value: string | number | readonly string[]): unknown;
  getHeader(name: string): string | number | string[] | undefined;
  destroy(error?: Error): unknown;
}

/** Casts a node:http or node:http2 response to the common shape. */
export function asResponse(res: ServerResponse | Http2ServerResponse): HttpResponse {
  return res;
}

/** What a handler knows about the connection a request came on. */
export interface RequestInfo {
  /** The request arrived over TLS. */
  readonly secure: boolean;
  readonly remoteAddress: string;
  /** The request's Host (HTTP/1.1) or :authority (HTTP/2), lowercased, without port. */
  readonly host: string;
}

/** The Host of a request: `host` header or HTTP/2 `:authority`. */
export function requestHost(headers: IncomingHttpHeaders): string {
  const raw = headers.host ?? (headers[':authority'] as string | undefined) ?? '';
  return hostWithoutPort(raw);
}

/** Lowercases a Host value and strips the port and a trailing dot (`[::1]:80` → `::1`). */
export function hostWithoutPort(raw: string): string {
  let host = raw.trim().toLowerCase();
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    host = close === -1 ? host : host.slice(1, close);
  } else {
    const colon = host.indexOf(':');
    if (colon !== -1) host = host.slice(0, colon);
  }
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

/** One header value as a string (the first of repeated ones). */
export function header(req: HttpRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

const BODY_BYTES = Symbol('outpost.bodyBytes');

/** Starts counting the body bytes of `res` for the access log and metrics (see writeHead). */
export function trackBodyBytes(res: HttpResponse): void {
  (res as unknown as Record<symbol, number>)[BODY_BYTES] = 0;
}

/**
 * Writes the status and headers, remembering Content-Length for the access log and metrics when
 * the response is tracked (node:http does not keep headers given to writeHead where getHeader
 * can see them). Untracked responses are left untouched (no extra property, no shape change).
 */
export function writeHead(res: HttpResponse, status: number, headers?: OutgoingHttpHeaders): void {
  res.writeHead(status, headers);
  if (BODY_BYTES in res) {
    const length = headers?.['Content-Length'];
    if (typeof length === 'number') (res as unknown as Record<symbol, number>)[BODY_BYTES] = length;
  }
}

/** The Content-Length given to writeHead, or 0. */
export function declaredBodyBytes(res: HttpResponse): number {
  return (res as unknown as Record<symbol, number | undefined>)[BODY_BYTES] ?? 0;
}

/** What the fast path needs from a request's header fields. */
export interface FastHeaders {
  /** Host (HTTP/1.1) or :authority (HTTP/2), lowercased, without port. */
  readonly host: string;
  /** Range or any precondition field is present: the request needs the full handler. */
  readonly conditional: boolean;
  readonly acceptEncoding: boolean;
}

/**
 * Reads Host, Range, If-* and Accept-Encoding from `rawHeaders` in one pass, without making
 * node:http build the `headers` object (a measurable share of a small file's cost).
 */
export function fastHeaders(req: HttpRequest): FastHeaders {
  const raw = req.rawHeaders;
  let host = '';
  let conditional = false;
  let acceptEncoding = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] ?? '';
    switch (name.length) {
      case 4:
        if (name.toLowerCase() === 'host') host = raw[i + 1] ?? '';
        break;
      case 5:
        if (name.toLowerCase() === 'range') conditional = true;
        break;
      case 8:
        if (name.toLowerCase() === 'if-match' || name.toLowerCase() === 'if-range') conditional = true;
        break;
      case 10:
        if (name === ':authority') host = raw[i + 1] ?? '';
        break;
      case 13:
        if (name.toLowerCase() === 'if-none-match') conditional = true;
        break;
      case 15:
        if (name.toLowerCase() === 'accept-encoding') acceptEncoding = true;
        break;
      case 17:
        if (name.toLowerCase() === 'if-modified-since') conditional = true;
        break;
      case 19:
        if (name.toLowerCase() === 'if-unmodified-since') conditional = true;
        break;
      default:
        break;
    }
  }
  return { host: hostWithoutPort(host), conditional, acceptEncoding };
}
