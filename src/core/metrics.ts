/**
 * Metrics with prom-client on a per-instance Registry (never the global one), so two servers in
 * one process, or one test after another, never share or collide on counters. The metrics every
 * protocol shares (connections, commands, logins, messages) are created once per registry by
 * `createMetrics`; the admin listener exposes `registry.metrics()`. Names follow the Prometheus
 * conventions: `outpost_` prefix, `_total` on counters, base units. Every label value comes from
 * a bounded set (a command table, a listener address from the config, a reply class), never
 * from raw client input. docs/observability.md lists them all. The suite creates the set once and
 * hands it to every service in its context; an embedder gives each server the same set.
 */
import { Counter, Gauge, Registry } from 'prom-client';

/** The metrics every service records, labelled by protocol. */
export interface ServiceMetrics {
  readonly registry: Registry;
  /** Connections accepted, by protocol and listener (`host:port`). */
  readonly connectionsTotal: Counter<'protocol' | 'listener'>;
  /** Connections open now, by protocol and listener. */
  readonly connectionsCurrent: Gauge<'protocol' | 'listener'>;
  readonly connectionsRefused: Counter<'protocol' | 'reason'>;
  /** Commands by verb (from the protocol's command table, else `unknown`) and reply class. */
  readonly commandsTotal: Counter<'protocol' | 'verb' | 'class'>;
  /** Logins by result: `success`, `failure` or `throttled`. */
  readonly authTotal: Counter<'protocol' | 'result'>;
  /** Messages received over SMTP: `accepted` (2xx at the end of DATA/BDAT) or `rejected`. */
  readonly messagesTotal: Counter<'result'>;
  /** Recipient deliveries: route `local` or `remote`; result `delivered`, `deferred` or `bounced`. */
  readonly deliveriesTotal: Counter<'route' | 'result'>;
  /** Octets moved over FTP data connections, by direction (`sent`, `received`). */
  readonly ftpDataBytes: Counter<'direction'>;
  /** DNS queries answered, by transport, query type and rcode: every DNS server on the set adds
   *  its own counts (kept in a flat array on its hot path) as a source read at scrape. */
  readonly dnsQueries: ScrapedCounter<'transport' | 'type' | 'rcode'>;
}

/**
 * The standard metric set on `registry` (a fresh registry when absent). Create it once per
 * registry and give it to every server that reports there: prom-client refuses a second metric
 * of the same name on one registry.
 */
export function createMetrics(registry: Registry = new Registry()): ServiceMetrics {
  const registers = [registry];
  const metrics: ServiceMetrics = {
    registry,
    connectionsTotal: new Counter({
      name: 'outpost_connections_total',
      help: 'Connections accepted, by protocol and listener',
      labelNames: ['protocol', 'listener'],
      registers,
    }),
    connectionsCurrent: new Gauge({
      name: 'outpost_connections_current',
      help: 'Connections open now, by protocol and listener',
      labelNames: ['protocol', 'listener'],
      registers,
    }),
    connectionsRefused: new Counter({
      name: 'outpost_connections_refused_total',
      help: 'Connections refused by limits',
      labelNames: ['protocol', 'reason'],
      registers,
    }),
    commandsTotal: new Counter({
      name: 'outpost_commands_total',
      help: 'Commands received, by verb and reply class',
      labelNames: ['protocol', 'verb', 'class'],
      registers,
    }),
    authTotal: new Counter({
      name: 'outpost_auth_attempts_total',
      help: 'Login attempts, by result (success, failure, throttled)',
      labelNames: ['protocol', 'result'],
      registers,
    }),
    messagesTotal: new Counter({
      name: 'outpost_messages_total',
      help: 'Messages received over SMTP, by result (accepted, rejected)',
      labelNames: ['result'],
      registers,
    }),
    deliveriesTotal: new Counter({
      name: 'outpost_deliveries_total',
      help: 'Deliveries per recipient, by route (local, remote) and result (delivered, deferred, bounced)',
      labelNames: ['route', 'result'],
      registers,
    }),
    ftpDataBytes: new Counter({
      name: 'outpost_ftp_data_bytes_total',
      help: 'Octets moved over FTP data connections, by direction (sent, received)',
      labelNames: ['direction'],
      registers,
    }),
    dnsQueries: new ScrapedCounter({
      name: 'outpost_dns_queries_total',
      help: 'DNS queries answered, by transport, query type and response code (rcode none: no reply)',
      labelNames: ['transport', 'type', 'rcode'],
      registry,
    }),
  };
  return metrics;
}

/** Adds counts to a `ScrapedCounter` at scrape time: `add(labels, n)` once per label set. */
export type CountSource<T extends string> = (add: (labels: Record<T, string>, n: number) => void) => void;

/**
 * A counter whose counts live elsewhere (a hot path's plain array) and are read when Prometheus
 * scrapes: its value is the sum over every source added, so several servers can report into one
 * metric. Sources stay for the registry's lifetime (a counter must not go down when a server stops).
 */
export class ScrapedCounter<T extends string> {
  readonly #sources = new Set<CountSource<T>>();

  constructor(config: { name: string; help: string; labelNames: readonly T[]; registry: Registry }) {
    const sources = this.#sources;
    new Counter<T>({
      name: config.name,
      help: config.help,
      labelNames: config.labelNames,
      registers: [config.registry],
      collect() {
        this.reset();
        for (const source of sources) {
          source((labels, n) => {
            this.inc(labels as Partial<Record<T, string>>, n);
          });
        }
      },
    });
  }

  /** Adds a source of counts, read at every scrape from now on. */
  addSource(source: CountSource<T>): void {
    this.#sources.add(source);
  }
}

/** `2xx`-style metric label of a three-digit reply code (SMTP, FTP, HTTP). */
export function replyClassLabel(code: number): string {
  return `${String(Math.floor(code / 100))}xx`;
}

/**
 * Counts one protocol's commands by verb and reply class. Verbs outside the protocol's command
 * table are counted as `unknown`, so a client cannot grow the label set.
 */
export class CommandMeter {
  readonly #counter: Counter<'protocol' | 'verb' | 'class'>;
  readonly #protocol: string;
  readonly #verbs: ReadonlySet<string>;

  constructor(metrics: ServiceMetrics, protocol: string, verbs: Iterable<string>) {
    this.#counter = metrics.commandsTotal;
    this.#protocol = protocol;
    this.#verbs = new Set(verbs);
  }

  /** Records one command; `verb` is the upper-cased verb as the client sent it. */
  count(verb: string, cls: string): void {
    this.#counter.inc({
      protocol: this.#protocol,
      verb: this.#verbs.has(verb) ? verb : 'unknown',
      class: cls,
    });
  }
}

/**
 * A Prometheus histogram for hot paths (tens of thousands of observations a second): observing
 * is a bucket search and three array increments, with no label hashing or allocation, and
 * prom-client reads the arrays only when Prometheus scrapes. Its one label takes the values
 * given at construction, addressed by index.
 */
export class FastHistogram {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly #label: string;
  readonly #values: readonly string[];
  readonly #bounds: readonly number[];
  /** Per label value: one count per bound and +Inf (not cumulative). */
  readonly #buckets: Float64Array;
  readonly #sums: Float64Array;
  readonly #counts: Float64Array;

  constructor(config: {
    name: string;
    help: string;
    label: string;
    values: readonly string[];
    /** Upper bounds, ascending. */
    buckets: readonly number[];
    registry: Registry;
  }) {
    this.name = config.name;
    this.help = config.help;
    this.#label = config.label;
    this.#values = config.values;
    this.#bounds = config.buckets;
    this.#buckets = new Float64Array(config.values.length * (config.buckets.length + 1));
    this.#sums = new Float64Array(config.values.length);
    this.#counts = new Float64Array(config.values.length);
    // prom-client's Registry takes any object with its Metric shape (name, get, reset).
    config.registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  /** Records `value` under the label value at `index` (as given to the constructor). */
  observe(index: number, value: number): void {
    const bounds = this.#bounds;
    let b = 0;
    while (b < bounds.length && value > (bounds[b] ?? Infinity)) b++;
    const slot = index * (bounds.length + 1) + b;
    this.#buckets[slot] = (this.#buckets[slot] ?? 0) + 1;
    this.#sums[index] = (this.#sums[index] ?? 0) + value;
    this.#counts[index] = (this.#counts[index] ?? 0) + 1;
  }

  /** Zeroes every count (prom-client's `registry.resetMetrics()`). */
  reset(): void {
    this.#buckets.fill(0);
    this.#sums.fill(0);
    this.#counts.fill(0);
  }

  /** The metric in prom-client's exposition shape: cumulative buckets, sum and count per label value. */
  get(): Promise<{
    name: string;
    help: string;
    type: string;
    aggregator: string;
    values: { labels: Record<string, string | number>; value: number; metricName: string }[];
  }> {
    const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
    const width = this.#bounds.length + 1;
    this.#values.forEach((labelValue, i) => {
      const count = this.#counts[i] ?? 0;
      if (count === 0) return;
      let cumulative = 0;
      for (let b = 0; b < width; b++) {
        cumulative += this.#buckets[i * width + b] ?? 0;
        values.push({
          labels: {
            [this.#label]: labelValue,
            le: b < this.#bounds.length ? (this.#bounds[b] ?? 0) : '+Inf',
          },
          value: cumulative,
          metricName: `${this.name}_bucket`,
        });
      }
      const labels = { [this.#label]: labelValue };
      values.push({ labels, value: this.#sums[i] ?? 0, metricName: `${this.name}_sum` });
      values.push({ labels, value: count, metricName: `${this.name}_count` });
    });
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values,
    });
  }
}
