/**
 * The DNS service of the suite: the authoritative server for the `[dns]` zones. It owns the
 * Authority (the zones being served), one DnsServer bound to every `listen` address (UDP and
 * TCP), the primary zones' files (loaded all-or-nothing, reloaded on SIGHUP and when a file
 * changes), the secondary zones (pulled from their primary by AXFR, refreshed by the SOA timers
 * and by NOTIFY, persisted under the data directory), and routes what the answer engine defers:
 * zone transfers (to the allow-listed) and NOTIFY (from a secondary zone's primary). When a
 * primary zone's serial changes, its configured secondaries are sent NOTIFY (RFC 1996).
 */
import type { Logger } from '../../core/logger.js';
import type { ServiceMetrics } from '../../core/metrics.js';
import type { ListenAddress, OutpostConfig } from '../../core/config/schema.js';
import type {
  Endpoint,
  RunningService,
  ServiceContext,
  ServiceDefinition,
} from '../../core/service/service.js';
import { Authority } from '../authority/authority.js';
import { errorReply } from '../reply.js';
import { Rcode } from '../constants.js';
import type { Message } from '../types.js';
import { createDnsServer, type DnsServer } from '../server/dns-server.js';
import type { RequestContext } from '../server/query-processor.js';
import { PrimaryZone } from './primary-zone.js';
import { canonicalName } from '../name.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ZoneIndex } from '../authority/zone-index.js';
import { loadZoneFile } from '../authority/load.js';
import {
  answerTransfer,
  isTransferAllowed,
  notifiedZone,
  notifyOnChange,
  notifyReply,
  SecondaryZone,
} from '../transfer/index.js';

type DnsConfig = NonNullable<OutpostConfig['dns']>;
type ZoneConfig = DnsConfig['zones'][number];

/**
 * Loads every primary zone file of `config` as the service's first load does (the same
 * loadZoneFile, the same apex, so the same ZoneError naming file:line) and keeps nothing.
 */
export function checkDnsZones(config: OutpostConfig): void {
  for (const zone of config.dns?.zones ?? []) {
    if (zone.file !== undefined) loadZoneFile(canonicalName(zone.name), zone.file);
  }
}

/** The running DNS service. */
export class DnsService implements RunningService {
  readonly name = 'dns';
  readonly authority = new Authority();
  readonly server: DnsServer;
  readonly #logger: Logger;
  readonly #primaries = new Map<string, PrimaryZone>();
  readonly #secondaries = new Map<string, { zone: SecondaryZone; primary: ListenAddress }>();
  /** Per-zone configuration (allow-list, NOTIFY targets), by canonical apex. */
  #zoneConfig = new Map<string, ZoneConfig>();
  readonly #dataDir: string;
  #closed = false;

  private constructor(logger: Logger, dataDir: string, metrics: ServiceMetrics) {
    this.#logger = logger;
    this.#dataDir = dataDir;
    this.server = createDnsServer({
      logger,
      metrics,
      handler: (query, context) => this.#handle(query, context),
    });
  }

  /** Loads every zone (any error aborts the start, naming file:line), then listens. */
  static async start(context: ServiceContext): Promise<DnsService> {
    const dns = context.config.dns;
    if (!dns) throw new Error('dns service started without a [dns] table');
    const service = new DnsService(
      context.logger.child({ service: 'dns' }),
      context.config.data_dir,
      context.metrics,
    );
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
      for (const { zone } of this.#secondaries.values()) zone.stop();
    }
    await this.server.close();
  }

  #applyZones(zones: readonly ZoneConfig[], { initial }: { initial: boolean }): void {
    const wanted = new Map(zones.map((z) => [canonicalName(z.name), z]));
    this.#zoneConfig = wanted;
    for (const [apex, zone] of this.#primaries) {
      if (wanted.get(apex)?.file === undefined) {
        zone.close();
        this.#primaries.delete(apex);
        this.#forget(apex);
      }
    }
    for (const [apex, { zone }] of this.#secondaries) {
      if (wanted.get(apex)?.primary === undefined) {
        zone.stop();
        this.#secondaries.delete(apex);
        this.#forget(apex);
      }
    }
    for (const [apex, config] of wanted) {
      if (config.primary !== undefined) this.#applySecondary(apex, config.primary);
      else if (config.file !== undefined) this.#applyPrimary(apex, config.file, initial);
    }
  }

  #forget(apex: string): void {
    this.authority.removeZone(apex);
    this.server.invalidateCache();
    this.#logger.info({ zone: apex }, 'zone removed');
  }

  #serve(zone: ZoneIndex): void {
    this.authority.setZone(zone);
    this.server.invalidateCache();
  }

  #applyPrimary(apex: string, file: string, initial: boolean): void {
    const existing = this.#primaries.get(apex);
    if (existing && existing.file === file) {
      existing.reload();
      return;
    }
    existing?.close();
    const primary = new PrimaryZone({
      apex,
      file,
      logger: this.#logger,
      onLoad: (zone, previous) => {
        this.#serve(zone);
        this.#notifySecondaries(apex, zone, previous);
      },
    });
    if (initial) primary.load();
    else if (!primary.reload()) return;
    primary.watch();
    this.#primaries.set(apex, primary);
  }

  #applySecondary(apex: string, primary: ListenAddress): void {
    const existing = this.#secondaries.get(apex);
    if (existing?.primary.host === primary.host && existing.primary.port === primary.port) return;
    existing?.zone.stop();
    const dir = join(this.#dataDir, 'dns', 'secondary');
    mkdirSync(dir, { recursive: true });
    const zone = new SecondaryZone({
      apex,
      primary,
      file: join(dir, `${apex}zone`),
      logger: this.#logger,
      onZone: (version) => {
        this.#serve(ZoneIndex.fromRecords(apex, version.records));
        this.#logger.info({ zone: apex, serial: version.soa.data.serial }, 'secondary zone updated');
      },
      onStatus: (status) => {
        if (status === 'expired') this.#forget(apex);
      },
    });
    this.#secondaries.set(apex, { zone, primary });
    void zone.start();
  }

  #notifySecondaries(apex: string, zone: ZoneIndex, previous: ZoneIndex | undefined): void {
    const targets = this.#zoneConfig.get(apex)?.notify ?? [];
    if (targets.length === 0) return;
    void notifyOnChange({
      apex,
      oldSerial: previous?.serial,
      newSoa: zone.soa,
      secondaries: targets.map((t) =>
        t.host.includes(':') ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`,
      ),
    }).then((outcomes) => {
      if (outcomes) this.#logger.info({ zone: apex, serial: zone.serial, outcomes }, 'NOTIFY sent');
    });
  }

  #handle(query: Message, context: RequestContext): Message | readonly Message[] | null {
    const result = this.authority.answer(query);
    if (typeof result !== 'string') return result;
    if (result === 'drop') return null;
    if (result === 'notify') return this.#notified(query, context);
    const question = query.questions[0];
    const zone = question ? this.authority.zone(question.name) : undefined;
    const config = zone ? this.#zoneConfig.get(zone.apexKey) : undefined;
    if (!zone || !config) return errorReply(query, Rcode.NOTAUTH);
    return answerTransfer(query, { apex: zone.apex, records: zone.records }, context, {
      allowTransfer: config.allow_transfer,
    });
  }

  /** NOTIFY (RFC 1996 §3.7): accepted only for a secondary zone, from its primary's address. */
  #notified(query: Message, context: RequestContext): Message {
    const notified = notifiedZone(query);
    const secondary = notified ? this.#secondaries.get(canonicalName(notified.apex)) : undefined;
    const allowed =
      secondary !== undefined && isTransferAllowed(context.remoteAddress, [secondary.primary.host]);
    if (allowed) void secondary.zone.notified();
    else this.#logger.warn({ from: context.remoteAddress, zone: notified?.apex }, 'NOTIFY refused');
    return notifyReply(query, allowed);
  }
}

/** The suite's DNS service definition (see src/suite/services.ts). */
export const dnsServiceDefinition: ServiceDefinition = {
  name: 'dns',
  enabled: (config) => config.dns !== undefined && config.dns.listen.length > 0,
  offersTls: () => false,
  check: checkDnsZones,
  start: (context) => DnsService.start(context),
};
