/**
 * The argument of HOST (RFC 7151 §3.1): a domain name, or an IP address in brackets
 * (`[192.0.2.1]`, `[2001:db8::1]`). Names are compared case-insensitively, so they come back in
 * lower case without a trailing dot; anything else parses to null so the session answers 501.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { isDnsName } from '../../core/net.js';

/** What HOST asked for. */
export type HostArgument =
  { readonly kind: 'name'; readonly name: string } | { readonly kind: 'address'; readonly address: string };

/** Parses a HOST argument; null when it is neither a DNS name nor a bracketed IP address. */
export function parseHostArgument(arg: string): HostArgument | null {
  const text = arg.trim();
  if (text.startsWith('[')) {
    if (!text.endsWith(']')) return null;
    const address = text.slice(1, -1);
    return isIPv4(address) || isIPv6(address) ? { kind: 'address', address: address.toLowerCase() } : null;
  }
  const name = (text.endsWith('.') ? text.slice(0, -1) : text).toLowerCase();
  // A bare address is no name (RFC 7151 §3.1 brackets literals).
  if (isIPv4(name)) return null;
  return isDnsName(name) ? { kind: 'name', name } : null;
}

/**
 * The longest of `domains` that is `name` or a parent of it (`ftp.example.test` ->
 * `example.test`); null when none is.
 */
export function domainOfHost(name: string, domains: readonly string[]): string | null {
  let best: string | null = null;
  for (const raw of domains) {
    const domain = raw.toLowerCase();
    if ((name === domain || name.endsWith(`.${domain}`)) && (best === null || domain.length > best.length))
      best = domain;
  }
  return best;
}
