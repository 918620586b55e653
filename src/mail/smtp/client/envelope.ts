/**
 * The client's side of the SMTP envelope: MAIL FROM and RCPT TO lines with the ESMTP parameters
 * the server offered (SIZE, RFC 1870; BODY=8BITMIME, RFC 6152; SMTPUTF8, RFC 6531; RET, ENVID,
 * NOTIFY, ORCPT, RFC 3461 with xtext §4), and the message body made ready for the wire: CRLF line
 * endings everywhere (bare CR or LF never leave us: SMTP smuggling) and, for DATA, dot-stuffing
 * (RFC 5321 §4.5.2) plus the terminating `.`.
 */
import { ErrorCodes, OutpostError } from '../../../core/errors.js';
import type { DsnRecipientOptions } from '../../store/types.js';

/** One recipient to send to. */
export interface EnvelopeRecipient extends DsnRecipientOptions {
  readonly address: string;
}

/**
 * RFC 3461 §4 xtext: `+`, `=`, controls and non-ASCII as `+XX`. A `+XX` already in the value
 * (two upper-case hex digits) is kept, so a value that was stored still xtext-encoded (as the
 * server received it) is not encoded twice.
 */
export function encodeXtext(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] ?? 0;
    if (b === 0x2b && /^[0-9A-F]{2}$/.test(bytes.subarray(i + 1, i + 3).toString('latin1'))) out += '+';
    else if (b >= 0x21 && b <= 0x7e && b !== 0x2b && b !== 0x3d) out += String.fromCharCode(b);
    else out += `+${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Refuses CR, LF and NUL, and `<`/`>` inside a path (command injection). */
export function checkPathAddress(address: string): string {
  if (/[\r\n\0<>\s]/.test(address.replace(/"[^"]*"/g, '""'))) {
    throw new OutpostError(
      ErrorCodes.UNSAFE_OUTPUT,
      `unsafe address in SMTP path: ${JSON.stringify(address.slice(0, 80))}`,
    );
  }
  return address;
}

/** True when any octet is >= 0x80. */
export function hasEightBit(bytes: Buffer): boolean {
  for (const b of bytes) if (b >= 0x80) return true;
  return false;
}

/** True when a string has non-ASCII characters. */
export function isNonAscii(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /[^\x00-\x7f]/.test(text);
}

/** The message as CRLF-terminated lines: bare LF and bare CR become CRLF; a last line gets CRLF. */
export function toCrlfLines(bytes: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b === 0x0a || b === 0x0d) {
      lines.push(bytes.subarray(start, i));
      i += b === 0x0d && bytes[i + 1] === 0x0a ? 2 : 1;
      start = i;
    } else {
      // Jump to the next CR or LF.
      const lf = bytes.indexOf(0x0a, i);
      const cr = bytes.indexOf(0x0d, i);
      const next = lf < 0 ? cr : cr < 0 ? lf : Math.min(lf, cr);
      i = next < 0 ? bytes.length : next;
    }
  }
  if (start < bytes.length) lines.push(bytes.subarray(start));
  return lines;
}

const CRLF = Buffer.from('\r\n');
const DOT = Buffer.from('.');

/** The canonical CRLF form of a message (for BDAT, and for SIZE before sending). */
export function canonicalBody(bytes: Buffer): Buffer {
  const out: Buffer[] = [];
  for (const line of toCrlfLines(bytes)) out.push(line, CRLF);
  return Buffer.concat(out);
}

/** The DATA form: canonical lines, a `.` doubled at the start of a line, then `.` CRLF. */
export function dotStuffed(bytes: Buffer): Buffer {
  const out: Buffer[] = [];
  for (const line of toCrlfLines(bytes)) {
    if (line[0] === 0x2e) out.push(DOT);
    out.push(line, CRLF);
  }
  out.push(DOT, CRLF);
  return Buffer.concat(out);
}
