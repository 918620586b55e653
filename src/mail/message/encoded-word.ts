/**
 * RFC 2047 encoded words (`=?utf-8?B?…?=` / `=?utf-8?Q?…?=`) for non-ASCII text in headers, and
 * header folding (RFC 5322 §2.2.3). Encoding keeps every word at most 75 characters (§2) and never
 * splits a UTF-8 character across two words (§5 (3)); decoding joins adjacent encoded words that
 * are separated only by whitespace (§6.2), accepts any charset TextDecoder knows, strips RFC 2231
 * §5 language tags, and leaves malformed words as they are.
 */
import { MESSAGE_LIMITS } from './limits.js';

const WORD = /=\?([^?\s*]+)(?:\*[^?\s]*)?\?([BbQq])\?([^?\s]*)\?=/g;

function decodeBytes(bytes: Buffer, charset: string): string | null {
  try {
    return new TextDecoder(charset.toLowerCase()).decode(bytes);
  } catch {
    return null;
  }
}

/** The bytes of the `Q` encoding (RFC 2047 §4.2): `_` is a space, `=XX` an octet. */
function qDecode(text: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5f) out.push(0x20);
    else if (c === 0x3d && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(c & 0xff);
  }
  return Buffer.from(out);
}

/**
 * Decodes every encoded word in an unstructured header value (or a phrase). Whitespace between
 * two adjacent encoded words is dropped (RFC 2047 §6.2), and only there: text that merely ends
 * in `?=`, or a word left encoded because its charset is unknown, keeps its spacing.
 */
export function decodeEncodedWords(text: string): string {
  let out = '';
  let last = 0;
  let previousDecoded = false;
  for (const m of text.matchAll(WORD)) {
    const [whole, charset = '', enc = '', data = ''] = m;
    const gap = text.slice(last, m.index);
    const decoded = decodeBytes(
      enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64') : qDecode(data),
      charset,
    );
    if (!(previousDecoded && decoded !== null && /^[ \t\r\n]+$/.test(gap))) out += gap;
    out += decoded ?? whole;
    previousDecoded = decoded !== null;
    last = m.index + whole.length;
  }
  return out + text.slice(last);
}

/** One encoded word anywhere in a text (WORD without the global flag). */
const LOOKS_ENCODED = new RegExp(WORD.source);

/** True when a reader would decode part of `text` as an encoded word (RFC 2047 §6.1). */
export function looksEncoded(text: string): boolean {
  return LOOKS_ENCODED.test(text);
}

/**
 * True when `text` must be encoded to be put in a 7-bit header: non-ASCII or control characters,
 * or text a reader would take for an encoded word (`=?utf-8?Q?x?=` written literally), which
 * only survives the round trip encoded itself (RFC 2047 §5: decoders decode any such word).
 */
export function needsEncoding(text: string): boolean {
  return /[^\x20-\x7e\t]/.test(text) || looksEncoded(text);
}

/** Characters allowed unencoded in a Q-encoded word inside a phrase (RFC 2047 §5 (3)). */
const Q_SAFE = /[A-Za-z0-9!*+\-/]/;

function qEncodeChar(ch: string): string {
  if (ch === ' ') return '_';
  if (Q_SAFE.test(ch)) return ch;
  return [...Buffer.from(ch, 'utf8')]
    .map((b) => `=${b.toString(16).toUpperCase().padStart(2, '0')}`)
    .join('');
}

/**
 * Encodes `text` as one or more encoded words separated by a space (folding may break there).
 * Chooses Q when most characters are ASCII, B otherwise. Each word is at most 75 characters.
 */
export function encodeWords(text: string): string {
  // Code points, not grapheme clusters: a word boundary inside an emoji sequence is harmless.
  // eslint-disable-next-line @typescript-eslint/no-misused-spread
  const chars = [...text];
  const ascii = chars.filter((c) => c.charCodeAt(0) < 0x80).length;
  const useQ = ascii * 2 >= chars.length;
  const prefix = useQ ? '=?utf-8?Q?' : '=?utf-8?B?';
  const room = MESSAGE_LIMITS.encodedWordChars - prefix.length - 2;
  const words: string[] = [];
  let current = '';
  let currentBytes: Buffer[] = [];
  const flush = (): void => {
    if (useQ ? current === '' : currentBytes.length === 0) return;
    words.push(prefix + (useQ ? current : Buffer.concat(currentBytes).toString('base64')) + '?=');
    current = '';
    currentBytes = [];
  };
  for (const ch of chars) {
    if (useQ) {
      const enc = qEncodeChar(ch);
      if (current.length + enc.length > room) flush();
      current += enc;
    } else {
      const bytes = Buffer.from(ch, 'utf8');
      const total = currentBytes.reduce((n, b) => n + b.length, 0) + bytes.length;
      if (Math.ceil(total / 3) * 4 > room) flush();
      currentBytes.push(bytes);
    }
  }
  flush();
  return words.join(' ');
}

/**
 * Encodes an unstructured value (Subject:, a display name's text) only where needed: runs of
 * words with non-ASCII characters become encoded words, the rest stays readable.
 */
export function encodeUnstructured(text: string): string {
  if (!needsEncoding(text)) return text;
  // Blank runs (spaces and tabs) between two encoded tokens go inside the words: a reader drops
  // whitespace between adjacent encoded words (RFC 2047 §6.2).
  const blank = /^[ \t]+$/;
  const tokens = text.split(/([ \t]+)/);
  const out: string[] = [];
  let run: string[] = [];
  const flush = (): void => {
    if (run.length) out.push(encodeWords(run.join('')));
    run = [];
  };
  for (const token of tokens) {
    if (needsEncoding(token)) run.push(token);
    else if (blank.test(token) && run.length) run.push(token);
    else {
      // A blank run that ended an encoded run belongs outside the words.
      const trailing: string[] = [];
      while (run.length && blank.test(run[run.length - 1] ?? '')) trailing.unshift(run.pop() ?? '');
      flush();
      out.push(...trailing, token);
    }
  }
  const trailing: string[] = [];
  while (run.length && blank.test(run[run.length - 1] ?? '')) trailing.unshift(run.pop() ?? '');
  flush();
  out.push(...trailing);
  return out.join('');
}

/**
 * One header field `Name: value` folded at whitespace so that lines stay within 78 characters
 * where possible (RFC 5322 §2.1.1, §2.2.3), lines joined with CRLF, no final CRLF. A run with no
 * whitespace longer than the limit stays on its own line (up to the hard 998 limit, which the
 * encoders never reach).
 */
export function foldHeader(
  name: string,
  value: string,
  width: number = MESSAGE_LIMITS.foldLineChars,
): string {
  const words = value.split(/(?=[ \t])/);
  const lines: string[] = [];
  let line = `${name}:`;
  for (const [i, word] of words.entries()) {
    const piece = i === 0 && !/^[ \t]/.test(word) ? ` ${word}` : word;
    if (line.length + piece.length > width && line.trim().length > name.length + 1) {
      lines.push(line);
      line = /^[ \t]/.test(piece) ? piece : ` ${piece}`;
    } else line += piece;
  }
  lines.push(line);
  return lines.join('\r\n');
}
