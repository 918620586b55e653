/**
 * Change events for every mail-store backend: listeners register with a scope (one user, or one
 * mailbox of that user) and hear only the changes inside it, so a busy server does not call
 * every IDLE session for every delivery. Listeners are kept per user (keyed case-insensitively,
 * as the stores key users) and per mailbox id, so publishing costs the listeners concerned, not
 * all of them. A listener that throws is ignored: a committed change must reach the others.
 */
import type { ChangeOrigin, ChangeScope, StoreChange, WriteOptions } from './types.js';

type Listener = (change: StoreChange) => void;

interface UserListeners {
  /** Listeners of every mailbox of the user. */
  readonly all: Set<Listener>;
  /** Listeners of one mailbox, by id. */
  readonly byMailbox: Map<number, Set<Listener>>;
}

/** The mailbox fields an event needs. */
export interface EventMailbox {
  readonly id: number;
  readonly user: string;
  readonly name: string;
}

/** The origin a write's events carry (null when the writer gave none). */
export function originOf(options: WriteOptions): ChangeOrigin {
  return options.origin ?? null;
}

/** A mailbox event from the mailbox it is about. */
export function mailboxChange<K extends 'mailbox-created' | 'mailbox-deleted' | 'mailbox-subscribed'>(
  kind: K,
  box: EventMailbox,
  who: ChangeOrigin,
): { kind: K; user: string; mailboxId: number; mailbox: string; origin: ChangeOrigin } {
  return { kind, user: box.user, mailboxId: box.id, mailbox: box.name, origin: who };
}

/** A message event (append, flags, expunge) of one write. */
export function messageChange(
  kind: 'append' | 'flags' | 'expunge',
  box: EventMailbox,
  uids: readonly number[],
  modSeq: number,
  who: ChangeOrigin,
): StoreChange {
  return { kind, user: box.user, mailboxId: box.id, mailbox: box.name, uids, modSeq, origin: who };
}

/** Scoped subscriptions and publication (see the file comment). */
export class ChangeHub {
  readonly #users = new Map<string, UserListeners>();

  /** Adds a listener for `scope`; returns the (idempotent) unsubscribe function. */
  subscribe(scope: ChangeScope, listener: Listener): () => void {
    const key = scope.user.toLowerCase();
    let entry = this.#users.get(key);
    if (entry === undefined) {
      entry = { all: new Set(), byMailbox: new Map() };
      this.#users.set(key, entry);
    }
    const users = entry;
    const { mailboxId } = scope;
    let set: Set<Listener>;
    if (mailboxId === undefined) {
      set = users.all;
    } else {
      set = users.byMailbox.get(mailboxId) ?? new Set();
      users.byMailbox.set(mailboxId, set);
    }
    // A wrapper, so the same function subscribed twice is two subscriptions.
    const own: Listener = (change) => {
      listener(change);
    };
    set.add(own);
    return () => {
      set.delete(own);
      if (mailboxId !== undefined && set.size === 0 && users.byMailbox.get(mailboxId) === set) {
        users.byMailbox.delete(mailboxId);
      }
      if (users.all.size === 0 && users.byMailbox.size === 0 && this.#users.get(key) === users) {
        this.#users.delete(key);
      }
    };
  }

  /** Delivers committed changes, in order, to the listeners whose scope covers each. */
  publish(changes: readonly StoreChange[]): void {
    for (const change of changes) {
      const users = this.#users.get(change.user.toLowerCase());
      if (users === undefined) continue;
      const targets = [...users.all, ...(users.byMailbox.get(change.mailboxId) ?? [])];
      for (const listener of targets) {
        try {
          listener(change);
        } catch {
          // A listener's failure must not undo or hide a committed change from the others.
        }
      }
    }
  }

  /** Number of listeners (tests check that nothing leaks). */
  get size(): number {
    let n = 0;
    for (const u of this.#users.values()) {
      n += u.all.size;
      for (const s of u.byMailbox.values()) n += s.size;
    }
    return n;
  }
}
