/**
 * The authoritative lookup of RFC 1034 §4.3.2 over the zones we serve, producing the answer,
 * authority and additional sections. Where the RFCs leave room it does what NSD 4.x does, since a
 * differential test compares us with NSD section by section:
 *
 * - positive answers carry the zone's apex NS RRset in authority (not for ANY, DS or DNSKEY) and
 *   the addresses of NS/MX/SRV targets of the same zone in additional, every A before every AAAA;
 * - CNAME chains (step 3a) are followed into any zone we serve; the authority section then
 *   belongs to the last zone, an RRset is never added twice (that is the loop check), and
 *   NXDOMAIN at the end of a chain is reported as NXDOMAIN (RFC 6604 §2.1);
 * - DNAME (RFC 6672 §3.1) adds the DNAME and a synthesised CNAME with the DNAME's TTL, then follows;
 *   a result longer than 255 octets is YXDOMAIN;
 * - wildcards per RFC 4592 §3.3.1: only at the closest encloser, never where the name or an empty
 *   non-terminal exists; the synthesised owner is the name asked for;
 * - referrals (step 3b) clear AA unless reached through an alias; DS at a cut or at the apex of a
 *   child zone we also serve is answered from the parent side (RFC 4035 §3.1.4.1);
 * - ANY gets one RRset (RFC 8482 §4.1) chosen as NSD chooses;
 * - negative answers carry the SOA with TTL min(TTL, MINIMUM) (RFC 2308 §3), except for QCLASS ANY.
 */
import { Rcode, RRClass, RRType } from '../constants.js';
import { parseName } from '../name.js';
import type { ResourceRecord } from '../types.js';
import { parentKey, queryKey, suffixStart } from './names.js';
import { findRRset, type RRset, type ZoneIndex, type ZoneNode } from './zone-index.js';

/** How the builder finds the zone for a name: longest match over the zones we serve. */
export interface ZoneFinder {
  /** The zone whose apex is the longest suffix of `key` (a lower-cased key), if any. */
  zoneForKey(key: string): ZoneIndex | undefined;
}

/** Types whose answers carry no NS in authority (NSD's answer_needs_ns). */
function wantsApexNs(qtype: number): boolean {
  return qtype !== RRType.ANY && qtype !== RRType.DS && qtype !== RRType.DNSKEY;
}

/** ANY preference of NSD (RFC 8482 §4.1 leaves the choice to the server). */
function anyRank(type: number): number {
  switch (type) {
    case RRType.A:
    case RRType.AAAA:
    case RRType.SOA:
    case RRType.MX:
    case RRType.PTR:
      return 2;
    case RRType.DNSKEY:
    case RRType.RRSIG:
    case RRType.NSEC:
      return 0;
    default:
      return 1;
  }
}

/** The RRset NSD returns for ANY: the first preferred one, else the last ordinary, else the last other. */
function pickAny(node: ZoneNode): RRset | undefined {
  let normal: RRset | undefined;
  let low: RRset | undefined;
  for (const set of node.rrsets) {
    const rank = anyRank(set.type);
    if (rank === 2) return set;
    if (rank === 1) normal = set;
    else low = set;
  }
  return normal ?? low;
}

/** True when `key` is `ancestor` or below it (both lower-cased keys). */
function isAtOrBelow(key: string, ancestor: string): boolean {
  if (ancestor === '.') return true;
  if (key === ancestor) return true;
  if (!key.endsWith(ancestor)) return false;
  const at = key.length - ancestor.length;
  // The character before must be a label-ending dot, not an escaped one.
  return key.charCodeAt(at - 1) === 0x2e && !escapedDotAt(key, at - 1);
}

function escapedDotAt(text: string, i: number): boolean {
  let slashes = 0;
  for (let k = i - 1; k >= 0 && text.charCodeAt(k) === 0x5c; k--) slashes++;
  return slashes % 2 === 1;
}

/**
 * Builds the sections of one answer. One instance per query; `run` fills the public fields.
 */
export class AnswerBuilder {
  rcode: number = Rcode.NOERROR;
  aa = false;
  /** True when the name asked for is in none of our zones (the reply is REFUSED). */
  refused = false;
  readonly answers: ResourceRecord[] = [];
  readonly authorities: ResourceRecord[] = [];
  /** Label count of the closest encloser of the name asked for (case-echo.ts needs it). */
  closestLabels = 0;
  private readonly additionalA: ResourceRecord[] = [];
  private readonly additionalAaaa: ResourceRecord[] = [];
  /** RRsets already in the message with the owner they were added under ('' = their own). */
  private readonly seenSets: RRset[] = [];
  private readonly seenOwners: string[] = [];
  private readonly zones: ZoneFinder;
  private readonly qtype: number;
  private readonly classAny: boolean;
  private readonly maxChain: number;

  constructor(zones: ZoneFinder, qtype: number, qclass: number, maxChain: number) {
    this.zones = zones;
    this.qtype = qtype;
    this.classAny = qclass === RRClass.ANY;
    this.maxChain = maxChain;
  }

  /** The additional section: all A RRsets, then all AAAA RRsets (NSD's order). */
  get additionals(): ResourceRecord[] {
    if (this.additionalAaaa.length === 0) return this.additionalA;
    if (this.additionalA.length === 0) return this.additionalAaaa;
    return this.additionalA.concat(this.additionalAaaa);
  }

  /** Answer `name` (as asked; `key` is its lower-cased key). */
  run(name: string, key: string): this {
    for (let depth = 0; ; depth++) {
      const next = this.step(name, key, depth);
      if (next === undefined || depth >= this.maxChain) return this;
      name = next;
      key = queryKey(next);
    }
  }

  /** One pass of RFC 1034 §4.3.2 steps 2-3; returns the alias target to restart with, if any. */
  private step(name: string, key: string, depth: number): string | undefined {
    let zone = this.zones.zoneForKey(key);
    if (zone === undefined) {
      if (depth === 0) this.refused = true; // step 2: not ours
      return undefined;
    }
    let node = zone.closestNode(key);
    let exact = node.key === key;
    if (depth === 0) this.closestLabels = node.labels;
    const qtype = this.qtype;
    if (exact && qtype === RRType.DS && node === zone.apexNode) {
      // RFC 4035 §3.1.4.1: DS lives on the parent side of a cut; answer from the parent if ours.
      const pkey = parentKey(zone.apexKey);
      const parent = pkey === undefined ? undefined : this.zones.zoneForKey(pkey);
      if (parent === undefined) {
        this.aa = !this.classAny;
        this.negativeSoa(zone);
        return undefined;
      }
      zone = parent;
      node = parent.closestNode(key);
      if (node.key !== key && node.cut === undefined) {
        // The name exists only as the child's apex: NSD treats it as existing without data.
        this.aa = !this.classAny;
        this.negativeSoa(zone);
        return undefined;
      }
      exact = node.key === key;
    }
    const cut = node.cut;
    if (cut !== undefined && !(exact && qtype === RRType.DS && cut === node)) {
      this.referral(cut, depth);
      return undefined;
    }
    this.aa = !this.classAny;
    const dnameNode = exact
      ? node.dnameAbove
      : (node.dnameAbove ?? (node.dname === undefined ? undefined : node));
    if (dnameNode !== undefined) return this.dname(dnameNode, name, depth === 0 ? key : name);
    if (exact) return this.answerAt(zone, node, undefined, '');
    const wildcard = node.wildcard;
    if (wildcard === undefined) {
      this.rcode = Rcode.NXDOMAIN; // step 3c: no match, no wildcard
      this.negativeSoa(zone);
      return undefined;
    }
    // RFC 4592 §3.3.1: synthesise from the wildcard. Like NSD, the name asked for and the same
    // name reached through an alias count as different owners for the loop check.
    return this.answerAt(zone, wildcard, name, depth === 0 ? `\0${name}` : name);
  }

  /**
   * Step 3a at `node`. `owner` replaces the owner name of wildcard-synthesised records; `tag`
   * identifies that owner for the duplicate check ('' for the node's own records).
   */
  private answerAt(
    zone: ZoneIndex,
    node: ZoneNode,
    owner: string | undefined,
    tag: string,
  ): string | undefined {
    const qtype = this.qtype;
    if (qtype === RRType.ANY) {
      const set = pickAny(node);
      if (set === undefined) this.negativeSoa(zone);
      else this.add(this.answers, set, owner, tag);
      return undefined;
    }
    const set = findRRset(node, qtype);
    if (set !== undefined) {
      this.add(this.answers, set, owner, tag);
      if (wantsApexNs(qtype) && !this.classAny) this.add(this.authorities, zone.ns, undefined, '');
      return undefined;
    }
    const cname = node.cname;
    if (cname !== undefined) {
      // Only the first CNAME counts; an RRset already present means a loop, so stop there.
      if (!this.add(this.answers, cname, owner, tag)) return undefined;
      const first = cname.records[0]?.data;
      return first?.type === 'CNAME' ? first.target : undefined;
    }
    this.negativeSoa(zone);
    return undefined;
  }

  /**
   * RFC 6672 §3.1: add the DNAME and a synthesised CNAME, and return the new name to follow.
   * `spelling` is the name whose leading labels go into the target: NSD lower-cases the question
   * but keeps the zone's spelling for names reached through aliases.
   */
  private dname(node: ZoneNode, name: string, spelling: string): string | undefined {
    const set = node.dname;
    const data = set?.records[0]?.data;
    if (set === undefined || data?.type !== 'DNAME') return undefined;
    const target = data.target;
    if (!this.add(this.answers, set, undefined, '') && isAtOrBelow(queryKey(target), node.key))
      return undefined;
    const prefix = spelling.slice(0, suffixStart(spelling, node.labels));
    const newName = target === '.' ? prefix || '.' : prefix + target;
    try {
      parseName(newName);
    } catch {
      this.rcode = Rcode.YXDOMAIN; // RFC 6672 §2.2: the substitution overflows 255 octets
      return undefined;
    }
    const nameKey = queryKey(name);
    const newKey = queryKey(newName);
    for (const rr of this.answers) {
      if (rr.type === RRType.CNAME && rr.data.type === 'CNAME' && queryKey(rr.name) === nameKey) {
        if (queryKey(rr.data.target) === newKey) return undefined; // the same synthesis twice: a loop
      }
    }
    this.answers.push({
      name,
      type: RRType.CNAME,
      class: RRClass.IN,
      ttl: set.ttl,
      data: { type: 'CNAME', target: newName },
    });
    return this.qtype === RRType.CNAME ? undefined : newName;
  }

  /** Step 3b: the delegation's NS in authority and its glue in additional; AA only after an alias. */
  private referral(cut: ZoneNode, depth: number): void {
    this.aa = depth > 0;
    const ns = findRRset(cut, RRType.NS);
    if (ns !== undefined) this.add(this.authorities, ns, undefined, '');
  }

  /** NXDOMAIN and NODATA both carry the SOA (RFC 2308 §2.1, §2.2), except for QCLASS ANY. */
  private negativeSoa(zone: ZoneIndex): void {
    if (!this.classAny) this.add(this.authorities, zone.negativeSoa, undefined, '');
  }

  /**
   * Add an RRset to a section unless it is already in the message under the same owner; then its
   * additional-section addresses. Returns false when it was already there.
   */
  private add(section: ResourceRecord[], set: RRset, owner: string | undefined, tag: string): boolean {
    const seenSets = this.seenSets;
    for (let i = 0; i < seenSets.length; i++) {
      if (seenSets[i] === set && this.seenOwners[i] === tag) return false;
    }
    seenSets.push(set);
    this.seenOwners.push(tag);
    const records = set.records;
    if (owner === undefined) {
      for (const rr of records) section.push(rr);
    } else {
      for (const rr of records) section.push(rr.name === owner ? rr : { ...rr, name: owner });
    }
    for (const a of set.additionalA) this.addAdditional(this.additionalA, a);
    for (const aaaa of set.additionalAaaa) this.addAdditional(this.additionalAaaa, aaaa);
    return true;
  }

  private addAdditional(section: ResourceRecord[], set: RRset): void {
    const seenSets = this.seenSets;
    for (let i = 0; i < seenSets.length; i++) {
      if (seenSets[i] === set && this.seenOwners[i] === '') return;
    }
    seenSets.push(set);
    this.seenOwners.push('');
    for (const rr of set.records) section.push(rr);
  }
}
