/**
 * Builds the parts of a ZoneIndex from a zone's records, once per (re)load, so that answering is
 * lookups only. Steps: check the records can form a zone (the zone parser's checks already
 * guarantee this for files, but indexes can also be built from records in memory); group records
 * into RRsets per name in zone-file order; add every empty non-terminal (RFC 4592 §2.2.2); then,
 * top-down, give each node its zone cut (RFC 1034 §4.2.1), the DNAME above it (RFC 6672 §2.3) and
 * its wildcard child; finally precompute the additional-section address RRsets of every NS, MX
 * and SRV RRset the way NSD picks them (same zone only; glue only for NS; targets that do not
 * exist are synthesised from a wildcard, RFC 4592 §4.1).
 */
import { RRClass, RRType } from '../constants.js';
import { isSubdomain, nameKey } from '../name.js';
import type { RecordData, ResourceRecord } from '../types.js';
import { ZoneError } from '../zone/problems.js';
import { countLabels, nextLabel } from './names.js';
import { findRRset, type RRset, type SoaRecord, type ZoneNode, type ZoneParts } from './zone-index.js';

interface MutableRRset {
  type: number;
  ttl: number;
  records: ResourceRecord[];
  additionalA: RRset[];
  additionalAaaa: RRset[];
}

interface MutableNode {
  key: string;
  name: string;
  labels: number;
  rrsets: MutableRRset[];
  cname: RRset | undefined;
  dname: RRset | undefined;
  cut: ZoneNode | undefined;
  dnameAbove: ZoneNode | undefined;
  wildcard: ZoneNode | undefined;
}

function refuse(apex: string, message: string): never {
  throw new ZoneError(apex, [{ file: '<records>', line: 0, message }]);
}

function newNode(key: string, name: string): MutableNode {
  return {
    key,
    name,
    labels: countLabels(key),
    rrsets: [],
    cname: undefined,
    dname: undefined,
    cut: undefined,
    dnameAbove: undefined,
    wildcard: undefined,
  };
}

/** The names in RDATA that want additional-section addresses, and whether glue may serve them. */
function additionalTarget(data: RecordData): { name: string; glue: boolean } | undefined {
  switch (data.type) {
    case 'NS':
      return { name: data.target, glue: true };
    case 'MX':
      return { name: data.exchange, glue: false };
    case 'SRV':
      return { name: data.target, glue: false };
    default:
      return undefined;
  }
}

/** RDATA with its domain names lower-cased (the same object when nothing changes). */
function lowerData(data: RecordData): RecordData {
  switch (data.type) {
    case 'NS':
    case 'CNAME':
    case 'PTR':
    case 'DNAME':
    case 'SRV': {
      const target = data.target.toLowerCase();
      return target === data.target ? data : { ...data, target };
    }
    case 'MX': {
      const exchange = data.exchange.toLowerCase();
      return exchange === data.exchange ? data : { ...data, exchange };
    }
    case 'SOA': {
      const mname = data.mname.toLowerCase();
      const rname = data.rname.toLowerCase();
      return mname === data.mname && rname === data.rname ? data : { ...data, mname, rname };
    }
    default:
      return data;
  }
}

/**
 * The record as served: owner and RDATA names lower-cased, as NSD stores them (names are
 * case-insensitive, RFC 4343 §3; case-echo.ts then spells suffixes the way the question did).
 * Names in presentation form are ASCII, so toLowerCase touches only A-Z.
 */
function servedRecord(rr: ResourceRecord, ttl: number): ResourceRecord {
  const name = rr.name.toLowerCase();
  const data = lowerData(rr.data);
  return name === rr.name && data === rr.data && ttl === rr.ttl ? rr : { ...rr, name, data, ttl };
}

/** Build the parts of the zone at `apex` from `records`; throws ZoneError if they are not a zone. */
export function buildZone(apex: string, records: readonly ResourceRecord[]): ZoneParts {
  const apexKey = nameKey(apex);
  const nodes = new Map<string, MutableNode>();
  let soa: SoaRecord | undefined;

  for (const rr of records) {
    if (rr.class !== RRClass.IN) refuse(apex, `${rr.name}: class ${rr.class} is not IN`);
    const key = nameKey(rr.name);
    if (!isSubdomain(key, apexKey)) refuse(apex, `${rr.name} is outside the zone ${apex}`);
    if (rr.data.type === 'SOA') {
      if (key !== apexKey) refuse(apex, `SOA at ${rr.name}, not at the apex`);
      if (soa !== undefined) refuse(apex, 'more than one SOA record');
      const data = lowerData(rr.data);
      if (data.type === 'SOA') soa = { ...rr, name: key, data };
    }
    let node = nodes.get(key);
    if (node === undefined) nodes.set(key, (node = newNode(key, key)));
    let set = node.rrsets.find((s) => s.type === rr.type);
    if (set === undefined) {
      set = { type: rr.type, ttl: rr.ttl, records: [], additionalA: [], additionalAaaa: [] };
      node.rrsets.push(set);
    }
    // RFC 2181 §5.2: one TTL per RRset; the zone checker already unified them, this covers records
    // built in memory.
    set.records.push(servedRecord(rr, set.ttl));
  }
  if (soa === undefined) refuse(apex, `no SOA record at the apex ${apex}`);
  const apexNode = nodes.get(apexKey);
  const ns = apexNode === undefined ? undefined : apexNode.rrsets.find((s) => s.type === RRType.NS);
  if (apexNode === undefined || ns === undefined) refuse(apex, `no NS records at the apex ${apex}`);

  // Empty non-terminals: every ancestor of an owner up to the apex exists (RFC 4592 §2.2.2).
  for (const node of [...nodes.values()]) {
    let key = node.key;
    while (key !== apexKey) {
      const next = nextLabel(key, 0);
      key = next >= key.length ? '.' : key.slice(next);
      if (nodes.has(key)) break;
      nodes.set(key, newNode(key, key));
    }
  }

  // Top-down facts: parents are complete before their children.
  const ordered = [...nodes.values()].sort((a, b) => a.labels - b.labels);
  for (const node of ordered) {
    node.cname = findRRset(node, RRType.CNAME);
    node.dname = findRRset(node, RRType.DNAME);
    node.wildcard = nodes.get(node.key === '.' ? '*.' : `*.${node.key}`);
    if (node === apexNode) continue;
    const next = nextLabel(node.key, 0);
    const parent = nodes.get(next >= node.key.length ? '.' : node.key.slice(next)) ?? apexNode;
    const parentHasDname = parent.dname !== undefined;
    node.dnameAbove = parent.dnameAbove ?? (parentHasDname ? parent : undefined);
    // A cut under a DNAME is occluded by the DNAME (RFC 6672 §2.3; NSD: "use higher DNAME").
    node.cut =
      parent.cut ??
      (node.dnameAbove === undefined && findRRset(node, RRType.NS) !== undefined ? node : undefined);
  }

  // Additional-section addresses, computed once per target name so identical targets share RRsets.
  const cache = new Map<string, { a: RRset | undefined; aaaa: RRset | undefined; glue: boolean }>();
  const addressesOf = (target: string): { a: RRset | undefined; aaaa: RRset | undefined; glue: boolean } => {
    const tkey = nameKey(target);
    let hit = cache.get(tkey);
    if (hit !== undefined) return hit;
    hit = { a: undefined, aaaa: undefined, glue: false };
    if (isSubdomain(tkey, apexKey)) {
      let source = nodes.get(tkey);
      let synthesize = false;
      if (source === undefined) {
        let i = 0;
        let ce: MutableNode | undefined;
        while (ce === undefined && i < tkey.length) {
          i = nextLabel(tkey, i);
          ce = nodes.get(i >= tkey.length ? '.' : tkey.slice(i));
        }
        hit.glue = ce?.cut !== undefined;
        source = ce?.wildcard === undefined ? undefined : nodes.get(ce.wildcard.key);
        synthesize = true;
      } else {
        hit.glue = source.cut !== undefined;
      }
      const pick = (type: number): RRset | undefined => {
        const set = source === undefined ? undefined : findRRset(source, type);
        if (set === undefined || !synthesize) return set;
        // RFC 4592 §2.1.2: a synthesised record's owner is the name asked for.
        return { ...set, records: set.records.map((r) => ({ ...r, name: tkey })) };
      };
      hit.a = pick(RRType.A);
      hit.aaaa = pick(RRType.AAAA);
    }
    cache.set(tkey, hit);
    return hit;
  };
  for (const node of ordered) {
    for (const set of node.rrsets) {
      for (const rr of set.records) {
        const target = additionalTarget(rr.data);
        if (target === undefined) continue;
        const hit = addressesOf(target.name);
        if (hit.glue && !target.glue) continue; // NSD: no glue for MX/SRV targets
        if (hit.a !== undefined && !set.additionalA.includes(hit.a)) set.additionalA.push(hit.a);
        if (hit.aaaa !== undefined && !set.additionalAaaa.includes(hit.aaaa))
          set.additionalAaaa.push(hit.aaaa);
      }
    }
  }

  const minimum = Math.min(soa.ttl, soa.data.minimum);
  const negativeSoa: RRset = {
    type: RRType.SOA,
    ttl: minimum,
    records: [{ ...soa, ttl: minimum }],
    additionalA: [],
    additionalAaaa: [],
  };
  return {
    apex: apexNode.name,
    nodes,
    apexNode,
    soa,
    negativeSoa,
    ns,
    records: [...records],
  };
}
