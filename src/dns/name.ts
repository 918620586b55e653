/**
 * Domain names between presentation text and wire labels. Our convention, used by the whole DNS
 * code base: a name is a string in RFC 1035 §5.1 presentation form; every name the codec hands
 * out is absolute and ends with a dot (the root is "."); names handed in are treated as absolute
 * whether or not they end with a dot. Octets that are special in presentation form (`.`, `\`,
 * `"`, `(`, `)`, `;`, `@`, `$`) are escaped as `\X` and octets outside printable ASCII (space
 * included) as `\DDD`, so any label round-trips. Case is preserved everywhere; comparisons go
 * through `nameKey`, which lower-cases ASCII only (RFC 4343 §3).
 */
import { ErrorCodes, OutpostError } from '../core/errors.js';
import { MAX_LABEL_LENGTH, MAX_NAME_LENGTH } from './limits.js';

/** A name split into labels plus whether the text ended with a dot. */
export interface ParsedName {
  readonly labels: Uint8Array[];
  readonly absolute: boolean;
}

function fail(message: string): never {
  throw new OutpostError(ErrorCodes.PARSE, message);
}

const textEncoder = new TextEncoder();

/**
 * Split presentation text into wire labels, decoding `\X` and `\DDD` escapes (RFC 1035 §5.1).
 * Non-ASCII characters become their UTF-8 octets. "" and "." are the root. Throws ERR_PARSE for
 * empty labels, bad escapes, labels over 63 octets and names over 255 octets (RFC 1035 §2.3.4).
 */
export function parseName(text: string): ParsedName {
  if (text === '.' || text === '') return { labels: [], absolute: true };
  const labels: Uint8Array[] = [];
  let current: number[] = [];
  let total = 1; // the root label's length octet
  let absolute = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e /* . */) {
      if (current.length === 0) fail(`empty label in name "${text}"`);
      labels.push(Uint8Array.from(current));
      total += current.length + 1;
      current = [];
      if (i === n - 1) absolute = true;
      continue;
    }
    if (c === 0x5c /* \ */) {
      if (i + 1 >= n) fail(`dangling backslash in name "${text}"`);
      const d1 = text.charCodeAt(i + 1);
      if (d1 >= 0x30 && d1 <= 0x39) {
        const digits = text.slice(i + 1, i + 4);
        if (!/^[0-9]{3}$/.test(digits)) fail(`bad \\DDD escape in name "${text}"`);
        const v = Number(digits);
        if (v > 255) fail(`\\${digits} is not an octet in name "${text}"`);
        current.push(v);
        i += 3;
      } else {
        const cp = text.codePointAt(i + 1) ?? d1;
        if (cp < 0x80) current.push(cp);
        else current.push(...textEncoder.encode(String.fromCodePoint(cp)));
        i += cp > 0xffff ? 2 : 1;
      }
    } else if (c < 0x80) {
      current.push(c);
    } else {
      const cp = text.codePointAt(i) ?? c;
      current.push(...textEncoder.encode(String.fromCodePoint(cp)));
      if (cp > 0xffff) i++;
    }
    if (current.length > MAX_LABEL_LENGTH)
      fail(`label longer than ${MAX_LABEL_LENGTH} octets in name "${text}"`);
  }
  if (current.length > 0) {
    labels.push(Uint8Array.from(current));
    total += current.length + 1;
  }
  if (total > MAX_NAME_LENGTH) fail(`name longer than ${MAX_NAME_LENGTH} octets: "${text.slice(0, 60)}..."`);
  return { labels, absolute };
}

/** Uncompressed wire form of a name (length-prefixed labels and the root octet). */
export function nameToWire(text: string): Uint8Array {
  return labelsToWire(parseName(text).labels);
}

/** Wire form of a label list. */
export function labelsToWire(labels: readonly Uint8Array[]): Uint8Array {
  let size = 1;
  for (const l of labels) size += l.length + 1;
  const out = new Uint8Array(size);
  let o = 0;
  for (const l of labels) {
    out[o++] = l.length;
    out.set(l, o);
    o += l.length;
  }
  out[o] = 0;
  return out;
}

/** Octets written as `\X` in presentation form (RFC 1035 §5.1 specials). */
function isSpecial(c: number): boolean {
  return (
    c === 0x2e ||
    c === 0x5c ||
    c === 0x22 ||
    c === 0x28 ||
    c === 0x29 ||
    c === 0x3b ||
    c === 0x40 ||
    c === 0x24
  );
}

/** True when the octet can be written as itself in a label. */
function isPlain(c: number): boolean {
  return c > 0x20 && c < 0x7f && !isSpecial(c);
}

/** Presentation form of one label taken from `bytes[start, start+len)`. */
export function formatLabel(bytes: Uint8Array, start: number, len: number): string {
  const end = start + len;
  let plain = true;
  for (let i = start; i < end; i++) {
    if (!isPlain(bytes[i] ?? 0)) {
      plain = false;
      break;
    }
  }
  if (plain) {
    return bytes instanceof Buffer
      ? bytes.toString('latin1', start, end)
      : String.fromCharCode(...bytes.subarray(start, end));
  }
  let s = '';
  for (let i = start; i < end; i++) {
    const c = bytes[i] ?? 0;
    if (isPlain(c)) s += String.fromCharCode(c);
    else if (isSpecial(c)) s += '\\' + String.fromCharCode(c);
    else s += '\\' + String(c).padStart(3, '0');
  }
  return s;
}

/** Presentation form of a label list, absolute with a trailing dot ("." for the root). */
export function formatLabels(labels: readonly Uint8Array[]): string {
  if (labels.length === 0) return '.';
  let s = '';
  for (const l of labels) s += formatLabel(l, 0, l.length) + '.';
  return s;
}

/**
 * The canonical form of a name written only with letters, digits, `-`, `_` and `*` (what nearly
 * every name is), found with one scan and no allocation but the trailing dot; undefined for
 * anything else (escapes, other octets, empty or long labels, a long name), which takes the
 * full parse. The resolver computes several keys per upstream reply, so this is a hot path.
 */
function simpleCanonical(text: string): string | undefined {
  let label = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e /* . */) {
      if (label === 0) return undefined;
      label = 0;
      continue;
    }
    const letterOrDigit = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39);
    if (!letterOrDigit && c !== 0x2d && c !== 0x5f && c !== 0x2a) return undefined;
    if (++label > MAX_LABEL_LENGTH) return undefined;
  }
  if (text.length === 0) return undefined;
  const out = label === 0 ? text : `${text}.`;
  // Wire length: the text's octets stand for the length octets, plus the root octet.
  return out.length + 1 > MAX_NAME_LENGTH ? undefined : out;
}

/** Canonical presentation form: escapes normalised, trailing dot added, case kept. */
export function canonicalName(text: string): string {
  return simpleCanonical(text) ?? formatLabels(parseName(text).labels);
}

/**
 * Comparison key of a name: canonical form with ASCII letters lower-cased (RFC 4343 §3). Two names
 * are the same DNS name exactly when their keys are equal.
 */
export function nameKey(text: string): string {
  const simple = simpleCanonical(text);
  if (simple !== undefined) return simple.toLowerCase();
  const canonical = formatLabels(parseName(text).labels);
  // Escapes only ever spell digits and specials, so lower-casing the text lower-cases exactly the
  // ASCII letters of the labels.
  return canonical.replace(/[A-Z]/g, (ch) => ch.toLowerCase());
}

/** True when the two names are equal ignoring ASCII case. */
export function namesEqual(a: string, b: string): boolean {
  return nameKey(a) === nameKey(b);
}

/** Number of labels (the root has 0). */
export function labelCount(text: string): number {
  return parseName(text).labels.length;
}

/**
 * True when `name` is `parent` or below it (RFC 1034 §3.1 "subdomain"), ignoring case. Both are
 * taken as absolute.
 */
export function isSubdomain(name: string, parent: string): boolean {
  const n = nameKey(name);
  const p = nameKey(parent);
  if (p === '.') return true;
  return n === p || (n.endsWith('.' + p) && !isEscapedDot(n, n.length - p.length - 1));
}

/** True when the dot at index `i` of canonical text is escaped (preceded by an odd run of `\`). */
function isEscapedDot(text: string, i: number): boolean {
  let k = i - 1;
  let slashes = 0;
  while (k >= 0 && text.charCodeAt(k) === 0x5c) {
    slashes++;
    k--;
  }
  return slashes % 2 === 1;
}

/** Join a relative name onto an origin (both presentation text); the result is absolute. */
export function joinName(relative: string, origin: string): string {
  const r = parseName(relative);
  const o = parseName(origin);
  const joined = formatLabels([...r.labels, ...o.labels]);
  parseName(joined); // re-checks the 255-octet limit on the combined name
  return joined;
}
