/**
 * The caching proxy's metrics on the suite's registry: requests by how the cache answered
 * (`hit`, `miss`, `revalidated`, `stale`, `pass`, `coalesced`, `purge`, `refused`, `error`),
 * origin fetches by outcome (`ok`, `error`), CONNECT tunnels by result, and bytes sent to
 * clients. Counts live in plain numbers and are read at scrape time (ScrapedCounter), so a
 * second proxy on the same registry adds its own.
 */
import type { Registry } from 'prom-client';
import { ScrapedCounter, type ServiceMetrics } from '../core/metrics.js';

/** How a request was answered. */
export const PROXY_RESULTS = [
  'hit',
  'miss',
  'revalidated',
  'stale',
  'pass',
  'coalesced',
  'purge',
  'refused',
  'error',
] as const;
export type ProxyResult = (typeof PROXY_RESULTS)[number];

/** How an origin fetch or a tunnel ended. */
const OUTCOMES = ['ok', 'error'] as const;
type Outcome = (typeof OUTCOMES)[number];

interface Counters {
  readonly requests: ScrapedCounter<'result'>;
  readonly fetches: ScrapedCounter<'outcome'>;
  readonly tunnels: ScrapedCounter<'outcome'>;
}

const byRegistry = new WeakMap<Registry, Counters>();

/** The counters of one registry, created on first use. */
function countersOf(registry: Registry): Counters {
  let counters = byRegistry.get(registry);
  if (counters === undefined) {
    counters = {
      requests: new ScrapedCounter({
        name: 'outpost_proxy_requests_total',
        help: 'Requests the caching proxy answered, by how (hit, miss, revalidated, stale, pass, coalesced, purge, refused, error)',
        labelNames: ['result'],
        registry,
      }),
      fetches: new ScrapedCounter({
        name: 'outpost_proxy_origin_fetches_total',
        help: 'Requests the caching proxy sent to origins, by outcome (ok: a response head arrived)',
        labelNames: ['outcome'],
        registry,
      }),
      tunnels: new ScrapedCounter({
        name: 'outpost_proxy_tunnels_total',
        help: 'CONNECT tunnels, by outcome (ok: the target connected)',
        labelNames: ['outcome'],
        registry,
      }),
    };
    byRegistry.set(registry, counters);
  }
  return counters;
}

/** One proxy's counts. */
export class ProxyMetrics {
  readonly #results = new Float64Array(PROXY_RESULTS.length);
  readonly #fetches = new Float64Array(OUTCOMES.length);
  readonly #tunnels = new Float64Array(OUTCOMES.length);

  constructor(metrics: ServiceMetrics | undefined) {
    if (metrics === undefined) return;
    const counters = countersOf(metrics.registry);
    counters.requests.addSource((add) => {
      PROXY_RESULTS.forEach((result, i) => {
        const n = this.#results[i] ?? 0;
        if (n > 0) add({ result }, n);
      });
    });
    counters.fetches.addSource((add) => {
      OUTCOMES.forEach((outcome, i) => {
        const n = this.#fetches[i] ?? 0;
        if (n > 0) add({ outcome }, n);
      });
    });
    counters.tunnels.addSource((add) => {
      OUTCOMES.forEach((outcome, i) => {
        const n = this.#tunnels[i] ?? 0;
        if (n > 0) add({ outcome }, n);
      });
    });
  }

  request(result: ProxyResult): void {
    const i = PROXY_RESULTS.indexOf(result);
    this.#results[i] = (this.#results[i] ?? 0) + 1;
  }

  fetch(outcome: Outcome): void {
    const i = OUTCOMES.indexOf(outcome);
    this.#fetches[i] = (this.#fetches[i] ?? 0) + 1;
  }

  tunnel(outcome: Outcome): void {
    const i = OUTCOMES.indexOf(outcome);
    this.#tunnels[i] = (this.#tunnels[i] ?? 0) + 1;
  }

  /** Requests answered with `result` so far (tests). */
  count(result: ProxyResult): number {
    return this.#results[PROXY_RESULTS.indexOf(result)] ?? 0;
  }

  /** Origin fetches that got a response head (tests). */
  get originFetches(): number {
    return this.#fetches[0] ?? 0;
  }
}
