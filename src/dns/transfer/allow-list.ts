/**
 * Transfer access control: who may pull a zone (RFC 5936 §2.2.1 lets a server refuse, and §6
 * asks operators to restrict transfers). An allow-list entry is an IP address or a CIDR prefix,
 * IPv4 or IPv6. IPv4-mapped IPv6 addresses (`::ffff:192.0.2.1`, RFC 4291 §2.5.5.2, what a
 * dual-stack socket reports for an IPv4 client) are treated as the IPv4 address they carry, on
 * both sides, so `127.0.0.1` in the list matches a client seen as `::ffff:127.0.0.1`.
 */
import { isIP } from 'node:net';
import { ErrorCodes, OutpostError } from '../../core/errors.js';
import { parseIpv4, parseIpv6 } from '../ip.js';

/** One parsed allow-list entry: address octets (4 or 16) and prefix length in bits. */
export interface AllowEntry {
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

function isMapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

/** Address octets, IPv4-mapped IPv6 folded to IPv4; `undefined` when `text` is not an IP. */
function addressBytes(text: string): Uint8Array | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const noZone = bare.includes('%') ? bare.slice(0, bare.indexOf('%')) : bare;
  const family = isIP(noZone);
  if (family === 4) return parseIpv4(noZone);
  if (family !== 6) return undefined;
  const b = parseIpv6(noZone);
  return isMapped(b) ? b.subarray(12) : b;
}

/** Parse one entry (`192.0.2.1`, `10.0.0.0/8`, `2001:db8::/32`); `undefined` when invalid. */
export function parseAllowEntry(text: string): AllowEntry | undefined {
  const slash = text.indexOf('/');
  const addr = slash === -1 ? text.trim() : text.slice(0, slash).trim();
  const bytes = addressBytes(addr);
  if (bytes === undefined) return undefined;
  const wasV6 = isIP(addr.replace(/^\[|\]$/g, '').replace(/%.*$/, '')) === 6;
  const bits = bytes.length * 8;
  if (slash === -1) return { bytes, prefix: bits };
  const prefixText = text.slice(slash + 1).trim();
  if (!/^[0-9]{1,3}$/.test(prefixText)) return undefined;
  let prefix = Number(prefixText);
  // A mapped IPv6 prefix such as ::ffff:10.0.0.0/104 covers IPv4 10.0.0.0/8.
  if (wasV6 && bytes.length === 4) {
    if (prefix < 96) return undefined;
    prefix -= 96;
  }
  if (prefix > bits) return undefined;
  return { bytes, prefix };
}

/**
 * Parse and validate a whole allow-list (config loading); throws ERR_CONFIG_INVALID naming the
 * first bad entry, so a typo never silently opens or closes transfers.
 */
export function parseAllowList(entries: readonly string[]): AllowEntry[] {
  return entries.map((entry) => {
    const parsed = parseAllowEntry(entry);
    if (parsed === undefined) {
      throw new OutpostError(ErrorCodes.CONFIG_INVALID, `invalid transfer allow-list entry "${entry}"`);
    }
    return parsed;
  });
}

function matches(ip: Uint8Array, entry: AllowEntry): boolean {
  if (ip.length !== entry.bytes.length) return false;
  const full = entry.prefix >> 3;
  for (let i = 0; i < full; i++) if (ip[i] !== entry.bytes[i]) return false;
  const rest = entry.prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((ip[full] ?? 0) & mask) === ((entry.bytes[full] ?? 0) & mask);
}

/**
 * True when `ip` (a client address as a socket reports it) is covered by an entry of
 * `allowList` (strings as in the config, or entries from `parseAllowList`). Invalid strings
 * never match; an empty list allows nobody.
 */
export function isTransferAllowed(ip: string, allowList: readonly (string | AllowEntry)[]): boolean {
  const bytes = addressBytes(ip);
  if (bytes === undefined) return false;
  for (const item of allowList) {
    const entry = typeof item === 'string' ? parseAllowEntry(item) : item;
    if (entry !== undefined && matches(bytes, entry)) return true;
  }
  return false;
}
