/**
 * An in-memory MailStore with just what POP3 uses (mailboxes by user, listMessages, readMessage,
 * expunge, append), for tier-2 session transcript tests. Everything else throws. `failNext`
 * makes the next call of a method throw, to test `[SYS/TEMP]` paths; `calls` counts calls so
 * tests can see that a login read the index, not the bytes.
 */
import type {
  AcceptResult,
  MailboxInfo,
  MailStore,
  MessageInfo,
  OutboundQueue,
  StoreChange,
} from '../../../src/mail/store/types.js';

interface FakeMessage {
  uid: number;
  bytes: Buffer;
  date: Date;
}

interface FakeMailbox {
  id: number;
  user: string;
  uidValidity: number;
  uidNext: number;
  messages: FakeMessage[];
}

function unsupported(name: string): never {
  throw new Error(`fake store: ${name} is not implemented`);
}

/** The fake store (see the file comment). */
export class FakeMailStore implements MailStore {
  readonly #boxes = new Map<string, FakeMailbox>();
  readonly #byId = new Map<number, FakeMailbox>();
  #nextId = 1;
  readonly calls = new Map<string, number>();
  readonly #failing = new Set<string>();
  readonly #listeners = new Set<(change: StoreChange) => void>();

  /** The next call of `method` throws. */
  failNext(method: 'getMailbox' | 'listMessages' | 'readMessage' | 'expunge'): void {
    this.#failing.add(method);
  }

  #enter(method: string): void {
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
    if (this.#failing.delete(method)) throw new Error(`fake store: injected ${method} failure`);
  }

  /** Adds a message to `user`'s INBOX; returns its UID. */
  add(user: string, text: string | Buffer): number {
    const box = this.#inbox(user);
    const uid = box.uidNext++;
    box.messages.push({ uid, bytes: Buffer.isBuffer(text) ? text : Buffer.from(text), date: new Date(0) });
    return uid;
  }

  /** UIDs in `user`'s INBOX. */
  uids(user: string): number[] {
    return this.#inbox(user).messages.map((m) => m.uid);
  }

  #inbox(user: string): FakeMailbox {
    const key = user.toLowerCase();
    let box = this.#boxes.get(key);
    if (!box) {
      box = { id: this.#nextId++, user: key, uidValidity: 1700000000, uidNext: 1, messages: [] };
      this.#boxes.set(key, box);
      this.#byId.set(box.id, box);
    }
    return box;
  }

  accept(): Promise<AcceptResult> {
    return unsupported('accept');
  }

  ensureMailboxes(user: string): void {
    this.#enter('ensureMailboxes');
    this.#inbox(user);
  }

  listMailboxes(): MailboxInfo[] {
    return unsupported('listMailboxes');
  }

  getMailbox(user: string, name: string): MailboxInfo | null {
    this.#enter('getMailbox');
    if (name.toUpperCase() !== 'INBOX') return null;
    const box = this.#boxes.get(user.toLowerCase());
    if (!box) return null;
    return {
      id: box.id,
      user: box.user,
      name: 'INBOX',
      specialUse: '\\Inbox',
      uidValidity: box.uidValidity,
      uidNext: box.uidNext,
      highestModSeq: 1,
      messages: box.messages.length,
      unseen: box.messages.length,
      subscribed: true,
    };
  }

  createMailbox(): MailboxInfo {
    return unsupported('createMailbox');
  }

  renameMailbox(): void {
    unsupported('renameMailbox');
  }

  deleteMailbox(): void {
    unsupported('deleteMailbox');
  }

  setSubscribed(): void {
    unsupported('setSubscribed');
  }

  listMessages(mailboxId: number): MessageInfo[] {
    this.#enter('listMessages');
    const box = this.#byId.get(mailboxId);
    if (!box) return [];
    return box.messages.map((m) => ({
      mailboxId,
      uid: m.uid,
      internalDate: m.date,
      size: m.bytes.length,
      flags: [],
      modSeq: 1,
    }));
  }

  readMessage(mailboxId: number, uid: number): Buffer | null {
    this.#enter('readMessage');
    return this.#byId.get(mailboxId)?.messages.find((m) => m.uid === uid)?.bytes ?? null;
  }

  append(): MessageInfo {
    return unsupported('append');
  }

  setFlags(): MessageInfo[] {
    return unsupported('setFlags');
  }

  copy(): [number, number][] {
    return unsupported('copy');
  }

  expunge(mailboxId: number, uids: readonly number[]): number[] {
    this.#enter('expunge');
    const box = this.#byId.get(mailboxId);
    if (!box) return [];
    const wanted = new Set(uids);
    const removed = box.messages.filter((m) => wanted.has(m.uid)).map((m) => m.uid);
    box.messages = box.messages.filter((m) => !wanted.has(m.uid));
    if (removed.length > 0) {
      for (const l of this.#listeners) l({ kind: 'expunge', user: box.user, mailboxId, uids: removed });
    }
    return removed;
  }

  get queue(): OutboundQueue {
    return unsupported('queue');
  }

  subscribe(listener: (change: StoreChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
