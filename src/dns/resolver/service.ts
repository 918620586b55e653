/**
 * The suite's recursive resolver service (`[resolver]`): a Resolver behind the same UDP+TCP
 * listener machinery as the authoritative server (DnsServer, with its packet cache in aging mode:
 * stored replies have their TTLs counted down and are kept a few seconds at most, see
 * RESOLVER_PACKET_CACHE; off with `send_client_subnet`, where answers depend on the client's
 * subnet). Only clients in `allow` are answered (default loopback); others get
 * REFUSED with EDE 18 "Prohibited" (RFC 8914), so the resolver cannot serve as an open
 * amplifier or be probed for what its cache holds. The root hints are loaded at start, and
 * `outpost config check` loads them the same way; a reload re-reads the allow-list. Its first
 * bound address is published as the shared `RESOLVER_BINDING` (the SMTP queue asks it).
 */
import type { Logger } from '../../core/logger.js';
import type { OutpostConfig } from '../../core/config/schema.js';
import type {
  Endpoint,
  RunningService,
  ServiceContext,
  ServiceDefinition,
} from '../../core/service/service.js';
import { Rcode } from '../constants.js';
import { emptyReply, message, SERVER_EDNS } from '../reply.js';
import { createDnsServer, type DnsServer } from '../server/dns-server.js';
import type { RequestContext } from '../server/query-processor.js';
import { isTransferAllowed, parseAllowList, type AllowEntry } from '../transfer/allow-list.js';
import type { Message } from '../types.js';
import { RESOLVER_BINDING, ResolverBinding, reachableHost } from './bound-address.js';
import { RESOLVER_PACKET_CACHE } from './limits.js';
import { Resolver, edeWithText } from './resolver.js';
import { loadRootHints } from './root-hints.js';

type ResolverConfig = NonNullable<OutpostConfig['resolver']>;

/** Client addresses whose allow-list verdict is remembered (the packet cache asks per packet). */
const MAX_REMEMBERED_CLIENTS = 1024;

/** EDE 18 (RFC 8914 §4.19). */
const EDE_PROHIBITED = 18;

/** The reply to a client outside `allow`. */
export function refusedReply(query: Message): Message {
  const edns =
    query.edns === undefined
      ? undefined
      : SERVER_EDNS.reply(query.edns, [edeWithText(EDE_PROHIBITED, 'client not allowed')]);
  const base = emptyReply(query.header, Rcode.REFUSED, query.questions, edns);
  return message({ ...base.header, ra: true }, query.questions, [], [], [], edns);
}

/** Options of the Resolver built from the config table. */
export function resolverFromConfig(config: ResolverConfig): Resolver {
  return new Resolver({
    hints: loadRootHints(config.root_hints),
    upstreamPort: config.upstream_port,
    allowLoopbackUpstreams: config.allow_loopback_upstreams,
    sendClientSubnet: config.send_client_subnet,
    qnameMinimisation: config.qname_minimisation,
    clientResponseMs: config.stale_client_response_ms,
    cache: {
      maxEntries: config.cache_max_entries,
      maxBytes: config.cache_max_bytes,
      eviction: config.cache_eviction,
      maxTtl: config.max_ttl,
      maxNegativeTtl: config.max_negative_ttl,
      maxStaleSeconds: config.serve_stale_seconds,
    },
  });
}

export class ResolverService implements RunningService {
  readonly name = 'resolver';
  readonly server: DnsServer;
  readonly resolver: Resolver;
  #allow: AllowEntry[];
  /** Allow-list verdicts by client address (cleared on reload and when full). */
  readonly #verdicts = new Map<string, boolean>();

  private constructor(config: ResolverConfig, logger: Logger, context: ServiceContext) {
    this.resolver = resolverFromConfig(config);
    this.#allow = parseAllowList(config.allow);
    this.server = createDnsServer({
      logger,
      metrics: context.metrics,
      cacheEntries: config.send_client_subnet ? 0 : RESOLVER_PACKET_CACHE.entries,
      cacheAging: { maxAgeMs: RESOLVER_PACKET_CACHE.maxAgeMs },
      cacheGate: (request) => this.#allowed(request.remoteAddress),
      handler: (query, request) => this.#handle(query, request),
    });
  }

  static async start(context: ServiceContext): Promise<ResolverService> {
    const config = context.config.resolver;
    if (!config) throw new Error('resolver service started without a [resolver] table');
    const service = new ResolverService(config, context.logger.child({ service: 'resolver' }), context);
    try {
      for (const address of config.listen) await service.server.listen(address);
    } catch (err) {
      await service.close();
      throw err;
    }
    const first = service.server.addresses()[0];
    if (first !== undefined) {
      context.shared.get(RESOLVER_BINDING, () => new ResolverBinding()).address = {
        host: reachableHost(first.address),
        port: first.port,
      };
    }
    return service;
  }

  #allowed(address: string): boolean {
    let verdict = this.#verdicts.get(address);
    if (verdict === undefined) {
      verdict = isTransferAllowed(address, this.#allow);
      if (this.#verdicts.size >= MAX_REMEMBERED_CLIENTS) this.#verdicts.clear();
      this.#verdicts.set(address, verdict);
    }
    return verdict;
  }

  #handle(query: Message, request: RequestContext): Message | Promise<Message> {
    if (!this.#allowed(request.remoteAddress)) return refusedReply(query);
    return this.resolver.answer(query, request.remoteAddress);
  }

  /** Empties the resolver's caches: RRsets, server statistics and the packet cache. */
  clearCaches(): void {
    this.resolver.cache.clear();
    this.resolver.servers.clear();
    this.server.invalidateCache();
  }

  endpoints(): Endpoint[] {
    return this.server.addresses().map((a) => ({
      service: 'resolver',
      transport: 'udp+tcp',
      host: a.address,
      port: a.port,
      tls: 'none',
      note: 'recursive resolver',
    }));
  }

  reload(context: ServiceContext): Promise<void> {
    const config = context.config.resolver;
    if (config) {
      this.#allow = parseAllowList(config.allow);
      this.#verdicts.clear();
    }
    return Promise.resolve();
  }

  async close(): Promise<void> {
    await this.server.close();
  }
}

export const resolverServiceDefinition: ServiceDefinition = {
  name: 'resolver',
  enabled: (config) => config.resolver !== undefined && config.resolver.listen.length > 0,
  offersTls: () => false,
  check: (config) => {
    if (config.resolver) loadRootHints(config.resolver.root_hints);
  },
  start: (context) => ResolverService.start(context),
};
