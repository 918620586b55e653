/**
 * DNS query metrics: `outpost_dns_queries_total{transport, type, rcode}`. The server answers tens
 * of thousands of queries a second, so counting one costs an array increment: the query type is
 * read from the question's fixed offset after the name (a few label-length hops, no decoding),
 * the rcode from the reply's header, and the count goes into a flat Float64Array indexed by
 * (transport, type, rcode). prom-client reads the array only when Prometheus scrapes: each
 * server's array is a source of the metric set's `dnsQueries`, so every server on a registry
 * reports. Types outside RRType count as `other`, so clients cannot grow the label set.
 */
import type { CountSource } from '../../core/metrics.js';
import { RRType, rcodeToString } from '../constants.js';

const TRANSPORTS = ['udp', 'tcp'] as const;
/** Label of a type index; index 0 is `other`. */
const TYPE_NAMES: readonly string[] = ['other', ...Object.keys(RRType)];
/** Type code -> index in TYPE_NAMES (0: other). */
const TYPE_INDEX = new Uint8Array(65_536);
Object.values(RRType).forEach((code, i) => {
  TYPE_INDEX[code] = i + 1;
});
/** 16 rcodes of the header's 4 bits, then `none` for a query that got no reply. */
const RCODES = 17;
const NO_REPLY = 16;
const RCODE_NAMES: readonly string[] = Array.from({ length: RCODES }, (_, i) =>
  i === NO_REPLY ? 'none' : rcodeToString(i),
);
const PER_TRANSPORT = TYPE_NAMES.length * RCODES;

/** The type of a query packet's first question, as an index into TYPE_NAMES (0 when unreadable). */
function typeIndex(packet: Uint8Array): number {
  if (packet.length < 12 || (packet[4] === 0 && packet[5] === 0)) return 0;
  let i = 12;
  for (let len = packet[i] ?? 0; len !== 0; len = packet[i] ?? 0) {
    // A compression pointer in a question name is legal but unseen in practice: `other`.
    if (len >= 0x40) return 0;
    i += len + 1;
    if (i >= packet.length) return 0;
  }
  if (i + 2 >= packet.length) return 0;
  return TYPE_INDEX[((packet[i + 1] ?? 0) << 8) | (packet[i + 2] ?? 0)] ?? 0;
}

/** Query counts of one DNS server. */
export class DnsQueryMetrics {
  readonly #counts = new Float64Array(TRANSPORTS.length * PER_TRANSPORT);

  /** Counts one query and its reply (undefined: none sent). `tcp` selects the transport. */
  count(tcp: boolean, query: Uint8Array, reply: Uint8Array | undefined): void {
    const rcode = reply === undefined || reply.length < 4 ? NO_REPLY : (reply[3] ?? 0) & 0x0f;
    const index = (tcp ? PER_TRANSPORT : 0) + typeIndex(query) * RCODES + rcode;
    this.#counts[index] = (this.#counts[index] ?? 0) + 1;
  }

  /** Queries counted so far with these labels (tests, `outpost` tooling). */
  get(transport: 'udp' | 'tcp', type: string, rcode: string): number {
    const t = TYPE_NAMES.indexOf(type);
    const r = RCODE_NAMES.indexOf(rcode);
    if (t < 0 || r < 0) return 0;
    return this.#counts[(transport === 'tcp' ? PER_TRANSPORT : 0) + t * RCODES + r] ?? 0;
  }

  /** This server's counts as a source of the suite's `outpost_dns_queries_total` (read at scrape). */
  readonly source: CountSource<'transport' | 'type' | 'rcode'> = (add) => {
    const counts = this.#counts;
    for (let i = 0; i < counts.length; i++) {
      const n = counts[i] ?? 0;
      if (n === 0) continue;
      const within = i % PER_TRANSPORT;
      add(
        {
          transport: TRANSPORTS[Math.floor(i / PER_TRANSPORT)] ?? 'udp',
          type: TYPE_NAMES[Math.floor(within / RCODES)] ?? 'other',
          rcode: RCODE_NAMES[within % RCODES] ?? 'none',
        },
        n,
      );
    }
  };
}
