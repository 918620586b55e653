/**
 * One zone, loaded and arranged for answering: an immutable, query-optimised view built once per
 * (re)load (zone-build.ts does the building). Every existing name is a node, empty non-terminals
 * included (RFC 4592 §2.2.2), keyed by its canonical lower-cased form (RFC 4343 §3); each node
 * carries its RRsets in zone-file order plus facts precomputed so a query never has to work them
 * out: the zone cut it sits at or under (RFC 1034 §4.2.1), the DNAME above it (RFC 6672 §2.3),
 * its wildcard child (RFC 4592 §2.1.1) and, on NS/MX/SRV RRsets, the in-zone address RRsets for
 * the additional section (RFC 1034 §4.3.2 step 6). A query does a few Map lookups on suffixes of
 * the name and allocates nothing here.
 */
import type { ResourceRecord, SoaData } from '../types.js';
import { nextLabel } from './names.js';
import { buildZone } from './zone-build.js';

/** The records of one name and type (RFC 2181 §5), with one TTL (RFC 2181 §5.2). */
export interface RRset {
  readonly type: number;
  readonly ttl: number;
  readonly records: readonly ResourceRecord[];
  /** A RRsets of the in-zone targets (NS, MX, SRV only), in RDATA order, for the additional section. */
  readonly additionalA: readonly RRset[];
  /** AAAA RRsets of the same targets (NSD puts every A before every AAAA; so do we). */
  readonly additionalAaaa: readonly RRset[];
}

/** One existing name of the zone. */
export interface ZoneNode {
  /** Canonical lower-cased key, absolute with the trailing dot. */
  readonly key: string;
  /** The name as served: lower-cased like every name in answers (see zone-build.ts). */
  readonly name: string;
  /** Label count (the root has 0). */
  readonly labels: number;
  /** RRsets in order of first appearance in the zone (empty for an empty non-terminal). */
  readonly rrsets: readonly RRset[];
  /** The CNAME RRset, if any (RFC 1034 §3.6.2: then it is the only data here). */
  readonly cname: RRset | undefined;
  /** The DNAME RRset, if any (RFC 6672). */
  readonly dname: RRset | undefined;
  /**
   * The delegation this name is at or under: the highest non-apex node with NS on the path from
   * the apex (RFC 1034 §4.2.1). Everything under it is glue or occluded.
   */
  readonly cut: ZoneNode | undefined;
  /** The highest DNAME owner strictly above this name, if no cut comes first (RFC 6672 §2.3). */
  readonly dnameAbove: ZoneNode | undefined;
  /** The node `*.<this name>`, the source of synthesis for names below (RFC 4592 §3.3.1). */
  readonly wildcard: ZoneNode | undefined;
}

/** The SOA record with its data narrowed. */
export type SoaRecord = ResourceRecord & { readonly data: SoaData };

/** The parts `buildZone` hands to the ZoneIndex constructor. */
export interface ZoneParts {
  readonly apex: string;
  readonly nodes: ReadonlyMap<string, ZoneNode>;
  readonly apexNode: ZoneNode;
  readonly soa: SoaRecord;
  readonly negativeSoa: RRset;
  readonly ns: RRset;
  readonly records: readonly ResourceRecord[];
}

/** Find the RRset of `type` at `node` (a node holds a handful, so a scan beats a Map). */
export function findRRset(node: ZoneNode, type: number): RRset | undefined {
  for (const set of node.rrsets) if (set.type === type) return set;
  return undefined;
}

/** An immutable, query-optimised zone. Build with `ZoneIndex.fromRecords` or load.ts. */
export class ZoneIndex {
  /** The apex in canonical presentation form, lower-cased. */
  readonly apex: string;
  /** The apex's lower-cased key. */
  readonly apexKey: string;
  readonly apexNode: ZoneNode;
  readonly soa: SoaRecord;
  /**
   * The SOA as sent in negative answers: TTL = min(SOA TTL, SOA MINIMUM) (RFC 2308 §3), the
   * same record NSD sends.
   */
  readonly negativeSoa: RRset;
  /** The apex NS RRset (added to the authority section of positive answers, as NSD does). */
  readonly ns: RRset;
  /** Every record of the zone in load order, spelled as loaded (for zone transfers). */
  readonly records: readonly ResourceRecord[];
  private readonly nodes: ReadonlyMap<string, ZoneNode>;

  /** Use `ZoneIndex.fromRecords`. */
  constructor(parts: ZoneParts) {
    this.apex = parts.apex;
    this.apexKey = parts.apexNode.key;
    this.apexNode = parts.apexNode;
    this.soa = parts.soa;
    this.negativeSoa = parts.negativeSoa;
    this.ns = parts.ns;
    this.records = parts.records;
    this.nodes = parts.nodes;
  }

  /**
   * Index the records of the zone at `apex`. Throws a ZoneError when the records cannot form a
   * zone (no SOA or NS at the apex, names outside the zone, a class other than IN); the zone
   * parser's checks (loadZone) already guarantee this for zones read from files.
   */
  static fromRecords(apex: string, records: readonly ResourceRecord[]): ZoneIndex {
    return new ZoneIndex(buildZone(apex, records));
  }

  /** SOA serial (RFC 1982 arithmetic). */
  get serial(): number {
    return this.soa.data.serial;
  }

  /** Number of existing names, empty non-terminals included. */
  get nodeCount(): number {
    return this.nodes.size;
  }

  /** The node for exactly `key` (an existing name, possibly an empty non-terminal). */
  node(key: string): ZoneNode | undefined {
    return this.nodes.get(key);
  }

  /**
   * The node of `key` if the name exists, else its closest encloser (RFC 4592 §3.3.1: the
   * deepest existing ancestor). `key` must be a lower-cased key at or below the apex; the result
   * is then never undefined (the apex exists). Compare `result.key === key` for an exact match.
   */
  closestNode(key: string): ZoneNode {
    let node = this.nodes.get(key);
    let i = 0;
    while (node === undefined && i < key.length) {
      i = nextLabel(key, i);
      node = this.nodes.get(i >= key.length ? '.' : key.slice(i));
    }
    return node ?? this.apexNode;
  }
}
