/**
 * Data-connection addresses: PORT and the 227 PASV reply (RFC 959 §4.1.2, `h1,h2,h3,h4,p1,p2`),
 * EPRT and the 229 EPSV reply (RFC 2428 §2-3, `|af|addr|port|` with any printable delimiter).
 * Every number is range-checked; anything odd parses to null so the session answers 501.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** A host and port from PORT, EPRT, PASV or EPSV. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

const BYTE = /^\d{1,3}$/;

function octet(s: string | undefined): number | null {
  if (s === undefined || !BYTE.test(s.trim())) return null;
  const n = Number(s.trim());
  return n <= 255 ? n : null;
}

/** Parses `h1,h2,h3,h4,p1,p2` (PORT argument, or the numbers of a 227 reply). */
export function parsePortArg(arg: string): HostPort | null {
  const parts = arg.trim().split(',');
  if (parts.length !== 6) return null;
  const nums = parts.map(octet);
  if (nums.some((n) => n === null)) return null;
  const [a, b, c, d, p1, p2] = nums as number[];
  const port = (p1 ?? 0) * 256 + (p2 ?? 0);
  if (port === 0) return null;
  return { host: `${a}.${b}.${c}.${d}`, port };
}

/** `h1,h2,h3,h4,p1,p2` for PORT or a 227 reply; null when `host` is not IPv4. */
export function formatPortArg(host: string, port: number): string | null {
  const v4 = toIPv4(host);
  if (v4 === null || !Number.isInteger(port) || port < 1 || port > 65535) return null;
  return `${v4.split('.').join(',')},${port >> 8},${port & 255}`;
}

/** The 227 reply text (RFC 959 §4.1.2; the parenthesised form every client parses). */
export function formatPasvReply(host: string, port: number): string | null {
  const arg = formatPortArg(host, port);
  return arg === null ? null : `Entering Passive Mode (${arg}).`;
}

/** Finds the six numbers in a 227 reply's text (clients must not rely on the parentheses). */
export function parsePasvReply(text: string): HostPort | null {
  const m = /(\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3})/.exec(text);
  return m?.[1] === undefined ? null : parsePortArg(m[1].replace(/\s/g, ''));
}

/** Parses an EPRT argument `|1|132.235.1.2|6275|` / `|2|::1|5282|` (RFC 2428 §2). */
export function parseEprtArg(arg: string): (HostPort & { family: 1 | 2 }) | { unsupported: true } | null {
  const text = arg.trim();
  if (text.length < 7) return null;
  const delim = text[0] ?? '';
  const code = delim.charCodeAt(0);
  if (code < 33 || code > 126 || /[0-9a-fA-F.:]/.test(delim)) return null;
  const parts = text.split(delim);
  if (parts.length !== 5 || parts[0] !== '' || parts[4] !== '') return null;
  const [, af, host = '', portText = ''] = parts;
  if (af !== '1' && af !== '2') return af !== undefined && /^\d+$/.test(af) ? { unsupported: true } : null;
  if (!/^\d{1,5}$/.test(portText)) return null;
  const port = Number(portText);
  if (port < 1 || port > 65535) return null;
  if (af === '1' ? !isIPv4(host) : !isIPv6(host)) return null;
  return { family: af === '1' ? 1 : 2, host, port };
}

/** EPRT argument for a host and port. */
export function formatEprtArg(host: string, port: number): string {
  const v4 = toIPv4(host);
  return v4 !== null ? `|1|${v4}|${port}|` : `|2|${host}|${port}|`;
}

/** The 229 reply text (RFC 2428 §3). */
export function formatEpsvReply(port: number): string {
  return `Entering Extended Passive Mode (|||${port}|)`;
}

/** The port of a 229 reply, or null. */
export function parseEpsvReply(text: string): number | null {
  const m = /\((.)\1\1(\d{1,5})\1\)/.exec(text);
  if (!m) return null;
  const port = Number(m[2]);
  return port >= 1 && port <= 65535 ? port : null;
}

/** The EPSV argument: none, a protocol number (1 IPv4, 2 IPv6), `ALL`, or invalid. */
export function parseEpsvArg(arg: string): 'any' | 1 | 2 | 'all' | 'unsupported' | null {
  const a = arg.trim().toUpperCase();
  if (a === '') return 'any';
  if (a === 'ALL') return 'all';
  if (a === '1') return 1;
  if (a === '2') return 2;
  return /^\d{1,5}$/.test(a) ? 'unsupported' : null;
}

/** Dotted IPv4 for `a.b.c.d` or `::ffff:a.b.c.d`; null for real IPv6. */
export function toIPv4(host: string): string | null {
  if (isIPv4(host)) return host;
  const m = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(host);
  return m?.[1] !== undefined && isIPv4(m[1]) ? m[1] : null;
}

/** Canonical form for comparing two peers' addresses (IPv4-mapped IPv6 folded to IPv4). */
export function sameHost(a: string, b: string): boolean {
  const norm = (h: string): string => toIPv4(h) ?? h.toLowerCase();
  return norm(a) === norm(b);
}
