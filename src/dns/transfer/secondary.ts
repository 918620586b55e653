/**
 * A secondary zone: a copy of a primary's zone kept in sync by the SOA timers of RFC 1035 §4.3.5
 * and by NOTIFY (RFC 1996). After a successful check the next one is due REFRESH seconds later;
 * after a failed one, RETRY seconds later; when no check has succeeded for EXPIRE seconds the zone
 * expires: it is kept (to be revived by the next successful check) but no longer served. A check
 * asks the primary's SOA and transfers only when the primary's serial is greater than ours under
 * RFC 1982 arithmetic; a NOTIFY (`notified()`) starts a check at once (RFC 1996 §4.7), and one
 * arriving during a check queues exactly one more.
 *
 * Each new version is handed to `onZone` (the suite rebuilds its answer index from it atomically)
 * and persisted to `file` (zone-file.ts), which `start()` loads first so a restart serves the zone
 * at once, expiring it EXPIRE seconds after the file was written. Clock, timers, the transfer and
 * the SOA query are injectable: tests drive everything with fake time and fake primaries.
 */
import { silentLogger, type Logger } from '../../core/logger.js';
import type { DnsServerAddress } from '../client/server-address.js';
import type { ResourceRecord } from '../types.js';
import { transferZone, type TransferOptions, type TransferResult } from './axfr-in.js';
import { zoneSoa, type SoaRecord } from './axfr-out.js';
import { TRANSFER_LIMITS } from './limits.js';
import { serialGreater } from './serial.js';
import { querySoaSerial } from './soa-query.js';
import { readZoneFile, writeZoneFile } from './zone-file.js';

/** What the secondary reports: no zone yet, serving, expired (not serving), or stopped. */
export type SecondaryStatus = 'pending' | 'serving' | 'expired' | 'stopped';

/** setTimeout-like functions (inject fakes in tests). */
export interface SecondaryTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** A zone version: its SOA and every record (the SOA included). */
export interface ZoneVersion {
  readonly soa: SoaRecord;
  readonly records: readonly ResourceRecord[];
}

/** Options of `SecondaryZone`. */
export interface SecondaryZoneOptions {
  /** Zone apex, absolute (`example.test.`). */
  readonly apex: string;
  /** The primary to pull from. */
  readonly primary: DnsServerAddress;
  /** Where to persist the zone; without it nothing is written or loaded. */
  readonly file?: string;
  /** Called with each new version (and the one loaded from `file`). */
  readonly onZone?: (zone: ZoneVersion) => void;
  /** Called on every status change (`expired` means: stop serving this zone). */
  readonly onStatus?: (status: SecondaryStatus) => void;
  readonly logger?: Logger;
  /** Milliseconds since the epoch; default `Date.now`. */
  readonly now?: () => number;
  /** Default: the global timers, unref'd. */
  readonly timers?: SecondaryTimers;
  /** The transfer; default `transferZone`. */
  readonly transfer?: (options: TransferOptions) => Promise<TransferResult>;
  /** The primary's serial; default `querySoaSerial`. */
  readonly querySerial?: (server: DnsServerAddress, apex: string, timeoutMs: number) => Promise<number>;
  /** Ask IXFR (accepting AXFR-format replies) instead of AXFR once we hold a version. Default false. */
  readonly ixfr?: boolean;
  readonly transferTimeoutMs?: number;
  readonly soaTimeoutMs?: number;
  readonly maxRecords?: number;
  readonly maxBytes?: number;
  /** Floor under REFRESH and RETRY, in seconds. Default 5. */
  readonly minTimerSeconds?: number;
  /** Retry interval while we hold no zone (no SOA to take RETRY from), in seconds. Default 30. */
  readonly initialRetrySeconds?: number;
}

type State =
  | { readonly kind: 'new' }
  | { readonly kind: 'pending' }
  | { readonly kind: 'serving'; readonly zone: ZoneVersion; readonly expiresAt: number }
  | { readonly kind: 'expired'; readonly zone: ZoneVersion }
  | { readonly kind: 'stopped' };

const defaultTimers: SecondaryTimers = {
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

/** Keeps one zone in sync from its primary. */
export class SecondaryZone {
  readonly #o: SecondaryZoneOptions;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #timers: SecondaryTimers;
  #state: State = { kind: 'new' };
  #nextCheckAt: number | undefined;
  #timer: unknown;
  #running: Promise<void> | undefined;
  #again = false;

  constructor(options: SecondaryZoneOptions) {
    this.#o = options;
    this.#log = options.logger ?? silentLogger();
    this.#now = options.now ?? Date.now;
    this.#timers = options.timers ?? defaultTimers;
  }

  /** Current status. */
  get status(): SecondaryStatus {
    const k = this.#state.kind;
    return k === 'new' ? 'pending' : k;
  }

  /** The version being served, or `undefined` when pending, expired or stopped. */
  get zone(): ZoneVersion | undefined {
    return this.#state.kind === 'serving' ? this.#state.zone : undefined;
  }

  /** The serial we hold (served or expired), if any. */
  get serial(): number | undefined {
    const s = this.#state;
    return s.kind === 'serving' || s.kind === 'expired' ? s.zone.soa.data.serial : undefined;
  }

  /** When the next check is due (ms since the epoch), for status pages and tests. */
  get nextCheckAt(): number | undefined {
    return this.#nextCheckAt;
  }

  /**
   * Load the persisted copy (if any; a damaged file is logged and ignored) and start the first
   * check in the background. Resolves once the persisted copy is served; `refreshNow()` awaits
   * a check.
   */
  async start(): Promise<void> {
    if (this.#state.kind !== 'new') return;
    this.#setState({ kind: 'pending' });
    const file = this.#o.file;
    if (file !== undefined) {
      try {
        const stored = await readZoneFile(file, this.#o.apex);
        if (stored !== undefined && this.#kind() === 'pending') {
          const zone = {
            soa: zoneSoa({ apex: this.#o.apex, records: stored.records }),
            records: stored.records,
          };
          const expiresAt = stored.mtimeMs + zone.soa.data.expire * 1000;
          this.#log.info(
            { zone: this.#o.apex, serial: zone.soa.data.serial, file },
            'secondary: loaded from file',
          );
          this.#o.onZone?.(zone);
          this.#setState(
            this.#now() < expiresAt ? { kind: 'serving', zone, expiresAt } : { kind: 'expired', zone },
          );
        }
      } catch (err) {
        this.#log.warn({ err, zone: this.#o.apex, file }, 'secondary: cannot load the persisted zone');
      }
    }
    if (this.#kind() === 'stopped') return;
    void this.refreshNow();
  }

  /**
   * A NOTIFY for this zone arrived from the primary (the caller checked the source): check the
   * primary's serial now (RFC 1996 §4.7). Resolves when that check is done.
   */
  notified(): Promise<void> {
    return this.refreshNow();
  }

  /** Run a check now (or queue one after the running check). Never rejects. */
  refreshNow(): Promise<void> {
    const kind = this.#state.kind;
    if (kind === 'new' || kind === 'stopped') return Promise.resolve();
    if (this.#running !== undefined) {
      this.#again = true;
      return this.#running;
    }
    this.#nextCheckAt = undefined;
    this.#arm(); // keeps the expiry timer running during a long check
    const run = (async () => {
      do {
        await this.#checkOnce();
      } while (this.#takeQueued() && this.#kind() !== 'stopped');
    })().finally(() => {
      this.#running = undefined;
      this.#arm();
    });
    this.#running = run;
    return run;
  }

  /** Resolves when no check is running (shutdown, tests). */
  async idle(): Promise<void> {
    while (this.#running !== undefined) await this.#running;
  }

  /** Stop all timers; a running check's result is discarded. Idempotent. */
  stop(): void {
    if (this.#state.kind === 'stopped') return;
    this.#disarm();
    this.#nextCheckAt = undefined;
    this.#setState({ kind: 'stopped' });
  }

  [Symbol.dispose](): void {
    this.stop();
  }

  /** The state's kind, read through a call so narrowing does not survive an `await`. */
  #kind(): State['kind'] {
    return this.#state.kind;
  }

  /** Whether a check was queued while one ran (NOTIFY during a check), and clear the flag. */
  #takeQueued(): boolean {
    const queued = this.#again;
    this.#again = false;
    return queued;
  }

  #current(): ZoneVersion | undefined {
    const s = this.#state;
    return s.kind === 'serving' || s.kind === 'expired' ? s.zone : undefined;
  }

  #seconds(value: number): number {
    return Math.max(value, this.#o.minTimerSeconds ?? TRANSFER_LIMITS.minTimerSeconds) * 1000;
  }

  async #checkOnce(): Promise<void> {
    const o = this.#o;
    const before = this.#current();
    try {
      const fresh = await this.#pull(before);
      if (this.#kind() === 'stopped') return;
      const zone = fresh ?? before;
      if (zone === undefined) return; // unreachable: a successful pull without a zone
      const now = this.#now();
      this.#nextCheckAt = now + this.#seconds(zone.soa.data.refresh);
      this.#setState({ kind: 'serving', zone, expiresAt: now + zone.soa.data.expire * 1000 });
      if (fresh !== undefined) await this.#publish(fresh);
    } catch (err) {
      if (this.#kind() === 'stopped') return;
      const retry = this.#current()?.soa.data.retry ?? o.initialRetrySeconds ?? 30;
      this.#nextCheckAt = this.#now() + this.#seconds(retry);
      this.#log.warn({ err, zone: o.apex }, 'secondary: refresh failed');
    }
  }

  /** One check: a new version, or undefined when ours is current. Throws when the primary fails us. */
  async #pull(current: ZoneVersion | undefined): Promise<ZoneVersion | undefined> {
    const o = this.#o;
    if (current !== undefined) {
      const query = o.querySerial ?? querySoaSerial;
      const theirs = await query(o.primary, o.apex, o.soaTimeoutMs ?? TRANSFER_LIMITS.soaQueryTimeoutMs);
      if (!serialGreater(theirs, current.soa.data.serial)) return undefined;
    }
    const transfer = o.transfer ?? transferZone;
    const result = await transfer({
      server: o.primary,
      apex: o.apex,
      ...(o.transferTimeoutMs === undefined ? {} : { timeoutMs: o.transferTimeoutMs }),
      ...(o.maxRecords === undefined ? {} : { maxRecords: o.maxRecords }),
      ...(o.maxBytes === undefined ? {} : { maxBytes: o.maxBytes }),
      ...(o.ixfr === true && current !== undefined ? { ixfrSerial: current.soa.data.serial } : {}),
    });
    if (result.upToDate) return undefined;
    if (current !== undefined && !serialGreater(result.soa.data.serial, current.soa.data.serial)) {
      return undefined; // the primary went back between the SOA query and the transfer
    }
    return { soa: result.soa, records: result.records };
  }

  async #publish(zone: ZoneVersion): Promise<void> {
    const o = this.#o;
    this.#log.info({ zone: o.apex, serial: zone.soa.data.serial }, 'secondary: new version');
    o.onZone?.(zone);
    if (o.file === undefined) return;
    try {
      const when = new Date(this.#now()).toISOString();
      const from = `${o.primary.host}#${o.primary.port}`;
      await writeZoneFile(
        o.file,
        o.apex,
        zone.records,
        `zone ${o.apex} serial ${zone.soa.data.serial} from ${from} at ${when}`,
      );
    } catch (err) {
      this.#log.error({ err, zone: o.apex, file: o.file }, 'secondary: cannot persist the zone');
    }
  }

  #setState(next: State): void {
    const before = this.status;
    this.#state = next;
    if (this.status !== before) this.#o.onStatus?.(this.status);
  }

  #disarm(): void {
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** One timer for whichever comes first: the next check or the expiry (RFC 1035 §4.3.5). */
  #arm(): void {
    this.#disarm();
    const s = this.#state;
    if (s.kind === 'stopped' || s.kind === 'new') return;
    const expiresAt = s.kind === 'serving' ? s.expiresAt : Infinity;
    const due = Math.min(this.#nextCheckAt ?? Infinity, expiresAt);
    if (due === Infinity) return;
    const delay = Math.min(Math.max(0, due - this.#now()), TRANSFER_LIMITS.maxTimerMs);
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = undefined;
      this.#onTimer();
    }, delay);
  }

  #onTimer(): void {
    const s = this.#state;
    const now = this.#now();
    if (s.kind === 'serving' && now >= s.expiresAt) {
      this.#log.warn({ zone: this.#o.apex, serial: s.zone.soa.data.serial }, 'secondary: zone expired');
      this.#setState({ kind: 'expired', zone: s.zone });
    }
    if (this.#nextCheckAt !== undefined && now >= this.#nextCheckAt) void this.refreshNow();
    else this.#arm();
  }
}
