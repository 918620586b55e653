/**
 * The embedded mail store: `MailStore` (types.ts) over SQLite in `<data_dir>/mail.db`. Every
 * write is a transaction; `accept` goes through the group committer so concurrent deliveries
 * share one fsync, and resolves only after its COMMIT. Per mailbox it keeps UIDVALIDITY (from a
 * store-wide counter that never repeats, RFC 9051 §2.3.1.1), UIDNEXT, HIGHESTMODSEQ (RFC 7162
 * §3.1: every flag change, append and expunge takes the next MODSEQ), and the message and unseen
 * counts, so STATUS/SELECT never scan messages. Changes are published after their commit.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { migrate, openDatabase, type Database } from '../../core/db.js';
import { ErrorCodes, OutpostError } from '../../core/errors.js';
import { combineFlags, flagsFromColumn, flagsToColumn, hasSeen, normalizeFlags } from './flags.js';
import { GroupCommitter, type GroupCommitHooks } from './group-commit.js';
import { canonicalMailboxName, isInbox, MAILBOX_SEPARATOR } from './mailbox-name.js';
import { MAIL_STORE_COMPONENT, MAIL_STORE_MIGRATIONS } from './schema.js';
import { BlobTable, SqliteOutboundQueue } from './sqlite-queue.js';
import {
  DEFAULT_MAILBOXES,
  type AcceptRequest,
  type AcceptResult,
  type FlagMode,
  type MailboxInfo,
  type MailStore,
  type MessageInfo,
  type SpecialUse,
  type StoreChange,
} from './types.js';

/** Options of `openSqliteMailStore`. */
export interface SqliteMailStoreOptions {
  /** Database file (normally `<data_dir>/mail.db`), or ':memory:'. */
  path: string;
  /** Clock for internal dates, UIDVALIDITY and queue times; defaults to `Date.now`. */
  now?: () => number;
  /** Shortest time between two group commits, in milliseconds (default 2; 0 = every turn). */
  groupCommitWindowMs?: number;
  /** Test hooks around each group commit. */
  hooks?: GroupCommitHooks;
}

interface MailboxRow {
  id: number;
  user: string;
  name: string;
  special_use: string | null;
  uid_validity: number;
  uid_next: number;
  highest_modseq: number;
  messages: number;
  unseen: number;
  subscribed: number;
}

interface MessageRow {
  uid: number;
  blob_id: number;
  internal_date: number;
  size: number;
  flags: string;
  modseq: number;
}

function toMailbox(r: MailboxRow): MailboxInfo {
  return {
    id: r.id,
    user: r.user,
    name: r.name,
    specialUse: r.special_use as SpecialUse | null,
    uidValidity: r.uid_validity,
    uidNext: r.uid_next,
    highestModSeq: r.highest_modseq,
    messages: r.messages,
    unseen: r.unseen,
    subscribed: r.subscribed !== 0,
  };
}

function toMessage(mailboxId: number, r: MessageRow): MessageInfo {
  return {
    mailboxId,
    uid: r.uid,
    internalDate: new Date(r.internal_date),
    size: r.size,
    flags: flagsFromColumn(r.flags),
    modSeq: r.modseq,
  };
}

function notFound(what: string): OutpostError {
  return new OutpostError(ErrorCodes.MAILBOX_NOT_FOUND, `no mailbox ${what}`);
}

/** Opens (creating and migrating) the store's database. */
export function openSqliteMailStore(options: SqliteMailStoreOptions): SqliteMailStore {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const db = openDatabase(options.path);
  try {
    migrate(db, MAIL_STORE_COMPONENT, MAIL_STORE_MIGRATIONS);
    return new SqliteMailStore(db, options);
  } catch (err) {
    db.close();
    throw err;
  }
}

/** The SQLite MailStore (see the file comment). */
export class SqliteMailStore implements MailStore {
  readonly queue: SqliteOutboundQueue;
  readonly #db: Database;
  readonly #now: () => number;
  readonly #committer: GroupCommitter;
  readonly #blobs: BlobTable;
  readonly #listeners = new Set<(change: StoreChange) => void>();
  readonly #s: ReturnType<typeof prepare>;
  #closed: Promise<void> | null = null;

  constructor(db: Database, options: Omit<SqliteMailStoreOptions, 'path'> = {}) {
    this.#db = db;
    this.#now = options.now ?? Date.now;
    this.#committer = new GroupCommitter(db, {
      ...(options.hooks ? { hooks: options.hooks } : {}),
      ...(options.groupCommitWindowMs === undefined ? {} : { windowMs: options.groupCommitWindowMs }),
    });
    this.#blobs = new BlobTable(db);
    this.queue = new SqliteOutboundQueue(db, this.#blobs, this.#now);
    this.#s = prepare(db);
  }

  /** Group commits done so far (tests, metrics). */
  get commitBatches(): number {
    return this.#committer.batches;
  }

  /** The underlying database, for diagnostics (EXPLAIN QUERY PLAN in tests). */
  get database(): Database {
    return this.#db;
  }

  async accept(request: AcceptRequest): Promise<AcceptResult> {
    this.#assertOpen();
    const { result, changes } = await this.#committer.submit(() => this.#acceptNow(request));
    this.#publish(changes);
    return result;
  }

  ensureMailboxes(user: string): void {
    this.#write(() => {
      this.#ensure(user);
      return undefined;
    }, []);
  }

  listMailboxes(user: string): MailboxInfo[] {
    return this.#s.listMailboxes.all(user).map(toMailbox);
  }

  getMailbox(user: string, name: string): MailboxInfo | null {
    const row = this.#s.getMailbox.get(user, canonicalMailboxName(name));
    return row === undefined ? null : toMailbox(row);
  }

  createMailbox(user: string, name: string, specialUse?: SpecialUse): MailboxInfo {
    const changes: StoreChange[] = [{ kind: 'mailboxes', user }];
    return this.#write(() => this.#create(user, canonicalMailboxName(name), specialUse ?? null), changes);
  }

  renameMailbox(user: string, from: string, to: string): void {
    const source = canonicalMailboxName(from);
    const target = canonicalMailboxName(to);
    this.#write(() => {
      const box = this.#mailboxRow(user, source);
      if (this.#s.getMailbox.get(user, target) !== undefined) {
        throw new OutpostError(ErrorCodes.MAILBOX_EXISTS, `mailbox ${target} exists`);
      }
      if (isInbox(source)) {
        // RFC 9051 §6.3.6: renaming INBOX moves its messages to the new name; INBOX stays, empty.
        const dest = this.#create(user, target, null);
        const uids = this.#s.listMessages.all(box.id).map((m) => m.uid);
        this.#copyNow(box.id, uids, dest.id);
        this.#expungeNow(box.id, uids);
        return undefined;
      }
      this.#s.renameMailbox.run(target, box.id);
      const prefix = source + MAILBOX_SEPARATOR;
      for (const child of this.#s.listMailboxes.all(user)) {
        if (child.name.startsWith(prefix)) {
          this.#s.renameMailbox.run(target + MAILBOX_SEPARATOR + child.name.slice(prefix.length), child.id);
        }
      }
      return undefined;
    }, [{ kind: 'mailboxes', user }]);
  }

  deleteMailbox(user: string, name: string): void {
    const canonical = canonicalMailboxName(name);
    if (isInbox(canonical))
      throw new OutpostError(ErrorCodes.MAILBOX_NAME_INVALID, 'INBOX cannot be deleted');
    this.#write(() => {
      const box = this.#mailboxRow(user, canonical);
      for (const m of this.#s.listMessages.all(box.id)) this.#blobs.release(m.blob_id);
      this.#s.deleteMessages.run(box.id);
      this.#s.deleteMailbox.run(box.id);
      return undefined;
    }, [{ kind: 'mailboxes', user }]);
  }

  setSubscribed(user: string, name: string, subscribed: boolean): void {
    const canonical = canonicalMailboxName(name);
    this.#write(() => {
      const box = this.#mailboxRow(user, canonical);
      this.#s.setSubscribed.run(subscribed ? 1 : 0, box.id);
      return undefined;
    }, [{ kind: 'mailboxes', user }]);
  }

  listMessages(mailboxId: number): MessageInfo[] {
    return this.#s.listMessages.all(mailboxId).map((r) => toMessage(mailboxId, r));
  }

  readMessage(mailboxId: number, uid: number): Buffer | null {
    const row = this.#s.readMessage.get(mailboxId, uid);
    return row === undefined ? null : row.bytes;
  }

  append(
    mailboxId: number,
    bytes: Buffer,
    options: { flags?: readonly string[]; internalDate?: Date } = {},
  ): MessageInfo {
    const flags = normalizeFlags(options.flags ?? []);
    const box = this.#s.mailboxById.get(mailboxId);
    if (box === undefined) throw notFound(`#${mailboxId}`);
    const info = this.#write(() => {
      const blob = this.#blobs.insert(bytes, 0);
      const date = options.internalDate?.getTime() ?? this.#now();
      return this.#insertMessage(mailboxId, blob, bytes.length, flags, date);
    }, []);
    this.#publish([{ kind: 'append', user: box.user, mailboxId, uid: info.uid }]);
    return info;
  }

  setFlags(
    mailboxId: number,
    uids: readonly number[],
    flags: readonly string[],
    mode: FlagMode,
  ): MessageInfo[] {
    const given = normalizeFlags(flags);
    const box = this.#s.mailboxById.get(mailboxId);
    if (box === undefined) throw notFound(`#${mailboxId}`);
    const out = this.#write(() => {
      const changed: MessageInfo[] = [];
      const unchanged: MessageInfo[] = [];
      let modSeq = 0;
      for (const uid of uids) {
        const row = this.#s.getMessage.get(mailboxId, uid);
        if (row === undefined) continue;
        const current = flagsFromColumn(row.flags);
        const next = combineFlags(current, given, mode);
        const column = flagsToColumn(next);
        if (column === row.flags) {
          unchanged.push(toMessage(mailboxId, row));
          continue;
        }
        if (modSeq === 0) modSeq = this.#s.bumpModSeq.get(mailboxId)?.modseq ?? 0;
        this.#s.updateFlags.run(column, hasSeen(next) ? 1 : 0, modSeq, mailboxId, uid);
        changed.push({ ...toMessage(mailboxId, row), flags: next, modSeq });
      }
      if (changed.length > 0) this.#s.recount.run(mailboxId, mailboxId, mailboxId);
      return { changed, all: [...changed, ...unchanged].sort((a, b) => a.uid - b.uid), modSeq };
    }, []);
    if (out.changed.length > 0) {
      this.#publish([
        { kind: 'flags', user: box.user, mailboxId, uids: out.changed.map((m) => m.uid), modSeq: out.modSeq },
      ]);
    }
    return out.all;
  }

  copy(fromMailboxId: number, uids: readonly number[], toMailboxId: number): [number, number][] {
    const dest = this.#s.mailboxById.get(toMailboxId);
    if (dest === undefined || this.#s.mailboxById.get(fromMailboxId) === undefined) {
      throw notFound(`#${dest === undefined ? toMailboxId : fromMailboxId}`);
    }
    const pairs = this.#write(() => this.#copyNow(fromMailboxId, uids, toMailboxId), []);
    this.#publish(pairs.map(([, uid]) => ({ kind: 'append', user: dest.user, mailboxId: toMailboxId, uid })));
    return pairs;
  }

  expunge(mailboxId: number, uids: readonly number[]): number[] {
    const box = this.#s.mailboxById.get(mailboxId);
    if (box === undefined) throw notFound(`#${mailboxId}`);
    const removed = this.#write(() => this.#expungeNow(mailboxId, uids), []);
    if (removed.length > 0) this.#publish([{ kind: 'expunge', user: box.user, mailboxId, uids: removed }]);
    return removed;
  }

  subscribe(listener: (change: StoreChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): Promise<void> {
    this.#closed ??= Promise.resolve().then(() => {
      this.#committer.flush();
      this.#db.close();
    });
    return this.#closed;
  }

  // ---- inside transactions ----

  #acceptNow(request: AcceptRequest): { result: AcceptResult; changes: StoreChange[] } {
    const changes: StoreChange[] = [];
    const delivered: AcceptResult['delivered'][number][] = [];
    if (request.local.length > 0) {
      const bytes = request.localBytes;
      if (bytes === undefined) throw new RangeError('accept: local deliveries need localBytes');
      const blob = this.#blobs.insert(bytes, 0);
      for (const d of request.local) {
        this.#ensure(d.user);
        const box = this.#mailboxRow(d.user, canonicalMailboxName(d.mailbox ?? 'INBOX'));
        const flags = normalizeFlags(d.flags ?? []);
        const info = this.#insertMessage(box.id, blob, bytes.length, flags, request.receivedAt.getTime());
        delivered.push({ user: box.user, mailboxId: box.id, uid: info.uid });
        changes.push({ kind: 'append', user: box.user, mailboxId: box.id, uid: info.uid });
      }
    }
    let queueId: string | null = null;
    if (request.outbound && request.outbound.recipients.length > 0) {
      queueId = this.queue.insert(request.outbound, request.receivedAt);
    }
    return { result: { delivered, queueId }, changes };
  }

  #ensure(user: string): void {
    if (this.#s.countMailboxes.get(user)?.n) return;
    for (const m of DEFAULT_MAILBOXES) {
      if (this.#s.getMailbox.get(user, m.name) === undefined) this.#create(user, m.name, m.specialUse);
    }
  }

  #create(user: string, name: string, specialUse: SpecialUse | null): MailboxInfo {
    if (this.#s.getMailbox.get(user, name) !== undefined) {
      throw new OutpostError(ErrorCodes.MAILBOX_EXISTS, `mailbox ${name} exists`);
    }
    const row = this.#s.createMailbox.get(user, name, specialUse, this.#nextUidValidity());
    if (row === undefined) throw new OutpostError(ErrorCodes.STORAGE, 'mailbox insert returned nothing');
    return toMailbox(row);
  }

  /** A UIDVALIDITY never used before in this store: seconds since the epoch, or last + 1. */
  #nextUidValidity(): number {
    const last = this.#s.getMeta.get('uidvalidity')?.value ?? 0;
    const next = Math.min(Math.max(Math.floor(this.#now() / 1000), last + 1), 0xffffffff);
    this.#s.setMeta.run('uidvalidity', next);
    return next;
  }

  #mailboxRow(user: string, canonical: string): MailboxRow {
    const row = this.#s.getMailbox.get(user, canonical);
    if (row === undefined) throw notFound(canonical);
    return row;
  }

  #insertMessage(
    mailboxId: number,
    blob: number,
    size: number,
    flags: readonly string[],
    internalDate: number,
  ): MessageInfo {
    this.#blobs.retain(blob);
    const seen = hasSeen(flags);
    const next = this.#s.allocateUid.get(seen ? 0 : 1, mailboxId);
    if (next === undefined) throw notFound(`#${mailboxId}`);
    this.#s.insertMessage.run(
      mailboxId,
      next.uid,
      blob,
      internalDate,
      size,
      flagsToColumn(flags),
      seen ? 1 : 0,
      next.modseq,
    );
    return {
      mailboxId,
      uid: next.uid,
      internalDate: new Date(internalDate),
      size,
      flags: [...flags],
      modSeq: next.modseq,
    };
  }

  #copyNow(from: number, uids: readonly number[], to: number): [number, number][] {
    const pairs: [number, number][] = [];
    for (const uid of [...uids].sort((a, b) => a - b)) {
      const row = this.#s.getMessage.get(from, uid);
      if (row === undefined) continue;
      const info = this.#insertMessage(
        to,
        row.blob_id,
        row.size,
        flagsFromColumn(row.flags),
        row.internal_date,
      );
      pairs.push([uid, info.uid]);
    }
    return pairs;
  }

  #expungeNow(mailboxId: number, uids: readonly number[]): number[] {
    const removed: number[] = [];
    for (const uid of [...new Set(uids)].sort((a, b) => a - b)) {
      const row = this.#s.getMessage.get(mailboxId, uid);
      if (row === undefined) continue;
      this.#s.deleteMessage.run(mailboxId, uid);
      this.#blobs.release(row.blob_id);
      removed.push(uid);
    }
    if (removed.length > 0) {
      this.#s.bumpModSeq.get(mailboxId);
      this.#s.recount.run(mailboxId, mailboxId, mailboxId);
    }
    return removed;
  }

  /** Runs a synchronous write in its own IMMEDIATE transaction, then publishes `changes`. */
  #write<R>(work: () => R, changes: StoreChange[]): R {
    this.#assertOpen();
    // Deliveries waiting for their batch commit first, so write order is submission order.
    this.#committer.flush();
    const result = this.#db.transaction(work).immediate();
    this.#publish(changes);
    return result;
  }

  #publish(changes: readonly StoreChange[]): void {
    for (const change of changes) {
      for (const listener of this.#listeners) {
        try {
          listener(change);
        } catch {
          // A listener's failure must not undo or hide a committed change from the others.
        }
      }
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new OutpostError(ErrorCodes.STORAGE, 'mail store is closed');
  }
}

const MAILBOX_COLUMNS =
  'id, user, name, special_use, uid_validity, uid_next, highest_modseq, messages, unseen, subscribed';

function prepare(db: Database) {
  const q = <P extends unknown[], R>(sql: string): BetterSqlite3.Statement<P, R> => db.prepare<P, R>(sql);
  return {
    getMeta: q<[string], { value: number }>('SELECT value FROM mail_meta WHERE key = ?'),
    setMeta: q<[string, number], never>(
      'INSERT INTO mail_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ),
    countMailboxes: q<[string], { n: number }>('SELECT COUNT(*) AS n FROM mailboxes WHERE user = ?'),
    listMailboxes: q<[string], MailboxRow>(
      `SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE user = ? ORDER BY name`,
    ),
    getMailbox: q<[string, string], MailboxRow>(
      `SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE user = ? AND name = ?`,
    ),
    mailboxById: q<[number], MailboxRow>(`SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE id = ?`),
    createMailbox: q<[string, string, string | null, number], MailboxRow>(
      `INSERT INTO mailboxes (user, name, special_use, uid_validity, uid_next, highest_modseq, messages, unseen, subscribed)
       VALUES (?, ?, ?, ?, 1, 1, 0, 0, 1) RETURNING ${MAILBOX_COLUMNS}`,
    ),
    renameMailbox: q<[string, number], never>('UPDATE mailboxes SET name = ? WHERE id = ?'),
    deleteMailbox: q<[number], never>('DELETE FROM mailboxes WHERE id = ?'),
    setSubscribed: q<[number, number], never>('UPDATE mailboxes SET subscribed = ? WHERE id = ?'),
    allocateUid: q<[number, number], { uid: number; modseq: number }>(
      `UPDATE mailboxes SET uid_next = uid_next + 1, highest_modseq = highest_modseq + 1,
              messages = messages + 1, unseen = unseen + ?
        WHERE id = ? RETURNING uid_next - 1 AS uid, highest_modseq AS modseq`,
    ),
    bumpModSeq: q<[number], { modseq: number }>(
      'UPDATE mailboxes SET highest_modseq = highest_modseq + 1 WHERE id = ? RETURNING highest_modseq AS modseq',
    ),
    recount: q<[number, number, number], never>(
      `UPDATE mailboxes SET
         messages = (SELECT COUNT(*) FROM mail_messages WHERE mailbox_id = ?),
         unseen = (SELECT COUNT(*) FROM mail_messages WHERE mailbox_id = ? AND seen = 0)
       WHERE id = ?`,
    ),
    insertMessage: q<[number, number, number, number, number, string, number, number], never>(
      `INSERT INTO mail_messages (mailbox_id, uid, blob_id, internal_date, size, flags, seen, modseq)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    listMessages: q<[number], MessageRow>(
      'SELECT uid, blob_id, internal_date, size, flags, modseq FROM mail_messages WHERE mailbox_id = ? ORDER BY uid',
    ),
    getMessage: q<[number, number], MessageRow>(
      'SELECT uid, blob_id, internal_date, size, flags, modseq FROM mail_messages WHERE mailbox_id = ? AND uid = ?',
    ),
    readMessage: q<[number, number], { bytes: Buffer }>(
      `SELECT b.bytes FROM mail_messages m JOIN mail_blobs b ON b.id = m.blob_id
        WHERE m.mailbox_id = ? AND m.uid = ?`,
    ),
    updateFlags: q<[string, number, number, number, number], never>(
      'UPDATE mail_messages SET flags = ?, seen = ?, modseq = ? WHERE mailbox_id = ? AND uid = ?',
    ),
    deleteMessage: q<[number, number], never>('DELETE FROM mail_messages WHERE mailbox_id = ? AND uid = ?'),
    deleteMessages: q<[number], never>('DELETE FROM mail_messages WHERE mailbox_id = ?'),
  };
}
