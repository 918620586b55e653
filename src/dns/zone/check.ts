/**
 * Semantic checks run after a zone parses, in the spirit of named-checkzone: exactly one SOA, at
 * the apex (RFC 1035 §5.2); NS at the apex; nothing outside the zone; one class; CNAME alone at
 * its name except DNSSEC records (RFC 1034 §3.6.2, RFC 2181 §10.1, RFC 4035 §2.5); in-zone NS
 * targets need addresses (glue). Softer findings are warnings: duplicate records are merged
 * (RFC 2181 §5), TTLs within an RRset are unified to the first one (RFC 2181 §5.2), data below a
 * delegation other than glue is occluded, MX/SRV targets in the zone without addresses.
 */
import { classToString, RRType, typeToString } from '../constants.js';
import { isSubdomain, nameKey } from '../name.js';
import { rdataToText } from '../presentation.js';
import type { RecordData, ResourceRecord, SoaData } from '../types.js';
import type { LocatedRecord } from './parser.js';
import type { ZoneProblem } from './problems.js';

/** Outcome of the semantic checks. */
export interface CheckResult {
  readonly records: ResourceRecord[];
  readonly soa: (ResourceRecord & { readonly data: SoaData }) | undefined;
  readonly errors: ZoneProblem[];
  readonly warnings: ZoneProblem[];
}

/** Comparison key of RDATA: names compared case-insensitively, everything else exactly. */
function rdataKey(data: RecordData): string {
  switch (data.type) {
    case 'NS':
    case 'CNAME':
    case 'PTR':
    case 'DNAME':
      return nameKey(data.target);
    case 'MX':
      return `${data.preference} ${nameKey(data.exchange)}`;
    case 'SOA':
      return `${nameKey(data.mname)} ${nameKey(data.rname)} ${data.serial}`;
    case 'SRV':
      return `${data.priority} ${data.weight} ${data.port} ${nameKey(data.target)}`;
    default:
      return rdataToText(data);
  }
}

/** Run the checks on parsed records of the zone at `apex` (canonical, absolute). */
export function checkRecords(located: readonly LocatedRecord[], apex: string, zoneFile: string): CheckResult {
  const errors: ZoneProblem[] = [];
  const warnings: ZoneProblem[] = [];
  const apexKey = nameKey(apex);
  const err = (l: { file: string; line: number }, message: string): void => {
    errors.push({ file: l.file, line: l.line, message });
  };

  // Pass 1: scope, class, duplicates, RRset TTLs.
  const kept: LocatedRecord[] = [];
  const seen = new Set<string>();
  const setTtl = new Map<string, number>();
  let zoneClass: number | undefined;
  for (const l of located) {
    const rr = l.record;
    if (!isSubdomain(rr.name, apex)) {
      err(l, `${rr.name} is outside the zone ${apex}`);
      continue;
    }
    zoneClass ??= rr.class;
    if (rr.class !== zoneClass) {
      err(l, `class ${classToString(rr.class)} differs from the zone's class ${classToString(zoneClass)}`);
      continue;
    }
    const setKey = `${nameKey(rr.name)} ${rr.type}`;
    const key = `${setKey} ${rdataKey(rr.data)}`;
    if (seen.has(key)) {
      warnings.push({
        file: l.file,
        line: l.line,
        message: `duplicate record ${rr.name} ${typeToString(rr.type)} ignored`,
      });
      continue;
    }
    seen.add(key);
    const firstTtl = setTtl.get(setKey);
    if (firstTtl === undefined) setTtl.set(setKey, rr.ttl);
    else if (firstTtl !== rr.ttl) {
      warnings.push({
        file: l.file,
        line: l.line,
        message: `TTL ${rr.ttl} differs from the RRset's ${firstTtl}; using ${firstTtl} (RFC 2181 §5.2)`,
      });
      kept.push({ ...l, record: { ...rr, ttl: firstTtl } });
      continue;
    }
    kept.push(l);
  }

  // Index by owner.
  const byName = new Map<string, LocatedRecord[]>();
  for (const l of kept) {
    const k = nameKey(l.record.name);
    let list = byName.get(k);
    if (list === undefined) byName.set(k, (list = []));
    list.push(l);
  }

  // SOA: exactly one, at the apex.
  let soa: (ResourceRecord & { readonly data: SoaData }) | undefined;
  for (const l of kept) {
    const rr = l.record;
    if (rr.data.type !== 'SOA') continue;
    if (nameKey(rr.name) !== apexKey) err(l, `SOA record at ${rr.name}, which is not the zone apex ${apex}`);
    else if (soa !== undefined) err(l, 'more than one SOA record at the zone apex');
    else soa = { ...rr, data: rr.data };
  }
  if (soa === undefined)
    errors.push({ file: zoneFile, line: 0, message: `no SOA record at the zone apex ${apex}` });
  const apexRecords = byName.get(apexKey) ?? [];
  if (!apexRecords.some((l) => l.record.type === RRType.NS)) {
    errors.push({ file: zoneFile, line: 0, message: `no NS records at the zone apex ${apex}` });
  }

  // CNAME and other data (RFC 1034 §3.6.2; RRSIG/NSEC allowed by RFC 4035 §2.5).
  for (const list of byName.values()) {
    const cnames = list.filter((l) => l.record.type === RRType.CNAME);
    const first = cnames[0];
    if (first === undefined) continue;
    if (cnames.length > 1) err(cnames[1] ?? first, `more than one CNAME at ${first.record.name}`);
    const other = list.find(
      (l) =>
        l.record.type !== RRType.CNAME && l.record.type !== RRType.RRSIG && l.record.type !== RRType.NSEC,
    );
    if (other !== undefined) {
      err(
        first,
        `CNAME at ${first.record.name} coexists with ${typeToString(other.record.type)} data (line ${other.line})`,
      );
    }
  }

  // Delegations: names below the apex with NS. Data under them is occluded except glue.
  const cuts: string[] = [];
  for (const [k, list] of byName) {
    if (k !== apexKey && list.some((l) => l.record.type === RRType.NS)) cuts.push(k);
  }
  const underCut = (name: string, strictly: boolean): boolean =>
    cuts.some((c) => (strictly ? nameKey(name) !== c : true) && isSubdomain(name, c));
  for (const l of kept) {
    const rr = l.record;
    const t = rr.type;
    if (cuts.includes(nameKey(rr.name))) {
      if (t !== RRType.NS && t !== RRType.DS && t !== RRType.RRSIG && t !== RRType.NSEC) {
        warnings.push({
          file: l.file,
          line: l.line,
          message: `${typeToString(t)} at delegation point ${rr.name} is occluded`,
        });
      }
    } else if (underCut(rr.name, true) && t !== RRType.A && t !== RRType.AAAA) {
      warnings.push({
        file: l.file,
        line: l.line,
        message: `${typeToString(t)} below a delegation at ${rr.name} is occluded`,
      });
    }
  }

  // Targets inside the zone need addresses.
  const hasAddress = (name: string): boolean =>
    (byName.get(nameKey(name)) ?? []).some(
      (l) => l.record.type === RRType.A || l.record.type === RRType.AAAA,
    );
  for (const l of kept) {
    const d = l.record.data;
    const target =
      d.type === 'NS' ? d.target : d.type === 'MX' ? d.exchange : d.type === 'SRV' ? d.target : undefined;
    if (target === undefined || target === '.' || !isSubdomain(target, apex) || hasAddress(target)) continue;
    const text = `${typeToString(l.record.type)} target ${target} has no address records (A or AAAA)`;
    if (d.type === 'NS') err(l, text);
    else warnings.push({ file: l.file, line: l.line, message: text });
  }

  return { records: kept.map((l) => l.record), soa, errors, warnings };
}
