/**
 * The DNS service of the suite: the authoritative server for the `[dns]` zones. It owns the
 * Authority (the zones being served), one DnsServer bound to every `listen` address (UDP and
 * TCP), the primary zones' files (loaded all-or-nothing, reloaded on SIGHUP and when a file
 * changes), and routes what the answer engine defers: zone transfers and NOTIFY.
 */
import type { Logger } from '../../core/logger.js';
import type { OutpostConfig } from '../../core/config/schema.js';
import type { Endpoint, RunningService, ServiceContext, ServiceDefinition } from '../../suite/service.js';
import { Authority } from '../authority/authority.js';
import { emptyReply } from '../authority/response.js';
import { Rcode } from '../constants.js';
import type { Message } from '../types.js';
import { createDnsServer, type DnsServer } from '../server/dns-server.js';
import type { RequestContext } from '../server/query-processor.js';
import { PrimaryZone } from './primary-zone.js';
import { canonicalName } from '../name.js';

type DnsConfig = NonNullable<OutpostConfig['dns']>;
type ZoneConfig = DnsConfig['zones'][number];

/** The running DNS service. */
export class DnsService implements RunningService {
  readonly name = 'dns';
  readonly authority = new Authority();
  readonly server: DnsServer;
  readonly #logger: Logger;
  readonly #primaries = new Map<string, PrimaryZone>();
  #closed = false;

  private constructor(logger: Logger) {
    this.#logger = logger;
    this.server = createDnsServer({
      logger,
      handler: (query, context) => this.#handle(query, context),
    });
  }

  /** Loads every zone (any error aborts the start, naming file:line), then listens. */
  static async start(context: ServiceContext): Promise<DnsService> {
    const dns = context.config.dns;
    if (!dns) throw new Error('dns service started without a [dns] table');
    const service = new DnsService(context.logger.child({ service: 'dns' }));
    service.#applyZones(dns.zones, { initial: true });
    try {
      for (const address of dns.listen) await service.server.listen(address);
    } catch (err) {
      await service.close();
      throw err;
    }
    return service;
  }

  endpoints(): Endpoint[] {
    const zones = this.authority.zones.map((z) => z.apex.replace(/\.$/, '')).join(', ');
    return this.server.addresses().map((a) => ({
      service: 'dns',
      transport: 'udp+tcp',
      host: a.address,
      port: a.port,
      tls: 'none',
      note: zones === '' ? 'no zones' : `authoritative: ${zones}`,
    }));
  }

  /** SIGHUP: re-reads every zone file, adds and removes zones as configured. */
  reload(context: ServiceContext): Promise<void> {
    const dns = context.config.dns;
    if (dns) this.#applyZones(dns.zones, { initial: false });
    return Promise.resolve();
  }

  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      for (const zone of this.#primaries.values()) zone.close();
    }
    await this.server.close();
  }

  #applyZones(zones: readonly ZoneConfig[], { initial }: { initial: boolean }): void {
    const wanted = new Map(zones.map((z) => [canonicalName(z.name), z]));
    for (const [apex, zone] of this.#primaries) {
      if (!wanted.has(apex)) {
        zone.close();
        this.#primaries.delete(apex);
        this.authority.removeZone(apex);
        this.server.invalidateCache();
        this.#logger.info({ zone: apex }, 'zone removed');
      }
    }
    for (const [apex, config] of wanted) {
      if (config.file === undefined) {
        this.#logger.warn({ zone: apex }, 'secondary zones are not served yet');
        continue;
      }
      const existing = this.#primaries.get(apex);
      if (existing && existing.file === config.file) {
        existing.reload();
        continue;
      }
      existing?.close();
      const primary = new PrimaryZone({
        apex,
        file: config.file,
        logger: this.#logger,
        onLoad: (zone) => {
          this.authority.setZone(zone);
          this.server.invalidateCache();
        },
      });
      if (initial) primary.load();
      else if (!primary.reload()) continue;
      primary.watch();
      this.#primaries.set(apex, primary);
    }
  }

  #handle(query: Message, _context: RequestContext): Message | readonly Message[] | null {
    const result = this.authority.answer(query);
    if (typeof result !== 'string') return result;
    if (result === 'drop') return null;
    // Zone transfers and NOTIFY are refused until replication is wired in.
    return emptyReply(query.header, Rcode.REFUSED, query.questions, undefined);
  }
}

/** The suite's DNS service definition (see src/suite/services.ts). */
export const dnsServiceDefinition: ServiceDefinition = {
  name: 'dns',
  enabled: (config) => config.dns !== undefined && config.dns.listen.length > 0,
  start: (context) => DnsService.start(context),
};
