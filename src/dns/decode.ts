/**
 * Wire -> Message. `decodeHeader` is the cheap peek a server runs first (like miekg/dns's accept
 * function) to pick accept / FORMERR / NOTIMP / drop before paying for a full parse;
 * `decodeMessage` is the strict, bounded full parse. Strictness rules, all ERR_PARSE: a header
 * shorter than 12 octets; section counts that cannot fit in the packet (checked up front, before
 * any allocation); names per wire-reader.ts (no forward pointers or loops, labels <= 63, names <=
 * 255); RDATA that does not exactly fill RDLENGTH; OPT anywhere but the additional section, more
 * than one OPT, or an OPT whose owner is not the root (RFC 6891 §6.1.1); and, by default, any
 * octets after the last record (trailing garbage) — pass `{ trailing: 'ignore' }` to accept them.
 */
import { RRType } from './constants.js';
import { HEADER_SIZE } from './limits.js';
import { decodeRdata } from './rdata-decode.js';
import type {
  Edns,
  EdnsOptionData,
  Header,
  HeaderWithCounts,
  Message,
  Question,
  ResourceRecord,
} from './types.js';
import { parseError, WireReader } from './wire-reader.js';

/** Options of `decodeMessage`. */
export interface DecodeOptions {
  /** What to do with octets after the last record: `'reject'` (default) or `'ignore'`. */
  readonly trailing?: 'reject' | 'ignore';
}

/** Smallest question: root name (1) + type + class (RFC 1035 §4.1.2). */
const MIN_QUESTION = 5;
/** Smallest RR: root name (1) + type, class, ttl, rdlength (RFC 1035 §4.1.3). */
const MIN_RR = 11;

/**
 * Decode only the 12-octet header and the section counts (RFC 1035 §4.1.1). Throws ERR_PARSE when
 * fewer than 12 octets are given. O(1): meant to gate work before a full decode.
 */
export function decodeHeader(buf: Uint8Array): HeaderWithCounts {
  if (buf.length < HEADER_SIZE) parseError(`truncated header: ${buf.length} octets, need ${HEADER_SIZE}`);
  const u16 = (o: number): number => ((buf[o] ?? 0) << 8) | (buf[o + 1] ?? 0);
  const flags = u16(2);
  return {
    id: u16(0),
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    rd: (flags & 0x0100) !== 0,
    ra: (flags & 0x0080) !== 0,
    z: (flags & 0x0040) !== 0,
    ad: (flags & 0x0020) !== 0,
    cd: (flags & 0x0010) !== 0,
    rcode: flags & 0xf,
    qdcount: u16(4),
    ancount: u16(6),
    nscount: u16(8),
    arcount: u16(10),
  };
}

function decodeEdns(r: WireReader, cls: number, ttl: number, rdlength: number): Edns {
  const end = r.pos + rdlength;
  const options: EdnsOptionData[] = [];
  while (r.pos < end) {
    const code = r.u16('option code', end);
    const len = r.u16('option length', end);
    options.push({ code, data: r.bytes(len, 'option data', end) });
  }
  return {
    udpPayloadSize: cls,
    extendedRcode: ttl >>> 24,
    version: (ttl >>> 16) & 0xff,
    dnssecOk: (ttl & 0x8000) !== 0,
    z: ttl & 0x7fff,
    options,
  };
}

const SECTION_NAMES = ['answer', 'authority', 'additional'] as const;

/**
 * Decode a complete DNS message (RFC 1035 §4.1) from `buf` (a Buffer or Uint8Array; not kept).
 * Throws OutpostError ERR_PARSE with a precise message on any malformation; never loops or reads
 * out of bounds. The full rcode joins the OPT record's extended bits (RFC 6891 §6.1.3).
 */
export function decodeMessage(buf: Uint8Array, options: DecodeOptions = {}): Message {
  const h = decodeHeader(buf);
  const { qdcount, ancount, nscount, arcount } = h;
  const minSize = HEADER_SIZE + qdcount * MIN_QUESTION + (ancount + nscount + arcount) * MIN_RR;
  if (minSize > buf.length) {
    parseError(
      `section counts (qd=${qdcount} an=${ancount} ns=${nscount} ar=${arcount}) need at least ${minSize} octets, packet has ${buf.length}`,
    );
  }
  const r = new WireReader(buf);
  r.pos = HEADER_SIZE;
  const questions: Question[] = [];
  for (let i = 0; i < qdcount; i++) {
    r.context = `question ${i + 1}`;
    const name = r.name('name');
    questions.push({ name, type: r.u16('type'), class: r.u16('class') });
  }
  let edns: Edns | undefined;
  const sections: ResourceRecord[][] = [[], [], []];
  const counts = [ancount, nscount, arcount];
  for (let s = 0; s < 3; s++) {
    const out = sections[s] ?? [];
    const count = counts[s] ?? 0;
    for (let i = 0; i < count; i++) {
      // Plain field writes: the location string is only built if something fails.
      r.context = `${SECTION_NAMES[s] ?? ''} record ${i + 1}`;
      r.owner = '';
      const name = r.name('owner');
      const type = r.u16('type');
      const cls = r.u16('class');
      const ttl = r.u32('ttl');
      const rdlength = r.u16('rdlength');
      r.owner = name;
      r.type = type;
      if (r.pos + rdlength > r.length) {
        r.fail(`RDLENGTH ${rdlength} exceeds the packet (${r.length - r.pos} octets left)`);
      }
      if (type === RRType.OPT) {
        if (s !== 2) r.fail('OPT pseudo-record outside the additional section');
        if (edns !== undefined) r.fail('more than one OPT record (RFC 6891 §6.1.1)');
        if (name !== '.') r.fail('OPT owner must be the root');
        edns = decodeEdns(r, cls, ttl, rdlength);
        continue;
      }
      // RFC 2181 §8: a TTL with the top bit set is treated as zero.
      out.push({
        name,
        type,
        class: cls,
        ttl: ttl > 0x7fffffff ? 0 : ttl,
        data: decodeRdata(r, type, rdlength),
      });
    }
  }
  if (r.pos !== buf.length && options.trailing !== 'ignore') {
    parseError(`${buf.length - r.pos} octets of trailing data after the last record (offset ${r.pos})`);
  }
  const header: Header = {
    id: h.id,
    qr: h.qr,
    opcode: h.opcode,
    aa: h.aa,
    tc: h.tc,
    rd: h.rd,
    ra: h.ra,
    z: h.z,
    ad: h.ad,
    cd: h.cd,
    rcode: edns === undefined ? h.rcode : (edns.extendedRcode << 4) | h.rcode,
  };
  const [answers = [], authorities = [], additionals = []] = sections;
  if (edns === undefined) return { header, questions, answers, authorities, additionals };
  return { header, questions, answers, authorities, additionals, edns };
}
