/**
 * RDATA octets -> typed record data, one small decoder per type. Each decoder must consume exactly
 * RDLENGTH octets (RFC 1035 §3.2.1); a mismatch is a parse error rather than a silent skip, so a
 * lying RDLENGTH cannot smuggle data. Types we do not model come back opaque (RFC 3597 §5). Names
 * inside RDATA may be compressed on receipt for any type (RFC 3597 §4 asks receivers to decompress
 * the RFC 1035 types; accepting pointers elsewhere too is harmless and common practice).
 */
import { RRType, typeToString } from './constants.js';
import { formatIpv4, formatIpv6 } from './ip.js';
import type { RecordData } from './types.js';
import { WireReader } from './wire-reader.js';

function characterString(r: WireReader, what: string, limit: number): Uint8Array {
  const len = r.u8(what, limit);
  return r.bytes(len, what, limit);
}

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/**
 * Decode the RDATA of `type` that starts at `r.pos` and is `rdlength` octets long. Leaves `r.pos`
 * just after the RDATA. Error messages use the reader's context (see WireReader.fail).
 */
export function decodeRdata(r: WireReader, type: number, rdlength: number): RecordData {
  const start = r.pos;
  const end = start + rdlength;
  r.need(rdlength, 'rdata');
  let data: RecordData;
  switch (type) {
    case RRType.A:
      if (rdlength !== 4) r.fail(`A rdata must be 4 octets, RDLENGTH is ${rdlength}`);
      data = { type: 'A', address: formatIpv4(r.buf, start) };
      r.pos = end;
      break;
    case RRType.AAAA:
      if (rdlength !== 16) r.fail(`AAAA rdata must be 16 octets, RDLENGTH is ${rdlength}`);
      data = { type: 'AAAA', address: formatIpv6(r.buf, start) };
      r.pos = end;
      break;
    case RRType.NS:
    case RRType.CNAME:
    case RRType.PTR:
    case RRType.DNAME:
      data = {
        type:
          type === RRType.NS ? 'NS' : type === RRType.CNAME ? 'CNAME' : type === RRType.PTR ? 'PTR' : 'DNAME',
        target: r.name('target', end),
      };
      break;
    case RRType.MX:
      data = { type: 'MX', preference: r.u16('preference', end), exchange: r.name('exchange', end) };
      break;
    case RRType.SOA:
      data = {
        type: 'SOA',
        mname: r.name('mname', end),
        rname: r.name('rname', end),
        serial: r.u32('serial', end),
        refresh: r.u32('refresh', end),
        retry: r.u32('retry', end),
        expire: r.u32('expire', end),
        minimum: r.u32('minimum', end),
      };
      break;
    case RRType.TXT: {
      if (rdlength === 0) r.fail(`TXT rdata needs at least one character-string`);
      const strings: Uint8Array[] = [];
      while (r.pos < end) strings.push(characterString(r, 'TXT string', end));
      data = { type: 'TXT', strings };
      break;
    }
    case RRType.HINFO:
      data = {
        type: 'HINFO',
        cpu: characterString(r, 'HINFO cpu', end),
        os: characterString(r, 'HINFO os', end),
      };
      break;
    case RRType.SRV:
      data = {
        type: 'SRV',
        priority: r.u16('priority', end),
        weight: r.u16('weight', end),
        port: r.u16('port', end),
        target: r.name('target', end),
      };
      break;
    case RRType.CAA: {
      const flags = r.u8('CAA flags', end);
      const tagLen = r.u8('CAA tag length', end);
      // RFC 8659 §4.1: the tag is 1..15 (we allow up to 255) ASCII letters and digits.
      if (tagLen === 0) r.fail(`CAA tag is empty`);
      r.need(tagLen, 'CAA tag', end);
      for (let i = r.pos; i < r.pos + tagLen; i++) {
        if (!isAlnum(r.buf[i] ?? 0)) r.fail(`CAA tag contains a non-alphanumeric octet`);
      }
      const tag = r.buf.toString('latin1', r.pos, r.pos + tagLen);
      r.pos += tagLen;
      data = { type: 'CAA', flags, tag, value: r.bytes(end - r.pos, 'CAA value', end) };
      break;
    }
    default:
      data = { type, data: r.bytes(rdlength, 'rdata') };
  }
  if (r.pos !== end) {
    r.fail(`${typeToString(type)} rdata is ${r.pos - start} octets but RDLENGTH says ${rdlength}`);
  }
  return data;
}

/**
 * Decode standalone RDATA (e.g. from RFC 3597 `\# len hex` text) as `type`. Compression pointers
 * are refused because there is no message for them to point into.
 */
export function decodeRdataBytes(type: number, rdata: Uint8Array): RecordData {
  const r = new WireReader(rdata, false);
  r.context = `${typeToString(type)} rdata`;
  return decodeRdata(r, type, rdata.length);
}
