/**
 * The in-memory mail store as POP3 tests use it: `add` puts a message in a user's INBOX,
 * `uids` lists what is there, `calls` counts the calls POP3 makes (a login must read the index,
 * not the bytes) and `failNext` makes the next call of a method reject, to test `[SYS/TEMP]`
 * paths. Its clock is fixed so INBOX's UIDVALIDITY, and so every UIDL, is `1700000000.<uid>`.
 */
import { MemoryMailStore } from '../../../src/mail/store/memory-store.js';
import type { MailboxInfo, MessageInfo, WriteOptions } from '../../../src/mail/store/types.js';

type Counted = 'getMailbox' | 'listMessages' | 'readMessage' | 'expunge' | 'ensureMailboxes';

/** See the file comment. */
export class Pop3TestStore extends MemoryMailStore {
  readonly calls = new Map<Counted, number>();
  readonly #failing = new Set<Counted>();

  constructor() {
    super({ now: () => 1_700_000_000_000 });
  }

  /** The next call of `method` rejects. */
  failNext(method: Counted): void {
    this.#failing.add(method);
  }

  /** Adds a message to `user`'s INBOX (created on first use); returns its UID. Not counted. */
  async add(user: string, text: string | Buffer): Promise<number> {
    const inbox = await this.#inbox(user);
    const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
    return (await super.append(inbox.id, bytes, { internalDate: new Date(0) })).uid;
  }

  /** UIDs in `user`'s INBOX. Not counted. */
  async uids(user: string): Promise<number[]> {
    const inbox = await this.#inbox(user);
    return (await super.listMessages(inbox.id)).map((m) => m.uid);
  }

  override async getMailbox(user: string, name: string): Promise<MailboxInfo | null> {
    this.#enter('getMailbox');
    return super.getMailbox(user, name);
  }

  override async listMessages(mailboxId: number): Promise<MessageInfo[]> {
    this.#enter('listMessages');
    return super.listMessages(mailboxId);
  }

  override async readMessage(mailboxId: number, uid: number): Promise<Buffer | null> {
    this.#enter('readMessage');
    return super.readMessage(mailboxId, uid);
  }

  override async expunge(
    mailboxId: number,
    uids: readonly number[],
    options?: WriteOptions,
  ): Promise<number[]> {
    this.#enter('expunge');
    return super.expunge(mailboxId, uids, options);
  }

  override async ensureMailboxes(user: string, options?: WriteOptions): Promise<void> {
    this.#enter('ensureMailboxes');
    return super.ensureMailboxes(user, options);
  }

  #enter(method: Counted): void {
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
    if (this.#failing.delete(method)) throw new Error(`test store: injected ${method} failure`);
  }

  async #inbox(user: string): Promise<MailboxInfo> {
    await super.ensureMailboxes(user);
    const inbox = await super.getMailbox(user, 'INBOX');
    if (inbox === null) throw new Error(`no INBOX for ${user}`);
    return inbox;
  }
}
