/**
 * TYPE A conversion (RFC 959 §3.1.1.1): on the wire, lines end in CRLF (NVT-ASCII); on disk,
 * in LF. Sending turns every bare LF into CRLF (an LF already preceded by CR stays as it is);
 * receiving turns CRLF into LF and keeps a lone CR. Both converters are incremental: a CR at the
 * end of one chunk is remembered until the next, so the result never depends on how TCP split
 * the stream. Pure byte functions plus Transform stream wrappers.
 */
import { Transform, type TransformCallback } from 'node:stream';

const CR = 0x0d;
const LF = 0x0a;

/** LF -> CRLF, incremental. */
export class LfToCrlf {
  #lastWasCr = false;

  /** Converts one chunk. */
  push(chunk: Buffer): Buffer {
    let bare = 0;
    const prevCr = this.#lastWasCr;
    for (let i = chunk.indexOf(LF); i !== -1; i = chunk.indexOf(LF, i + 1)) {
      if (!(i === 0 ? prevCr : chunk[i - 1] === CR)) bare++;
    }
    if (chunk.length > 0) this.#lastWasCr = chunk[chunk.length - 1] === CR;
    if (bare === 0) return chunk;
    const out = Buffer.allocUnsafe(chunk.length + bare);
    let o = 0;
    let start = 0;
    for (let i = chunk.indexOf(LF); i !== -1; i = chunk.indexOf(LF, i + 1)) {
      const isBare = !(i === 0 ? prevCr : chunk[i - 1] === CR);
      if (isBare) {
        o += chunk.copy(out, o, start, i);
        out[o++] = CR;
        start = i;
      }
    }
    o += chunk.copy(out, o, start);
    return out.subarray(0, o);
  }
}

/** CRLF -> LF, incremental; a CR at a chunk's end waits for the next chunk (or `end`). */
export class CrlfToLf {
  #pendingCr = false;

  /** Converts one chunk. */
  push(chunk: Buffer): Buffer {
    const input = this.#pendingCr ? Buffer.concat([Buffer.of(CR), chunk]) : chunk;
    this.#pendingCr = false;
    let end = input.length;
    if (end > 0 && input[end - 1] === CR) {
      this.#pendingCr = true;
      end--;
    }
    const body = input.subarray(0, end);
    if (!body.includes(CR)) return body;
    const out = Buffer.allocUnsafe(body.length);
    let o = 0;
    for (let i = 0; i < body.length; i++) {
      const b = body[i] ?? 0;
      if (b === CR && body[i + 1] === LF) continue;
      out[o++] = b;
    }
    return out.subarray(0, o);
  }

  /** What is left at the end of the stream (a final lone CR). */
  end(): Buffer {
    const out = this.#pendingCr ? Buffer.of(CR) : Buffer.alloc(0);
    this.#pendingCr = false;
    return out;
  }
}

/** Octets a file of `data` takes on the wire in TYPE A (RFC 3659 §4 SIZE), incremental. */
export class AsciiSizeCounter {
  #size = 0;
  readonly #conv = new LfToCrlf();

  push(chunk: Buffer): void {
    this.#size += this.#conv.push(chunk).length;
  }

  get size(): number {
    return this.#size;
  }
}

/** A Transform that applies LfToCrlf (downloads in TYPE A). */
export function toCrlfStream(): Transform {
  const conv = new LfToCrlf();
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      cb(null, conv.push(chunk));
    },
  });
}

/** A Transform that applies CrlfToLf (uploads in TYPE A). */
export function toLfStream(): Transform {
  const conv = new CrlfToLf();
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      cb(null, conv.push(chunk));
    },
    flush(cb: TransformCallback) {
      const rest = conv.end();
      cb(null, rest.length > 0 ? rest : undefined);
    },
  });
}
