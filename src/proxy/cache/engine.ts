/**
 * The caching proxy's cache (the `ProxyCache` contract) over an ObjectStore: RFC 9111 for a shared
 * cache through the rules in src/http/cache/ (storable, reuse, Vary, 304 update, stale-if-error),
 * CDN-Cache-Control when configured as a CDN (RFC 9213), invalidation by unsafe methods (§4.4),
 * HEAD from a stored GET, and RFC 9211 Cache-Status for every answer. Decisions here; bytes in
 * store.ts; answers in serve.ts.
 */
import {
  currentAge,
  isStorable,
  responseDirectives,
  reuse,
  staleIfErrorAllowed,
  SURROGATE_CAPABILITY,
  storedHeaders,
  updatedHeaders,
  varyKey,
  varyMatches,
  type HeaderSource,
  type TimedResponse,
} from '../../http/index.js';
import type {
  BodySink,
  CacheRequest,
  CacheStatus,
  HeaderList,
  Hit,
  Lookup,
  OriginHead,
  ProxyCache,
  ProxyCacheOptions,
  StoredRef,
} from './contract.js';
import { serve } from './serve.js';
import { ObjectStore, type StoredObject } from './store.js';

/** Methods that never invalidate (RFC 9110 §9.2.1 safe methods). */
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);
/** Request fields the cache replaces with its own validators when it revalidates. */
const CLIENT_CONDITIONALS = new Set([
  'if-none-match',
  'if-modified-since',
  'if-match',
  'if-unmodified-since',
  'if-range',
  'range',
]);

/** Case-insensitive lookup over header pairs (several lines joined with ", "). */
export function headerSource(headers: HeaderList): HeaderSource {
  return {
    get(name: string): string | null {
      const lower = name.toLowerCase();
      let out: string | null = null;
      for (const [k, v] of headers) {
        if (k.toLowerCase() !== lower) continue;
        out = out === null ? v : `${out}, ${v}`;
      }
      return out;
    },
  };
}

/** The value of a Content-Length that is one non-negative integer, else undefined. */
function contentLength(headers: HeaderSource): number | undefined {
  const v = headers.get('content-length');
  if (v === null || !/^\d{1,15}$/.test(v.trim())) return undefined;
  return Number(v.trim());
}

/** The ProxyCache the proxy server runs. */
export class CacheEngine implements ProxyCache {
  readonly store: ObjectStore;
  private readonly cdn: boolean;

  private constructor(store: ObjectStore, cdn: boolean) {
    this.store = store;
    this.cdn = cdn;
  }

  /** Opens the cache in `options.dir`. */
  static async open(options: ProxyCacheOptions): Promise<CacheEngine> {
    return new CacheEngine(await ObjectStore.open(options.dir, options.maxBytes), options.cdn ?? true);
  }

  key(req: CacheRequest): string | undefined {
    return req.method === 'GET' || req.method === 'HEAD' ? req.url : undefined;
  }

  private timed(object: StoredObject): TimedResponse & { headers: HeaderSource } {
    const headers = headerSource(object.meta.headers);
    return {
      status: object.meta.status,
      headers,
      requestTime: object.meta.requestTime,
      responseTime: object.meta.responseTime,
      directives: responseDirectives(headers, this.cdn),
    };
  }

  /** The stored variants that may answer `request` (Vary), most recent first. */
  private candidates(url: string, request: HeaderSource): StoredObject[] {
    return this.store
      .variants(url)
      .filter((o) => varyMatches(headerSource(o.meta.headers).get('vary'), o.meta.vary, request));
  }

  private async answer(
    object: StoredObject,
    req: CacheRequest,
    request: HeaderSource,
    now: number,
    status: CacheStatus,
  ): Promise<Hit> {
    this.store.touch(object);
    await this.store.loadMemory(object);
    const timed = this.timed(object);
    const response = serve(this.store, object, {
      method: req.method,
      request,
      stored: timed.headers,
      age: currentAge(timed, now),
    });
    return { kind: 'hit', response, status };
  }

  /** The request's own fields with the stored response's validators in place of the client's. */
  private conditional(req: CacheRequest, object: StoredObject): HeaderList {
    const stored = headerSource(object.meta.headers);
    const out = req.headers.filter(([k]) => !CLIENT_CONDITIONALS.has(k.toLowerCase()));
    const etag = stored.get('etag');
    const lastModified = stored.get('last-modified');
    if (etag !== null) out.push(['If-None-Match', /^(W\/)?"/i.test(etag) ? etag : `"${etag}"`]);
    if (lastModified !== null) out.push(['If-Modified-Since', lastModified]);
    return out;
  }

  /** The request's fields to forward, announcing Surrogate-Capability as a CDN cache. */
  private forwarded(headers: HeaderList): HeaderList {
    if (!this.cdn) return headers;
    return [
      ...headers.filter(([k]) => k.toLowerCase() !== 'surrogate-capability'),
      ['Surrogate-Capability', SURROGATE_CAPABILITY],
    ];
  }

  async lookup(req: CacheRequest, now: number): Promise<Lookup> {
    const lookup = await this.decide(req, now);
    if (lookup.kind === 'miss' || lookup.kind === 'revalidate' || lookup.kind === 'hit-and-revalidate')
      return { ...lookup, requestHeaders: this.forwarded(lookup.requestHeaders) };
    return lookup;
  }

  private async decide(req: CacheRequest, now: number): Promise<Lookup> {
    const request = headerSource(req.headers);
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return { kind: 'miss', requestHeaders: req.headers, status: { hit: false, fwd: 'method' } };
    const reqcc = request.get('cache-control')?.toLowerCase() ?? '';
    const onlyIfCached = /(^|,)\s*only-if-cached\s*(,|$)/.test(reqcc);
    if (/(^|,)\s*no-store\s*(,|$)/.test(reqcc) && !onlyIfCached)
      return { kind: 'miss', requestHeaders: req.headers, status: { hit: false, fwd: 'request' } };
    const all = this.store.variants(req.url);
    const [object] = this.candidates(req.url, request);
    if (object === undefined) {
      const fwd = all.length === 0 ? 'uri-miss' : 'vary-miss';
      if (onlyIfCached) return { kind: 'gateway-timeout', status: { hit: false, fwd } };
      return { kind: 'miss', requestHeaders: req.headers, status: { hit: false, fwd } };
    }
    const decision = reuse(this.timed(object), request, now, true);
    const ttl = decision.ttl;
    switch (decision.kind) {
      case 'fresh':
      case 'stale-ok':
        return this.answer(object, req, request, now, { hit: true, ttl });
      case 'stale-while-revalidate': {
        const hit = await this.answer(object, req, request, now, {
          hit: true,
          ttl,
          detail: 'stale-while-revalidate',
        });
        return {
          kind: 'hit-and-revalidate',
          response: hit.response,
          status: hit.status,
          requestHeaders: this.conditional(req, object),
          stored: { id: object.id },
        };
      }
      case 'revalidate': {
        if (onlyIfCached) return { kind: 'gateway-timeout', status: { hit: false, fwd: 'stale', ttl } };
        const fwd = decision.why === 'request' ? 'request' : 'stale';
        const stored = headerSource(object.meta.headers);
        if (stored.get('etag') === null && stored.get('last-modified') === null)
          return { kind: 'miss', requestHeaders: req.headers, status: { hit: false, fwd, ttl } };
        return {
          kind: 'revalidate',
          requestHeaders: this.conditional(req, object),
          stored: { id: object.id },
          status: { hit: false, fwd, ttl },
        };
      }
    }
  }

  admit(req: CacheRequest, head: OriginHead): BodySink | undefined {
    if (!SAFE.has(req.method)) {
      if (head.status >= 200 && head.status < 400) this.invalidate(req.url, headerSource(head.headers));
      return undefined;
    }
    if (req.method !== 'GET') return undefined;
    const request = headerSource(req.headers);
    const response = headerSource(head.headers);
    const directives = responseDirectives(response, this.cdn);
    if (
      !isStorable(
        { method: req.method, headers: request },
        { status: head.status, headers: response, directives },
        true,
      )
    )
      return undefined;
    const vary = response.get('vary');
    if (vary !== null && vary.split(',').some((n) => n.trim() === '*')) return undefined;
    const writer = this.store.begin(
      {
        url: req.url,
        status: head.status,
        headers: storedHeaders(head.headers, directives, true),
        requestTime: head.requestTime,
        responseTime: head.responseTime,
        vary: varyKey(vary, request),
      },
      // A new response replaces every stored one this request would have selected.
      (old) => varyMatches(headerSource(old.meta.headers).get('vary'), old.meta.vary, request),
      contentLength(response),
    );
    return writer;
  }

  /** §4.4: an unsafe method's success invalidates its URL and same-origin Location/Content-Location. */
  private invalidate(url: string, response: HeaderSource): void {
    this.store.removeUrl(url);
    let origin: string;
    try {
      origin = new URL(url).origin;
    } catch {
      return;
    }
    for (const name of ['location', 'content-location']) {
      const value = response.get(name);
      if (value === null) continue;
      try {
        const target = new URL(value, url);
        if (target.origin === origin) this.store.removeUrl(target.href);
      } catch {
        // not a URL: nothing to invalidate
      }
    }
  }

  async revalidated(req: CacheRequest, stored: StoredRef, head: OriginHead, now: number): Promise<Lookup> {
    const object = this.store.get(stored.id);
    const update = headerSource(head.headers);
    const forward: Lookup = {
      kind: 'miss',
      requestHeaders: req.headers,
      status: { hit: false, fwd: 'stale', fwdStatus: head.status },
    };
    if (object === undefined) return forward;
    // A 304 that names another ETag still refreshes the stored response's fields (never its
    // ETag): http-cache-tests requires the update, and asking the origin again would repeat the
    // request it just answered.
    const directives = responseDirectives(update, this.cdn);
    this.store.updateMeta(object, {
      ...object.meta,
      headers: updatedHeaders(object.meta.headers, head.headers, directives, true),
      requestTime: head.requestTime,
      responseTime: head.responseTime,
    });
    const timed = this.timed(object);
    const ttl = reuse(timed, headerSource([]), now, true).ttl;
    return this.answer(object, req, headerSource(req.headers), now, {
      hit: false,
      fwd: 'stale',
      fwdStatus: 304,
      ttl,
    });
  }

  async staleIfError(req: CacheRequest, now: number, stored?: StoredRef): Promise<Hit | undefined> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return undefined;
    const request = headerSource(req.headers);
    const object =
      (stored === undefined ? undefined : this.store.get(stored.id)) ?? this.candidates(req.url, request)[0];
    if (object === undefined) return undefined;
    const timed = this.timed(object);
    if (!staleIfErrorAllowed(timed, request, now, true)) return undefined;
    const ttl = reuse(timed, headerSource([]), now, true).ttl;
    return this.answer(object, req, request, now, {
      hit: false,
      fwd: 'stale',
      ttl,
      detail: 'stale-if-error',
    });
  }

  purge(url: string): Promise<boolean> {
    return Promise.resolve(this.store.removeUrl(url));
  }

  async close(): Promise<void> {
    await this.store.flush();
  }
}
