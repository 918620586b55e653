/**
 * A bounded, streaming multipart/form-data parser (RFC 7578 over RFC 2046 §5.1.1). Bytes go in
 * with `write(chunk)` in whatever pieces the socket delivers; part headers, body bytes and part
 * ends come out through synchronous callbacks, so a file part can stream to disk without the
 * body ever being held in memory. Every read path is capped: part header block size, number of
 * parts; anything malformed throws a MultipartError (the server answers 400).
 */
import { HTTP_LIMITS } from './limits.js';

/** A malformed or over-limit multipart body. */
export class MultipartError extends Error {
  override readonly name = 'MultipartError';
}

/** The headers of one part that matter for form data. */
export interface PartInfo {
  /** Content-Disposition `name`. */
  readonly name: string;
  /** Content-Disposition `filename`, when the part is a file. */
  readonly filename: string | undefined;
  readonly contentType: string | undefined;
}

/** What the parser reports. */
export interface MultipartHandlers {
  onPart(part: PartInfo): void;
  onData(chunk: Buffer): void;
  onPartEnd(): void;
}

/** The boundary parameter of a multipart Content-Type, or undefined. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const m =
    /^\s*multipart\/form-data\s*;(?:.*;)?\s*boundary\s*=\s*(?:"([^"]{1,70})"|([^\s;"]{1,70}))(?=\s*(?:;|$))/i.exec(
      contentType,
    );
  const b = m?.[1] ?? m?.[2];
  // RFC 2046 §5.1.1 bchars; a boundary may not end with a space.
  if (b === undefined || !/^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/.test(b))
    return undefined;
  return b;
}

/** Parses one Content-Disposition header value's name and filename parameters. */
export function parseDisposition(value: string): { name?: string; filename?: string } | undefined {
  const m = /^\s*form-data\s*(;.*)?$/i.exec(value);
  if (!m) return undefined;
  const out: { name?: string; filename?: string } = {};
  const params = m[1] ?? '';
  const re = /;\s*([A-Za-z*]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))/g;
  let p: RegExpExecArray | null;
  while ((p = re.exec(params)) !== null) {
    const key = (p[1] ?? '').toLowerCase();
    const val = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : (p[3] ?? '');
    if (key === 'name') out.name = val;
    else if (key === 'filename') out.filename = val;
  }
  return out;
}

type State = 'preamble' | 'headers' | 'body' | 'done';

/** Streaming parser for one body. */
export class MultipartParser {
  readonly #delimiter: Buffer;
  readonly #handlers: MultipartHandlers;
  #state: State = 'preamble';
  // The body is parsed as if preceded by CRLF, so the first boundary matches the same
  // "\r\n--boundary" delimiter as the others (RFC 2046 §5.1.1: the CRLF belongs to the boundary).
  #pending: Buffer = Buffer.from('\r\n');
  #parts = 0;

  constructor(boundary: string, handlers: MultipartHandlers) {
    this.#delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
    this.#handlers = handlers;
  }

  /** True once the closing delimiter has been seen. */
  get done(): boolean {
    return this.#state === 'done';
  }

  /** Feeds bytes; throws MultipartError on malformed or over-limit input. */
  write(chunk: Buffer): void {
    if (this.#state === 'done') return; // epilogue: ignored (RFC 2046 §5.1.1)
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    for (;;) {
      if (this.#state === 'preamble' || this.#state === 'body') {
        const at = this.#pending.indexOf(this.#delimiter);
        if (at === -1) {
          const keep = this.#delimiter.length + 1;
          if (this.#state === 'body' && this.#pending.length > keep) {
            this.#handlers.onData(this.#pending.subarray(0, this.#pending.length - keep));
            this.#pending = this.#pending.subarray(this.#pending.length - keep);
          } else if (this.#state === 'preamble' && this.#pending.length > HTTP_LIMITS.maxPartHeaderBytes) {
            throw new MultipartError('no boundary found');
          }
          return;
        }
        const after = at + this.#delimiter.length;
        if (this.#pending.length < after + 2) return; // need the two bytes after the delimiter
        if (this.#state === 'body') {
          if (at > 0) this.#handlers.onData(this.#pending.subarray(0, at));
          this.#handlers.onPartEnd();
        }
        const next = this.#pending.subarray(after, after + 2).toString('latin1');
        if (next === '--') {
          this.#state = 'done';
          this.#pending = Buffer.alloc(0);
          return;
        }
        // Transport padding (LWSP) may follow a boundary before its CRLF.
        let eol = after;
        while (this.#pending[eol] === 0x20 || this.#pending[eol] === 0x09) eol++;
        if (eol + 2 > this.#pending.length) return;
        if (this.#pending[eol] !== 0x0d || this.#pending[eol + 1] !== 0x0a)
          throw new MultipartError('bad boundary line');
        this.#pending = this.#pending.subarray(eol + 2);
        this.#state = 'headers';
        if (++this.#parts > HTTP_LIMITS.maxMultipartParts) throw new MultipartError('too many parts');
        continue;
      }
      // headers
      const end = this.#pending.indexOf('\r\n\r\n', 0, 'latin1');
      const blank = this.#pending.subarray(0, 2).toString('latin1') === '\r\n';
      if (end === -1 && !blank) {
        if (this.#pending.length > HTTP_LIMITS.maxPartHeaderBytes)
          throw new MultipartError('part headers too large');
        return;
      }
      const headerEnd = blank ? 0 : end;
      if (headerEnd > HTTP_LIMITS.maxPartHeaderBytes) throw new MultipartError('part headers too large');
      const block = this.#pending.subarray(0, headerEnd).toString('utf8');
      this.#pending = this.#pending.subarray(blank ? 2 : end + 4);
      this.#handlers.onPart(partInfo(block));
      this.#state = 'body';
    }
  }

  /** Call at the end of the body; throws when the closing delimiter never came. */
  end(): void {
    if (this.#state !== 'done') throw new MultipartError('body ended before the closing boundary');
  }
}

function partInfo(block: string): PartInfo {
  let name: string | undefined;
  let filename: string | undefined;
  let contentType: string | undefined;
  for (const line of block.split('\r\n')) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new MultipartError('malformed part header');
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'content-disposition') {
      const d = parseDisposition(value);
      if (d === undefined) throw new MultipartError('part is not form-data');
      name = d.name;
      filename = d.filename;
    } else if (key === 'content-type') contentType = value;
  }
  if (name === undefined) throw new MultipartError('part without a name');
  return { name, filename, contentType };
}
