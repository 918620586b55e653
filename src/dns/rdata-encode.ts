/**
 * Typed record data -> RDATA octets, one small encoder per type, writing straight into the
 * message buffer. Only the RFC 1035 types (NS, CNAME, PTR, MX, SOA) get compressed names; SRV
 * (RFC 2782), DNAME (RFC 6672 §2.5) and anything newer must not be compressed (RFC 3597 §4).
 * Field values are range-checked so a bad number fails loudly (ERR_ENCODE) instead of wrapping.
 */
import { MAX_CHARACTER_STRING } from './limits.js';
import { RRType } from './constants.js';
import { writeIpv4 } from './ip.js';
import type { RecordData } from './types.js';
import { encodeError, type WireWriter } from './wire-writer.js';

function check16(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff)
    encodeError(`${what} must be an integer 0..65535, got ${v}`);
  return v;
}

function check32(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff)
    encodeError(`${what} must be an integer 0..2^32-1, got ${v}`);
  return v;
}

function characterString(w: WireWriter, s: Uint8Array, what: string): void {
  if (s.length > MAX_CHARACTER_STRING)
    encodeError(`${what} is ${s.length} octets; character-strings hold at most 255`);
  w.u8(s.length);
  w.bytes(s);
}

/** TYPE number of typed data, for checking it against ResourceRecord.type. */
export function dataTypeCode(data: RecordData): number {
  return typeof data.type === 'number' ? data.type : RRType[data.type];
}

/** Append the RDATA of `data` to `w` (without the RDLENGTH, which the caller patches). */
export function encodeRdata(w: WireWriter, data: RecordData): void {
  switch (data.type) {
    case 'A':
      w.ensure(4);
      if (!writeIpv4(data.address, w.buf, w.pos)) encodeError(`invalid IPv4 address "${data.address}"`);
      w.pos += 4;
      return;
    case 'AAAA':
      w.ipv6Address(data.address);
      return;
    case 'NS':
    case 'CNAME':
    case 'PTR':
      w.name(data.target, true);
      return;
    case 'DNAME':
      w.name(data.target, false);
      return;
    case 'MX':
      w.u16(check16(data.preference, 'MX preference'));
      w.name(data.exchange, true);
      return;
    case 'SOA':
      w.name(data.mname, true);
      w.name(data.rname, true);
      w.u32(check32(data.serial, 'SOA serial'));
      w.u32(check32(data.refresh, 'SOA refresh'));
      w.u32(check32(data.retry, 'SOA retry'));
      w.u32(check32(data.expire, 'SOA expire'));
      w.u32(check32(data.minimum, 'SOA minimum'));
      return;
    case 'TXT':
      if (data.strings.length === 0) encodeError('TXT needs at least one character-string');
      for (const s of data.strings) characterString(w, s, 'TXT string');
      return;
    case 'HINFO':
      characterString(w, data.cpu, 'HINFO cpu');
      characterString(w, data.os, 'HINFO os');
      return;
    case 'SRV':
      w.u16(check16(data.priority, 'SRV priority'));
      w.u16(check16(data.weight, 'SRV weight'));
      w.u16(check16(data.port, 'SRV port'));
      w.name(data.target, false);
      return;
    case 'CAA': {
      if (!Number.isInteger(data.flags) || data.flags < 0 || data.flags > 255)
        encodeError('CAA flags must be 0..255');
      if (!/^[A-Za-z0-9]{1,255}$/.test(data.tag))
        encodeError(`CAA tag "${data.tag}" must be 1..255 letters and digits`);
      w.u8(data.flags);
      w.u8(data.tag.length);
      w.ensure(data.tag.length);
      w.pos += w.buf.write(data.tag, w.pos, 'latin1');
      w.bytes(data.value);
      return;
    }
    default:
      w.bytes(data.data);
  }
}
