/**
 * Byte ranges (RFC 9110 §14): parsing `Range: bytes=…` against a representation length, and the
 * pieces of a 206 answer (Content-Range, multipart/byteranges framing). Pure.
 */
import { randomBytes } from 'node:crypto';
import { HTTP_LIMITS } from './limits.js';

/** One satisfiable range, inclusive bounds. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * `ignore`: serve the whole representation (no Range, not `bytes`, or malformed: §14.2 says a
 * server MAY ignore an invalid Range); `unsatisfiable`: 416; otherwise the ranges to send.
 */
export type RangeResult =
  | { readonly kind: 'ignore' }
  | { readonly kind: 'unsatisfiable' }
  | { readonly kind: 'ranges'; readonly ranges: readonly ByteRange[] };

const IGNORE: RangeResult = { kind: 'ignore' };

/** RFC 9110 §14.1.1 ranges-specifier against a representation of `size` bytes. */
export function parseRange(header: string | undefined, size: number): RangeResult {
  if (header === undefined) return IGNORE;
  const m = /^\s*bytes\s*=\s*(.*)$/i.exec(header);
  if (!m) return IGNORE;
  const specs = (m[1] ?? '').split(',');
  if (specs.length > HTTP_LIMITS.maxRanges) return IGNORE;
  const ranges: ByteRange[] = [];
  let anyValid = false;
  for (const spec of specs) {
    const s = spec.trim();
    if (s === '') continue;
    const r = /^(\d{0,15})-(\d{0,15})$/.exec(s);
    if (!r) return IGNORE;
    const first = r[1] ?? '';
    const last = r[2] ?? '';
    if (first === '' && last === '') return IGNORE;
    anyValid = true;
    if (first === '') {
      // suffix-range: the last N bytes (§14.1.1); zero-length suffix is unsatisfiable.
      const n = Number(last);
      if (n === 0 || size === 0) continue;
      ranges.push({ start: Math.max(0, size - n), end: size - 1 });
      continue;
    }
    const start = Number(first);
    const end = last === '' ? size - 1 : Number(last);
    if (last !== '' && end < start) return IGNORE;
    if (start >= size) continue; // unsatisfiable on its own
    ranges.push({ start, end: Math.min(end, size - 1) });
  }
  if (!anyValid) return IGNORE;
  if (ranges.length === 0) return { kind: 'unsatisfiable' };
  return { kind: 'ranges', ranges: coalesce(ranges) };
}

/** Merges overlapping or adjacent ranges (§14.2 permits it) so no byte is sent twice. */
function coalesce(ranges: ByteRange[]): ByteRange[] {
  if (ranges.length < 2) return ranges;
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const overlapping = sorted.some((r, i) => i > 0 && r.start <= (sorted[i - 1]?.end ?? -2) + 1);
  if (!overlapping) return ranges; // keep the client's order when nothing overlaps
  const out: ByteRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end + 1)
      out[out.length - 1] = { start: last.start, end: Math.max(last.end, r.end) };
    else out.push(r);
  }
  return out;
}

/** `bytes 0-99/1234` (§14.4). */
export function contentRange(range: ByteRange, size: number): string {
  return `bytes ${range.start}-${range.end}/${size}`;
}

/** `bytes *\/1234`, the Content-Range of a 416 (§15.5.17). */
export function unsatisfiedRange(size: number): string {
  return `bytes */${size}`;
}

/** The framing of a multipart/byteranges body (RFC 9110 §14.6). */
export interface MultipartRanges {
  readonly contentType: string;
  /** Head (boundary line + part headers) to write before each range's bytes, in order. */
  readonly heads: readonly Buffer[];
  readonly tail: Buffer;
  readonly length: number;
}

/** Builds the multipart/byteranges envelope for `ranges` of a `type` body of `size` bytes. */
export function multipartRanges(
  ranges: readonly ByteRange[],
  size: number,
  type: string,
  boundary = randomBytes(12).toString('hex'),
): MultipartRanges {
  const heads = ranges.map((r, i) =>
    Buffer.from(
      `${i === 0 ? '' : '\r\n'}--${boundary}\r\nContent-Type: ${type}\r\nContent-Range: ${contentRange(r, size)}\r\n\r\n`,
      'latin1',
    ),
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1');
  const body = ranges.reduce((n, r) => n + r.end - r.start + 1, 0);
  const length = heads.reduce((n, h) => n + h.length, 0) + body + tail.length;
  return { contentType: `multipart/byteranges; boundary=${boundary}`, heads, tail, length };
}
