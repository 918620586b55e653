/**
 * Header fields across the proxy (pure): hop-by-hop fields removed in both directions (RFC 9110
 * §7.6.1: Connection and every field it names, Keep-Alive, Proxy-Connection, TE, Transfer-Encoding,
 * Upgrade, and the proxy's own Proxy-Authorization/Proxy-Authenticate), HTTP/2 pseudo-header
 * fields dropped, and the fields a proxy adds: `Via` (§7.6.3) on requests and responses,
 * `X-Forwarded-For` and `Forwarded` (RFC 7239) on requests. Header lists are node's flat
 * `rawHeaders` turned into name/value pairs, so repeated fields keep their order.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';

/** Header fields as name/value pairs in order (names in their received case). */
export type HeaderPairs = readonly (readonly [string, string])[];

/** Fields that describe one connection, never forwarded (lowercase). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'transfer-encoding',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
  // We do not forward trailer fields, so a declaration of them would be false.
  'trailer',
  // node:http answered 100-continue itself; the origin is sent the body at once.
  'expect',
  // HTTP/2 connection-specific (RFC 9113 §8.2.2); Host is rebuilt by the forwarder.
  'http2-settings',
]);

/** node's flat `rawHeaders` as pairs. */
export function pairsOf(raw: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i] ?? '', raw[i + 1] ?? '']);
  return out;
}

/** The lowercase names a Connection field lists (RFC 9110 §7.6.1). */
function connectionOptions(pairs: HeaderPairs): Set<string> {
  const named = new Set<string>();
  for (const [name, value] of pairs) {
    if (name.toLowerCase() !== 'connection') continue;
    for (const option of value.split(',')) {
      const token = option.trim().toLowerCase();
      if (token !== '') named.add(token);
    }
  }
  return named;
}

/**
 * `pairs` without hop-by-hop fields, the fields Connection names, and pseudo-header fields
 * (`:method`…). `keep` lets a caller retain a field it handles itself (none by default).
 */
export function endToEnd(pairs: HeaderPairs): [string, string][] {
  const named = connectionOptions(pairs);
  const out: [string, string][] = [];
  for (const [name, value] of pairs) {
    if (name.charCodeAt(0) === 0x3a) continue;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || named.has(lower)) continue;
    out.push([name, value]);
  }
  return out;
}

/** The value of the first field `name` (lowercase) in `pairs`, or undefined. */
export function firstValue(pairs: HeaderPairs, name: string): string | undefined {
  for (const [n, v] of pairs) if (n.toLowerCase() === name) return v;
  return undefined;
}

/** `pairs` without every field named `name` (lowercase). */
export function without(pairs: HeaderPairs, name: string): [string, string][] {
  return pairs.filter(([n]) => n.toLowerCase() !== name).map(([n, v]) => [n, v]);
}

/** The Via entry this proxy adds: received protocol version and pseudonym (RFC 9110 §7.6.3). */
export function viaEntry(httpVersion: string, pseudonym: string): string {
  const version = httpVersion === '2.0' ? '2' : httpVersion;
  return `${version} ${pseudonym}`;
}

/** A node in a Forwarded element (RFC 7239 §6): IPv6 in brackets and quotes. */
function forwardedNode(address: string): string {
  const bare = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
  return isIP(bare) === 6 ? `"[${bare}]"` : bare;
}

/** A quoted-string when `value` is not a token (RFC 7239 §4). */
function forwardedValue(value: string): string {
  return /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(value) ? value : `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/** What the forwarding fields say about one client request. */
export interface ForwardingFacts {
  /** The client's address as its socket reports it. */
  readonly clientAddress: string;
  /** The request came over TLS. */
  readonly secure: boolean;
  /** The Host (or :authority) the client asked for, if any. */
  readonly host: string | undefined;
  /** Our Via entry (see viaEntry). */
  readonly via: string;
}

/**
 * End-to-end request fields plus Via, X-Forwarded-For and Forwarded, each appended to what the
 * client sent (a chain of proxies keeps every hop).
 */
export function forwardRequestHeaders(pairs: HeaderPairs, facts: ForwardingFacts): [string, string][] {
  const out = endToEnd(pairs);
  const client = facts.clientAddress.startsWith('::ffff:')
    ? facts.clientAddress.slice(7)
    : facts.clientAddress;
  out.push(['Via', facts.via]);
  out.push(['X-Forwarded-For', client]);
  let forwarded = `for=${forwardedNode(facts.clientAddress)};proto=${facts.secure ? 'https' : 'http'}`;
  if (facts.host !== undefined && facts.host !== '') forwarded += `;host=${forwardedValue(facts.host)}`;
  out.push(['Forwarded', forwarded]);
  return out;
}

/** True when a Via field of `pairs` carries `token` (our comment: the request came round). */
export function viaLoops(pairs: HeaderPairs, token: string): boolean {
  for (const [name, value] of pairs) if (name.toLowerCase() === 'via' && value.includes(token)) return true;
  return false;
}

/**
 * Pairs as node's outgoing headers object (lowercase names, repeated fields as arrays), which
 * both node:http and node:http2's compatibility API accept; HTTP/2 gets no Connection field.
 */
export function toOutgoing(pairs: HeaderPairs): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of pairs) {
    const lower = name.toLowerCase();
    const prev = out[lower];
    if (prev === undefined) out[lower] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[lower] = [String(prev), value];
  }
  return out;
}

/** node's flat header array for http.request (keeps repeated fields and their order). */
export function flat(pairs: HeaderPairs): string[] {
  const out: string[] = [];
  for (const [name, value] of pairs) out.push(name, value);
  return out;
}
