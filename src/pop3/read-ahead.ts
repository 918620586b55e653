/**
 * Read-ahead for RETR. POP3 clients download in order (RETR 1, RETR 2, …) and wait for each
 * message before asking for the next, so the server is idle for a round trip after every answer.
 * After sending message n the session schedules (setImmediate: after the write, before the next
 * command can arrive) reading message n+1 from the store and building its dot-stuffed wire form;
 * the next RETR then only writes. Anything else (another number, TOP, DELE, QUIT, the end of the
 * session) discards it. One message at most is held, and none larger than `maxOctets`.
 */
import type { MailStore } from '../mail/index.js';
import { multiLineMessage } from './codec/message.js';
import { okLine } from './codec/reply.js';

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
  /** The read started for `uid`; `failed` when it rejected (RETR then reads again). */
  #ahead: { uid: number; wire: Promise<RetrWire | null | 'failed'> } | null = null;
  #scheduled: NodeJS.Immediate | null = null;

  constructor(store: MailStore, mailboxId: number, maxOctets: number) {
    this.#store = store;
    this.#mailboxId = mailboxId;
    this.#maxOctets = maxOctets;
  }

  /** The RETR wire form of `uid` (null when the store no longer has it). Rejects with store errors. */
  async retr(uid: number): Promise<RetrWire | null> {
    const ahead = this.#ahead;
    this.cancel();
    if (ahead?.uid === uid) {
      const wire = await ahead.wire;
      if (wire !== 'failed') return wire;
    }
    return this.#read(uid);
  }

  /** Prepares `uid` (of `size` octets) in idle time, unless it is too large. */
  prefetch(uid: number, size: number): void {
    this.cancel();
    if (size > this.#maxOctets) return;
    this.#scheduled = setImmediate(() => {
      this.#scheduled = null;
      this.#ahead = { uid, wire: this.#read(uid).catch(() => 'failed' as const) };
    });
  }

  /** Drops what is prepared or scheduled (a read in progress finishes unused). */
  cancel(): void {
    if (this.#scheduled !== null) clearImmediate(this.#scheduled);
    this.#scheduled = null;
    this.#ahead = null;
  }

  async #read(uid: number): Promise<RetrWire | null> {
    const bytes = await this.#store.readMessage(this.#mailboxId, uid);
    return bytes === null ? null : retrWire(bytes);
  }
}
