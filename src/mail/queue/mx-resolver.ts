/**
 * Where mail for a domain goes (RFC 5321 §5.1): its MX records by preference, equal preferences
 * in random order; no MX → the domain's own A/AAAA as an implicit MX; a null MX (RFC 7505: one
 * MX of preference 0 pointing at `.`) → permanent failure 556 5.1.10 at once; NXDOMAIN →
 * permanent; SERVFAIL, REFUSED or no answer → transient. Lookups go through Outpost's stub DNS
 * client to a configured server (`[smtp] dns_server`, e.g. Outpost's own DNS) or the first
 * resolv.conf nameserver. The queue runner sees only the `MxResolver` interface, so tests inject
 * a fake and the recursive resolver can replace this later.
 */
import { isIP } from 'node:net';
import { OutpostError } from '../../core/errors.js';
import {
  queryDns,
  Rcode,
  readResolvConf,
  RRType,
  type DnsServerAddress,
  type Message,
} from '../../dns/index.js';

/** One host to try, with its addresses in the order to try them. */
export interface MxHost {
  /** The exchange's name (no trailing dot), or the address literal for `[1.2.3.4]` domains. */
  readonly exchange: string;
  readonly preference: number;
  readonly addresses: readonly string[];
}

/** The answer for one domain. */
export type MxResult =
  | { readonly kind: 'hosts'; readonly hosts: readonly MxHost[] }
  /** A failure: `code`/`status` become the recipients' reply (and the DSN's Status). */
  | {
      readonly kind: 'permanent' | 'transient';
      readonly code: number;
      readonly status: string;
      readonly message: string;
    };

/** Finds the hosts that receive mail for a domain. */
export interface MxResolver {
  resolve(domain: string): Promise<MxResult>;
}

/** Options of DnsMxResolver. */
export interface DnsMxResolverOptions {
  /** The DNS server; default: the first nameserver of /etc/resolv.conf, port 53. */
  readonly server?: DnsServerAddress;
  /** Per query, in milliseconds (default the DNS client's). */
  readonly timeoutMs?: number;
  /** Randomness for ordering equal preferences (tests pass a fixed one). */
  readonly random?: () => number;
}

function transient(message: string): MxResult {
  return { kind: 'transient', code: 451, status: '4.4.3', message };
}

function permanent(code: number, status: string, message: string): MxResult {
  return { kind: 'permanent', code, status, message };
}

function bare(name: string): string {
  return name.endsWith('.') && name.length > 1 ? name.slice(0, -1) : name;
}

/** Shuffles runs of equal preference in place (RFC 5321 §5.1: randomise among equals). */
export function orderByPreference<T extends { preference: number }>(items: T[], random: () => number): T[] {
  const shuffled = items.map((item) => ({ item, key: random() }));
  shuffled.sort((a, b) => a.item.preference - b.item.preference || a.key - b.key);
  return shuffled.map((s) => s.item);
}

/** MxResolver over Outpost's DNS client. */
export class DnsMxResolver implements MxResolver {
  readonly #opts: DnsMxResolverOptions;
  #server: Promise<DnsServerAddress> | undefined;

  constructor(options: DnsMxResolverOptions = {}) {
    this.#opts = options;
  }

  #serverAddress(): Promise<DnsServerAddress> {
    this.#server ??= this.#opts.server
      ? Promise.resolve(this.#opts.server)
      : readResolvConf().then((c) => ({ host: c.nameservers[0] ?? '127.0.0.1', port: 53 }));
    return this.#server;
  }

  async #query(name: string, type: number): Promise<Message> {
    const server = await this.#serverAddress();
    const r = await queryDns({
      server,
      name,
      type,
      ...(this.#opts.timeoutMs === undefined ? {} : { timeoutMs: this.#opts.timeoutMs }),
    });
    return r.message;
  }

  async resolve(domain: string): Promise<MxResult> {
    const literal = /^\[(?:IPv6:)?([^\]]+)\]$/i.exec(domain)?.[1];
    if (literal !== undefined) {
      return isIP(literal)
        ? { kind: 'hosts', hosts: [{ exchange: domain, preference: 0, addresses: [literal] }] }
        : permanent(550, '5.1.2', `bad address literal ${domain}`);
    }
    let mx: Message;
    try {
      mx = await this.#query(domain, RRType.MX);
    } catch (err) {
      return transient(
        `MX lookup for ${domain} failed: ${err instanceof OutpostError ? err.message : String(err)}`,
      );
    }
    const rcode = mx.header.rcode;
    if (rcode === Rcode.NXDOMAIN) return permanent(550, '5.1.2', `domain ${domain} does not exist`);
    if (rcode !== Rcode.NOERROR)
      return transient(`MX lookup for ${domain}: DNS error rcode ${String(rcode)}`);
    const records = mx.answers.flatMap((rr) => (rr.data.type === 'MX' ? [rr.data] : []));
    if (
      records.length === 1 &&
      records[0]?.preference === 0 &&
      (records[0].exchange === '.' || records[0].exchange === '')
    ) {
      return permanent(556, '5.1.10', `domain ${domain} accepts no mail (null MX, RFC 7505)`);
    }
    const random = this.#opts.random ?? Math.random;
    const targets =
      records.length > 0
        ? orderByPreference(
            records
              .filter((r) => r.exchange !== '.' && r.exchange !== '')
              .map((r) => ({ exchange: bare(r.exchange), preference: r.preference })),
            random,
          )
        : [{ exchange: domain, preference: 0 }]; // RFC 5321 §5.1: the implicit MX.
    // Glue in the additional section saves queries (Outpost's authoritative server sends it).
    const glue = new Map<string, string[]>();
    for (const rr of mx.additionals) {
      if (rr.data.type === 'A' || rr.data.type === 'AAAA') {
        const key = bare(rr.name).toLowerCase();
        glue.set(key, [...(glue.get(key) ?? []), rr.data.address]);
      }
    }
    const hosts: MxHost[] = [];
    let lookupTrouble = false;
    for (const t of targets) {
      const known = glue.get(t.exchange.toLowerCase());
      if (known) {
        hosts.push({ ...t, addresses: known });
        continue;
      }
      const addresses: string[] = [];
      for (const type of [RRType.A, RRType.AAAA]) {
        try {
          const m = await this.#query(t.exchange, type);
          if (m.header.rcode !== Rcode.NOERROR && m.header.rcode !== Rcode.NXDOMAIN) lookupTrouble = true;
          for (const rr of m.answers)
            if (rr.data.type === 'A' || rr.data.type === 'AAAA') addresses.push(rr.data.address);
        } catch {
          lookupTrouble = true;
        }
      }
      if (addresses.length > 0) hosts.push({ ...t, addresses });
    }
    if (hosts.length > 0) return { kind: 'hosts', hosts };
    if (lookupTrouble) return transient(`address lookup for the mail hosts of ${domain} failed`);
    return records.length > 0
      ? permanent(550, '5.4.4', `the mail hosts of ${domain} have no addresses`)
      : permanent(550, '5.1.2', `domain ${domain} has no MX and no address records`);
  }
}
