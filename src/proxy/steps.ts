/**
 * The proxy's guard steps (see chain.ts for their order): `allow` (no open proxy: clients
 * outside `allow` get 403), `framing` (ambiguous request framing gets 400 and the connection
 * closed, framing.ts), `loop` (a request that already passed through this process gets 508),
 * `methods` (CONNECT arrives through the tunnel, not here; over HTTP/2 it gets 501), `purge`
 * (the PURGE method, as Squid and Varnish take it, from `purge_allow` clients only).
 */
import { isAddressAllowed } from '../dns/index.js';
import { sendText, type HttpStep } from '../http/index.js';
import type { ProxyCache } from './cache/index.js';
import type { ProxyExchange } from './exchange.js';
import { targetOf } from './forward.js';
import { framingRefusal } from './framing.js';
import { pairsOf, viaLoops } from './headers.js';
import type { ProxyMetrics } from './metrics.js';

/** `allow`: only clients in the allow-list may use the proxy. */
export function allowStep(metrics: ProxyMetrics): HttpStep<ProxyExchange> {
  return {
    name: 'allow',
    handle: (x) => {
      if (isAddressAllowed(x.clientAddress, x.settings.allow)) return 'next';
      metrics.request('refused');
      sendText(x.res, 403, x.head, 'Forbidden: this proxy does not serve your address');
      return 'done';
    },
  };
}

/** `framing`: refuse what a proxy and its origin could read differently (request smuggling). */
export function framingStep(metrics: ProxyMetrics): HttpStep<ProxyExchange> {
  return {
    name: 'framing',
    handle: (x) => {
      const refusal = framingRefusal(x.req.rawHeaders, x.req.httpVersionMajor === 2);
      if (refusal === undefined) return 'next';
      metrics.request('refused');
      sendText(x.res, 400, x.head, refusal, { Connection: 'close' });
      return 'done';
    },
  };
}

/** `loop`: our own Via token in the request means it came round (RFC 9110 §7.6.3). */
export function loopStep(metrics: ProxyMetrics): HttpStep<ProxyExchange> {
  return {
    name: 'loop',
    handle: (x) => {
      const raw = x.req.rawHeaders;
      if (!raw.some((v, i) => i % 2 === 0 && v.toLowerCase() === 'via')) return 'next';
      if (!viaLoops(pairsOf(raw), x.settings.loopToken)) return 'next';
      metrics.request('refused');
      sendText(x.res, 508, x.head, 'Loop Detected: this request already passed through this proxy');
      return 'done';
    },
  };
}

/** `methods`: CONNECT over HTTP/2 (RFC 9113 §8.5) is not offered. */
export function methodsStep(): HttpStep<ProxyExchange> {
  return {
    name: 'methods',
    handle: (x) => {
      if (x.method !== 'CONNECT') return 'next';
      sendText(x.res, 501, x.head, 'Not Implemented: CONNECT is offered over HTTP/1.1 only');
      return 'done';
    },
  };
}

/**
 * `purge`: PURGE removes every stored response for the URL: 200 when one was there, 404 when
 * not; 403 for a client outside `purge_allow`, 405 when `purge_allow` is empty (purging off).
 */
export function purgeStep(cache: ProxyCache, metrics: ProxyMetrics): HttpStep<ProxyExchange> {
  return {
    name: 'purge',
    handle: async (x) => {
      if (x.method !== 'PURGE') return 'next';
      const allowList = x.settings.purgeAllow;
      if (allowList.length === 0) {
        sendText(x.res, 405, false, 'Method Not Allowed: purging is off', {
          Allow: 'GET, HEAD, POST, PUT, DELETE, OPTIONS',
        });
        return 'done';
      }
      if (!isAddressAllowed(x.clientAddress, allowList)) {
        metrics.request('refused');
        sendText(x.res, 403, false, 'Forbidden: PURGE is not allowed from your address');
        return 'done';
      }
      const target = targetOf(x);
      if (typeof target === 'string') {
        sendText(x.res, 400, false, target);
        return 'done';
      }
      const purged = await cache.purge(target.cacheUrl);
      metrics.request('purge');
      if (purged) sendText(x.res, 200, false, `Purged ${target.cacheUrl}`);
      else sendText(x.res, 404, false, `Not in the cache: ${target.cacheUrl}`);
      return 'done';
    },
  };
}
