/**
 * Read-ahead for RETR. POP3 clients download in order (RETR 1, RETR 2, …) and wait for each
 * message before asking for the next, so the server is idle for a round trip after every answer.
 * After sending message n the session schedules (setImmediate: after the write, before the next
 * command can arrive) reading message n+1 from the store and building its dot-stuffed wire form;
 * the next RETR then only writes. Anything else (another number, TOP, DELE, QUIT, the end of the
 * session) discards it. One message at most is held, and none larger than `maxOctets`.
 */
import type { MailStore } from '../mail/store/types.js';
import { multiLineMessage, okLine } from './codec.js';

/** A message's wire form for RETR: `+OK n octets` CRLF, the dot-stuffed body, `.` CRLF. */
export interface RetrWire {
  readonly octets: number;
  readonly status: string;
  readonly wire: Buffer;
}

/** The RETR wire form of stored bytes. */
export function retrWire(bytes: Buffer): RetrWire {
  const status = okLine(`${String(bytes.length)} octets`);
  return { octets: bytes.length, status, wire: multiLineMessage(status, bytes) };
}

/** Reads messages of one mailbox, one step ahead (see the file comment). */
export class MessageReadAhead {
  readonly #store: MailStore;
  readonly #mailboxId: number;
  readonly #maxOctets: number;
  #ready: { uid: number; wire: RetrWire | null } | null = null;
  #scheduled: NodeJS.Immediate | null = null;

  constructor(store: MailStore, mailboxId: number, maxOctets: number) {
    this.#store = store;
    this.#mailboxId = mailboxId;
    this.#maxOctets = maxOctets;
  }

  /** The RETR wire form of `uid` (null when the store no longer has it). Throws store errors. */
  retr(uid: number): RetrWire | null {
    const ready = this.#ready;
    this.cancel();
    if (ready?.uid === uid) return ready.wire;
    const bytes = this.#store.readMessage(this.#mailboxId, uid);
    return bytes === null ? null : retrWire(bytes);
  }

  /** Prepares `uid` (of `size` octets) in idle time, unless it is too large. */
  prefetch(uid: number, size: number): void {
    this.cancel();
    if (size > this.#maxOctets) return;
    this.#scheduled = setImmediate(() => {
      this.#scheduled = null;
      try {
        const bytes = this.#store.readMessage(this.#mailboxId, uid);
        this.#ready = { uid, wire: bytes === null ? null : retrWire(bytes) };
      } catch {
        // The RETR itself reads again and reports the error.
      }
    });
  }

  /** Drops what is prepared or scheduled. */
  cancel(): void {
    if (this.#scheduled !== null) clearImmediate(this.#scheduled);
    this.#scheduled = null;
    this.#ready = null;
  }
}
