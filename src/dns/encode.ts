/**
 * Message -> wire, with compression and UDP truncation. `MessageEncoder` is the fast path: keep one
 * per thread and it reuses its buffer, compression map and name cache, copying only the finished
 * message out. `encodeMessage` is the convenience one-shot. Truncation (RFC 2181 §9, RFC 1035
 * §4.2.1): when the message would exceed `maxSize`, whole RRsets are dropped from the end
 * (additional first, then authority, then answer) and never part of an RRset; TC is set only when
 * answer or authority data was dropped; the OPT record is always kept (RFC 6891 §7). An RRset here
 * is a run of consecutive records in one section with the same owner (ASCII case-insensitive),
 * type and class, so callers should keep each RRset's records together.
 */
import { ErrorCodes, OutpostError } from '../core/errors.js';
import { typeToString } from './constants.js';
import { HEADER_SIZE, MAX_MESSAGE_SIZE, MAX_RDATA_LENGTH } from './limits.js';
import { dataTypeCode, encodeRdata } from './rdata-encode.js';
import type { Edns, Message, ResourceRecord } from './types.js';
import { encodeError, WireWriter } from './wire-writer.js';

/** Options of `encodeMessage`. */
export interface EncodeOptions {
  /**
   * Largest message to produce (e.g. 512, or the EDNS payload size for UDP). When set, oversize
   * messages are truncated as described above. When absent the limit is 65535 and an oversize
   * message throws ERR_INPUT_TOO_LARGE instead.
   */
  readonly maxSize?: number;
}

function sameRRset(a: ResourceRecord, b: ResourceRecord): boolean {
  return (
    a.type === b.type &&
    a.class === b.class &&
    (a.name === b.name || (a.name.length === b.name.length && a.name.toLowerCase() === b.name.toLowerCase()))
  );
}

function optSize(edns: Edns): number {
  let size = 11; // root owner (1) + type, class, ttl, rdlength (10)
  for (const o of edns.options) size += 4 + o.data.length;
  return size;
}

/** A reusable encoder. Not re-entrant, but encoding is synchronous so one per thread suffices. */
export class MessageEncoder {
  private readonly w: WireWriter;

  constructor(initialSize = 4096) {
    this.w = new WireWriter(initialSize);
  }

  /** Encode `msg`; returns a fresh Buffer the caller owns. */
  encode(msg: Message, options: EncodeOptions = {}): Buffer {
    const w = this.w;
    w.reset();
    const h = msg.header;
    const truncate = options.maxSize !== undefined;
    const limit = Math.min(options.maxSize ?? MAX_MESSAGE_SIZE, MAX_MESSAGE_SIZE);
    if (h.rcode > 0xf && msg.edns === undefined) encodeError(`rcode ${h.rcode} needs EDNS (RFC 6891 §6.1.3)`);
    if (!Number.isInteger(h.rcode) || h.rcode < 0 || h.rcode > 0xfff)
      encodeError(`rcode ${h.rcode} out of range`);
    if (!Number.isInteger(h.id) || h.id < 0 || h.id > 0xffff) encodeError(`id ${h.id} out of range`);
    if (!Number.isInteger(h.opcode) || h.opcode < 0 || h.opcode > 0xf)
      encodeError(`opcode ${h.opcode} out of range`);

    w.ensure(HEADER_SIZE);
    w.pos = HEADER_SIZE;
    for (const q of msg.questions) {
      w.name(q.name, true);
      w.u16(q.type);
      w.u16(q.class);
    }
    const edns = msg.edns;
    const budget = limit - (edns === undefined ? 0 : optSize(edns));
    let tc = h.tc;
    const counts = [0, 0, 0];
    const sections = [msg.answers, msg.authorities, msg.additionals];
    let cut = false;
    for (let s = 0; s < 3 && !cut; s++) {
      const records = sections[s] ?? [];
      let setStart = w.pos;
      let setCount = 0;
      let prev: ResourceRecord | undefined;
      for (const rr of records) {
        if (prev === undefined || !sameRRset(prev, rr)) {
          setStart = w.pos;
          setCount = counts[s] ?? 0;
        }
        prev = rr;
        this.record(rr);
        counts[s] = (counts[s] ?? 0) + 1;
        if (w.pos > budget) {
          if (!truncate) {
            throw new OutpostError(
              ErrorCodes.INPUT_TOO_LARGE,
              `DNS message exceeds ${MAX_MESSAGE_SIZE} octets at ${typeToString(rr.type)} ${rr.name}`,
            );
          }
          w.pos = setStart;
          counts[s] = setCount;
          if (s < 2) tc = true; // RFC 2181 §9: only dropping required data sets TC
          cut = true;
          break;
        }
      }
    }
    if (edns !== undefined) this.opt(edns, h.rcode);
    const flags =
      (h.qr ? 0x8000 : 0) |
      ((h.opcode & 0xf) << 11) |
      (h.aa ? 0x0400 : 0) |
      (tc ? 0x0200 : 0) |
      (h.rd ? 0x0100 : 0) |
      (h.ra ? 0x0080 : 0) |
      (h.z ? 0x0040 : 0) |
      (h.ad ? 0x0020 : 0) |
      (h.cd ? 0x0010 : 0) |
      (h.rcode & 0xf);
    w.patch16(0, h.id);
    w.patch16(2, flags);
    w.patch16(4, msg.questions.length);
    w.patch16(6, counts[0] ?? 0);
    w.patch16(8, counts[1] ?? 0);
    w.patch16(10, (counts[2] ?? 0) + (edns === undefined ? 0 : 1));
    if (!truncate && w.pos > MAX_MESSAGE_SIZE) {
      throw new OutpostError(ErrorCodes.INPUT_TOO_LARGE, `DNS message exceeds ${MAX_MESSAGE_SIZE} octets`);
    }
    const out = Buffer.allocUnsafe(w.pos);
    w.buf.copy(out, 0, 0, w.pos);
    return out;
  }

  private record(rr: ResourceRecord): void {
    const w = this.w;
    if (dataTypeCode(rr.data) !== rr.type) {
      encodeError(`record ${rr.name}: type ${rr.type} does not match its data (${String(rr.data.type)})`);
    }
    if (!Number.isInteger(rr.ttl) || rr.ttl < 0 || rr.ttl > 0xffffffff)
      encodeError(`record ${rr.name}: bad TTL ${rr.ttl}`);
    w.name(rr.name, true);
    w.ensure(10);
    w.u16(rr.type);
    w.u16(rr.class);
    w.u32(rr.ttl);
    const lenAt = w.pos;
    w.pos += 2;
    encodeRdata(w, rr.data);
    const rdlength = w.pos - lenAt - 2;
    if (rdlength > MAX_RDATA_LENGTH)
      encodeError(`record ${rr.name}: RDATA is ${rdlength} octets (max 65535)`);
    w.patch16(lenAt, rdlength);
  }

  private opt(edns: Edns, rcode: number): void {
    const w = this.w;
    w.u8(0);
    w.u16(41);
    w.u16(edns.udpPayloadSize);
    // RFC 6891 §6.1.3: TTL = extended rcode (8) | version (8) | DO (1) | Z (15).
    w.u32(
      ((rcode >>> 4) << 24) |
        ((edns.version & 0xff) << 16) |
        (edns.dnssecOk ? 0x8000 : 0) |
        (edns.z & 0x7fff),
    );
    const lenAt = w.pos;
    w.pos += 2;
    for (const o of edns.options) {
      w.u16(o.code);
      w.u16(o.data.length);
      w.bytes(o.data);
    }
    w.patch16(lenAt, w.pos - lenAt - 2);
  }
}

/**
 * Encode a message in one call (allocates a small encoder; servers should keep a
 * `MessageEncoder`). Throws ERR_ENCODE for invalid field values, ERR_PARSE for invalid names or
 * addresses, ERR_INPUT_TOO_LARGE when the message cannot fit 65535 octets and `maxSize` is unset.
 */
export function encodeMessage(msg: Message, options: EncodeOptions = {}): Buffer {
  return new MessageEncoder(512).encode(msg, options);
}
