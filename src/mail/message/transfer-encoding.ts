/**
 * MIME content transfer encodings (RFC 2045 §6): base64 (§6.8) and quoted-printable (§6.7), both
 * with encoded lines of at most 76 characters, and their decoders, which tolerate what real mail
 * contains (LF line ends, lower-case hex, stray characters in base64, trailing whitespace).
 */
import { MESSAGE_LIMITS } from './limits.js';

const WIDTH = MESSAGE_LIMITS.encodedLineChars;

/** Base64 in CRLF-terminated lines of 76 characters (RFC 2045 §6.8). */
export function encodeBase64(data: Buffer): string {
  const b64 = data.toString('base64');
  let out = '';
  for (let i = 0; i < b64.length; i += WIDTH) out += b64.slice(i, i + WIDTH) + '\r\n';
  return out;
}

/** Decodes base64, ignoring characters outside the alphabet (RFC 2045 §6.8). */
export function decodeBase64(text: string | Buffer): Buffer {
  const s = (typeof text === 'string' ? text : text.toString('latin1')).replace(/[^A-Za-z0-9+/]/g, '');
  return Buffer.from(s, 'base64');
}

function hex(b: number): string {
  return `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
}

/**
 * Quoted-printable (RFC 2045 §6.7). Line breaks in `data` (CRLF, LF or CR) are hard line breaks
 * written as CRLF; `=`, controls, octets >= 127 and whitespace before a line end are `=XX`; long
 * lines get soft breaks (`=` at the end) so that no line exceeds 76 characters. A `.` or `From `
 * at the start of a line is encoded too, so the text survives dot-stuffing and mbox tools intact.
 */
export function encodeQuotedPrintable(data: Buffer): string {
  const lines: string[] = [];
  let i = 0;
  let line = '';
  const hardBreak = (): void => {
    // Whitespace at the end of an encoded line must be encoded (rule 3).
    const last = line[line.length - 1];
    if (last === ' ' || last === '\t') {
      line = line.slice(0, -1) + hex(last.charCodeAt(0));
      if (line.length > WIDTH) {
        const cut = line.length - 3;
        lines.push(line.slice(0, cut) + '=');
        line = line.slice(cut);
      }
    }
    lines.push(line);
    line = '';
  };
  while (i < data.length) {
    const b = data[i] ?? 0;
    if (b === 0x0d || b === 0x0a) {
      hardBreak();
      i += b === 0x0d && data[i + 1] === 0x0a ? 2 : 1;
      continue;
    }
    let enc: string;
    if ((b >= 33 && b <= 126 && b !== 61) || b === 0x20 || b === 0x09) enc = String.fromCharCode(b);
    else enc = hex(b);
    if (
      line === '' &&
      (enc === '.' || (enc === 'F' && data.subarray(i, i + 5).toString('latin1') === 'From '))
    )
      enc = hex(b);
    // Keep room for a soft break `=` (rule 5).
    if (line.length + enc.length > WIDTH - 1) {
      lines.push(line + '=');
      line = '';
      if (enc === '.') enc = hex(b);
    }
    line += enc;
    i++;
  }
  if (line !== '' || lines.length === 0) hardBreak();
  return lines.join('\r\n') + '\r\n';
}

/** Decodes quoted-printable: soft breaks removed, `=XX` (any case) decoded, bad `=` kept. */
export function decodeQuotedPrintable(text: string | Buffer): Buffer {
  const src = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
  const out = Buffer.alloc(src.length);
  let n = 0;
  let i = 0;
  const isHex = (c: number | undefined): boolean =>
    c !== undefined && ((c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102));
  while (i < src.length) {
    const b = src[i] ?? 0;
    if (b === 0x3d) {
      // Soft line break: `=` then optional whitespace then (CR)LF.
      let j = i + 1;
      while (src[j] === 0x20 || src[j] === 0x09) j++;
      if (src[j] === 0x0d && src[j + 1] === 0x0a) {
        i = j + 2;
        continue;
      }
      if (src[j] === 0x0a) {
        i = j + 1;
        continue;
      }
      if (j >= src.length) break;
      if (isHex(src[i + 1]) && isHex(src[i + 2])) {
        out[n++] = parseInt(src.subarray(i + 1, i + 3).toString('latin1'), 16);
        i += 3;
        continue;
      }
      out[n++] = b;
      i++;
      continue;
    }
    if (b === 0x20 || b === 0x09) {
      // Trailing whitespace before a line end was added in transport (rule 3): drop it.
      let j = i;
      while (src[j] === 0x20 || src[j] === 0x09) j++;
      if (j >= src.length || src[j] === 0x0d || src[j] === 0x0a) {
        i = j;
        continue;
      }
    }
    out[n++] = b;
    i++;
  }
  return out.subarray(0, n);
}

/** Decodes a body by its Content-Transfer-Encoding (7bit/8bit/binary and unknown: as is). */
export function decodeTransfer(body: Buffer, encoding: string): Buffer {
  switch (encoding.trim().toLowerCase()) {
    case 'base64':
      return decodeBase64(body);
    case 'quoted-printable':
      return decodeQuotedPrintable(body);
    default:
      return body;
  }
}
