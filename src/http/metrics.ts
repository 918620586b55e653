/**
 * HTTP metrics on the suite's prom-client Registry: requests by status code and response bytes.
 * The request path only bumps plain numbers; prom-client reads them at scrape time through
 * `collect()`, so counting costs nothing measurable at 50k requests a second.
 */
import { Counter, type Registry } from 'prom-client';

/** Counts kept by the handler. */
export class HttpMetrics {
  readonly #byStatus = new Map<number, number>();
  #bytes = 0;

  constructor(registry: Registry | undefined) {
    if (registry === undefined) return;
    const byStatus = this.#byStatus;
    const bytes = (): number => this.#bytes;
    if (registry.getSingleMetric('outpost_http_requests_total') !== undefined) return;
    new Counter({
      name: 'outpost_http_requests_total',
      help: 'HTTP requests answered, by status code',
      labelNames: ['code'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [code, n] of byStatus) this.inc({ code: String(code) }, n);
      },
    });
    new Counter({
      name: 'outpost_http_response_bytes_total',
      help: 'HTTP response body bytes sent',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(bytes());
      },
    });
  }

  /** Records one answered request. */
  record(status: number, bytes: number): void {
    this.#byStatus.set(status, (this.#byStatus.get(status) ?? 0) + 1);
    this.#bytes += bytes;
  }

  /** Body bytes sent so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Requests answered with `status` so far. */
  count(status: number): number {
    return this.#byStatus.get(status) ?? 0;
  }
}
