/**
 * Reading a message body: DATA's dot-terminated text (RFC 5321 §4.1.1.4, §4.5.2) and BDAT's
 * counted chunks (RFC 3030). The SMTP smuggling defence lives here: only CRLF "." CRLF ends
 * DATA — a "." line ended by a bare LF, a line holding a bare CR, or a "." CRLF that follows a
 * bare-LF line never does — and a message holding any bare CR or LF is rejected after reading to
 * the real end (RFC 5321 §2.3.8), so a downstream server can never see a second message in it.
 * Over-long lines and oversized messages are read to the end too, then refused, so the session
 * stays in step with the client.
 */
import type { BytesResult, ReadResult } from '../../core/line/connection.js';
import { SMTP_LIMITS } from './limits.js';

/** What reading a body produced. */
export type BodyResult =
  | { readonly kind: 'ok'; readonly bytes: Buffer }
  | { readonly kind: 'too-big' }
  | { readonly kind: 'bare-newline' }
  | { readonly kind: 'line-too-long' }
  | { readonly kind: 'end' }
  | { readonly kind: 'timeout' };

/** The reads the body readers need (LineConnection has them). */
export interface BodySource {
  readLine(): Promise<ReadResult>;
  readBytes(max: number): Promise<BytesResult>;
  /** How the last over-long line ended, known once the read after its overflow returned. */
  readonly discardedLineEnding: 'crlf' | 'lf' | null;
}

const CRLF = Buffer.from('\r\n');
const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;

/** Reads a DATA body up to CRLF.CRLF, dot-unstuffing it; at most `maxOctets` are kept. */
export async function readDotBody(source: BodySource, maxOctets: number): Promise<BodyResult> {
  const parts: Buffer[] = [];
  let octets = 0;
  let problem: 'too-big' | 'bare-newline' | 'line-too-long' | null = null;
  // The DATA command line ended with CRLF, so a "." on the first line ends the (empty) body.
  let previousCrlf = true;
  let afterOverflow = false;
  for (;;) {
    const r = await source.readLine();
    if (r.kind === 'end' || r.kind === 'shutdown') return { kind: 'end' };
    if (r.kind === 'timeout') return { kind: 'timeout' };
    if (r.kind === 'overflow') {
      // Longer than the connection reads at all (the AUTH line limit, far over 1000).
      problem ??= 'line-too-long';
      afterOverflow = true;
      continue;
    }
    // The over-long line was discarded up to its LF; now that the next line is here, the
    // connection knows whether a CR preceded that LF (a "." after a bare LF ends nothing).
    if (afterOverflow) previousCrlf = source.discardedLineEnding === 'crlf';
    afterOverflow = false;
    const raw = r.raw;
    const crlf = r.ending === 'crlf';
    if (crlf && previousCrlf && raw.length === 1 && raw[0] === DOT) break;
    // RFC 5321 §4.5.3.1.6: a text line is at most 1000 octets including its CRLF.
    if (raw.length + 2 > SMTP_LIMITS.dataLineOctets) problem ??= 'line-too-long';
    if (!crlf || raw.includes(CR)) problem ??= 'bare-newline';
    previousCrlf = crlf;
    if (problem !== null) continue;
    const line = raw.length > 0 && raw[0] === DOT ? raw.subarray(1) : raw;
    octets += line.length + 2;
    if (octets > maxOctets) {
      problem = 'too-big';
      parts.length = 0;
      continue;
    }
    parts.push(line, CRLF);
  }
  if (problem !== null) return { kind: problem };
  return { kind: 'ok', bytes: Buffer.concat(parts, octets) };
}

/**
 * Tracks bare CR / LF across BDAT chunks (a CRLF may straddle two chunks): `push` each chunk,
 * then `finish()` says whether the whole body was clean CRLF text.
 */
export class BareNewlineDetector {
  #lastWasCr = false;
  #bad = false;

  push(chunk: Buffer): void {
    if (this.#bad || chunk.length === 0) return;
    let i = 0;
    if (this.#lastWasCr) {
      this.#lastWasCr = false;
      if (chunk[0] !== LF) {
        this.#bad = true;
        return;
      }
      i = 1;
    }
    for (;;) {
      const cr = chunk.indexOf(CR, i);
      const lf = chunk.indexOf(LF, i);
      if (lf !== -1 && (cr === -1 || lf < cr)) {
        this.#bad = true;
        return;
      }
      if (cr === -1) return;
      if (cr === chunk.length - 1) {
        this.#lastWasCr = true;
        return;
      }
      if (chunk[cr + 1] !== LF) {
        this.#bad = true;
        return;
      }
      i = cr + 2;
    }
  }

  /** True when a bare CR or LF was seen (a trailing lone CR counts). */
  finish(): boolean {
    return this.#bad || this.#lastWasCr;
  }
}

/**
 * Reads one BDAT chunk of exactly `size` octets. The bytes are returned while `keep` is true;
 * otherwise (over the size limit, or a chunk that must be refused) they are read and dropped.
 */
export async function readChunk(
  source: BodySource,
  size: number,
  keep: boolean,
): Promise<{ kind: 'ok'; bytes: Buffer[] } | { kind: 'end' } | { kind: 'timeout' }> {
  const bytes: Buffer[] = [];
  let left = size;
  while (left > 0) {
    const r = await source.readBytes(Math.min(left, SMTP_LIMITS.bdatReadOctets));
    if (r.kind === 'end') return { kind: 'end' };
    if (r.kind === 'timeout') return { kind: 'timeout' };
    left -= r.data.length;
    if (keep) bytes.push(r.data);
  }
  return { kind: 'ok', bytes };
}
