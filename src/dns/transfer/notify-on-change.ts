/**
 * When a primary should announce a zone (RFC 1996 §3.5: NOTIFY is sent when the zone's serial
 * changes): on the first load (secondaries may have missed changes while we were down, which is
 * why BIND and NSD notify at start-up) and whenever the new serial is greater than the old under
 * RFC 1982. An unchanged serial or one that went backwards sends nothing: a secondary compares
 * serials and would not transfer anyway.
 */
import type { ResourceRecord, SoaData } from '../types.js';
import { sendNotify, type NotifyOutcome, type SendNotifyOptions } from './notify.js';
import { serialGreater } from './serial.js';

/** True when going from `oldSerial` (undefined: first load) to `newSerial` warrants a NOTIFY. */
export function shouldNotify(oldSerial: number | undefined, newSerial: number): boolean {
  return oldSerial === undefined || serialGreater(newSerial, oldSerial);
}

/** Inputs of `notifyOnChange`. */
export interface NotifyOnChangeOptions {
  readonly apex: string;
  /** The SOA serial before the reload; undefined on the first load. */
  readonly oldSerial: number | undefined;
  /** The SOA now served. */
  readonly newSoa: ResourceRecord & { readonly data: SoaData };
  /** The configured secondaries (`notify = ["host:port", ...]`). */
  readonly secondaries: readonly string[];
  readonly timeoutMs?: number;
  readonly retries?: number;
  /** The sender (tests inject one); default `sendNotify`. */
  readonly send?: (options: SendNotifyOptions) => Promise<NotifyOutcome[]>;
}

/**
 * Send NOTIFY to the secondaries when `shouldNotify` says so; resolves with the outcomes, or
 * `null` when nothing was sent (no change, or no secondaries).
 */
export async function notifyOnChange(options: NotifyOnChangeOptions): Promise<NotifyOutcome[] | null> {
  if (options.secondaries.length === 0 || !shouldNotify(options.oldSerial, options.newSoa.data.serial)) {
    return null;
  }
  const send = options.send ?? sendNotify;
  return send({
    apex: options.apex,
    targets: options.secondaries,
    soa: options.newSoa,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.retries === undefined ? {} : { retries: options.retries }),
  });
}
