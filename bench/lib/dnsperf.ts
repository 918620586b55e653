/**
 * The dnsperf adapter (Debian package `dnsperf`, DNS-OARC): builds its command line and parses
 * the "Statistics" block it prints at the end. Any DNS benchmark (authoritative, resolver) drives
 * its load through here.
 */
import { runLoad } from './load.js';
import { requireCommand } from './tools.js';

/** How hard dnsperf pushes. */
export interface DnsperfOptions {
  readonly host: string;
  readonly port: number;
  /** The query file: one `name TYPE` per line. */
  readonly queryFile: string;
  readonly durationS: number;
  /** Client sockets (`-c`). */
  readonly clients: number;
  /** Worker threads (`-T`). */
  readonly threads: number;
  /** Maximum queries in flight (`-q`). */
  readonly outstanding: number;
  /** Raw flags that replace `-c`/`-T`/`-q` when given (e.g. from `--load-args`). */
  readonly loadArgs?: readonly string[];
  /** Core to pin dnsperf to. */
  readonly core?: number;
}

/** What one dnsperf run measured. */
export interface DnsperfResult {
  readonly qps: number;
  readonly sent: number;
  readonly completed: number;
  readonly lost: number;
  /** Response code name -> count, e.g. { NOERROR: 900, NXDOMAIN: 100 }. */
  readonly rcodes: Readonly<Record<string, number>>;
  readonly avgLatencyMs: number;
}

/** dnsperf's argument list for `options`. */
export function dnsperfArgs(o: DnsperfOptions): string[] {
  return [
    ...['-s', o.host, '-p', String(o.port), '-d', o.queryFile, '-l', String(o.durationS)],
    ...(o.loadArgs ?? ['-c', String(o.clients), '-T', String(o.threads), '-q', String(o.outstanding)]),
  ];
}

function numberAfter(text: string, label: string): number {
  const m = new RegExp(`${label}:\\s+([0-9.]+)`).exec(text);
  if (m?.[1] === undefined) throw new Error(`dnsperf output has no "${label}"`);
  return Number(m[1]);
}

/** Parse dnsperf's final statistics block. Throws when the block is missing. */
export function parseDnsperf(output: string): DnsperfResult {
  const rcodes: Record<string, number> = {};
  const line = /Response codes:\s+(.*)/.exec(output)?.[1] ?? '';
  for (const m of line.matchAll(/([A-Z]+) (\d+) \(/g)) {
    if (m[1] !== undefined && m[2] !== undefined) rcodes[m[1]] = Number(m[2]);
  }
  return {
    qps: numberAfter(output, 'Queries per second'),
    sent: numberAfter(output, 'Queries sent'),
    completed: numberAfter(output, 'Queries completed'),
    lost: numberAfter(output, 'Queries lost'),
    rcodes,
    avgLatencyMs: numberAfter(output, String.raw`Average Latency \(s\)`) * 1000,
  };
}

/** Run dnsperf once and return its parsed statistics. */
export async function runDnsperf(options: DnsperfOptions): Promise<DnsperfResult> {
  const out = await runLoad({
    command: requireCommand('dnsperf'),
    args: dnsperfArgs(options),
    timeoutMs: (options.durationS + 30) * 1000,
    ...(options.core === undefined ? {} : { core: options.core }),
  });
  return parseDnsperf(out.stdout);
}
