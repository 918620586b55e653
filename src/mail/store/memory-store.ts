/**
 * A complete `MailStore` in memory: the same semantics as the SQLite store (UIDVALIDITY from a
 * store-wide counter that never repeats, UIDNEXT, HIGHESTMODSEQ, flags and keywords, special-use
 * mailboxes, subscriptions, the outbound queue, scoped change events) with nothing on disk and
 * nothing kept after the process. For tests (POP3, SMTP, the queue runner, later IMAP) and for
 * `outpost/testing` users who want a store without a data directory. It passes the same
 * contract suite as the SQLite store (test/mail/helpers/describe-mail-store.ts).
 *
 * Every write validates everything before it changes anything, so a failed write changes
 * nothing, as a rolled-back transaction would. Results are copies: a caller cannot reach into
 * the store's state. The methods are `async` for the contract (a throw becomes a rejection);
 * nothing in them waits.
 */
/* eslint-disable @typescript-eslint/require-await -- see the file comment */
import { ErrorCodes, OutpostError } from '../../core/errors.js';
import { ChangeHub, mailboxChange, messageChange, originOf } from './change-hub.js';
import { mailboxExists, mailboxNotFound, mailboxUnderItself, tooManySubscriptions } from './store-errors.js';
import { combineFlags, hasSeen, normalizeFlags } from './flags.js';
import { mergeKeywords } from './keywords.js';
import { resolveStoreLimits, type ResolvedStoreLimits, type StoreLimits } from './limits.js';
import {
  canonicalMailboxName,
  isInbox,
  isSameOrUnder,
  MAILBOX_SEPARATOR,
  superiorNames,
} from './mailbox-name.js';
import { describeMessage, type MessageMeta } from './message-meta.js';
import { newQueueId } from './queue-id.js';
import { transferMessages, type TransferHow } from './transfer.js';
import { matchesText } from './search-text.js';
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
  type OutboundMessage,
  type OutboundQueue,
  type QueueEntry,
  type QueueRecipient,
  type QueueStats,
  type RecipientOutcome,
  type SpecialUse,
  type StoreChange,
  type StoredStructure,
  type TextCriterion,
  type WriteOptions,
} from './types.js';

/** Options of `openMemoryMailStore`. */
export interface MemoryMailStoreOptions {
  /** Clock for internal dates, UIDVALIDITY and queue times; defaults to `Date.now`. */
  now?: () => number;
  /** Caps (limits.ts); defaults to STORE_LIMITS. */
  limits?: StoreLimits;
}

interface StoredMessage {
  readonly uid: number;
  readonly bytes: Buffer;
  /** Computed once from the bytes and shared by copies (message-meta.ts). */
  readonly meta: MessageMeta;
  readonly internalDate: number;
  flags: readonly string[];
  modSeq: number;
}

interface Box {
  readonly id: number;
  readonly user: string;
  name: string;
  readonly specialUse: SpecialUse | null;
  readonly uidValidity: number;
  uidNext: number;
  highestModSeq: number;
  keywords: readonly string[];
  /** By UID, in ascending UID order (UIDs are only ever appended). */
  readonly messages: Map<number, StoredMessage>;
  /** Expunged UID to its MODSEQ, in ascending MODSEQ order (see `expungedSince`). */
  readonly expunged: Map<number, number>;
  /** Entries at or below this MODSEQ were pruned from `expunged`. */
  expungeFloor: number;
}

function toMailbox(b: Box, subscribed: boolean): MailboxInfo {
  let unseen = 0;
  for (const m of b.messages.values()) if (!hasSeen(m.flags)) unseen++;
  return {
    id: b.id,
    user: b.user,
    name: b.name,
    specialUse: b.specialUse,
    uidValidity: b.uidValidity,
    uidNext: b.uidNext,
    highestModSeq: b.highestModSeq,
    messages: b.messages.size,
    unseen,
    subscribed,
    keywords: [...b.keywords],
  };
}

function toMessage(mailboxId: number, m: StoredMessage): MessageInfo {
  return {
    mailboxId,
    uid: m.uid,
    internalDate: new Date(m.internalDate),
    size: m.bytes.length,
    flags: [...m.flags],
    modSeq: m.modSeq,
  };
}

/** Names in the SQLite store's order (BINARY collation: UTF-8 bytes). */
function byUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function byName(a: Box, b: Box): number {
  return byUtf8(a.name, b.name);
}

/** Opens an empty in-memory store. */
export function openMemoryMailStore(options: MemoryMailStoreOptions = {}): MemoryMailStore {
  return new MemoryMailStore(options);
}

/** The in-memory MailStore (see the file comment). */
export class MemoryMailStore implements MailStore {
  readonly queue: MemoryOutboundQueue;
  readonly #now: () => number;
  readonly #limits: ResolvedStoreLimits;
  readonly #hub = new ChangeHub();
  /** Mailboxes by id. */
  readonly #boxes = new Map<number, Box>();
  /** Mailbox ids by lowercased user, then by name. */
  readonly #byUser = new Map<string, Map<string, number>>();
  /** Subscribed names by lowercased user. */
  readonly #subscriptions = new Map<string, Set<string>>();
  #lastMailboxId = 0;
  #lastUidValidity = 0;
  #closed = false;

  constructor(options: MemoryMailStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#limits = resolveStoreLimits(options.limits);
    this.queue = new MemoryOutboundQueue(this.#now, () => {
      this.#assertOpen();
    });
  }

  async accept(request: AcceptRequest): Promise<AcceptResult> {
    this.#assertOpen();
    const who = request.origin ?? null;
    // Validate every part first: a failed accept stores nothing (not even the mailboxes).
    const targets: { user: string; name: string; flags: string[] }[] = [];
    const meta = request.localBytes === undefined ? null : describeMessage(request.localBytes);
    if (request.local.length > 0 && request.localBytes === undefined) {
      throw new RangeError('accept: local deliveries need localBytes');
    }
    for (const d of request.local) {
      const name = canonicalMailboxName(d.mailbox ?? 'INBOX');
      const flags = normalizeFlags(d.flags ?? []);
      const hasAny = (this.#byUser.get(d.user.toLowerCase())?.size ?? 0) > 0;
      const found = hasAny
        ? this.#find(d.user, name) !== undefined
        : DEFAULT_MAILBOXES.some((m) => m.name === name);
      if (!found) throw mailboxNotFound(name);
      const existing = this.#find(d.user, name);
      if (existing !== undefined) mergeKeywords(existing.keywords, flags, this.#limits.keywordsPerMailbox);
      targets.push({ user: d.user, name, flags });
    }
    const changes: StoreChange[] = [];
    const delivered: AcceptResult['delivered'][number][] = [];
    const bytes = request.localBytes ?? Buffer.alloc(0);
    for (const t of targets) {
      this.#ensure(t.user, who, changes);
      const box = this.#find(t.user, t.name);
      if (box === undefined) throw mailboxNotFound(t.name);
      const info = this.#insert(box, bytes, meta, t.flags, request.receivedAt.getTime());
      delivered.push({ user: box.user, mailboxId: box.id, uid: info.uid });
      changes.push(messageChange('append', box, [info.uid], info.modSeq, who));
    }
    let queueId: string | null = null;
    if (request.outbound && request.outbound.recipients.length > 0) {
      queueId = this.queue.insert(request.outbound, request.receivedAt);
    }
    this.#hub.publish(changes);
    return { delivered, queueId };
  }

  async ensureMailboxes(user: string, options: WriteOptions = {}): Promise<void> {
    this.#assertOpen();
    const changes: StoreChange[] = [];
    this.#ensure(user, originOf(options), changes);
    this.#hub.publish(changes);
  }

  async listMailboxes(user: string): Promise<MailboxInfo[]> {
    this.#assertOpen();
    const ids = this.#byUser.get(user.toLowerCase());
    if (ids === undefined) return [];
    return [...ids.values()]
      .map((id) => this.#mustBox(id))
      .sort(byName)
      .map((b) => this.#info(b));
  }

  async getMailbox(user: string, name: string): Promise<MailboxInfo | null> {
    this.#assertOpen();
    const box = this.#find(user, canonicalMailboxName(name));
    return box === undefined ? null : this.#info(box);
  }

  async getMailboxById(mailboxId: number): Promise<MailboxInfo | null> {
    this.#assertOpen();
    const box = this.#boxes.get(mailboxId);
    return box === undefined ? null : this.#info(box);
  }

  async createMailbox(user: string, name: string, options: CreateMailboxOptions = {}): Promise<MailboxInfo> {
    this.#assertOpen();
    const canonical = canonicalMailboxName(name);
    if (this.#find(user, canonical) !== undefined) throw mailboxExists(canonical);
    const who = originOf(options);
    const changes = this.#createSuperiors(user, canonical, who);
    const box = this.#create(user, canonical, options.specialUse ?? null);
    changes.push(mailboxChange('mailbox-created', box, who));
    this.#hub.publish(changes);
    return this.#info(box);
  }

  async renameMailbox(user: string, from: string, to: string, options: WriteOptions = {}): Promise<void> {
    this.#assertOpen();
    const source = canonicalMailboxName(from);
    const target = canonicalMailboxName(to);
    const who = originOf(options);
    const box = this.#find(user, source);
    if (box === undefined) throw mailboxNotFound(source);
    if (this.#find(user, target) !== undefined) throw mailboxExists(target);
    if (isSameOrUnder(target, source)) throw mailboxUnderItself(source, target);
    const changes: StoreChange[] = [];
    if (isInbox(source)) {
      // RFC 9051 §6.3.6: renaming INBOX moves its messages to the new name; INBOX stays, empty.
      changes.push(...this.#createSuperiors(user, target, who));
      const dest = this.#create(user, target, null);
      changes.push(mailboxChange('mailbox-created', dest, who));
      this.#transferNow(box, [...box.messages.keys()], dest, { move: true, who }, changes);
      this.#hub.publish(changes);
      return;
    }
    const prefix = source + MAILBOX_SEPARATOR;
    const renames: { box: Box; to: string }[] = [{ box, to: target }];
    for (const id of this.#byUser.get(user.toLowerCase())?.values() ?? []) {
      const child = this.#mustBox(id);
      if (child.name.startsWith(prefix)) {
        renames.push({ box: child, to: target + MAILBOX_SEPARATOR + child.name.slice(prefix.length) });
      }
    }
    for (const r of renames) {
      if (r.box !== box && this.#find(user, r.to) !== undefined) throw mailboxExists(r.to);
    }
    const names = this.#names(user);
    const subscribed = this.#subscribed(user);
    for (const r of renames) names.delete(r.box.name);
    const resubscribe = renames.filter((r) => subscribed.delete(r.box.name)).map((r) => r.to);
    for (const r of renames) {
      const old = r.box.name;
      r.box.name = r.to;
      names.set(r.to, r.box.id);
      changes.push({
        kind: 'mailbox-renamed',
        user: r.box.user,
        mailboxId: r.box.id,
        mailbox: r.to,
        from: old,
        origin: who,
      });
    }
    for (const name of resubscribe) subscribed.add(name);
    changes.push(...this.#createSuperiors(user, target, who));
    this.#hub.publish(changes);
  }

  async deleteMailbox(user: string, name: string, options: WriteOptions = {}): Promise<void> {
    this.#assertOpen();
    const canonical = canonicalMailboxName(name);
    if (isInbox(canonical))
      throw new OutpostError(ErrorCodes.MAILBOX_NAME_INVALID, 'INBOX cannot be deleted');
    const box = this.#find(user, canonical);
    if (box === undefined) throw mailboxNotFound(canonical);
    this.#names(user).delete(box.name);
    this.#boxes.delete(box.id);
    this.#hub.publish([mailboxChange('mailbox-deleted', box, originOf(options))]);
  }

  async setSubscribed(
    user: string,
    name: string,
    subscribed: boolean,
    options: WriteOptions = {},
  ): Promise<void> {
    this.#assertOpen();
    const canonical = canonicalMailboxName(name);
    const names = this.#subscribed(user);
    if (subscribed) {
      const max = this.#limits.subscriptionsPerUser;
      if (!names.has(canonical) && names.size >= max) throw tooManySubscriptions(max);
      names.add(canonical);
    } else {
      names.delete(canonical);
    }
    const box = this.#find(user, canonical) ?? { id: 0, user, name: canonical };
    this.#hub.publish([{ ...mailboxChange('mailbox-subscribed', box, originOf(options)), subscribed }]);
  }

  async listSubscriptions(user: string): Promise<string[]> {
    this.#assertOpen();
    return [...(this.#subscriptions.get(user.toLowerCase()) ?? [])].sort(byUtf8);
  }

  async listMessages(mailboxId: number): Promise<MessageInfo[]> {
    this.#assertOpen();
    const box = this.#boxes.get(mailboxId);
    if (box === undefined) return [];
    return [...box.messages.values()].map((m) => toMessage(mailboxId, m));
  }

  async readMessage(mailboxId: number, uid: number): Promise<Buffer | null> {
    this.#assertOpen();
    const bytes = this.#boxes.get(mailboxId)?.messages.get(uid)?.bytes;
    return bytes === undefined ? null : Buffer.from(bytes);
  }

  async readRange(mailboxId: number, uid: number, start: number, length: number): Promise<Buffer | null> {
    this.#assertOpen();
    const bytes = this.#boxes.get(mailboxId)?.messages.get(uid)?.bytes;
    if (bytes === undefined) return null;
    const from = Math.min(Math.max(0, start), bytes.length);
    return Buffer.from(bytes.subarray(from, from + Math.max(0, length)));
  }

  async readStructures(
    mailboxId: number,
    uids: readonly number[],
    want: { readonly envelope?: boolean; readonly body?: boolean },
  ): Promise<StoredStructure[]> {
    this.#assertOpen();
    const box = this.#boxes.get(mailboxId);
    if (box === undefined) return [];
    return this.#pick(box, uids).map((m) => ({
      uid: m.uid,
      ...(want.envelope === true ? { envelope: structuredClone(m.meta.envelope) } : {}),
      ...(want.body === true ? { body: structuredClone(m.meta.body) } : {}),
    }));
  }

  async searchText(mailboxId: number, criterion: TextCriterion, uids?: readonly number[]): Promise<number[]> {
    this.#assertOpen();
    const box = this.#boxes.get(mailboxId);
    if (box === undefined) return [];
    const candidates = uids === undefined ? [...box.messages.values()] : this.#pick(box, uids);
    return candidates.filter((m) => matchesText(m.meta, criterion)).map((m) => m.uid);
  }

  async changedSince(mailboxId: number, modSeq: number): Promise<MessageInfo[]> {
    this.#assertOpen();
    const box = this.#boxes.get(mailboxId);
    if (box === undefined) return [];
    return [...box.messages.values()].filter((m) => m.modSeq > modSeq).map((m) => toMessage(mailboxId, m));
  }

  async expungedSince(mailboxId: number, modSeq: number): Promise<number[] | null> {
    this.#assertOpen();
    const box = this.#boxes.get(mailboxId);
    if (box === undefined || modSeq < box.expungeFloor) return null;
    const uids: number[] = [];
    for (const [uid, at] of box.expunged) if (at > modSeq) uids.push(uid);
    return uids.sort((a, b) => a - b);
  }

  async append(mailboxId: number, bytes: Buffer, options: AppendOptions = {}): Promise<MessageInfo> {
    this.#assertOpen();
    const flags = normalizeFlags(options.flags ?? []);
    const box = this.#boxById(mailboxId);
    mergeKeywords(box.keywords, flags, this.#limits.keywordsPerMailbox);
    const date = options.internalDate?.getTime() ?? this.#now();
    const copy = Buffer.from(bytes);
    const info = this.#insert(box, copy, describeMessage(copy), flags, date);
    this.#hub.publish([messageChange('append', box, [info.uid], info.modSeq, originOf(options))]);
    return info;
  }

  async setFlags(
    mailboxId: number,
    uids: readonly number[],
    flags: readonly string[],
    mode: FlagMode,
    options: WriteOptions = {},
  ): Promise<MessageInfo[]> {
    this.#assertOpen();
    const given = normalizeFlags(flags);
    const box = this.#boxById(mailboxId);
    const out: MessageInfo[] = [];
    const changed: number[] = [];
    let modSeq = 0;
    // Validated before anything changes: the keywords this call would add.
    const present = this.#pick(box, uids).length > 0;
    const keywords = mergeKeywords(
      box.keywords,
      mode === 'remove' || !present ? [] : given,
      this.#limits.keywordsPerMailbox,
    );
    if (keywords !== null) box.keywords = keywords;
    for (const uid of [...new Set(uids)].sort((a, b) => a - b)) {
      const m = box.messages.get(uid);
      if (m === undefined) continue;
      const next = combineFlags(m.flags, given, mode);
      if (next.join(' ') !== m.flags.join(' ')) {
        if (modSeq === 0) modSeq = ++box.highestModSeq;
        m.flags = next;
        m.modSeq = modSeq;
        changed.push(uid);
      }
      out.push(toMessage(mailboxId, m));
    }
    if (changed.length > 0) {
      this.#hub.publish([messageChange('flags', box, changed, modSeq, originOf(options))]);
    }
    return out;
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
    this.#assertOpen();
    const box = this.#boxById(mailboxId);
    const removed = this.#expungeNow(box, uids);
    if (removed.uids.length > 0) {
      this.#hub.publish([messageChange('expunge', box, removed.uids, removed.modSeq, originOf(options))]);
    }
    return removed.uids;
  }

  subscribe(scope: ChangeScope, listener: (change: StoreChange) => void): () => void {
    return this.#hub.subscribe(scope, listener);
  }

  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }

  // ---- state changes (callers have validated) ----

  #ensure(user: string, who: ChangeOrigin, changes: StoreChange[]): void {
    if ((this.#byUser.get(user.toLowerCase())?.size ?? 0) > 0) return;
    for (const m of DEFAULT_MAILBOXES) {
      changes.push(mailboxChange('mailbox-created', this.#create(user, m.name, m.specialUse), who));
    }
  }

  #info(box: Box): MailboxInfo {
    return toMailbox(box, this.#subscriptions.get(box.user.toLowerCase())?.has(box.name) ?? false);
  }

  #subscribed(user: string): Set<string> {
    const key = user.toLowerCase();
    let names = this.#subscriptions.get(key);
    if (names === undefined) {
      names = new Set();
      this.#subscriptions.set(key, names);
    }
    return names;
  }

  /** Creates the missing superior levels of `name` (RFC 9051 §6.3.4); returns their events. */
  #createSuperiors(user: string, name: string, who: ChangeOrigin): StoreChange[] {
    const changes: StoreChange[] = [];
    for (const level of superiorNames(name)) {
      if (this.#find(user, level) !== undefined) continue;
      changes.push(mailboxChange('mailbox-created', this.#create(user, level, null), who));
    }
    return changes;
  }

  /** Throws (changing nothing) when copying `uids` would take `to` past its keyword cap. */
  #checkKeywords(from: Box, uids: readonly number[], to: Box): void {
    let keywords = to.keywords;
    for (const m of this.#pick(from, uids))
      keywords = mergeKeywords(keywords, m.flags, this.#limits.keywordsPerMailbox) ?? keywords;
  }

  /** The stored messages among `uids`, ascending, each once. */
  #pick(box: Box, uids: readonly number[]): StoredMessage[] {
    const out: StoredMessage[] = [];
    for (const uid of [...new Set(uids)].sort((a, b) => a - b)) {
      const m = box.messages.get(uid);
      if (m !== undefined) out.push(m);
    }
    return out;
  }

  #create(user: string, name: string, specialUse: SpecialUse | null): Box {
    this.#subscribed(user).add(name);
    const box: Box = {
      id: ++this.#lastMailboxId,
      user: this.#userSpelling(user),
      name,
      specialUse,
      uidValidity: this.#nextUidValidity(),
      uidNext: 1,
      highestModSeq: 1,
      keywords: [],
      messages: new Map(),
      expunged: new Map(),
      expungeFloor: 0,
    };
    this.#boxes.set(box.id, box);
    this.#names(user).set(name, box.id);
    return box;
  }

  /** A UIDVALIDITY never used before in this store: seconds since the epoch, or last + 1. */
  #nextUidValidity(): number {
    const next = Math.min(Math.max(Math.floor(this.#now() / 1000), this.#lastUidValidity + 1), 0xffffffff);
    this.#lastUidValidity = next;
    return next;
  }

  #insert(
    box: Box,
    bytes: Buffer,
    meta: MessageMeta | null,
    flags: readonly string[],
    internalDate: number,
  ): MessageInfo {
    box.keywords = mergeKeywords(box.keywords, flags, this.#limits.keywordsPerMailbox) ?? box.keywords;
    const m: StoredMessage = {
      uid: box.uidNext++,
      bytes,
      meta: meta ?? describeMessage(bytes),
      internalDate,
      flags: [...flags],
      modSeq: ++box.highestModSeq,
    };
    box.messages.set(m.uid, m);
    return toMessage(box.id, m);
  }

  /** COPY or MOVE after checking everything (see `#transferNow`); publishes the events. */
  #transfer(
    fromMailboxId: number,
    uids: readonly number[],
    toMailboxId: number,
    how: { readonly move: boolean; readonly who: ChangeOrigin },
  ): [number, number][] {
    this.#assertOpen();
    const from = this.#boxById(fromMailboxId);
    const to = this.#boxById(toMailboxId);
    this.#checkKeywords(from, uids, to);
    const changes: StoreChange[] = [];
    const pairs = this.#transferNow(from, uids, to, how, changes);
    this.#hub.publish(changes);
    return pairs;
  }

  /** Copies, and for a MOVE expunges the originals; records the events (transfer.ts). */
  #transferNow(
    from: Box,
    uids: readonly number[],
    to: Box,
    how: TransferHow,
    changes: StoreChange[],
  ): [number, number][] {
    return transferMessages(from, uids, to, how, changes, {
      copy: (source, list, dest) => this.#copyNow(source, list, dest),
      expunge: (source, list) => this.#expungeNow(source, list),
    });
  }

  #copyNow(from: Box, uids: readonly number[], to: Box): { pairs: [number, number][]; modSeq: number } {
    const pairs: [number, number][] = [];
    let modSeq = 0;
    for (const uid of [...new Set(uids)].sort((a, b) => a - b)) {
      const m = from.messages.get(uid);
      if (m === undefined) continue;
      const info = this.#insert(to, m.bytes, m.meta, m.flags, m.internalDate);
      pairs.push([uid, info.uid]);
      modSeq = info.modSeq;
    }
    return { pairs, modSeq };
  }

  #expungeNow(box: Box, uids: readonly number[]): { uids: number[]; modSeq: number } {
    const removed = [...new Set(uids)].sort((a, b) => a - b).filter((uid) => box.messages.delete(uid));
    if (removed.length === 0) return { uids: removed, modSeq: 0 };
    const modSeq = ++box.highestModSeq;
    for (const uid of removed) box.expunged.set(uid, modSeq);
    // The same pruning rule as the SQLite store: drop the oldest MODSEQs past the cap, whole.
    const excess = box.expunged.size - this.#limits.expungeLogPerMailbox;
    if (excess > 0) {
      const cut = [...box.expunged.values()][excess - 1] ?? 0;
      for (const [uid, at] of box.expunged) {
        if (at > cut) break;
        box.expunged.delete(uid);
      }
      box.expungeFloor = Math.max(box.expungeFloor, cut);
    }
    return { uids: removed, modSeq };
  }

  // ---- lookups ----

  /** The user as the store first saw it (users match case-insensitively, like the SQLite column). */
  #userSpelling(user: string): string {
    const first = this.#byUser.get(user.toLowerCase())?.values().next();
    if (first !== undefined && first.done !== true) return this.#mustBox(first.value).user;
    return user;
  }

  #names(user: string): Map<string, number> {
    const key = user.toLowerCase();
    let names = this.#byUser.get(key);
    if (names === undefined) {
      names = new Map();
      this.#byUser.set(key, names);
    }
    return names;
  }

  #find(user: string, canonical: string): Box | undefined {
    const id = this.#byUser.get(user.toLowerCase())?.get(canonical);
    return id === undefined ? undefined : this.#boxes.get(id);
  }

  #boxById(id: number): Box {
    const box = this.#boxes.get(id);
    if (box === undefined) throw mailboxNotFound(`#${String(id)}`);
    return box;
  }

  #mustBox(id: number): Box {
    const box = this.#boxes.get(id);
    if (box === undefined)
      throw new OutpostError(ErrorCodes.STORAGE, `mailbox index out of step (#${String(id)})`);
    return box;
  }

  #assertOpen(): void {
    if (this.#closed) throw new OutpostError(ErrorCodes.STORAGE, 'mail store is closed');
  }
}

interface QueueRow {
  readonly id: string;
  readonly mailFrom: string;
  readonly bytes: Buffer;
  readonly createdAt: number;
  attempts: number;
  nextAttemptAt: number;
  readonly envId: string | undefined;
  readonly ret: 'FULL' | 'HDRS' | undefined;
  readonly recipients: QueueRecipient[];
  /** Insertion order, the last tie-breaker of `due` and `list`. */
  readonly seq: number;
}

/** The in-memory outbound queue (same semantics as SqliteOutboundQueue). */
export class MemoryOutboundQueue implements OutboundQueue {
  readonly #now: () => number;
  readonly #assertOpen: () => void;
  readonly #rows = new Map<string, QueueRow>();
  #seq = 0;

  constructor(now: () => number, assertOpen: () => void) {
    this.#now = now;
    this.#assertOpen = assertOpen;
  }

  /** Inserts an entry (the store's `accept`); returns its id. */
  insert(message: OutboundMessage, receivedAt: Date): string {
    const id = newQueueId(receivedAt.getTime());
    this.#rows.set(id, {
      id,
      mailFrom: message.mailFrom,
      bytes: Buffer.from(message.bytes),
      createdAt: receivedAt.getTime(),
      attempts: 0,
      nextAttemptAt: receivedAt.getTime(),
      envId: message.envId,
      ret: message.ret,
      recipients: message.recipients.map((r) => ({
        address: r.address,
        status: 'pending',
        lastReply: null,
        ...(r.notify === undefined ? {} : { notify: [...r.notify] }),
        ...(r.orcpt === undefined ? {} : { orcpt: r.orcpt }),
      })),
      seq: ++this.#seq,
    });
    return id;
  }

  async due(now: Date, limit: number): Promise<QueueEntry[]> {
    this.#assertOpen();
    return [...this.#rows.values()]
      .filter((r) => r.nextAttemptAt <= now.getTime())
      .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.createdAt - b.createdAt || a.seq - b.seq)
      .slice(0, Math.max(0, limit))
      .map(toEntry);
  }

  async stats(): Promise<QueueStats> {
    this.#assertOpen();
    let oldest: number | null = null;
    for (const r of this.#rows.values()) if (oldest === null || r.createdAt < oldest) oldest = r.createdAt;
    return { messages: this.#rows.size, oldestCreatedAt: oldest === null ? null : new Date(oldest) };
  }

  async nextDueAt(): Promise<Date | null> {
    this.#assertOpen();
    let min: number | null = null;
    for (const r of this.#rows.values()) if (min === null || r.nextAttemptAt < min) min = r.nextAttemptAt;
    return min === null ? null : new Date(min);
  }

  async readBytes(id: string): Promise<Buffer | null> {
    this.#assertOpen();
    const row = this.#rows.get(id);
    return row === undefined ? null : Buffer.from(row.bytes);
  }

  async recordAttempt(id: string, outcomes: readonly RecipientOutcome[], nextAttemptAt: Date): Promise<void> {
    this.#assertOpen();
    const row = this.#rows.get(id);
    if (row === undefined) return;
    for (const o of outcomes) {
      const i = row.recipients.findIndex((r) => r.address === o.address && r.status === 'pending');
      const r = row.recipients[i];
      if (r === undefined) continue;
      row.recipients[i] = {
        ...r,
        status: o.outcome === 'deferred' ? 'pending' : o.outcome,
        lastReply: o.reply,
      };
    }
    if (!row.recipients.some((r) => r.status === 'pending')) {
      this.#rows.delete(id);
      return;
    }
    row.attempts++;
    row.nextAttemptAt = nextAttemptAt.getTime();
  }

  async list(): Promise<QueueEntry[]> {
    this.#assertOpen();
    return [...this.#rows.values()]
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map(toEntry);
  }

  async get(id: string): Promise<QueueEntry | null> {
    this.#assertOpen();
    const row = this.#rows.get(id);
    return row === undefined ? null : toEntry(row);
  }

  async delete(id: string): Promise<boolean> {
    this.#assertOpen();
    return this.#rows.delete(id);
  }

  async flush(id?: string): Promise<number> {
    this.#assertOpen();
    const now = this.#now();
    let n = 0;
    for (const row of this.#rows.values()) {
      if (id !== undefined && row.id !== id) continue;
      row.nextAttemptAt = now;
      n++;
    }
    return n;
  }
}

function toEntry(r: QueueRow): QueueEntry {
  return {
    id: r.id,
    mailFrom: r.mailFrom,
    recipients: r.recipients.map((x) => ({
      ...x,
      ...(x.notify === undefined ? {} : { notify: [...x.notify] }),
    })),
    size: r.bytes.length,
    createdAt: new Date(r.createdAt),
    attempts: r.attempts,
    nextAttemptAt: new Date(r.nextAttemptAt),
    ...(r.envId === undefined ? {} : { envId: r.envId }),
    ...(r.ret === undefined ? {} : { ret: r.ret }),
  };
}
