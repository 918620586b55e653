/**
 * Where a query goes: a server given as an IP literal or a host name, plus a port, resolved once
 * to the literal address the sockets use. IPv6 literals may be written with brackets
 * (`[2001:db8::1]`) and with a zone index (`fe80::1%eth0`). Kept apart from the transports so
 * the resolver and the mail queue can hand in addresses they already know without a lookup.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ErrorCodes, OutpostError } from '../../core/errors.js';

/** A DNS server as the caller names it. `host` is an IPv4/IPv6 literal or a host name. */
export interface DnsServerAddress {
  readonly host: string;
  readonly port: number;
}

/** A server after name resolution: `address` is the IP literal the sockets talk to. */
export interface ResolvedServer extends DnsServerAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * Resolve `server` to an IP literal (an already resolved server is returned as it is). Literals are used as they are (no lookup); host names go
 * through the system resolver (getaddrinfo), as dig does for `@name`. Throws ERR_CONFIG_INVALID
 * for a bad port and ERR_CONNECTION_CLOSED (with the lookup error as `cause`) when the name has
 * no address.
 */
export async function resolveServer(server: DnsServerAddress | ResolvedServer): Promise<ResolvedServer> {
  if ('address' in server) return server;
  if (!Number.isInteger(server.port) || server.port < 1 || server.port > 0xffff) {
    throw new OutpostError(ErrorCodes.CONFIG_INVALID, `invalid DNS server port ${server.port}`);
  }
  const host = stripBrackets(server.host);
  const family = isIP(host);
  if (family === 4 || family === 6) return { host, port: server.port, address: host, family };
  try {
    const found = await lookup(host);
    return { host, port: server.port, address: found.address, family: found.family === 6 ? 6 : 4 };
  } catch (err) {
    throw new OutpostError(ErrorCodes.CONNECTION_CLOSED, `cannot resolve server "${host}"`, { cause: err });
  }
}

/** `address#port`, the way dig names a server in its messages. */
export function serverLabel(server: ResolvedServer): string {
  return `${server.address}#${server.port}`;
}
