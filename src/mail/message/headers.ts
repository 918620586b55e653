/**
 * RFC 5322 header sections: finding where the header ends and the body starts, splitting fields,
 * unfolding (RFC 5322 §2.2.3) and case-insensitive lookup. Bounded by MESSAGE_LIMITS (fields,
 * section size, field size). Tolerant where it is safe: LF-only line endings, whitespace before
 * the colon (obs-optional, RFC 5322 §4.5), and a line that is not a field ends the header section
 * (as Postfix does) rather than failing the whole message. Values are decoded as UTF-8 so RFC 6532
 * internationalised headers survive; pure, no I/O.
 */
import { ErrorCodes, OutpostError } from '../../core/errors.js';
import { MESSAGE_LIMITS, type MessageLimits } from './limits.js';

/** One header field. */
export interface HeaderField {
  /** The name as written (compare with `sameName`/lower-case). */
  readonly name: string;
  /** The unfolded value: CRLF before whitespace removed, leading whitespace after the colon kept
   *  out, trailing CR/LF removed. Not decoded (see encoded-word.ts). */
  readonly value: string;
  /** The field's exact bytes in the message, folding and line ending included. */
  readonly raw: Buffer;
}

/** A parsed header section. */
export interface HeaderSection {
  readonly fields: readonly HeaderField[];
  /** Offset of the first body byte (after the empty separator line, if any). */
  readonly bodyOffset: number;
  /** Offset where the header section ends (the separator line, or the first non-field line). */
  readonly headerEnd: number;
  /** False when the section ended at a non-field line or at end of input instead of an empty line. */
  readonly hasSeparator: boolean;
  /** `\r\n` unless the first line ended with a bare LF. */
  readonly eol: '\r\n' | '\n';
}

const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;

function limit(limits: MessageLimits | undefined, key: keyof typeof MESSAGE_LIMITS): number {
  return limits?.[key] ?? MESSAGE_LIMITS[key];
}

function tooLarge(what: string): OutpostError {
  return new OutpostError(ErrorCodes.INPUT_TOO_LARGE, `message header: ${what}`);
}

/** The end of the line starting at `start`: [index after the line terminator, content end]. */
function lineAt(bytes: Buffer, start: number): [next: number, contentEnd: number] {
  const lf = bytes.indexOf(0x0a, start);
  if (lf < 0) return [bytes.length, bytes.length];
  const contentEnd = lf > start && bytes[lf - 1] === 0x0d ? lf - 1 : lf;
  return [lf + 1, contentEnd];
}

/**
 * Parses the header section at the start of `bytes`. Throws OutpostError INPUT_TOO_LARGE when a
 * cap is exceeded (too many fields, section or field too large); never throws on bad syntax.
 */
export function parseHeaderSection(bytes: Buffer, limits?: MessageLimits): HeaderSection {
  const maxFields = limit(limits, 'maxHeaderFields');
  const maxSection = limit(limits, 'maxHeaderSectionOctets');
  const maxField = limit(limits, 'maxFieldOctets');
  const fields: HeaderField[] = [];
  const firstLf = bytes.indexOf(0x0a);
  const eol: '\r\n' | '\n' = firstLf > 0 && bytes[firstLf - 1] !== 0x0d ? '\n' : '\r\n';
  let pos = 0;
  let current: { start: number; end: number } | null = null;
  const flush = (): void => {
    if (!current) return;
    const raw = bytes.subarray(current.start, current.end);
    current = null;
    if (raw.length > maxField) throw tooLarge(`a field is over ${String(maxField)} octets`);
    if (fields.length >= maxFields) throw tooLarge(`more than ${String(maxFields)} fields`);
    const text = raw.toString('utf8');
    const colon = text.indexOf(':');
    const name = text.slice(0, colon).replace(/[ \t]+$/, '');
    const value = text
      .slice(colon + 1)
      .replace(/\r?\n(?=[ \t])/g, '')
      .replace(/\r?\n$/, '')
      .replace(/^[ \t]+/, '');
    fields.push({ name, value, raw });
  };
  while (pos < bytes.length) {
    if (pos > maxSection) throw tooLarge(`section over ${String(maxSection)} octets`);
    const [next, contentEnd] = lineAt(bytes, pos);
    if (contentEnd === pos) {
      // The empty line: end of the header section (RFC 5322 §2.1).
      flush();
      return { fields, bodyOffset: next, headerEnd: pos, hasSeparator: true, eol };
    }
    const first = bytes[pos];
    if ((first === 0x20 || first === 0x09) && current) {
      current.end = next;
    } else {
      const line = bytes.subarray(pos, Math.min(contentEnd, pos + 1000)).toString('latin1');
      const colon = line.indexOf(':');
      const name = colon > 0 ? line.slice(0, colon).replace(/[ \t]+$/, '') : '';
      if (!FIELD_NAME.test(name)) {
        flush();
        return { fields, bodyOffset: pos, headerEnd: pos, hasSeparator: false, eol };
      }
      flush();
      current = { start: pos, end: next };
    }
    pos = next;
  }
  flush();
  return { fields, bodyOffset: bytes.length, headerEnd: bytes.length, hasSeparator: false, eol };
}

/** True when two field names are the same (names are case-insensitive, RFC 5322 §1.2.2). */
export function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** The first field called `name`, or undefined. */
export function getHeader(fields: readonly HeaderField[], name: string): string | undefined {
  return fields.find((f) => sameName(f.name, name))?.value;
}

/** Every field called `name`, in order. */
export function getHeaders(fields: readonly HeaderField[], name: string): string[] {
  return fields.filter((f) => sameName(f.name, name)).map((f) => f.value);
}
