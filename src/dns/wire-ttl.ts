/**
 * Where the TTLs sit in an encoded message: the offset of every resource record's 32-bit TTL
 * field (the OPT pseudo-record's is extended rcode and flags, not a TTL, and is skipped) and the
 * smallest TTL. A resolver's packet cache uses them to count a stored reply's TTLs down before
 * sending it again (as PowerDNS Recursor ages its packet cache). The walk is bounded: names are
 * skipped label by label within the message, a compression pointer ends a name, and anything
 * running past the end makes the result undefined (never a partial list).
 */
import { HEADER_SIZE } from './limits.js';

/** TTL field offsets and the smallest TTL; `minTtl` is undefined for a message without records. */
export interface TtlLayout {
  readonly offsets: readonly number[];
  readonly minTtl: number | undefined;
}

const OPT = 41;

/** Offset just past the name starting at `at`, or -1 when it runs past `end`. */
function skipName(wire: Uint8Array, at: number, end: number): number {
  let i = at;
  while (i < end) {
    const len = wire[i] ?? 0;
    if (len === 0) return i + 1;
    if ((len & 0xc0) === 0xc0) return i + 2 <= end ? i + 2 : -1;
    if ((len & 0xc0) !== 0) return -1;
    i += 1 + len;
  }
  return -1;
}

/** The TTL layout of `wire`, or undefined when it is not a well-formed message. */
export function ttlLayout(wire: Uint8Array): TtlLayout | undefined {
  const end = wire.length;
  if (end < HEADER_SIZE) return undefined;
  const view = new DataView(wire.buffer, wire.byteOffset, wire.byteLength);
  const qd = view.getUint16(4);
  const rr = view.getUint16(6) + view.getUint16(8) + view.getUint16(10);
  let at = HEADER_SIZE;
  for (let q = 0; q < qd; q++) {
    at = skipName(wire, at, end);
    if (at < 0 || at + 4 > end) return undefined;
    at += 4;
  }
  const offsets: number[] = [];
  let minTtl: number | undefined;
  for (let r = 0; r < rr; r++) {
    at = skipName(wire, at, end);
    if (at < 0 || at + 10 > end) return undefined;
    const type = view.getUint16(at);
    const rdlength = view.getUint16(at + 8);
    if (type !== OPT) {
      const ttl = view.getUint32(at + 4);
      offsets.push(at + 4);
      if (minTtl === undefined || ttl < minTtl) minTtl = ttl;
    }
    at += 10 + rdlength;
    if (at > end) return undefined;
  }
  return { offsets, minTtl };
}
