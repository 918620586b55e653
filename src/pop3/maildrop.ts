/**
 * The maildrop a POP3 session works on (RFC 1939 §4-§6): a snapshot of INBOX taken at login from
 * the store's index (UIDs and sizes, never the message bytes), numbered 1..n in UID order and
 * stable for the whole session, with the session's deletion marks. Deletions reach the store only
 * through `deletedUids()`, which the session hands to `store.expunge` in the UPDATE state. The
 * messages RETR sent are remembered too (`retrievedUids()`): the session flags them \Seen when it
 * ends, as Dovecot does, so an IMAP client sees what was downloaded over POP3.
 *
 * UIDL (RFC 1939 §7) is `<uidvalidity>.<uid>`: the store never reuses a UID within one
 * UIDVALIDITY (RFC 9051 §2.3.1.1), so the id is unique and stable across sessions, and if the
 * mailbox is ever recreated (new UIDVALIDITY) every id changes, which makes "keep" clients
 * download again instead of skipping new mail.
 *
 * `MaildropCache` keeps each INBOX's index between logins, keyed on the mailbox's
 * (UIDVALIDITY, UIDNEXT, message count): UIDs only grow and expunges only shrink the count, so
 * the same triple means the same set of UIDs, and messages never change size. A login on a
 * 10,000-message box therefore costs one indexed mailbox lookup, not a 10,000-row read.
 */
import type { MailStore } from '../mail/index.js';
import { uniqueId } from './codec/message.js';
import { POP3_LIMITS } from './limits.js';

/** UIDs and sizes of one INBOX, in UID order. Shared read-only between sessions. */
export interface MaildropIndex {
  readonly mailboxId: number;
  readonly uidValidity: number;
  readonly uids: Uint32Array;
  readonly sizes: Float64Array;
  readonly totalOctets: number;
}

/** What looking a message number up can give. */
export type MessageLookup =
  | { readonly kind: 'ok'; readonly uid: number; readonly size: number }
  | { readonly kind: 'none' }
  | { readonly kind: 'deleted' };

/** One session's view of its maildrop: numbering, sizes, unique ids and deletion marks. */
export class Maildrop {
  readonly index: MaildropIndex;
  readonly #deleted: Uint8Array;
  readonly #retrieved: Uint8Array;
  #deletedCount = 0;
  #deletedOctets = 0;

  constructor(index: MaildropIndex) {
    this.index = index;
    this.#deleted = new Uint8Array(index.uids.length);
    this.#retrieved = new Uint8Array(index.uids.length);
  }

  /** Messages not marked deleted (STAT, RFC 1939 §5). */
  get count(): number {
    return this.index.uids.length - this.#deletedCount;
  }

  /** Octets of the messages not marked deleted. */
  get octets(): number {
    return this.index.totalOctets - this.#deletedOctets;
  }

  /** Highest message number of the session (deleted ones included). */
  get size(): number {
    return this.index.uids.length;
  }

  /** Message `n` (1-based). */
  lookup(n: number): MessageLookup {
    if (!Number.isInteger(n) || n < 1 || n > this.index.uids.length) return { kind: 'none' };
    if (this.#deleted[n - 1] === 1) return { kind: 'deleted' };
    return { kind: 'ok', uid: this.index.uids[n - 1] ?? 0, size: this.index.sizes[n - 1] ?? 0 };
  }

  /** The unique id of message `n` (assumes `lookup(n)` is ok). */
  uidl(n: number): string {
    return uniqueId(this.index.uidValidity, this.index.uids[n - 1] ?? 0);
  }

  /** Marks message `n` deleted; false when it does not exist or already is. */
  markDeleted(n: number): boolean {
    if (this.lookup(n).kind !== 'ok') return false;
    this.#deleted[n - 1] = 1;
    this.#deletedCount++;
    this.#deletedOctets += this.index.sizes[n - 1] ?? 0;
    return true;
  }

  /** Notes that RETR sent message `n` (assumes `lookup(n)` is ok). */
  markRetrieved(n: number): void {
    this.#retrieved[n - 1] = 1;
  }

  /** UIDs of the messages RETR sent that are not marked deleted: what becomes \Seen. */
  retrievedUids(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.#retrieved.length; i++)
      if (this.#retrieved[i] === 1 && this.#deleted[i] === 0) out.push(this.index.uids[i] ?? 0);
    return out;
  }

  /** RSET (RFC 1939 §5): unmarks everything. */
  reset(): void {
    this.#deleted.fill(0);
    this.#deletedCount = 0;
    this.#deletedOctets = 0;
  }

  /** Numbers of the messages not marked deleted, ascending. */
  *live(): Generator<number> {
    for (let i = 0; i < this.#deleted.length; i++) if (this.#deleted[i] === 0) yield i + 1;
  }

  /** UIDs of the messages marked deleted, for `store.expunge` in the UPDATE state. */
  deletedUids(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.#deleted.length; i++)
      if (this.#deleted[i] === 1) out.push(this.index.uids[i] ?? 0);
    return out;
  }
}

/** Loads INBOX indexes from the store, reusing an unchanged one (see the file comment). */
export class MaildropCache {
  readonly #entries = new Map<number, { key: string; index: MaildropIndex }>();
  readonly #max: number;

  constructor(maxEntries: number = POP3_LIMITS.maildropCacheEntries) {
    this.#max = maxEntries;
  }

  /** The INBOX index of `user` (creating the default mailboxes on first use). Rejects with store errors. */
  async open(store: MailStore, user: string): Promise<MaildropIndex> {
    let inbox = await store.getMailbox(user, 'INBOX');
    if (inbox === null) {
      await store.ensureMailboxes(user, { origin: 'pop3' });
      inbox = await store.getMailbox(user, 'INBOX');
      if (inbox === null) throw new Error(`no INBOX for ${user}`);
    }
    const key = `${String(inbox.uidValidity)}:${String(inbox.uidNext)}:${String(inbox.messages)}`;
    const hit = this.#entries.get(inbox.id);
    if (hit?.key === key) {
      this.#entries.delete(inbox.id);
      this.#entries.set(inbox.id, hit);
      return hit.index;
    }
    const messages = await store.listMessages(inbox.id);
    const count = Math.min(messages.length, POP3_LIMITS.maxMessageNumber);
    const uids = new Uint32Array(count);
    const sizes = new Float64Array(count);
    let totalOctets = 0;
    for (let i = 0; i < count; i++) {
      const m = messages[i];
      if (m === undefined) break;
      uids[i] = m.uid;
      sizes[i] = m.size;
      totalOctets += m.size;
    }
    const index: MaildropIndex = {
      mailboxId: inbox.id,
      uidValidity: inbox.uidValidity,
      uids,
      sizes,
      totalOctets,
    };
    // Only cache what matches the counters read before the listing: a write may land between
    // the two reads. Every UID below UIDNEXT and the same count means the same set (UIDs only
    // grow), so a delivery (a UID >= UIDNEXT) or an expunge in between is never cached.
    const last = count === 0 ? 0 : (uids[count - 1] ?? 0);
    if (count === inbox.messages && count === messages.length && last < inbox.uidNext) {
      this.#entries.delete(inbox.id);
      this.#entries.set(inbox.id, { key, index });
      if (this.#entries.size > this.#max) {
        const oldest = this.#entries.keys().next();
        if (oldest.done !== true) this.#entries.delete(oldest.value);
      }
    }
    return index;
  }
}

/**
 * Maildrop locks (RFC 1939 §4: the server acquires an exclusive-access lock on the maildrop
 * when entering TRANSACTION). In-process: one POP3 server owns a user's lock at a time.
 */
export class MaildropLocks {
  readonly #held = new Set<string>();

  /** Takes the lock of `user`; returns its release function (idempotent), or null when held. */
  tryLock(user: string): (() => void) | null {
    const key = user.toLowerCase();
    if (this.#held.has(key)) return null;
    this.#held.add(key);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#held.delete(key);
    };
  }

  /** True while `user`'s maildrop is locked. */
  isLocked(user: string): boolean {
    return this.#held.has(user.toLowerCase());
  }

  /** Number of locks held (tests check nothing leaks). */
  get size(): number {
    return this.#held.size;
  }
}
