/**
 * The proxy listener's handler chain, declared here and nowhere else (see
 * src/http/chain/chain.ts): header limits (431), the client allow-list (403), request framing
 * (400), forwarding loops (508), methods (CONNECT over HTTP/2: 501), PURGE, then the `proxy`
 * step that answers from the cache or the origin.
 */
import { headerLimitsStep, type HttpChain } from '../http/index.js';
import type { ProxyExchange } from './exchange.js';
import type { CacheFlow } from './cache-flow.js';
import type { ProxyMetrics } from './metrics.js';
import { proxyStep } from './proxy-step.js';
import { allowStep, framingStep, loopStep, methodsStep, purgeStep } from './steps.js';

/** What the proxy chain works with. */
export interface ProxyChainOptions {
  readonly flow: CacheFlow;
  readonly metrics: ProxyMetrics;
  readonly maxHeaderBytes: number;
}

/** The proxy listener's chain. */
export function proxyChain(options: ProxyChainOptions): HttpChain<ProxyExchange> {
  const { metrics } = options;
  return [
    headerLimitsStep(options.maxHeaderBytes),
    allowStep(metrics),
    framingStep(metrics),
    loopStep(metrics),
    methodsStep(),
    purgeStep(options.flow.cache, metrics),
    proxyStep(options.flow),
  ];
}
