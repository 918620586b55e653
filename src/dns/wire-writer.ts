/**
 * A growable output buffer for building DNS messages, with RFC 1035 §4.1.4 name compression. It
 * is meant to be long-lived (one per server thread): the buffer and the per-message compression
 * map are reused across messages, and each distinct name's wire form and lower-case suffix keys
 * are computed once and cached, so encoding a typical answer allocates almost nothing besides the
 * final copy. Suffixes match case-insensitively (RFC 4343 §3) but names are emitted as given.
 */
import { ErrorCodes, OutpostError } from '../core/errors.js';
import { MAX_POINTER_OFFSET } from './limits.js';
import { parseIpv6 } from './ip.js';
import { labelsToWire, parseName } from './name.js';

/** Precomputed wire data for one name. */
interface EncodedName {
  /** Uncompressed wire form, case as given. */
  readonly wire: Uint8Array;
  /** Offset of each label's length octet inside `wire`. */
  readonly offsets: readonly number[];
  /** Lower-cased wire suffix starting at each label, as a latin1 string (a Map key). */
  readonly keys: readonly string[];
}

/** Cached names before the cache is dropped and rebuilt (bounds memory on hostile workloads). */
const NAME_CACHE_LIMIT = 20000;

/** Throw the codec's encode error. */
export function encodeError(message: string): never {
  throw new OutpostError(ErrorCodes.ENCODE, message);
}

function encodeName(text: string): EncodedName {
  const wire = labelsToWire(parseName(text).labels);
  const lower = Buffer.from(wire);
  const offsets: number[] = [];
  for (let o = 0; (lower[o] ?? 0) !== 0; o += (lower[o] ?? 0) + 1) offsets.push(o);
  for (let i = 0; i < lower.length; i++) {
    const c = lower[i] ?? 0;
    // Length octets are <= 63 and so never in 'A'..'Z'; only label octets change.
    if (c >= 0x41 && c <= 0x5a) lower[i] = c + 0x20;
  }
  const keys = offsets.map((o) => lower.toString('latin1', o, lower.length));
  return { wire, offsets, keys };
}

/** Reusable message writer. Call `reset()` before each message. */
export class WireWriter {
  buf: Buffer;
  pos = 0;
  private readonly names = new Map<string, EncodedName>();
  private readonly compression = new Map<string, number>();
  private readonly ipv6 = new Map<string, Uint8Array>();

  constructor(initialSize = 4096) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  /** Start a new message: position 0, empty compression map (the name cache is kept). */
  reset(): void {
    this.pos = 0;
    this.compression.clear();
  }

  /** Make room for `n` more octets, doubling the buffer as needed. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  u16(v: number): void {
    this.ensure(2);
    const p = this.pos;
    this.buf[p] = v >>> 8;
    this.buf[p + 1] = v & 0xff;
    this.pos = p + 2;
  }

  u32(v: number): void {
    this.ensure(4);
    const p = this.pos;
    const b = this.buf;
    b[p] = v >>> 24;
    b[p + 1] = (v >>> 16) & 0xff;
    b[p + 2] = (v >>> 8) & 0xff;
    b[p + 3] = v & 0xff;
    this.pos = p + 4;
  }

  bytes(data: Uint8Array): void {
    this.ensure(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  /** Overwrite a 16-bit value at an earlier offset (counts, RDLENGTH). */
  patch16(offset: number, v: number): void {
    this.buf[offset] = v >>> 8;
    this.buf[offset + 1] = v & 0xff;
  }

  private lookup(text: string): EncodedName {
    let en = this.names.get(text);
    if (en === undefined) {
      en = encodeName(text);
      if (this.names.size >= NAME_CACHE_LIMIT) this.names.clear();
      this.names.set(text, en);
    }
    return en;
  }

  /**
   * Write a name. With `compress`, the longest suffix already in this message is replaced by a
   * pointer (RFC 1035 §4.1.4) and the new suffixes become targets for later names. Without it
   * (types whose names must not be compressed, RFC 3597 §4), the name is written in full.
   */
  name(text: string, compress: boolean): void {
    const en = this.lookup(text);
    const { wire, offsets, keys } = en;
    if (!compress) {
      this.bytes(wire);
      return;
    }
    const n = offsets.length;
    const comp = this.compression;
    let i = 0;
    let target = -1;
    for (; i < n; i++) {
      const hit = comp.get(keys[i] ?? '');
      if (hit !== undefined) {
        target = hit;
        break;
      }
    }
    const start = this.pos;
    for (let j = 0; j < i; j++) {
      const at = start + (offsets[j] ?? 0);
      if (at > MAX_POINTER_OFFSET) break;
      comp.set(keys[j] ?? '', at);
    }
    if (target < 0) {
      this.bytes(wire);
      return;
    }
    const prefix = i < n ? (offsets[i] ?? 0) : wire.length;
    this.ensure(prefix + 2);
    this.buf.set(wire.subarray(0, prefix), start);
    this.pos = start + prefix;
    this.u16(0xc000 | target);
  }

  /** Write the 16 octets of an IPv6 address, parsing each distinct text once (it is the slow part of AAAA). */
  ipv6Address(text: string): void {
    let bytes = this.ipv6.get(text);
    if (bytes === undefined) {
      bytes = parseIpv6(text);
      if (this.ipv6.size >= NAME_CACHE_LIMIT) this.ipv6.clear();
      this.ipv6.set(text, bytes);
    }
    this.bytes(bytes);
  }

  /** Wire length of a name without compression (for size estimates). */
  nameLength(text: string): number {
    return this.lookup(text).wire.length;
  }
}
