/**
 * Scripted upstream servers for the iteration-engine tests, in memory: each server address maps
 * to a function from query to reply, usually our own authoritative engine over a small zone
 * (`zoneServer`), optionally rewritten by a test to lie (poisoning attempts), drop queries
 * (dead servers) or refuse (lame servers). A fake clock moves by the timeout on every dropped
 * query, so timeouts cost no real time. Every query sent is logged.
 */
import { ErrorCodes, OutpostError } from '../../../src/core/errors.js';
import {
  Authority,
  buildQuery,
  loadZoneText,
  RRClass,
  type Message,
  type Question,
} from '../../../src/dns/index.js';
import { ResolverCache } from '../../../src/dns/resolver/cache.js';
import {
  Iterator,
  type IteratorOptions,
  type UpstreamRequest,
  type UpstreamTransport,
} from '../../../src/dns/resolver/iterator.js';
import { parseRootHints } from '../../../src/dns/resolver/root-hints.js';
import { ServerSelection } from '../../../src/dns/resolver/server-selection.js';

/** A scripted server: a reply, or null to stay silent (the query times out). */
export type FakeServer = (query: Message) => Message | null;

/** Our authoritative engine over the given zones (apex, master-file text). */
export function zoneServer(...zones: [string, string][]): FakeServer {
  const authority = new Authority(zones.map(([apex, text]) => loadZoneText(apex, text)));
  return (query) => {
    const reply = authority.answer(query);
    if (typeof reply === 'string') throw new Error(`deferral: ${reply}`);
    return reply;
  };
}

export const SOA = (zone: string): string =>
  `${zone} 3600 IN SOA ns.${zone === '.' ? '' : zone} host.${zone === '.' ? '' : zone} 1 3600 600 86400 300`;

export interface LoggedQuery {
  readonly address: string;
  readonly name: string;
  readonly type: number;
}

export class FakeUpstream implements UpstreamTransport {
  readonly servers = new Map<string, FakeServer>();
  readonly log: LoggedQuery[] = [];
  t = 1_000_000;
  readonly now = (): number => this.t;

  query(request: UpstreamRequest): Promise<Message> {
    this.log.push({
      address: request.server.address,
      name: request.question.name,
      type: request.question.type,
    });
    const server = this.servers.get(request.server.address);
    const query = buildQuery({
      server: { host: request.server.address, port: request.server.port },
      name: request.question.name,
      type: request.question.type,
      class: request.question.class,
      recursionDesired: false,
    });
    const reply = server === undefined ? null : server(query);
    if (reply === null) {
      this.t += request.timeoutMs;
      return Promise.reject(new OutpostError(ErrorCodes.TIMEOUT, `no reply from ${request.server.address}`));
    }
    this.t += 1;
    return Promise.resolve(reply);
  }

  /** Queries sent to `address`. */
  to(address: string): LoggedQuery[] {
    return this.log.filter((q) => q.address === address);
  }
}

/** The root hints of the fake world: one root server at 127.53.0.1 (and more if given). */
export function hints(...extra: [string, string][]): string {
  const lines = ['. 3600000 NS a.root.test.', 'a.root.test. 3600000 A 127.53.0.1'];
  for (const [name, address] of extra) lines.push(`. 3600000 NS ${name}`, `${name} 3600000 A ${address}`);
  return lines.join('\n') + '\n';
}

/** An engine over `upstream`, with a fresh cache and server statistics on its clock. */
export function engine(
  upstream: FakeUpstream,
  options: Partial<IteratorOptions> & { hintsText?: string } = {},
): { iterator: Iterator; cache: ResolverCache; servers: ServerSelection } {
  const cache = new ResolverCache({ now: upstream.now });
  const servers = new ServerSelection({ now: upstream.now, random: () => 0.5 });
  const iterator = new Iterator({
    hints: parseRootHints(options.hintsText ?? hints()),
    transport: upstream,
    cache,
    servers,
    now: upstream.now,
    allowLoopback: true,
    ...options,
  });
  return { iterator, cache, servers };
}

export const q = (name: string, type: number): Question => ({ name, type, class: RRClass.IN });
