/**
 * The message listing (UID, flags, MODSEQ by sequence number) of each selected mailbox, shared by
 * every session that has it selected on the same store: one `listMessages` per change instead of
 * one per session, and one array in memory instead of one per session, so 500 clients IDLE on a
 * 10,000-message INBOX hold one listing, and a SELECT of a mailbox nobody changed since the last
 * one lists nothing. Sessions invalidate the entry from their change listeners (each holder is
 * subscribed to the mailbox); an entry lives while a session holds it. Listings are immutable:
 * a session that needs its own view (flags it changed itself, expunges it may not report yet)
 * copies on write (selected-mailbox.ts).
 */
import type { MailStore } from '../../mail/index.js';

/** A message as a listing has it. */
export interface KnownMessage {
  readonly uid: number;
  readonly flags: readonly string[];
  readonly modSeq: number;
}

interface Entry {
  holders: number;
  /** Bumped by every change; a listing is current when it was taken at this generation. */
  generation: number;
  listing: readonly KnownMessage[] | null;
  listedAt: number;
  pending: Promise<readonly KnownMessage[]> | null;
  /** The generation `pending` was listed at (a change after it makes it stale). */
  pendingAt: number;
}

/** One store's shared listings, by mailbox id. */
class MailboxListings {
  readonly #store: MailStore;
  readonly #entries = new Map<number, Entry>();

  constructor(store: MailStore) {
    this.#store = store;
  }

  /** Starts holding `mailboxId`'s listing; returns the handle to read, invalidate and release it. */
  hold(mailboxId: number): ListingHandle {
    let entry = this.#entries.get(mailboxId);
    if (entry === undefined) {
      entry = { holders: 0, generation: 0, listing: null, listedAt: -1, pending: null, pendingAt: -1 };
      this.#entries.set(mailboxId, entry);
    }
    entry.holders++;
    const held = entry;
    let released = false;
    return {
      latest: () => this.#latest(mailboxId, held),
      invalidate: () => {
        held.generation++;
      },
      release: () => {
        if (released) return;
        released = true;
        held.holders--;
        if (held.holders === 0 && this.#entries.get(mailboxId) === held) this.#entries.delete(mailboxId);
      },
    };
  }

  #latest(mailboxId: number, entry: Entry): Promise<readonly KnownMessage[]> {
    if (entry.listing !== null && entry.listedAt === entry.generation) return Promise.resolve(entry.listing);
    if (entry.pending !== null && entry.pendingAt === entry.generation) return entry.pending;
    const generation = entry.generation;
    const pending = this.#store.listMessages(mailboxId).then(
      (messages) => {
        const listing = messages.map((m) => ({ uid: m.uid, flags: m.flags, modSeq: m.modSeq }));
        if (entry.pending === pending) entry.pending = null;
        if (generation >= entry.listedAt) {
          entry.listing = listing;
          entry.listedAt = generation;
        }
        return listing;
      },
      (err: unknown) => {
        if (entry.pending === pending) entry.pending = null;
        throw err;
      },
    );
    entry.pending = pending;
    entry.pendingAt = generation;
    return pending;
  }
}

/** A session's hold on one mailbox's shared listing. */
export interface ListingHandle {
  /** The current listing (listed again only after a change). */
  latest(): Promise<readonly KnownMessage[]>;
  /** The mailbox changed: the next `latest()` lists it again. */
  invalidate(): void;
  /** Stops holding (idempotent); the last holder frees the listing. */
  release(): void;
}

const byStore = new WeakMap<MailStore, MailboxListings>();

/** Holds `mailboxId`'s listing in `store`'s shared set. */
export function holdListing(store: MailStore, mailboxId: number): ListingHandle {
  let listings = byStore.get(store);
  if (listings === undefined) {
    listings = new MailboxListings(store);
    byStore.set(store, listings);
  }
  return listings.hold(mailboxId);
}
