/**
 * A zone we are primary for: loaded from its master file, reloaded all-or-nothing (a file with
 * errors leaves the previous version serving and logs every problem with file:line), and watched
 * for changes on disk. When a reload changes the SOA serial the owner is told, so it can send
 * NOTIFY to the secondaries (RFC 1996 §3.5).
 */
import { unwatchFile, watchFile, type Stats } from 'node:fs';
import type { Logger } from '../../core/logger.js';
import { loadZoneFile } from '../authority/load.js';
import type { ZoneIndex } from '../authority/zone-index.js';

/** How often a watched zone file's metadata is polled, in milliseconds. */
export const ZONE_WATCH_INTERVAL_MS = 1000;

export interface PrimaryZoneOptions {
  apex: string;
  file: string;
  logger: Logger;
  /** Called with each newly loaded version (first load included). */
  onLoad: (zone: ZoneIndex, previous: ZoneIndex | undefined) => void;
}

/** One primary zone and its file. */
export class PrimaryZone {
  readonly apex: string;
  readonly file: string;
  readonly #options: PrimaryZoneOptions;
  #current: ZoneIndex | undefined;
  #watching = false;
  readonly #onChange = (curr: Stats, prev: Stats): void => {
    if (curr.mtimeMs === prev.mtimeMs && curr.size === prev.size && curr.ino === prev.ino) return;
    this.reload();
  };

  constructor(options: PrimaryZoneOptions) {
    this.apex = options.apex;
    this.file = options.file;
    this.#options = options;
  }

  /** The version being served. */
  get current(): ZoneIndex | undefined {
    return this.#current;
  }

  /** First load: throws the parser's ZoneError (every problem with file:line). */
  load(): ZoneIndex {
    const zone = loadZoneFile(this.apex, this.file, {
      onWarning: (w) => {
        this.#options.logger.warn({ zone: this.apex, file: w.file, line: w.line }, w.message);
      },
    });
    const previous = this.#current;
    this.#current = zone;
    this.#options.onLoad(zone, previous);
    this.#options.logger.info(
      { zone: this.apex, serial: zone.serial, file: this.file },
      previous === undefined ? 'zone loaded' : 'zone reloaded',
    );
    return zone;
  }

  /** Reloads; on error keeps serving the previous version and returns false. */
  reload(): boolean {
    try {
      this.load();
      return true;
    } catch (err) {
      this.#options.logger.error(
        { err, zone: this.apex },
        'zone reload failed; still serving the previous version',
      );
      return false;
    }
  }

  /** Starts watching the file (reload on change). */
  watch(): void {
    if (this.#watching) return;
    this.#watching = true;
    watchFile(this.file, { interval: ZONE_WATCH_INTERVAL_MS, persistent: false }, this.#onChange);
  }

  /** Stops watching. */
  close(): void {
    if (!this.#watching) return;
    this.#watching = false;
    unwatchFile(this.file, this.#onChange);
  }
}
