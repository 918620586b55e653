/**
 * Spelling of names in answers to mixed-case questions (DNS 0x20), done the way NSD's packets
 * come out. NSD compresses every name that ends in the closest encloser of the question (or one
 * of its ancestors) into a pointer to the question, so those suffixes are spelled exactly as the
 * client asked: `WwW.ExAmPle.TeSt A` is answered with owner `WwW.ExAmPle.TeSt.`, NS
 * `ExAmPle.TeSt.` and targets `ns1.ExAmPle.TeSt.`. Names in RDATA that are never compressed (SRV
 * target, RFC 2782; DNAME target, RFC 6672 §2.5; anything RFC 3597 §4 forbids) keep the zone's
 * spelling. Comparison is case-insensitive either way (RFC 4343 §3); this only makes byte-for-byte
 * differential tests against NSD possible. Zone names are stored lower-case (as NSD stores them),
 * so a lower-case question costs nothing here.
 */
import type { RecordData, ResourceRecord } from '../types.js';

/** Replaces a case-insensitive suffix (on a label boundary) with the question's spelling. */
class SuffixSpeller {
  private readonly asked: string;
  private readonly key: string;

  constructor(asked: string) {
    this.asked = asked;
    this.key = asked.toLowerCase();
  }

  spell(name: string): string {
    const n = name.length;
    const m = this.key.length;
    if (n < m) return name;
    if (n > m) {
      if (name.charCodeAt(n - m - 1) !== 0x2e) return name;
      let slashes = 0;
      for (let k = n - m - 2; k >= 0 && name.charCodeAt(k) === 0x5c; k--) slashes++;
      if (slashes % 2 === 1) return name; // an escaped dot is inside a label
    }
    const tail = name.slice(n - m);
    if (tail === this.asked || tail.toLowerCase() !== this.key) return name;
    return name.slice(0, n - m) + this.asked;
  }

  data(data: RecordData): RecordData {
    switch (data.type) {
      case 'NS':
      case 'CNAME':
      case 'PTR': {
        const target = this.spell(data.target);
        return target === data.target ? data : { ...data, target };
      }
      case 'MX': {
        const exchange = this.spell(data.exchange);
        return exchange === data.exchange ? data : { ...data, exchange };
      }
      case 'SOA': {
        const mname = this.spell(data.mname);
        const rname = this.spell(data.rname);
        return mname === data.mname && rname === data.rname ? data : { ...data, mname, rname };
      }
      default:
        return data;
    }
  }

  record(rr: ResourceRecord): ResourceRecord {
    const name = this.spell(rr.name);
    const data = this.data(rr.data);
    return name === rr.name && data === rr.data ? rr : { ...rr, name, data };
  }
}

/**
 * Respell `records` (whose names are lower-case, as ZoneIndex serves them) for a question spelled
 * `qname` whose closest encloser has `closestLabels` labels. Returns the same array when nothing
 * changes, which is always the case for a lower-case question.
 */
export function echoCase(records: ResourceRecord[], qname: string, closestLabels: number): ResourceRecord[] {
  if (records.length === 0 || closestLabels === 0 || !qname.endsWith('.')) return records;
  let start = qname.length;
  // Walk back over `closestLabels` labels (qname is canonical: dots inside labels are escaped).
  for (let labels = 0, i = qname.length - 2; i >= -1; i--) {
    if (i === -1 || (qname.charCodeAt(i) === 0x2e && !isEscaped(qname, i))) {
      if (++labels === closestLabels) {
        start = i + 1;
        break;
      }
    }
  }
  const suffix = qname.slice(start);
  if (suffix === suffix.toLowerCase()) return records;
  const speller = new SuffixSpeller(suffix);
  let out: ResourceRecord[] | undefined;
  for (let i = 0; i < records.length; i++) {
    const rr = records[i];
    if (rr === undefined) continue;
    const spelled = speller.record(rr);
    if (spelled !== rr) {
      out ??= records.slice();
      out[i] = spelled;
    }
  }
  return out ?? records;
}

function isEscaped(text: string, i: number): boolean {
  let slashes = 0;
  for (let k = i - 1; k >= 0 && text.charCodeAt(k) === 0x5c; k--) slashes++;
  return slashes % 2 === 1;
}
