/**
 * A bounds-checked cursor over a received DNS message. Every read checks the remaining length
 * first and throws ERR_PARSE with the offset and what was being read, so hostile input fails with
 * a precise message instead of reading garbage. Name decompression lives here because it is the
 * one place where a packet can make us loop: we require every compression pointer to point
 * strictly before the start of the label run that contains it (RFC 1035 §4.1.4 only ever needs
 * "a prior occurrence"), which makes loops impossible, and we still cap the number of jumps.
 */
import { ErrorCodes, OutpostError } from '../core/errors.js';
import { MAX_NAME_LENGTH, MAX_POINTER_JUMPS } from './limits.js';
import { typeToString } from './constants.js';
import { formatLabel } from './name.js';

/** Throw the codec's parse error. */
export function parseError(message: string): never {
  throw new OutpostError(ErrorCodes.PARSE, message);
}

/** Cursor over a message (or over standalone RDATA when `allowPointers` is false). */
export class WireReader {
  readonly buf: Buffer;
  readonly length: number;
  pos: number;
  /** False for standalone RDATA (RFC 3597 generic data), where there is no message to point into. */
  readonly allowPointers: boolean;
  /**
   * Where we are, for error messages only; set by the decoder with plain assignments so the hot
   * path never builds strings. `context` names the section and record, e.g. "answer record 2".
   */
  context = '';
  /** Owner and type of the record being read, or '' before they are known. */
  owner = '';
  type = -1;

  constructor(buf: Uint8Array, allowPointers = true) {
    // A Buffer view (no copy) so label text can use the fast latin1 decoder.
    const view: Buffer = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    this.buf = view;
    this.length = buf.length;
    this.pos = 0;
    this.allowPointers = allowPointers;
  }

  /** Throw ERR_PARSE prefixed with the current location. */
  fail(message: string): never {
    let where = this.context;
    if (this.owner !== '') where += ` (${this.owner} ${typeToString(this.type)})`;
    parseError(where === '' ? message : `${where}: ${message}`);
  }

  /** Fail unless `n` more octets are available before `limit`. */
  need(n: number, what: string, limit = this.length): void {
    if (this.pos + n > limit) {
      this.fail(
        `truncated ${what}: need ${n} octets at offset ${this.pos}, ${Math.max(0, limit - this.pos)} left`,
      );
    }
  }

  u8(what: string, limit = this.length): number {
    this.need(1, what, limit);
    return this.buf[this.pos++] ?? 0;
  }

  u16(what: string, limit = this.length): number {
    this.need(2, what, limit);
    const p = this.pos;
    this.pos = p + 2;
    return ((this.buf[p] ?? 0) << 8) | (this.buf[p + 1] ?? 0);
  }

  u32(what: string, limit = this.length): number {
    this.need(4, what, limit);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 4;
    return (
      ((b[p] ?? 0) * 0x1000000 + (((b[p + 1] ?? 0) << 16) | ((b[p + 2] ?? 0) << 8) | (b[p + 3] ?? 0))) >>> 0
    );
  }

  /** A copy (plain Uint8Array, not a view) of the next `n` octets. */
  bytes(n: number, what: string, limit = this.length): Uint8Array {
    this.need(n, what, limit);
    const out = new Uint8Array(n);
    out.set(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return out;
  }

  /**
   * Read a possibly compressed name and return its presentation form (absolute, trailing dot).
   * Octets before the first pointer must lie before `limit` (the end of the RDATA or message).
   */
  name(what: string, limit = this.length): string {
    const buf = this.buf;
    let pos = this.pos;
    let segStart = pos;
    let bound = limit;
    let jumps = 0;
    let jumped = false;
    let wireLen = 1;
    let out = '';
    for (;;) {
      if (pos >= bound) this.fail(`truncated ${what}: name runs past offset ${bound}`);
      const len = buf[pos] ?? 0;
      if (len === 0) {
        pos++;
        break;
      }
      const top = len & 0xc0;
      if (top === 0xc0) {
        if (pos + 1 >= bound) this.fail(`truncated ${what}: compression pointer at offset ${pos} cut short`);
        if (!this.allowPointers) this.fail(`${what}: compression pointer not allowed here (offset ${pos})`);
        const target = ((len & 0x3f) << 8) | (buf[pos + 1] ?? 0);
        if (target >= segStart) {
          this.fail(
            `${what}: compression pointer at offset ${pos} to offset ${target} does not point backwards (loop or forward pointer)`,
          );
        }
        if (++jumps > MAX_POINTER_JUMPS)
          this.fail(`${what}: more than ${MAX_POINTER_JUMPS} compression pointers`);
        if (!jumped) {
          this.pos = pos + 2;
          jumped = true;
          bound = this.length;
        }
        pos = target;
        segStart = target;
        continue;
      }
      if (top !== 0) {
        this.fail(
          `${what}: label at offset ${pos} has length octet 0x${len.toString(16)} (labels are at most 63 octets; extended label types are not supported)`,
        );
      }
      if (pos + 1 + len > bound)
        this.fail(`truncated ${what}: label at offset ${pos} runs past offset ${bound}`);
      wireLen += len + 1;
      if (wireLen > MAX_NAME_LENGTH) this.fail(`${what}: name longer than ${MAX_NAME_LENGTH} octets`);
      out += formatLabel(buf, pos + 1, len) + '.';
      pos += 1 + len;
    }
    if (!jumped) this.pos = pos;
    return out === '' ? '.' : out;
  }
}
