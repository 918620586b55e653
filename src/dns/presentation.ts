/**
 * Record data -> presentation text as dig and zone files print it (RFC 1035 §5.1): character-
 * strings quoted with `\"`, `\\` and `\DDD` escapes for non-printable octets, CAA as
 * `0 issue "ca.example"` (RFC 8659 §4.1.1), SOA on one line, and anything we do not model in the
 * RFC 3597 §5 generic form `\# len hex`. The zone parser reads all of this back, which the tests
 * use as a round trip.
 */
import { classToString, typeToString } from './constants.js';
import type { RecordData, ResourceRecord } from './types.js';

/** A character-string as a quoted presentation token. */
export function quoteString(bytes: Uint8Array): string {
  let s = '"';
  for (const c of bytes) {
    if (c === 0x22 || c === 0x5c) s += '\\' + String.fromCharCode(c);
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += '\\' + String(c).padStart(3, '0');
  }
  return s + '"';
}

/** Upper-case hex of `bytes` with no separators. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex').toUpperCase();
}

/** RFC 3597 §5 generic RDATA text: `\# <len> <hex>` (just `\# 0` when empty). */
export function genericRdataToText(bytes: Uint8Array): string {
  return bytes.length === 0 ? '\\# 0' : `\\# ${bytes.length} ${toHex(bytes)}`;
}

/** The RDATA part of a record in presentation form. */
export function rdataToText(data: RecordData): string {
  switch (data.type) {
    case 'A':
    case 'AAAA':
      return data.address;
    case 'NS':
    case 'CNAME':
    case 'PTR':
    case 'DNAME':
      return data.target;
    case 'MX':
      return `${data.preference} ${data.exchange}`;
    case 'SOA':
      return `${data.mname} ${data.rname} ${data.serial} ${data.refresh} ${data.retry} ${data.expire} ${data.minimum}`;
    case 'TXT':
      return data.strings.map(quoteString).join(' ');
    case 'HINFO':
      return `${quoteString(data.cpu)} ${quoteString(data.os)}`;
    case 'SRV':
      return `${data.priority} ${data.weight} ${data.port} ${data.target}`;
    case 'CAA':
      return `${data.flags} ${data.tag} ${quoteString(data.value)}`;
    default:
      return genericRdataToText(data.data);
  }
}

/** One record as a tab-separated line like dig prints: `name ttl class type rdata`. */
export function recordToText(rr: ResourceRecord): string {
  return `${rr.name}\t${rr.ttl}\t${classToString(rr.class)}\t${typeToString(rr.type)}\t${rdataToText(rr.data)}`;
}
