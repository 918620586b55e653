/**
 * The addresses of the host to connect to: an IP literal as it is (IPv6 with or without
 * brackets), a name through the system resolver (getaddrinfo: /etc/hosts, then DNS), or, when a
 * DNS server is given, through Outpost's stub client asking it for A and AAAA (so the
 * mini-Internet's `*.test` names work without touching the system's configuration).
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ErrorCodes, OutpostError } from '../../core/errors.js';
import { queryDns, RRType, Rcode, type DnsServerAddress } from '../../dns/index.js';

/** One address to try. */
export interface HostAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** `host` without the brackets of a bracketed IPv6 literal. */
export function bareHost(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function noSuchHost(host: string, detail: string, cause?: unknown): OutpostError {
  return new OutpostError(ErrorCodes.HOST_NOT_FOUND, `no such host "${host}"${detail}`, { cause });
}

async function throughDns(host: string, server: DnsServerAddress): Promise<HostAddress[]> {
  const replies = await Promise.all(
    [RRType.A, RRType.AAAA].map((type) =>
      queryDns({ server, name: host, type, timeoutMs: 3000, retries: 1 }),
    ),
  );
  const addresses = replies.flatMap((r) =>
    r.message.answers.flatMap((rr): HostAddress[] =>
      rr.data.type === 'A'
        ? [{ address: rr.data.address, family: 4 }]
        : rr.data.type === 'AAAA'
          ? [{ address: rr.data.address, family: 6 }]
          : [],
    ),
  );
  if (addresses.length > 0) return addresses;
  const rcode = replies[0]?.message.header.rcode;
  const label = `${server.host}#${server.port}`;
  throw noSuchHost(
    host,
    rcode === Rcode.NXDOMAIN ? ` (${label} answered NXDOMAIN)` : ` (${label} has no A or AAAA record for it)`,
  );
}

/** The addresses of `host`, in the order to try them; ERR_HOST_NOT_FOUND when there are none. */
export async function resolveHost(host: string, dns?: DnsServerAddress): Promise<HostAddress[]> {
  const bare = bareHost(host);
  const family = isIP(bare);
  if (family === 4 || family === 6) return [{ address: bare, family }];
  if (dns !== undefined) return throughDns(bare, dns);
  try {
    const found = await lookup(bare, { all: true });
    return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
  } catch (err) {
    throw noSuchHost(bare, '', err);
  }
}
