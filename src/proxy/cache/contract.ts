/**
 * The caching proxy's cache as the proxy server sees it (RFC 9111 for a shared cache): the
 * server asks `lookup` what to do with a request, forwards to the origin when told, hands the
 * origin's answer to `admit` (streamed, so a large body is never held in memory), merges a 304
 * through `revalidated`, and falls back to `staleIfError` when the origin fails. Every answer
 * carries its RFC 9211 Cache-Status. `NoCache` is the implementation that stores nothing.
 */
import { Readable } from 'node:stream';

/** Header fields as name/value pairs in order (names in any case; several lines kept apart). */
export type HeaderList = readonly (readonly [string, string])[];

/** A client's request as the cache needs it. */
export interface CacheRequest {
  /** Upper-case method. */
  readonly method: string;
  /** Absolute URL (`http://host:port/path?query`): the primary cache key. */
  readonly url: string;
  /** The request's end-to-end header fields (hop-by-hop ones may be included; they are ignored). */
  readonly headers: HeaderList;
}

/** The origin's response head, as it arrived. */
export interface OriginHead {
  readonly status: number;
  readonly headers: HeaderList;
  /** When the request to the origin was sent (ms since the epoch; RFC 9111 §4.2.3 request_time). */
  readonly requestTime: number;
  /** When this head arrived (ms since the epoch; response_time). */
  readonly responseTime: number;
}

/**
 * RFC 9211 Cache-Status parameters of one answer. `hit` when the answer came from the cache
 * without going forward; `fwd` says why it went forward (§2.2).
 */
export interface CacheStatus {
  readonly hit: boolean;
  readonly fwd?: 'bypass' | 'method' | 'uri-miss' | 'vary-miss' | 'miss' | 'request' | 'stale' | 'partial';
  /** The status the origin answered with when forwarded (§2.3). */
  readonly fwdStatus?: number;
  /** Seconds of freshness left (negative when stale) (§2.4). */
  readonly ttl?: number;
  /** The response was stored (§2.5). */
  readonly stored?: boolean;
  /** The request was coalesced with another one going forward (§2.6). */
  readonly collapsed?: boolean;
  /** Free-form detail, e.g. `stale-while-revalidate`, `stale-if-error`, `purged` (§2.8). */
  readonly detail?: string;
}

/** The body of an answer from the cache. */
export type ServedBody =
  /** No body: HEAD, 304, or a zero-length body. */
  | { readonly kind: 'none' }
  /** The whole body, in memory (small objects): write it in one go. */
  | { readonly kind: 'buffer'; readonly data: Buffer }
  /** A body to stream (large objects, ranges of them); each call opens a new stream. */
  | { readonly kind: 'stream'; open(): Readable };

/** An answer the cache gives without the origin. */
export interface ServedResponse {
  readonly status: number;
  /** End-to-end fields to send, `Age` and `Content-Length` included; Cache-Status is not. */
  readonly headers: HeaderList;
  readonly body: ServedBody;
  /** Body bytes `body` yields (0 for `none`). */
  readonly length: number;
}

/** What the cache knows of a stored response the server is revalidating (opaque to the server). */
export interface StoredRef {
  readonly id: string;
}

/** Serve from the cache. */
export interface Hit {
  readonly kind: 'hit';
  readonly response: ServedResponse;
  readonly status: CacheStatus;
}

/** What `lookup` tells the server to do. */
export type Lookup =
  | Hit
  /**
   * Serve `response` now, then refresh in the background (RFC 5861 stale-while-revalidate):
   * send `requestHeaders` to the origin, then `revalidated` on a 304 or `admit` on anything else.
   */
  | {
      readonly kind: 'hit-and-revalidate';
      readonly response: ServedResponse;
      readonly status: CacheStatus;
      readonly requestHeaders: HeaderList;
      readonly stored: StoredRef;
    }
  /**
   * Ask the origin with `requestHeaders` (the request's own fields with the cache's validators in
   * place of the client's); on a 304 call `revalidated`, otherwise `admit` and pass the answer on.
   */
  | {
      readonly kind: 'revalidate';
      readonly requestHeaders: HeaderList;
      readonly stored: StoredRef;
      readonly status: CacheStatus;
    }
  /** Forward with `requestHeaders`, then `admit` the answer and pass it on. */
  | { readonly kind: 'miss'; readonly requestHeaders: HeaderList; readonly status: CacheStatus }
  /** `only-if-cached` and nothing usable: answer 504 (RFC 9111 §5.2.1.7). */
  | { readonly kind: 'gateway-timeout'; readonly status: CacheStatus };

/** Where the server streams an admitted origin body while passing it to the client. */
export interface BodySink {
  /** Appends bytes; false when the cache wants the caller to wait for `drained()` first. */
  write(chunk: Buffer): boolean;
  /** Resolves when the cache can take more. */
  drained(): Promise<void>;
  /** The body is complete: resolves true once it is stored (false if dropped); never rejects. */
  end(): Promise<boolean>;
  /** The body is incomplete (origin reset, lying Content-Length): nothing is stored. */
  abort(): void;
}

/** The cache the proxy server calls. Times are ms since the epoch. */
export interface ProxyCache {
  /** The key concurrent misses are coalesced on, or undefined when the request is not cacheable. */
  key(req: CacheRequest): string | undefined;
  /** What to do with a request. */
  lookup(req: CacheRequest, now: number): Promise<Lookup>;
  /**
   * The origin answered `req` (forwarded on a miss, a revalidation that did not give 304, or an
   * unsafe method): invalidates what §4.4 says, and returns a sink for the body when the answer
   * is to be stored (the server then writes every body chunk to it and ends or aborts it).
   */
  admit(req: CacheRequest, head: OriginHead): BodySink | undefined;
  /**
   * The origin answered a revalidation with 304: the stored headers are updated (§4.3.4) and the
   * answer to serve comes back as a hit; `miss` when the 304 matches nothing stored (forward
   * again without validators).
   */
  revalidated(req: CacheRequest, stored: StoredRef, head: OriginHead, now: number): Promise<Lookup>;
  /**
   * The origin failed (connection error, timeout, 5xx): a stale response allowed by
   * stale-if-error (RFC 5861 §4), or undefined.
   */
  staleIfError(req: CacheRequest, now: number, stored?: StoredRef): Promise<Hit | undefined>;
  /** Removes every stored response for `url` (the PURGE method); true when there was one. */
  purge(url: string): Promise<boolean>;
  /** Finishes writes in progress and releases files. */
  close(): Promise<void>;
}

/** What opening the proxy's cache takes. */
export interface ProxyCacheOptions {
  /** Directory for the index and large bodies (created with mode 0700). */
  readonly dir: string;
  /** `cache_size`: bytes of bodies and headers kept in all, least recently used out first. */
  readonly maxBytes: number;
  /** The cache's name in Cache-Status (default `Outpost`). */
  readonly name?: string;
  /** Obey CDN-Cache-Control over Cache-Control (RFC 9213), as a CDN edge does (default true). */
  readonly cdn?: boolean;
}

/** A structured-field string (RFC 8941 §3.3.3): printable ASCII, `"` and `\` escaped. */
function sfString(value: string): string {
  return `"${value.replace(/[^\x20-\x7e]/g, '?').replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** The Cache-Status field value for one answer (RFC 9211), e.g. `Outpost; hit; ttl=42`. */
export function formatCacheStatus(status: CacheStatus, name = 'Outpost'): string {
  const token = /^[A-Za-z*][!#$%&'*+\-.^_`|~0-9A-Za-z:/]*$/.test(name) ? name : sfString(name);
  const parts = [token];
  if (status.hit) parts.push('hit');
  if (status.fwd !== undefined) parts.push(`fwd=${status.fwd}`);
  if (status.fwdStatus !== undefined) parts.push(`fwd-status=${String(status.fwdStatus)}`);
  if (status.ttl !== undefined && Number.isFinite(status.ttl))
    parts.push(`ttl=${String(Math.trunc(status.ttl))}`);
  if (status.stored === true) parts.push('stored');
  if (status.collapsed === true) parts.push('collapsed');
  if (status.detail !== undefined) parts.push(`detail=${sfString(status.detail)}`);
  return parts.join('; ');
}

/** The request's headers minus nothing: what a cache that adds no validators forwards. */
function passThrough(req: CacheRequest): HeaderList {
  return req.headers;
}

/** A cache that stores nothing: every request is forwarded (`only-if-cached` gets 504). */
export class NoCache implements ProxyCache {
  key(): string | undefined {
    return undefined;
  }

  lookup(req: CacheRequest): Promise<Lookup> {
    const onlyIfCached = req.headers.some(
      ([k, v]) => k.toLowerCase() === 'cache-control' && /(^|,)\s*only-if-cached\s*(,|$)/i.test(v),
    );
    if (onlyIfCached)
      return Promise.resolve({ kind: 'gateway-timeout', status: { hit: false, fwd: 'miss' } });
    return Promise.resolve({
      kind: 'miss',
      requestHeaders: passThrough(req),
      status: { hit: false, fwd: 'bypass' },
    });
  }

  admit(): BodySink | undefined {
    return undefined;
  }

  revalidated(req: CacheRequest): Promise<Lookup> {
    return Promise.resolve({
      kind: 'miss',
      requestHeaders: passThrough(req),
      status: { hit: false, fwd: 'bypass' },
    });
  }

  staleIfError(): Promise<Hit | undefined> {
    return Promise.resolve(undefined);
  }

  purge(): Promise<boolean> {
    return Promise.resolve(false);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Serves a buffer as a `stream` body (for callers that only stream). */
export function streamOf(body: ServedBody): Readable {
  if (body.kind === 'none') return Readable.from([]);
  if (body.kind === 'buffer') return Readable.from([body.data]);
  return body.open();
}
