/**
 * The embedded mail store: `MailStore` (types.ts) over SQLite in `<data_dir>/mail.db`. Every
 * write is a transaction; `accept` goes through the group committer so concurrent deliveries
 * share one fsync, and resolves only after its COMMIT. Per mailbox it keeps UIDVALIDITY (from a
 * store-wide counter that never repeats, RFC 9051 §2.3.1.1), UIDNEXT, HIGHESTMODSEQ (RFC 7162
 * §3.1: every flag change, append and expunge takes the next MODSEQ), and the message and unseen
 * counts, so STATUS/SELECT never scan messages. Changes are published after their commit.
 *
 * better-sqlite3 answers synchronously on the main thread: group commit already batches the
 * fsyncs, so a worker thread would add a hop per call for no measured gain (docs/mail.md). The
 * methods are `async` because the contract is, which also turns every throw into a rejection.
 */
/* eslint-disable @typescript-eslint/require-await -- see the last paragraph above */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { migrate, openDatabase, type Database } from '../../core/db.js';
import { ErrorCodes, OutpostError } from '../../core/errors.js';
import { combineFlags, flagsFromColumn, flagsToColumn, hasSeen, normalizeFlags } from './flags.js';
import { GroupCommitter, type GroupCommitHooks } from './group-commit.js';
import { mergeKeywords } from './keywords.js';
import { resolveStoreLimits, STORE_LIMITS, type ResolvedStoreLimits, type StoreLimits } from './limits.js';
import { StructureCache, type CachedStructure } from './structure-cache.js';
import {
  canonicalMailboxName,
  isInbox,
  isSameOrUnder,
  MAILBOX_SEPARATOR,
  superiorNames,
} from './mailbox-name.js';
import { describeMessage, type MessageMeta } from './message-meta.js';
import { MAIL_STORE_COMPONENT, MAIL_STORE_MIGRATIONS } from './schema.js';
import { foldForSearch, matchesText } from './search-text.js';
import { BlobTable } from './sqlite-blobs.js';
import { SqliteOutboundQueue } from './sqlite-queue.js';
import { transferMessages, type TransferHow } from './transfer.js';
import { ChangeHub, mailboxChange, messageChange, originOf, type EventMailbox } from './change-hub.js';
import { mailboxExists, mailboxNotFound, mailboxUnderItself, tooManySubscriptions } from './store-errors.js';
import {
  DEFAULT_MAILBOXES,
  type AcceptRequest,
  type AcceptResult,
  type AppendOptions,
  type ChangeOrigin,
  type ChangeScope,
  type CreateMailboxOptions,
  type FlagMode,
  type MailboxInfo,
  type MailStore,
  type MessageInfo,
  type SpecialUse,
  type StoreChange,
  type StoredStructure,
  type TextCriterion,
  type WriteOptions,
} from './types.js';

/** Options of `openSqliteMailStore`. */
export interface SqliteMailStoreOptions {
  /** Database file (normally `<data_dir>/mail.db`), or ':memory:'. */
  path: string;
  /** Clock for internal dates, UIDVALIDITY and queue times; defaults to `Date.now`. */
  now?: () => number;
  /** Caps (limits.ts); defaults to STORE_LIMITS. */
  limits?: StoreLimits;
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
  keywords: string;
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
    keywords: flagsFromColumn(r.keywords),
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
  readonly #limits: ResolvedStoreLimits;
  readonly #committer: GroupCommitter;
  readonly #blobs: BlobTable;
  readonly #hub = new ChangeHub();
  readonly #structures = new StructureCache(STORE_LIMITS.structureCacheBytes);
  readonly #s: ReturnType<typeof prepare>;
  #closed: Promise<void> | null = null;

  constructor(db: Database, options: Omit<SqliteMailStoreOptions, 'path'> = {}) {
    this.#db = db;
    this.#now = options.now ?? Date.now;
    this.#limits = resolveStoreLimits(options.limits);
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
    // Parsed before the transaction, so the write lock is not held for it.
    const meta =
      request.local.length > 0 && request.localBytes !== undefined
        ? describeMessage(request.localBytes)
        : null;
    const { result, changes } = await this.#committer.submit(() => this.#acceptNow(request, meta));
    this.#hub.publish(changes);
    return result;
  }

  async ensureMailboxes(user: string, options: WriteOptions = {}): Promise<void> {
    this.#write((changes) => {
      this.#ensure(user, originOf(options), changes);
    });
  }

  async listMailboxes(user: string): Promise<MailboxInfo[]> {
    this.#assertOpen();
    return this.#s.listMailboxes.all(user).map(toMailbox);
  }

  async getMailbox(user: string, name: string): Promise<MailboxInfo | null> {
    this.#assertOpen();
    const row = this.#s.getMailbox.get(user, canonicalMailboxName(name));
    return row === undefined ? null : toMailbox(row);
  }

  async getMailboxById(mailboxId: number): Promise<MailboxInfo | null> {
    this.#assertOpen();
    const row = this.#s.mailboxById.get(mailboxId);
    return row === undefined ? null : toMailbox(row);
  }

  async createMailbox(user: string, name: string, options: CreateMailboxOptions = {}): Promise<MailboxInfo> {
    const canonical = canonicalMailboxName(name);
    return this.#write((changes) => {
      if (this.#s.getMailbox.get(user, canonical) !== undefined) throw mailboxExists(canonical);
      const who = originOf(options);
      this.#createSuperiors(user, canonical, who, changes);
      const box = this.#create(user, canonical, options.specialUse ?? null);
      changes.push(mailboxChange('mailbox-created', box, who));
      return box;
    });
  }

  async renameMailbox(user: string, from: string, to: string, options: WriteOptions = {}): Promise<void> {
    const source = canonicalMailboxName(from);
    const target = canonicalMailboxName(to);
    const who = originOf(options);
    this.#write((changes) => {
      const box = this.#mailboxRow(user, source);
      if (this.#s.getMailbox.get(user, target) !== undefined) {
        throw mailboxExists(target);
      }
      if (isSameOrUnder(target, source)) throw mailboxUnderItself(source, target);
      if (isInbox(source)) {
        // RFC 9051 §6.3.6: renaming INBOX moves its messages to the new name; INBOX stays, empty.
        this.#createSuperiors(user, target, who, changes);
        const dest = this.#create(user, target, null);
        changes.push(mailboxChange('mailbox-created', dest, who));
        const uids = this.#s.listMessages.all(box.id).map((m) => m.uid);
        this.#transferNow(box, uids, dest, { move: true, who }, changes);
        return;
      }
      const renamed: string[] = [];
      const renames: { row: MailboxRow; to: string }[] = [{ row: box, to: target }];
      const prefix = source + MAILBOX_SEPARATOR;
      for (const child of this.#s.listMailboxes.all(user)) {
        if (child.name.startsWith(prefix)) {
          renames.push({ row: child, to: target + MAILBOX_SEPARATOR + child.name.slice(prefix.length) });
        }
      }
      for (const r of renames) {
        if (r.row !== box && this.#s.getMailbox.get(user, r.to) !== undefined) {
          throw mailboxExists(r.to);
        }
        this.#s.renameMailbox.run(r.to, r.row.id);
        if (this.#s.unsubscribe.run(user, r.row.name).changes > 0) renamed.push(r.to);
        changes.push({
          kind: 'mailbox-renamed',
          user: r.row.user,
          mailboxId: r.row.id,
          mailbox: r.to,
          from: r.row.name,
          origin: who,
        });
      }
      for (const name of renamed) this.#s.subscribe.run(user, name);
      this.#createSuperiors(user, target, who, changes);
    });
  }

  async deleteMailbox(user: string, name: string, options: WriteOptions = {}): Promise<void> {
    const canonical = canonicalMailboxName(name);
    if (isInbox(canonical))
      throw new OutpostError(ErrorCodes.MAILBOX_NAME_INVALID, 'INBOX cannot be deleted');
    this.#write((changes) => {
      const box = this.#mailboxRow(user, canonical);
      const messages = this.#s.listMessages.all(box.id);
      // Rows first: a blob whose last reference goes is deleted, and the rows point at it.
      this.#s.deleteMessages.run(box.id);
      for (const m of messages) this.#blobs.release(m.blob_id);
      this.#s.deleteExpungeLog.run(box.id);
      this.#s.deleteMailbox.run(box.id);
      changes.push(mailboxChange('mailbox-deleted', box, originOf(options)));
    });
  }

  async setSubscribed(
    user: string,
    name: string,
    subscribed: boolean,
    options: WriteOptions = {},
  ): Promise<void> {
    const canonical = canonicalMailboxName(name);
    this.#write((changes) => {
      if (subscribed) {
        // Counted after the insert: a name already subscribed adds nothing; one too many rolls back.
        const added = this.#s.subscribe.run(user, canonical).changes > 0;
        const max = this.#limits.subscriptionsPerUser;
        if (added && (this.#s.countSubscriptions.get(user)?.n ?? 0) > max) throw tooManySubscriptions(max);
      } else {
        this.#s.unsubscribe.run(user, canonical);
      }
      const box = this.#s.getMailbox.get(user, canonical) ?? { id: 0, user, name: canonical };
      changes.push({ ...mailboxChange('mailbox-subscribed', box, originOf(options)), subscribed });
    });
  }

  async listSubscriptions(user: string): Promise<string[]> {
    this.#assertOpen();
    return this.#s.listSubscriptions.all(user).map((r) => r.name);
  }

  async listMessages(mailboxId: number): Promise<MessageInfo[]> {
    this.#assertOpen();
    return this.#s.listMessages.all(mailboxId).map((r) => toMessage(mailboxId, r));
  }

  async readMessage(mailboxId: number, uid: number): Promise<Buffer | null> {
    this.#assertOpen();
    const row = this.#s.getMessage.get(mailboxId, uid);
    return row === undefined ? null : this.#blobs.read(row.blob_id);
  }

  async readRange(mailboxId: number, uid: number, start: number, length: number): Promise<Buffer | null> {
    this.#assertOpen();
    const row = this.#s.getMessage.get(mailboxId, uid);
    return row === undefined ? null : this.#blobs.readRange(row.blob_id, row.size, start, length);
  }

  async readStructures(
    mailboxId: number,
    uids: readonly number[],
    want: { readonly envelope?: boolean; readonly body?: boolean },
  ): Promise<StoredStructure[]> {
    this.#assertOpen();
    const envelope = want.envelope === true;
    const body = want.body === true;
    const box = this.#s.mailboxById.get(mailboxId);
    if (box === undefined) return [];
    const validity = box.uid_validity;
    // Which of them exist (the primary key alone); the parsed parts come from the cache when
    // it has them, and only the others are read and parsed.
    const present = this.#s.presentUids.all({ mailbox: mailboxId, uids: uidList(uids) }).map((r) => r.uid);
    const missing = present.filter((uid) => {
      const held = this.#structures.get(validity, uid);
      return held === undefined || (envelope && !held.envelope) || (body && !held.body);
    });
    const fresh = new Map<number, CachedStructure>();
    if (missing.length > 0) {
      for (const r of this.#s.readStructures.all({
        envelope: envelope ? 1 : 0,
        body: body ? 1 : 0,
        mailbox: mailboxId,
        uids: uidList(missing),
      })) {
        fresh.set(
          r.uid,
          this.#structures.add(validity, r.uid, {
            ...(r.envelope === null ? {} : { envelope: r.envelope }),
            ...(r.body === null ? {} : { body: r.body }),
          }),
        );
      }
    }
    const out: StoredStructure[] = [];
    for (const uid of present) {
      const held = fresh.get(uid) ?? this.#structures.get(validity, uid);
      if (held === undefined) continue;
      out.push({
        uid,
        ...(envelope && held.envelope ? { envelope: held.envelope } : {}),
        ...(body && held.body ? { body: held.body } : {}),
      });
    }
    return out;
  }

  async searchText(mailboxId: number, criterion: TextCriterion, uids?: readonly number[]): Promise<number[]> {
    this.#assertOpen();
    const folded = { ...criterion, needle: foldForSearch(criterion.needle) };
    const params = {
      mailbox: mailboxId,
      uids: uids === undefined ? null : uidList(uids),
      needle: folded.needle,
    };
    if (folded.in === 'header') {
      // instr() narrows the candidates in SQL; the field is checked on what is left.
      return this.#s.searchHeaders
        .all(params)
        .filter((r) => matchesText({ headerText: r.header_text, bodyText: '' }, folded))
        .map((r) => r.uid);
    }
    const stmt = folded.in === 'body' ? this.#s.searchBody : this.#s.searchAll;
    return stmt.all(params).map((r) => r.uid);
  }

  async changedSince(mailboxId: number, modSeq: number): Promise<MessageInfo[]> {
    this.#assertOpen();
    return this.#s.changedSince.all(mailboxId, modSeq).map((r) => toMessage(mailboxId, r));
  }

  async expungedSince(mailboxId: number, modSeq: number): Promise<number[] | null> {
    this.#assertOpen();
    const floor = this.#s.expungeFloor.get(mailboxId)?.floor;
    if (floor === undefined || modSeq < floor) return null;
    return this.#s.expungedSince.all(mailboxId, modSeq).map((r) => r.uid);
  }

  async append(mailboxId: number, bytes: Buffer, options: AppendOptions = {}): Promise<MessageInfo> {
    const flags = normalizeFlags(options.flags ?? []);
    const meta = describeMessage(bytes);
    return this.#write((changes) => {
      const box = this.#mailboxById(mailboxId);
      const blob = this.#storeBlob(bytes, meta);
      const date = options.internalDate?.getTime() ?? this.#now();
      const info = this.#insertMessage(mailboxId, blob, bytes.length, flags, date);
      changes.push(messageChange('append', box, [info.uid], info.modSeq, originOf(options)));
      return info;
    });
  }

  async setFlags(
    mailboxId: number,
    uids: readonly number[],
    flags: readonly string[],
    mode: FlagMode,
    options: WriteOptions = {},
  ): Promise<MessageInfo[]> {
    const given = normalizeFlags(flags);
    return this.#write((changes) => {
      const box = this.#mailboxById(mailboxId);
      const changed: MessageInfo[] = [];
      const unchanged: MessageInfo[] = [];
      let modSeq = 0;
      for (const uid of new Set(uids)) {
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
        this.#noteKeywords(mailboxId, next);
        this.#s.updateFlags.run(column, hasSeen(next) ? 1 : 0, modSeq, mailboxId, uid);
        changed.push({ ...toMessage(mailboxId, row), flags: next, modSeq });
      }
      if (changed.length > 0) {
        this.#s.recount.run(mailboxId, mailboxId, mailboxId);
        const changedUids = changed.map((m) => m.uid).sort((a, b) => a - b);
        changes.push(messageChange('flags', box, changedUids, modSeq, originOf(options)));
      }
      return [...changed, ...unchanged].sort((a, b) => a.uid - b.uid);
    });
  }

  async copy(
    fromMailboxId: number,
    uids: readonly number[],
    toMailboxId: number,
    options: WriteOptions = {},
  ): Promise<[number, number][]> {
    return this.#transfer(fromMailboxId, uids, toMailboxId, { move: false, who: originOf(options) });
  }

  async move(
    fromMailboxId: number,
    uids: readonly number[],
    toMailboxId: number,
    options: WriteOptions = {},
  ): Promise<[number, number][]> {
    return this.#transfer(fromMailboxId, uids, toMailboxId, { move: true, who: originOf(options) });
  }

  async expunge(mailboxId: number, uids: readonly number[], options: WriteOptions = {}): Promise<number[]> {
    return this.#write((changes) => {
      const box = this.#mailboxById(mailboxId);
      const removed = this.#expungeNow(mailboxId, uids);
      if (removed.uids.length > 0) {
        changes.push(messageChange('expunge', box, removed.uids, removed.modSeq, originOf(options)));
      }
      return removed.uids;
    });
  }

  subscribe(scope: ChangeScope, listener: (change: StoreChange) => void): () => void {
    return this.#hub.subscribe(scope, listener);
  }

  close(): Promise<void> {
    this.#closed ??= Promise.resolve().then(() => {
      this.#committer.flush();
      this.#db.close();
    });
    return this.#closed;
  }

  // ---- inside transactions ----

  #acceptNow(
    request: AcceptRequest,
    meta: MessageMeta | null,
  ): { result: AcceptResult; changes: StoreChange[] } {
    const changes: StoreChange[] = [];
    const who = request.origin ?? null;
    const delivered: AcceptResult['delivered'][number][] = [];
    if (request.local.length > 0) {
      const bytes = request.localBytes;
      if (bytes === undefined || meta === null)
        throw new RangeError('accept: local deliveries need localBytes');
      const blob = this.#storeBlob(bytes, meta);
      for (const d of request.local) {
        this.#ensure(d.user, who, changes);
        const box = this.#mailboxRow(d.user, canonicalMailboxName(d.mailbox ?? 'INBOX'));
        const flags = normalizeFlags(d.flags ?? []);
        const info = this.#insertMessage(box.id, blob, bytes.length, flags, request.receivedAt.getTime());
        delivered.push({ user: box.user, mailboxId: box.id, uid: info.uid });
        changes.push(messageChange('append', box, [info.uid], info.modSeq, who));
      }
    }
    let queueId: string | null = null;
    if (request.outbound && request.outbound.recipients.length > 0) {
      queueId = this.queue.insert(request.outbound, request.receivedAt);
    }
    return { result: { delivered, queueId }, changes };
  }

  #ensure(user: string, who: ChangeOrigin, changes: StoreChange[]): void {
    if (this.#s.countMailboxes.get(user)?.n) return;
    for (const m of DEFAULT_MAILBOXES) {
      const box = this.#create(user, m.name, m.specialUse);
      changes.push(mailboxChange('mailbox-created', box, who));
    }
  }

  #create(user: string, name: string, specialUse: SpecialUse | null): MailboxInfo {
    if (this.#s.getMailbox.get(user, name) !== undefined) {
      throw mailboxExists(name);
    }
    this.#s.createMailbox.run(this.#nextMailboxId(), user, name, specialUse, this.#nextUidValidity());
    this.#s.subscribe.run(user, name);
    const row = this.#s.getMailbox.get(user, name);
    if (row === undefined) throw new OutpostError(ErrorCodes.STORAGE, 'mailbox insert returned nothing');
    return toMailbox(row);
  }

  /** Creates the missing superior levels of `name` (RFC 9051 §6.3.4), outermost first. */
  #createSuperiors(user: string, name: string, who: ChangeOrigin, changes: StoreChange[]): void {
    for (const level of superiorNames(name)) {
      if (this.#s.getMailbox.get(user, level) !== undefined) continue;
      changes.push(mailboxChange('mailbox-created', this.#create(user, level, null), who));
    }
  }

  /** A mailbox id never used before in this store (ids of deleted mailboxes are not reused). */
  #nextMailboxId(): number {
    const next = (this.#s.getMeta.get('mailbox_id')?.value ?? 0) + 1;
    this.#s.setMeta.run('mailbox_id', next);
    return next;
  }

  /** Stores a message's bytes and what was computed from them (message-meta.ts). */
  #storeBlob(bytes: Buffer, meta: MessageMeta): number {
    const blob = this.#blobs.insert(bytes, 0);
    this.#s.insertMeta.run(
      blob,
      JSON.stringify(meta.envelope),
      JSON.stringify(meta.body),
      meta.headerText,
      meta.bodyText,
    );
    return blob;
  }

  /** Adds the keywords among `flags` to the mailbox's list (keywords.ts). */
  #noteKeywords(mailboxId: number, flags: readonly string[]): void {
    if (flags.every((f) => f.startsWith('\\'))) return;
    const current = flagsFromColumn(this.#s.getKeywords.get(mailboxId)?.keywords ?? '');
    const merged = mergeKeywords(current, flags, this.#limits.keywordsPerMailbox);
    if (merged !== null) this.#s.setKeywords.run(flagsToColumn(merged), mailboxId);
  }

  /** A UIDVALIDITY never used before in this store: seconds since the epoch, or last + 1. */
  #nextUidValidity(): number {
    const last = this.#s.getMeta.get('uidvalidity')?.value ?? 0;
    const next = Math.min(Math.max(Math.floor(this.#now() / 1000), last + 1), 0xffffffff);
    this.#s.setMeta.run('uidvalidity', next);
    return next;
  }

  #mailboxById(id: number): MailboxRow {
    const row = this.#s.mailboxById.get(id);
    if (row === undefined) throw mailboxNotFound(`#${String(id)}`);
    return row;
  }

  #mailboxRow(user: string, canonical: string): MailboxRow {
    const row = this.#s.getMailbox.get(user, canonical);
    if (row === undefined) throw mailboxNotFound(canonical);
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
    this.#noteKeywords(mailboxId, flags);
    const seen = hasSeen(flags);
    const next = this.#s.allocateUid.get(seen ? 0 : 1, mailboxId);
    if (next === undefined) throw mailboxNotFound(`#${mailboxId}`);
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

  /** Copies in ascending source UID order; `modSeq` is the destination's last one (0: nothing copied). */
  #copyNow(from: number, uids: readonly number[], to: number): { pairs: [number, number][]; modSeq: number } {
    const pairs: [number, number][] = [];
    let modSeq = 0;
    for (const uid of [...new Set(uids)].sort((a, b) => a - b)) {
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
      modSeq = info.modSeq;
    }
    return { pairs, modSeq };
  }

  /** COPY or MOVE in one write (see `#transferNow`). */
  #transfer(
    fromMailboxId: number,
    uids: readonly number[],
    toMailboxId: number,
    how: TransferHow,
  ): [number, number][] {
    return this.#write((changes) =>
      this.#transferNow(this.#mailboxById(fromMailboxId), uids, this.#mailboxById(toMailboxId), how, changes),
    );
  }

  /**
   * COPY, or MOVE (RFC 6851: the copy and the expunge in the caller's one transaction); returns
   * the `[source, destination]` UID pairs and records the events (append, then expunge).
   */
  #transferNow(
    source: EventMailbox,
    uids: readonly number[],
    dest: EventMailbox,
    how: TransferHow,
    changes: StoreChange[],
  ): [number, number][] {
    return transferMessages(source, uids, dest, how, changes, {
      copy: (from, list, to) => this.#copyNow(from.id, list, to.id),
      expunge: (from, list) => this.#expungeNow(from.id, list),
    });
  }

  /** Removes what exists of `uids`; one new MODSEQ for the lot (0 when nothing was removed). */
  #expungeNow(mailboxId: number, uids: readonly number[]): { uids: number[]; modSeq: number } {
    const removed: number[] = [];
    for (const uid of [...new Set(uids)].sort((a, b) => a - b)) {
      const row = this.#s.getMessage.get(mailboxId, uid);
      if (row === undefined) continue;
      this.#s.deleteMessage.run(mailboxId, uid);
      this.#blobs.release(row.blob_id);
      removed.push(uid);
    }
    let modSeq = 0;
    if (removed.length > 0) {
      modSeq = this.#s.bumpModSeq.get(mailboxId)?.modseq ?? 0;
      this.#s.recount.run(mailboxId, mailboxId, mailboxId);
      for (const uid of removed) this.#s.logExpunge.run(mailboxId, uid, modSeq);
      this.#pruneExpungeLog(mailboxId);
    }
    return { uids: removed, modSeq };
  }

  /**
   * Keeps the newest `limits.expungeLogPerMailbox` entries: the MODSEQ of the first entry
   * past them, and every entry at or below it, go, and the floor rises to it (entries sharing a
   * MODSEQ go together, so what is above the floor stays complete).
   */
  #pruneExpungeLog(mailboxId: number): void {
    const cut = this.#s.expungeCut.get(mailboxId, this.#limits.expungeLogPerMailbox)?.modseq;
    if (cut === undefined) return;
    this.#s.pruneExpunged.run(mailboxId, cut);
    this.#s.raiseExpungeFloor.run(cut, mailboxId);
  }

  /**
   * Runs a synchronous write in its own IMMEDIATE transaction; the changes it collects are
   * published after the COMMIT (none when it throws, which rolls everything back).
   */
  #write<R>(work: (changes: StoreChange[]) => R): R {
    this.#assertOpen();
    // Deliveries waiting for their batch commit first, so write order is submission order.
    this.#committer.flush();
    const changes: StoreChange[] = [];
    const result = this.#db
      .transaction(() => {
        changes.length = 0;
        return work(changes);
      })
      .immediate();
    this.#hub.publish(changes);
    return result;
  }

  #assertOpen(): void {
    if (this.#closed) throw new OutpostError(ErrorCodes.STORAGE, 'mail store is closed');
  }
}

const MAILBOX_COLUMNS = `id, user, name, special_use, uid_validity, uid_next, highest_modseq, messages, unseen, keywords,
  EXISTS (SELECT 1 FROM mail_subscriptions s WHERE s.user = mailboxes.user AND s.name = mailboxes.name) AS subscribed`;

/** A UID list as the JSON array `json_each` reads (`uid IN (SELECT value FROM json_each(?))`). */
function uidList(uids: readonly number[]): string {
  return JSON.stringify(uids.filter((u) => Number.isSafeInteger(u)));
}

/** The candidate filter of the search statements: every message when the list is NULL. */
const IN_LIST = '(@uids IS NULL OR m.uid IN (SELECT value FROM json_each(@uids)))';
/** Parameters of the search statements (`uids` null: every message). */
interface SearchParams {
  mailbox: number;
  uids: string | null;
  needle: string;
}

const META_JOIN = 'mail_messages m JOIN mail_blob_meta x ON x.blob_id = m.blob_id';

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
    createMailbox: q<[number, string, string, string | null, number], never>(
      `INSERT INTO mailboxes (id, user, name, special_use, uid_validity, uid_next, highest_modseq, messages, unseen, expunge_floor)
       VALUES (?, ?, ?, ?, ?, 1, 1, 0, 0, 0)`,
    ),
    renameMailbox: q<[string, number], never>('UPDATE mailboxes SET name = ? WHERE id = ?'),
    deleteMailbox: q<[number], never>('DELETE FROM mailboxes WHERE id = ?'),
    subscribe: q<[string, string], never>(
      'INSERT OR IGNORE INTO mail_subscriptions (user, name) VALUES (?, ?)',
    ),
    unsubscribe: q<[string, string], never>('DELETE FROM mail_subscriptions WHERE user = ? AND name = ?'),
    countSubscriptions: q<[string], { n: number }>(
      'SELECT COUNT(*) AS n FROM mail_subscriptions WHERE user = ?',
    ),
    listSubscriptions: q<[string], { name: string }>(
      'SELECT name FROM mail_subscriptions WHERE user = ? ORDER BY name',
    ),
    getKeywords: q<[number], { keywords: string }>('SELECT keywords FROM mailboxes WHERE id = ?'),
    setKeywords: q<[string, number], never>('UPDATE mailboxes SET keywords = ? WHERE id = ?'),
    insertMeta: q<[number, string, string, string, string], never>(
      'INSERT INTO mail_blob_meta (blob_id, envelope, body, header_text, body_text) VALUES (?, ?, ?, ?, ?)',
    ),
    // Columns not asked for are not read (CASE short-circuits), so ENVELOPE alone never reads the structure.
    presentUids: q<[{ mailbox: number; uids: string }], { uid: number }>(
      'SELECT uid FROM mail_messages WHERE mailbox_id = @mailbox AND uid IN (SELECT value FROM json_each(@uids)) ORDER BY uid',
    ),
    readStructures: q<
      [{ envelope: number; body: number; mailbox: number; uids: string }],
      { uid: number; envelope: string | null; body: string | null }
    >(
      `SELECT m.uid, CASE WHEN @envelope THEN x.envelope END AS envelope, CASE WHEN @body THEN x.body END AS body
         FROM ${META_JOIN} WHERE m.mailbox_id = @mailbox AND m.uid IN (SELECT value FROM json_each(@uids)) ORDER BY m.uid`,
    ),
    searchBody: q<[SearchParams], { uid: number }>(
      `SELECT m.uid FROM ${META_JOIN} WHERE m.mailbox_id = @mailbox AND ${IN_LIST} AND instr(x.body_text, @needle) > 0 ORDER BY m.uid`,
    ),
    searchAll: q<[SearchParams], { uid: number }>(
      `SELECT m.uid FROM ${META_JOIN} WHERE m.mailbox_id = @mailbox AND ${IN_LIST}
          AND (instr(x.header_text, @needle) > 0 OR instr(x.body_text, @needle) > 0) ORDER BY m.uid`,
    ),
    searchHeaders: q<[SearchParams], { uid: number; header_text: string }>(
      `SELECT m.uid, x.header_text FROM ${META_JOIN} WHERE m.mailbox_id = @mailbox AND ${IN_LIST}
          AND instr(x.header_text, @needle) > 0 ORDER BY m.uid`,
    ),
    changedSince: q<[number, number], MessageRow>(
      `SELECT uid, blob_id, internal_date, size, flags, modseq FROM mail_messages
        WHERE mailbox_id = ? AND modseq > ? ORDER BY uid`,
    ),
    expungeFloor: q<[number], { floor: number }>('SELECT expunge_floor AS floor FROM mailboxes WHERE id = ?'),
    expungedSince: q<[number, number], { uid: number }>(
      'SELECT uid FROM mail_expunged WHERE mailbox_id = ? AND modseq > ? ORDER BY uid',
    ),
    logExpunge: q<[number, number, number], never>(
      'INSERT OR REPLACE INTO mail_expunged (mailbox_id, uid, modseq) VALUES (?, ?, ?)',
    ),
    expungeCut: q<[number, number], { modseq: number }>(
      'SELECT modseq FROM mail_expunged WHERE mailbox_id = ? ORDER BY modseq DESC LIMIT 1 OFFSET ?',
    ),
    pruneExpunged: q<[number, number], never>(
      'DELETE FROM mail_expunged WHERE mailbox_id = ? AND modseq <= ?',
    ),
    raiseExpungeFloor: q<[number, number], never>(
      'UPDATE mailboxes SET expunge_floor = max(expunge_floor, ?) WHERE id = ?',
    ),
    deleteExpungeLog: q<[number], never>('DELETE FROM mail_expunged WHERE mailbox_id = ?'),
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
    updateFlags: q<[string, number, number, number, number], never>(
      'UPDATE mail_messages SET flags = ?, seen = ?, modseq = ? WHERE mailbox_id = ? AND uid = ?',
    ),
    deleteMessage: q<[number, number], never>('DELETE FROM mail_messages WHERE mailbox_id = ? AND uid = ?'),
    deleteMessages: q<[number], never>('DELETE FROM mail_messages WHERE mailbox_id = ?'),
  };
}
