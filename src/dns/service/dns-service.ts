/**
 * The DNS service of the suite: the authoritative server for the `[dns]` zones. It owns the
 * Authority (the zones being served), one DnsServer bound to every `listen` address (UDP and
 * TCP), the primary zones' files (loaded all-or-nothing, reloaded on SIGHUP and when a file
 * changes), the secondary zones (pulled from their primary by AXFR, refreshed by the SOA timers
 * and by NOTIFY, persisted under the data directory), and routes what the answer engine defers:
 * zone transfers (to the allow-listed) and NOTIFY (from a secondary zone's primary). When a
 * primary zone's serial changes, its configured secondaries are sent NOTIFY (RFC 1996).
 * A primary zone may have views (per-client data picked by source address or EDNS Client Subnet,
 * views.ts; transfers and NOTIFY carry the default data only) and may rotate its RRsets.
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
import { errorReply, formErr } from '../reply.js';
import { EdnsOption, Rcode } from '../constants.js';
import type { Message } from '../types.js';
import { createDnsServer, type DnsServer } from '../server/dns-server.js';
import { uncacheable, type RequestContext } from '../server/query-processor.js';
import { clientSubnetReply, parseClientSubnet, type ClientSubnet } from '../ecs.js';
import { parseAllowEntry } from '../transfer/allow-list.js';
import { rotateRRsets } from './rotate.js';
import { ClientView, ViewSelector, type ZoneViews } from './views.js';
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
    new ViewSelector(zone.views.map((v) => v.match_clients));
    for (const view of zone.views) loadZoneFile(canonicalName(zone.name), view.file);
  }
}

/** The ECS option of a query: none, the parsed option, or why it is malformed (RFC 7871 §7.2.1). */
function clientSubnetOf(query: Message): ClientSubnet | string | undefined {
  let found: ClientSubnet | string | undefined;
  for (const option of query.edns?.options ?? []) {
    if (option.code !== EdnsOption.CLIENT_SUBNET) continue;
    if (found !== undefined) return 'more than one client subnet option';
    found = parseClientSubnet(option.data);
  }
  return found;
}

/** A zone's views being served: the selector, each view's file, and the loaded versions. */
interface ServedViews extends ZoneViews {
  readonly key: string;
  readonly primaries: PrimaryZone[];
  readonly zones: (ZoneIndex | undefined)[];
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
  /** Views of primary zones, by canonical apex (only zones that have some). */
  readonly #views = new Map<string, ServedViews>();
  /** Answers given so far per rotating zone (the round-robin turn). */
  readonly #turns = new Map<string, number>();
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
    // The root zone keeps its name, '.'; others lose the trailing dot.
    const zones = this.authority.zones
      .map((z) => (z.apex === '.' ? '.' : z.apex.replace(/\.$/, '')))
      .join(', ');
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
      for (const views of this.#views.values()) for (const p of views.primaries) p.close();
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
      this.#applyViews(apex, config, initial);
    }
    for (const [apex, views] of this.#views) {
      if (wanted.get(apex)?.views.length) continue;
      for (const p of views.primaries) p.close();
      this.#views.delete(apex);
      this.server.invalidateCache();
    }
  }

  /**
   * Loads a zone's view files (same views: each reloaded, keeping its previous version on error;
   * changed views: all new, and on a reload a new set with any file in error is not used).
   */
  #applyViews(apex: string, config: ZoneConfig, initial: boolean): void {
    if (config.views.length === 0) return;
    const key = JSON.stringify(config.views);
    const existing = this.#views.get(apex);
    if (existing?.key === key) {
      for (const p of existing.primaries) p.reload();
      return;
    }
    const zones: (ZoneIndex | undefined)[] = config.views.map(() => undefined);
    const primaries = config.views.map(
      (view, i) =>
        new PrimaryZone({
          apex,
          file: view.file,
          logger: this.#logger,
          onLoad: (zone) => {
            zones[i] = zone;
            this.server.invalidateCache();
          },
        }),
    );
    const served: ServedViews = {
      key,
      selector: new ViewSelector(config.views.map((v) => v.match_clients)),
      primaries,
      zones,
    };
    if (initial) for (const p of primaries) p.load();
    else if (!primaries.every((p) => p.reload())) return;
    for (const p of existing?.primaries ?? []) p.close();
    for (const p of primaries) p.watch();
    this.#views.set(apex, served);
    this.server.invalidateCache();
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
    const ecs = query.edns === undefined ? undefined : clientSubnetOf(query);
    if (typeof ecs === 'string') {
      this.#logger.debug({ from: context.remoteAddress, reason: ecs }, 'FORMERR: malformed ECS option');
      return formErr(query.header);
    }
    let view: ClientView | undefined;
    if (this.#views.size > 0) {
      const address =
        ecs === undefined
          ? parseAllowEntry(context.remoteAddress)?.bytes
          : ecs.sourcePrefix === 0
            ? undefined
            : ecs.address;
      view = new ClientView(this.authority, this.#views, address);
    }
    const result = this.authority.answer(query, view);
    if (typeof result !== 'string') return this.#finish(query, result, view, ecs);
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

  /** Rotation, the ECS echo (RFC 7871 §7.2.1) and whether the packet cache may keep the reply. */
  #finish(
    query: Message,
    reply: Message,
    view: ClientView | undefined,
    ecs: ClientSubnet | undefined,
  ): Message {
    let out = reply;
    const question = query.questions[0];
    const zone = question === undefined ? undefined : this.authority.zoneFor(question.name);
    const rotating = zone !== undefined && this.#zoneConfig.get(zone.apexKey)?.rotate === true;
    if (rotating) {
      const turn = this.#turns.get(zone.apexKey) ?? 0;
      this.#turns.set(zone.apexKey, (turn + 1) % 0x40000000);
      out = {
        ...out,
        answers: rotateRRsets(out.answers, turn),
        authorities: rotateRRsets(out.authorities, turn),
        additionals: rotateRRsets(out.additionals, turn),
      };
    }
    if (ecs !== undefined && out.edns !== undefined) {
      const scope = view?.used === true ? view.scope : 0;
      out = { ...out, edns: { ...out.edns, options: [...out.edns.options, clientSubnetReply(ecs, scope)] } };
    }
    return rotating || view?.used === true ? uncacheable(out) : out;
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
