/**
 * IPv4 and IPv6 text <-> octets for A and AAAA records, without any I/O (Node has no inet_pton).
 * IPv4 is strict dotted-quad (RFC 1035 §3.4.1 data, decimal octets). IPv6 accepts RFC 4291 §2.2
 * forms, including `::` and a trailing embedded IPv4 (`::ffff:192.0.2.1`), and prints the RFC 5952
 * canonical form (lower case, longest zero run compressed, IPv4-mapped shown dotted per §5).
 */
import { ErrorCodes, OutpostError } from '../core/errors.js';

function fail(message: string): never {
  throw new OutpostError(ErrorCodes.PARSE, message);
}

/**
 * Write the 4 octets of a dotted-quad into `out` at `offset`; returns false when `text` is not a
 * valid address. Hand-rolled (no split/regex) because the encoder calls it for every A record.
 */
export function writeIpv4(text: string, out: Uint8Array, offset: number): boolean {
  let part = 0;
  let value = 0;
  let digits = 0;
  const n = text.length;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? text.charCodeAt(i) : 0x2e;
    if (c >= 0x30 && c <= 0x39) {
      value = value * 10 + (c - 0x30);
      digits++;
      if (digits > 3 || value > 255) return false;
    } else if (c === 0x2e) {
      if (digits === 0 || part > 3) return false;
      out[offset + part] = value;
      part++;
      value = 0;
      digits = 0;
    } else {
      return false;
    }
  }
  return part === 4;
}

/** Octets of a dotted-quad; throws ERR_PARSE when invalid. */
export function parseIpv4(text: string): Uint8Array {
  const out = new Uint8Array(4);
  if (!writeIpv4(text, out, 0)) fail(`invalid IPv4 address "${text}"`);
  return out;
}

/** Dotted-quad of 4 octets at `offset`. */
export function formatIpv4(bytes: Uint8Array, offset = 0): string {
  return `${bytes[offset] ?? 0}.${bytes[offset + 1] ?? 0}.${bytes[offset + 2] ?? 0}.${bytes[offset + 3] ?? 0}`;
}

function parseGroups(text: string, groups: number[], allowV4: boolean): boolean {
  if (text === '') return true;
  const parts = text.split(':');
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] ?? '';
    if (allowV4 && i === parts.length - 1 && p.includes('.')) {
      const v4 = new Uint8Array(4);
      if (!writeIpv4(p, v4, 0)) return false;
      groups.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      continue;
    }
    if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return false;
    groups.push(parseInt(p, 16));
  }
  return true;
}

/** Octets of an IPv6 address (RFC 4291 §2.2 text forms); throws ERR_PARSE when invalid. */
export function parseIpv6(text: string): Uint8Array {
  const bad = (): never => fail(`invalid IPv6 address "${text}"`);
  const dbl = text.indexOf('::');
  if (dbl !== -1 && text.indexOf('::', dbl + 1) !== -1) bad();
  const head: number[] = [];
  const tail: number[] = [];
  if (dbl === -1) {
    if (!parseGroups(text, head, true) || head.length !== 8) bad();
  } else {
    const left = text.slice(0, dbl);
    const right = text.slice(dbl + 2);
    if (!parseGroups(left, head, false) || !parseGroups(right, tail, true)) bad();
    if (head.length + tail.length > 7) bad();
  }
  const groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

/** RFC 5952 text of 16 octets at `offset`. */
export function formatIpv6(bytes: Uint8Array, offset = 0): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push(((bytes[offset + i * 2] ?? 0) << 8) | (bytes[offset + i * 2 + 1] ?? 0));
  // RFC 5952 §5: IPv4-mapped addresses keep the dotted tail.
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${formatIpv4(bytes, offset + 12)}`;
  }
  // RFC 5952 §4.2: compress the longest run of >= 2 zero groups, the first one on a tie.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (arr: number[]): string => arr.map((x) => x.toString(16)).join(':');
  if (bestStart === -1) return hex(g);
  return `${hex(g.slice(0, bestStart))}::${hex(g.slice(bestStart + bestLen))}`;
}
