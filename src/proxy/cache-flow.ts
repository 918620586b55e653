/**
 * How the `proxy` step uses the cache (src/proxy/cache/contract.ts): `lookup` says hit,
 * hit-and-revalidate (serve now, refresh in the background), revalidate, miss or
 * gateway-timeout; a forwarded answer is handed to `admit`, whose sink gets the body while the
 * client does (relay.ts); a 304 to a revalidation goes through `revalidated`; an origin failure
 * or 5xx tries `staleIfError` before 502/504. Every answer carries Cache-Status (RFC 9211) and
 * our Via. Concurrent misses of one cache key are coalesced: the first request fetches, the
 * others wait until its body is stored (or it turned out not storable, or failed) and look up
 * again, once; then they fetch on their own.
 */
import { Readable, Transform } from 'node:stream';
import type { OutgoingHttpHeaders } from 'node:http';
import { transcriptActive, type TranscriptTap } from '../core/transcript.js';
import { sendText } from '../http/index.js';
import {
  formatCacheStatus,
  type CacheRequest,
  type CacheStatus,
  type Hit,
  type Lookup,
  type OriginHead,
  type ProxyCache,
  type ServedResponse,
  type StoredRef,
} from './cache/index.js';
import type { ProxyExchange } from './exchange.js';
import { originRequestHeaders, type Forwarder } from './forward.js';
import { endToEnd, pairsOf, toOutgoing, viaEntry, type HeaderPairs } from './headers.js';
import type { OriginResponse } from './origin.js';
import { store } from './relay.js';
import type { ProxyTarget } from './target.js';
import { proxyTap } from './transcript.js';

/** A fetch other requests of the same key wait for. */
interface InFlight {
  readonly settled: Promise<void>;
  settle(): void;
}

function inFlight(): InFlight {
  let settle = (): void => undefined;
  const settled = new Promise<void>((resolve) => {
    settle = resolve;
  });
  return { settled, settle };
}

/** The proxy's use of one cache. */
export class CacheFlow {
  readonly #cache: ProxyCache;
  readonly #forwarder: Forwarder;
  readonly #name: string;
  readonly #inFlight = new Map<string, InFlight>();

  constructor(cache: ProxyCache, forwarder: Forwarder, name = 'Outpost') {
    this.#cache = cache;
    this.#forwarder = forwarder;
    this.#name = name;
  }

  get cache(): ProxyCache {
    return this.#cache;
  }

  /** Answers `x` for `target` from the cache or the origin. */
  async handle(x: ProxyExchange, target: ProxyTarget): Promise<void> {
    const tap = transcriptActive() ? proxyTap(x.clientAddress) : undefined;
    const request: CacheRequest = {
      method: x.method,
      url: target.cacheUrl,
      headers: pairsOf(x.req.rawHeaders).filter(([name]) => name.charCodeAt(0) !== 0x3a),
    };
    const key = this.#cache.key(request);
    let coalesced = false;
    let leader: InFlight | undefined;
    if (key !== undefined) {
      const running = this.#inFlight.get(key);
      if (running !== undefined) {
        tap?.('*', `${x.method} ${target.cacheUrl} waits for a fetch in flight`);
        await running.settled;
        coalesced = true;
      }
      if (!this.#inFlight.has(key)) {
        leader = inFlight();
        this.#inFlight.set(key, leader);
      }
    }
    const release = (): void => {
      if (leader === undefined || key === undefined) return;
      if (this.#inFlight.get(key) === leader) this.#inFlight.delete(key);
      leader.settle();
      leader = undefined;
    };
    try {
      const lookup = await this.#cache.lookup(request, Date.now());
      await this.#answer(x, target, request, lookup, { tap, coalesced, release });
    } finally {
      release();
    }
  }

  async #answer(
    x: ProxyExchange,
    target: ProxyTarget,
    request: CacheRequest,
    lookup: Lookup,
    ctx: { tap: TranscriptTap | undefined; coalesced: boolean; release: () => void },
  ): Promise<void> {
    const { tap } = ctx;
    const metrics = this.#forwarder.deps.metrics;
    switch (lookup.kind) {
      case 'hit': {
        const status = ctx.coalesced ? { ...lookup.status, collapsed: true } : lookup.status;
        tap?.('*', `${x.method} ${target.cacheUrl} HIT${ctx.coalesced ? ' (collapsed)' : ''}`);
        metrics.request(ctx.coalesced ? 'coalesced' : 'hit');
        this.#serve(x, lookup.response, status);
        return;
      }
      case 'gateway-timeout':
        tap?.('*', `${x.method} ${target.cacheUrl} only-if-cached, not stored → 504`);
        metrics.request('miss');
        sendText(x.res, 504, x.head, 'Gateway Timeout: not in the cache (only-if-cached)', {
          'Cache-Status': formatCacheStatus(lookup.status, this.#name),
        });
        return;
      case 'hit-and-revalidate':
        tap?.('*', `${x.method} ${target.cacheUrl} HIT (stale, revalidating in the background)`);
        metrics.request('stale');
        this.#serve(x, lookup.response, lookup.status);
        void this.#revalidateInBackground(x, target, request, lookup.requestHeaders, lookup.stored).finally(
          ctx.release,
        );
        return;
      case 'revalidate':
      case 'miss': {
        const stored = lookup.kind === 'revalidate' ? lookup.stored : undefined;
        const label = lookup.kind === 'revalidate' ? 'REVALIDATE' : 'MISS';
        tap?.('*', `${x.method} ${target.cacheUrl} ${label}`);
        await this.#forward(x, target, request, lookup.requestHeaders, lookup.status, stored, ctx);
        return;
      }
    }
  }

  /** Forwards to the origin and answers from what comes back. */
  async #forward(
    x: ProxyExchange,
    target: ProxyTarget,
    request: CacheRequest,
    requestHeaders: HeaderPairs,
    status: CacheStatus,
    stored: StoredRef | undefined,
    ctx: { tap: TranscriptTap | undefined; coalesced: boolean; release: () => void },
  ): Promise<void> {
    const { tap } = ctx;
    const metrics = this.#forwarder.deps.metrics;
    let answer: OriginResponse;
    try {
      answer = await this.#forwarder.fetch(x, target, originRequestHeaders(x, target, requestHeaders), tap);
    } catch (err) {
      if (await this.#staleIfError(x, request, stored, tap)) return;
      this.#forwarder.failed(x, err, tap);
      return;
    }
    const { response } = answer;
    const code = response.statusCode ?? 502;
    const head: OriginHead = {
      status: code,
      headers: endToEnd(pairsOf(response.rawHeaders)),
      requestTime: answer.requestTime,
      responseTime: answer.responseTime,
    };
    if (stored !== undefined && code === 304) {
      response.resume();
      const next = await this.#cache.revalidated(request, stored, head, Date.now());
      if (next.kind === 'hit') {
        tap?.('*', 'REVALIDATED (304 from the origin)');
        metrics.request('revalidated');
        this.#serve(x, next.response, next.status);
        return;
      }
      // The 304 matched nothing stored: ask again without validators.
      await this.#answer(x, target, request, next, { ...ctx, coalesced: false });
      return;
    }
    if (code >= 500 && (await this.#staleIfError(x, request, stored, tap))) {
      response.resume();
      return;
    }
    const sink = this.#cache.admit(request, head);
    if (sink === undefined) ctx.release();
    metrics.request(sink === undefined && status.fwd === 'bypass' ? 'pass' : 'miss');
    tap?.('*', sink === undefined ? 'not stored' : 'storing');
    const cacheStatus: CacheStatus = { ...status, fwdStatus: code, stored: sink !== undefined };
    const result = await this.#forwarder.relay(x, answer, {
      extra: [['Cache-Status', formatCacheStatus(cacheStatus, this.#name)]],
      sink,
      resume: (offset) => this.#resume(request, offset),
      tap,
    });
    if (sink !== undefined) tap?.('*', result.stored ? 'stored' : 'not stored (incomplete or refused)');
  }

  /** Serves a stale response when the cache allows it (RFC 5861 stale-if-error). */
  async #staleIfError(
    x: ProxyExchange,
    request: CacheRequest,
    stored: StoredRef | undefined,
    tap: TranscriptTap | undefined,
  ): Promise<boolean> {
    let stale: Hit | undefined;
    try {
      stale = await this.#cache.staleIfError(request, Date.now(), stored);
    } catch {
      stale = undefined;
    }
    if (stale === undefined || x.res.headersSent) return false;
    tap?.('*', 'STALE (stale-if-error: the origin failed)');
    this.#forwarder.deps.metrics.request('stale');
    this.#serve(x, stale.response, stale.status);
    return true;
  }

  /** Refreshes a stored response without a client waiting (stale-while-revalidate). */
  async #revalidateInBackground(
    x: ProxyExchange,
    target: ProxyTarget,
    request: CacheRequest,
    requestHeaders: HeaderPairs,
    stored: StoredRef,
  ): Promise<void> {
    const background: ProxyExchange = { ...x, method: 'GET', head: false };
    let answer: OriginResponse;
    try {
      answer = await this.#forwarder.fetch(
        background,
        target,
        originRequestHeaders(x, target, requestHeaders),
        undefined,
        { body: false },
      );
    } catch {
      return;
    }
    const { response } = answer;
    const head: OriginHead = {
      status: response.statusCode ?? 502,
      headers: endToEnd(pairsOf(response.rawHeaders)),
      requestTime: answer.requestTime,
      responseTime: answer.responseTime,
    };
    if (head.status === 304) {
      response.resume();
      await this.#cache.revalidated(request, stored, head, Date.now());
      return;
    }
    const sink = this.#cache.admit(request, head);
    if (sink === undefined) {
      response.resume();
      return;
    }
    await store(response, sink);
  }

  /** The stored copy's body from `offset` on, for a client that fell behind during the fetch. */
  async #resume(request: CacheRequest, offset: number): Promise<Readable | undefined> {
    const again = await this.#cache.lookup({ ...request, method: 'GET' }, Date.now());
    if (again.kind !== 'hit') return undefined;
    const body = again.response.body;
    if (body.kind === 'none') return undefined;
    if (body.kind === 'buffer') return Readable.from([body.data.subarray(offset)]);
    return body.open().pipe(skip(offset));
  }

  /** Writes a response the cache gives. */
  #serve(x: ProxyExchange, served: ServedResponse, status: CacheStatus): void {
    const pairs: [string, string][] = served.headers.map(([n, v]) => [n, v]);
    pairs.push(['Via', viaEntry('1.1', x.settings.pseudonym)]);
    pairs.push(['Cache-Status', formatCacheStatus(status, this.#name)]);
    const headers: OutgoingHttpHeaders = toOutgoing(endToEnd(pairs));
    const { res } = x;
    res.writeHead(served.status, headers);
    const body = served.body;
    if (body.kind === 'none' || x.head) {
      res.end();
      return;
    }
    if (body.kind === 'buffer') {
      res.end(body.data);
      return;
    }
    const stream = body.open();
    stream.on('error', () => res.destroy());
    res.once('close', () => stream.destroy());
    stream.pipe(res);
  }
}

/** Drops the first `offset` octets of a stream. */
function skip(offset: number): Transform {
  let left = offset;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (left >= chunk.length) {
        left -= chunk.length;
        callback();
        return;
      }
      const rest = left > 0 ? chunk.subarray(left) : chunk;
      left = 0;
      callback(null, rest);
    },
  });
}
