/**
 * Mailbox names on the wire. Rev1 clients use modified UTF-7 (RFC 3501 §5.1.3: printable ASCII
 * stands for itself, `&-` is `&`, anything else is UTF-16BE in modified base64 between `&` and
 * `-`); IMAP4rev2 (RFC 9051 §5.1) and UTF8=ACCEPT (RFC 6855 §3) clients send UTF-8 as is.
 * Decoding is strict, as Dovecot's is: 8-bit or control octets, an unterminated or empty shift,
 * printable ASCII encoded in base64, non-zero padding bits, two adjacent shifts (which a
 * conforming encoder merges) and broken surrogate pairs are refused, so one name has exactly
 * one spelling and `&` cannot smuggle `/` or `..` past the store's checks.
 */

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,';
const B64_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_VALUE[B64.charCodeAt(i)] = i;

/** Why a name is not valid modified UTF-7 (null when it is). */
export type Utf7Result =
  { readonly ok: true; readonly name: string } | { readonly ok: false; readonly reason: string };

function printable(code: number): boolean {
  return code >= 0x20 && code <= 0x7e;
}

/** Decodes a modified UTF-7 name (RFC 3501 §5.1.3), refusing anything a strict encoder would not write. */
export function decodeModifiedUtf7(wire: string): Utf7Result {
  let out = '';
  let i = 0;
  let lastShiftEnd = -1;
  while (i < wire.length) {
    const c = wire.charCodeAt(i);
    if (!printable(c)) return { ok: false, reason: 'mailbox name has a non-ASCII or control character' };
    if (c !== 0x26) {
      out += wire.charAt(i);
      i++;
      continue;
    }
    // '&': "&-" is a literal ampersand, otherwise modified base64 up to '-'.
    const end = wire.indexOf('-', i + 1);
    if (end < 0) return { ok: false, reason: 'unterminated modified UTF-7 shift in mailbox name' };
    if (end === i + 1) {
      out += '&';
      i = end + 1;
      continue;
    }
    if (lastShiftEnd === i) return { ok: false, reason: 'adjacent modified UTF-7 shifts in mailbox name' };
    const decoded = decodeShift(wire.slice(i + 1, end));
    if (typeof decoded !== 'string') return decoded;
    out += decoded;
    i = end + 1;
    lastShiftEnd = i;
  }
  return { ok: true, name: out };
}

function decodeShift(b64: string): string | { ok: false; reason: string } {
  const units: number[] = [];
  let bits = 0;
  let nbits = 0;
  for (let k = 0; k < b64.length; k++) {
    const v = B64_VALUE[b64.charCodeAt(k)] ?? -1;
    if (v < 0) return { ok: false, reason: 'invalid modified base64 in mailbox name' };
    bits = (bits << 6) | v;
    nbits += 6;
    if (nbits >= 16) {
      nbits -= 16;
      units.push((bits >>> nbits) & 0xffff);
      bits &= (1 << nbits) - 1;
    }
  }
  if (nbits >= 6 || bits !== 0) return { ok: false, reason: 'bad padding in modified UTF-7 mailbox name' };
  let text = '';
  for (let k = 0; k < units.length; k++) {
    const u = units[k] ?? 0;
    if (printable(u)) return { ok: false, reason: 'printable ASCII encoded in modified UTF-7 mailbox name' };
    if (u >= 0xd800 && u <= 0xdbff) {
      const low = units[k + 1] ?? 0;
      if (low < 0xdc00 || low > 0xdfff)
        return { ok: false, reason: 'broken UTF-16 surrogate in mailbox name' };
      text += String.fromCharCode(u, low);
      k++;
    } else if (u >= 0xdc00 && u <= 0xdfff) {
      return { ok: false, reason: 'broken UTF-16 surrogate in mailbox name' };
    } else {
      text += String.fromCharCode(u);
    }
  }
  return text;
}

/** Encodes a name in modified UTF-7 (RFC 3501 §5.1.3). */
export function encodeModifiedUtf7(name: string): string {
  let out = '';
  let i = 0;
  while (i < name.length) {
    const c = name.charCodeAt(i);
    if (printable(c)) {
      out += c === 0x26 ? '&-' : name.charAt(i);
      i++;
      continue;
    }
    let j = i;
    while (j < name.length && !printable(name.charCodeAt(j))) j++;
    out += `&${base64Units(name.slice(i, j))}-`;
    i = j;
  }
  return out;
}

function base64Units(run: string): string {
  let out = '';
  let bits = 0;
  let nbits = 0;
  for (let k = 0; k < run.length; k++) {
    bits = (bits << 16) | run.charCodeAt(k);
    nbits += 16;
    while (nbits >= 6) {
      nbits -= 6;
      out += B64.charAt((bits >>> nbits) & 0x3f);
    }
    bits &= (1 << nbits) - 1;
  }
  if (nbits > 0) out += B64.charAt((bits << (6 - nbits)) & 0x3f);
  return out;
}

/**
 * A mailbox name as the client sent it, decoded for the store: UTF-8 clients' names as they
 * are, rev1 clients' from modified UTF-7; `INBOX` in any case becomes `INBOX` (RFC 9051 §5.1).
 */
export function decodeMailboxName(wire: string, utf8: boolean): Utf7Result {
  const result = utf8 ? ({ ok: true, name: wire } as const) : decodeModifiedUtf7(wire);
  if (result.ok && result.name.toUpperCase() === 'INBOX') return { ok: true, name: 'INBOX' };
  return result;
}

/** A store mailbox name as the client expects it (modified UTF-7 unless it uses UTF-8). */
export function encodeMailboxName(name: string, utf8: boolean): string {
  return utf8 ? name : encodeModifiedUtf7(name);
}
