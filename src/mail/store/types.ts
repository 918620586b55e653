/**
 * The mail store's contract: what SMTP (delivery and the outbound queue), POP3, IMAP and webmail
 * may ask of it. The SQLite implementation is the embedded default; a PostgreSQL backend can
 * implement the same interface later to serve several nodes. The data model is IMAP's from the
 * start (RFC 9051 §2.3): per mailbox a UIDVALIDITY, UIDNEXT and HIGHESTMODSEQ (RFC 7162); per
 * message a UID, internal date, size, flags/keywords, MODSEQ and the exact bytes.
 *
 * Durability rule (DESIGN.md, Storage): `accept` resolves only after the bytes and every piece
 * of metadata (local deliveries and outbound queue entries alike) are committed in ONE durable
 * transaction. Implementations may group several messages into one commit; none may resolve
 * before its commit.
 *
 * What IMAP needs beyond storage is computed once, when a message is stored, and kept with its
 * bytes: the ENVELOPE and MIME structure with each part's byte ranges (FETCH ENVELOPE,
 * BODYSTRUCTURE, BODY[1.2]<0.100> read these and a byte range, never the parsed message), and
 * the decoded text SEARCH looks through. See docs/architecture.md (The mail store) for the split
 * between the store and IMAP's SEARCH engine.
 */
import type { BodyStructure } from '../message/body-structure.js';
import type { Envelope } from '../message/envelope.js';

/** RFC 6154 special-use attributes, plus INBOX (which RFC 9051 gives every user). */
export type SpecialUse = '\\Inbox' | '\\Sent' | '\\Drafts' | '\\Trash' | '\\Junk' | '\\Archive';

/** The mailboxes every user gets on first use, with their names. */
export const DEFAULT_MAILBOXES: readonly { readonly name: string; readonly specialUse: SpecialUse }[] = [
  { name: 'INBOX', specialUse: '\\Inbox' },
  { name: 'Sent', specialUse: '\\Sent' },
  { name: 'Drafts', specialUse: '\\Drafts' },
  { name: 'Trash', specialUse: '\\Trash' },
  { name: 'Junk', specialUse: '\\Junk' },
  { name: 'Archive', specialUse: '\\Archive' },
];

/** A mailbox and its IMAP counters. */
export interface MailboxInfo {
  readonly id: number;
  /** Owner's canonical address. */
  readonly user: string;
  /** Full name with `/` as the hierarchy separator; `INBOX` is case-insensitive (RFC 9051 §5.1). */
  readonly name: string;
  readonly specialUse: SpecialUse | null;
  readonly uidValidity: number;
  readonly uidNext: number;
  readonly highestModSeq: number;
  readonly messages: number;
  readonly unseen: number;
  /** Whether the user's subscription list names this mailbox (see `listSubscriptions`). */
  readonly subscribed: boolean;
  /**
   * Keywords ever set on a message of this mailbox, sorted (IMAP FLAGS and PERMANENTFLAGS,
   * RFC 9051 §7.1). At most STORE_LIMITS.keywordsPerMailbox; never shrinks while the mailbox
   * lives.
   */
  readonly keywords: readonly string[];
}

/** One message in one mailbox, without its bytes. */
export interface MessageInfo {
  readonly mailboxId: number;
  readonly uid: number;
  readonly internalDate: Date;
  /** Octets of the stored message (RFC822.SIZE), CRLF line endings. */
  readonly size: number;
  /** System flags (`\Seen`, `\Answered`, `\Flagged`, `\Deleted`, `\Draft`) and keywords. */
  readonly flags: readonly string[];
  readonly modSeq: number;
}

/** A delivery into one local user's mailbox. */
export interface LocalDelivery {
  /** Canonical address of an existing user. */
  readonly user: string;
  /** Defaults to INBOX. */
  readonly mailbox?: string;
  readonly flags?: readonly string[];
}

/** RFC 3461 parameters kept with an outbound recipient. */
export interface DsnRecipientOptions {
  /** NOTIFY: NEVER, or any of SUCCESS / FAILURE / DELAY. */
  readonly notify?: readonly ('NEVER' | 'SUCCESS' | 'FAILURE' | 'DELAY')[];
  /** ORCPT, e.g. `rfc822;bob@example.test`. */
  readonly orcpt?: string;
}

/** The part of an accepted message that leaves for other hosts. */
export interface OutboundMessage {
  /** Envelope sender; '' is the null reverse-path (bounces), which is never bounced to. */
  readonly mailFrom: string;
  readonly recipients: readonly ({ readonly address: string } & DsnRecipientOptions)[];
  /** The bytes to relay (with our Received: header, without Return-Path:). */
  readonly bytes: Buffer;
  /** RFC 3461 ENVID and RET. */
  readonly envId?: string;
  readonly ret?: 'FULL' | 'HDRS';
}

/** A message the SMTP server (or the queue, for bounces) has accepted. */
export interface AcceptRequest {
  readonly receivedAt: Date;
  /** Local mailboxes that get the message now. */
  readonly local: readonly LocalDelivery[];
  /** The bytes stored for local deliveries (Return-Path:, Received:, then the message). */
  readonly localBytes?: Buffer;
  /** Remote recipients, queued. */
  readonly outbound?: OutboundMessage;
  /** Carried in the `append` events of the local deliveries. */
  readonly origin?: string;
}

/** What `accept` committed. */
export interface AcceptResult {
  readonly delivered: readonly { readonly user: string; readonly mailboxId: number; readonly uid: number }[];
  /** Id of the queue entry for the outbound part, if any. */
  readonly queueId: string | null;
}

/** Per-recipient state of a queue entry. */
export type QueueRecipientStatus = 'pending' | 'delivered' | 'failed';

export interface QueueRecipient extends DsnRecipientOptions {
  readonly address: string;
  readonly status: QueueRecipientStatus;
  /** The last reply or error for this recipient, e.g. `550 5.1.1 no such user`. */
  readonly lastReply: string | null;
}

/** One queued outbound message. */
export interface QueueEntry {
  readonly id: string;
  readonly mailFrom: string;
  readonly recipients: readonly QueueRecipient[];
  readonly size: number;
  readonly createdAt: Date;
  readonly attempts: number;
  readonly nextAttemptAt: Date;
  readonly envId?: string;
  readonly ret?: 'FULL' | 'HDRS';
}

/** The outcome of one attempt for one recipient. */
export interface RecipientOutcome {
  readonly address: string;
  readonly outcome: 'delivered' | 'deferred' | 'failed';
  readonly reply: string;
}

/**
 * The durable outbound queue (rows live in the same store as the mailboxes, so a delivery and its
 * queue entry commit together). Every method resolves once its effect is durable.
 */
export interface OutboundQueue {
  /** Entries with pending recipients whose next attempt is due at `now`, oldest first. */
  due(now: Date, limit: number): Promise<QueueEntry[]>;
  /** When the earliest pending entry is next due; null when nothing is pending. */
  nextDueAt(): Promise<Date | null>;
  /** The bytes of an entry; null when it was deleted. */
  readBytes(id: string): Promise<Buffer | null>;
  /**
   * Records one attempt durably: each recipient's outcome, the attempt count, and the next
   * attempt time (ignored when no recipient is left pending). An entry with nothing pending
   * left is removed. An unknown id is ignored.
   */
  recordAttempt(id: string, outcomes: readonly RecipientOutcome[], nextAttemptAt: Date): Promise<void>;
  /** Every entry, oldest first. */
  list(): Promise<QueueEntry[]>;
  get(id: string): Promise<QueueEntry | null>;
  /** Removes an entry (`outpost queue delete`); false when there was none. */
  delete(id: string): Promise<boolean>;
  /** Makes one entry (or all) due now; returns how many. */
  flush(id?: string): Promise<number>;
  /** How many entries wait, and when the oldest was queued (the queue metrics, read per scrape). */
  stats(): Promise<QueueStats>;
}

/** The queue's size and age. */
export interface QueueStats {
  readonly messages: number;
  /** Creation time of the oldest entry; null when the queue is empty. */
  readonly oldestCreatedAt: Date | null;
}

/**
 * Who made a change: an opaque label the writer passes (a session id such as `imap-17`, or
 * `smtp`, `pop3`, `queue`), so a listener can tell its own changes from everyone else's (an IMAP
 * session reports its own STORE in the command's reply, others' through IDLE). Null when the
 * writer gave none.
 */
export type ChangeOrigin = string | null;

/** Options every write takes. */
export interface WriteOptions {
  /** Carried in the change events of this write (see `ChangeOrigin`). */
  readonly origin?: string;
}

/** What every change event carries: whose, which mailbox (id and current name), and who did it. */
interface ChangeBase {
  readonly user: string;
  readonly mailboxId: number;
  /** The mailbox's name when the change happened (the new name for a rename). */
  readonly mailbox: string;
  readonly origin: ChangeOrigin;
}

/**
 * A change, published after its commit (IMAP IDLE and NOTIFY, webmail and `waitForMessage`
 * listen to these), only to the listeners whose scope covers it. Message changes carry the
 * mailbox's HIGHESTMODSEQ after the change (RFC 7162 §3.1); one write is one event, so a COPY of
 * 500 messages is one `append` with 500 UIDs.
 */
export type StoreChange =
  | (ChangeBase & {
      /** New messages (delivery, APPEND, COPY/MOVE into this mailbox), ascending UIDs. */
      readonly kind: 'append';
      readonly uids: readonly number[];
      readonly modSeq: number;
    })
  | (ChangeBase & {
      /** Flags changed on these messages; each now has MODSEQ `modSeq`. */
      readonly kind: 'flags';
      readonly uids: readonly number[];
      readonly modSeq: number;
    })
  | (ChangeBase & {
      /** These messages are gone for good. */
      readonly kind: 'expunge';
      readonly uids: readonly number[];
      readonly modSeq: number;
    })
  | (ChangeBase & { readonly kind: 'mailbox-created' })
  | (ChangeBase & {
      /** Renamed from `from` to `mailbox` (also sent for each child a rename carries along). */
      readonly kind: 'mailbox-renamed';
      readonly from: string;
    })
  | (ChangeBase & { readonly kind: 'mailbox-deleted' })
  | (ChangeBase & { readonly kind: 'mailbox-subscribed'; readonly subscribed: boolean });

/**
 * What a listener watches: every mailbox of one user (the mailbox list, NOTIFY's personal
 * namespace, webmail), or one mailbox of that user (a selected IMAP mailbox, `waitForMessage`).
 * Users match case-insensitively, as the store keys them. A watcher of one mailbox hears its
 * rename and deletion too.
 */
export interface ChangeScope {
  readonly user: string;
  /** Only this mailbox; every mailbox of `user` when absent. */
  readonly mailboxId?: number;
}

/** How `setFlags` combines the given flags with the current ones (IMAP STORE FLAGS / +FLAGS / -FLAGS). */
export type FlagMode = 'replace' | 'add' | 'remove';

/** Options of `append`. */
export interface AppendOptions extends WriteOptions {
  readonly flags?: readonly string[];
  /** Defaults to now. */
  readonly internalDate?: Date;
}

/** What `readStructures` returns for one message (only the parts asked for). */
export interface StoredStructure {
  readonly uid: number;
  readonly envelope?: Envelope;
  readonly body?: BodyStructure;
}

/**
 * One text condition of IMAP SEARCH (RFC 9051 §6.4.4), matched case-insensitively against the
 * decoded text kept at delivery: `body` the text parts (BODY), `text` headers and text parts
 * (TEXT), `header` one top-level header field by name (HEADER, SUBJECT, FROM, TO, CC, BCC; an
 * empty needle matches every message that has the field).
 */
export type TextCriterion =
  | { readonly in: 'body' | 'text'; readonly needle: string }
  | { readonly in: 'header'; readonly field: string; readonly needle: string };

/** Options of `createMailbox`. */
export interface CreateMailboxOptions extends WriteOptions {
  readonly specialUse?: SpecialUse;
}

/**
 * The mail store. Every method returns a promise, so a network database can implement it; reads
 * are consistent snapshots, writes are durable when their promise resolves, and a failed write
 * changes nothing. Errors are OutpostErrors with stable codes (MAILBOX_NOT_FOUND, MAILBOX_EXISTS,
 * MAILBOX_NAME_INVALID, PARSE for a bad flag, INPUT_TOO_LARGE past a cap of limits.ts, STORAGE
 * once closed). test/mail/helpers/
 * describe-mail-store.ts is the contract suite every backend must pass.
 */
export interface MailStore {
  /** Commits a message's deliveries and queue entry in one durable transaction (see file comment). */
  accept(request: AcceptRequest): Promise<AcceptResult>;

  /** Creates the default mailboxes for a user if the user has none (idempotent). */
  ensureMailboxes(user: string, options?: WriteOptions): Promise<void>;
  /** The user's mailboxes, by name. */
  listMailboxes(user: string): Promise<MailboxInfo[]>;
  /** A mailbox by name (INBOX matched case-insensitively); null when absent. */
  getMailbox(user: string, name: string): Promise<MailboxInfo | null>;
  /** A mailbox by id; null when absent (deleted). */
  getMailboxById(mailboxId: number): Promise<MailboxInfo | null>;
  /**
   * Creates a mailbox, and the superior levels of its name that do not exist yet (`a/b/c`
   * creates `a` and `a/b` too, RFC 9051 §6.3.4), each with its own UIDVALIDITY; every new
   * mailbox is subscribed. Returns the mailbox named. MAILBOX_EXISTS when it exists already.
   * Mailbox ids are never reused, so neither is a deleted mailbox's UIDVALIDITY.
   */
  createMailbox(user: string, name: string, options?: CreateMailboxOptions): Promise<MailboxInfo>;
  /**
   * Renames a mailbox and its children; UIDVALIDITY is kept (RFC 9051 §6.3.6), subscriptions
   * follow, missing superior levels of the new name are created. Renaming INBOX moves its
   * messages into a new mailbox and leaves INBOX empty (its children stay). Renaming a mailbox
   * under itself (`a` to `a/b`) is MAILBOX_NAME_INVALID.
   */
  renameMailbox(user: string, from: string, to: string, options?: WriteOptions): Promise<void>;
  /**
   * Deletes a mailbox and its messages, not its children: a deleted name that still has
   * children is what IMAP lists as `\Noselect` (RFC 9051 §6.3.5; the store keeps no row for it,
   * IMAP derives the attribute from the names). Its subscription stays (§6.3.7). INBOX cannot
   * be deleted.
   */
  deleteMailbox(user: string, name: string, options?: WriteOptions): Promise<void>;
  /**
   * Adds or removes `name` in the user's subscription list. The name need not exist (RFC 9051
   * §6.3.7); at most STORE_LIMITS.subscriptionsPerUser names (INPUT_TOO_LARGE past it). The
   * event's `mailboxId` is 0 when no mailbox has that name.
   */
  setSubscribed(user: string, name: string, subscribed: boolean, options?: WriteOptions): Promise<void>;
  /** The user's subscribed names, existing or not, sorted as `listMailboxes` sorts. */
  listSubscriptions(user: string): Promise<string[]>;

  /** Every message of a mailbox by ascending UID (from an index, never a scan of bytes). */
  listMessages(mailboxId: number): Promise<MessageInfo[]>;
  /**
   * The exact stored bytes; null when the message is not there (expunged, or never was). Every
   * read answers null rather than failing for a message that is gone: POP3 answers `-ERR`
   * saying it was removed, IMAP leaves it out of FETCH (RFC 9051 §7.5.1).
   */
  readMessage(mailboxId: number, uid: number): Promise<Buffer | null>;
  /**
   * Octets `[start, start + length)` of a message, clipped to its size (an empty buffer when
   * `start` is past the end; IMAP partial FETCH, RFC 9051 §6.4.5); null when the message is gone.
   * Does not copy the whole message into the JS heap.
   */
  readRange(mailboxId: number, uid: number, start: number, length: number): Promise<Buffer | null>;
  /**
   * The ENVELOPE and/or MIME structure (with byte ranges) of messages, computed at delivery, by
   * ascending UID; messages that are gone are left out.
   */
  readStructures(
    mailboxId: number,
    uids: readonly number[],
    want: { readonly envelope?: boolean; readonly body?: boolean },
  ): Promise<StoredStructure[]>;
  /**
   * The UIDs (ascending) among `uids` (every message when absent) whose stored text satisfies
   * `criterion`. The IMAP SEARCH engine evaluates flags, dates, sizes, sets and OR/NOT itself
   * from `listMessages`, and asks the store only for text keys, one call per key.
   */
  searchText(mailboxId: number, criterion: TextCriterion, uids?: readonly number[]): Promise<number[]>;
  /**
   * Messages whose MODSEQ is above `modSeq`, by ascending UID (CONDSTORE FETCH CHANGEDSINCE,
   * RFC 7162 §3.1.4.1).
   */
  changedSince(mailboxId: number, modSeq: number): Promise<MessageInfo[]>;
  /**
   * UIDs expunged at a MODSEQ above `modSeq`, ascending (QRESYNC VANISHED, RFC 7162 §3.2.10).
   * The log keeps the last STORE_LIMITS.expungeLogPerMailbox entries per mailbox; when it no
   * longer reaches back to `modSeq` the answer is null, and the caller must treat every UID below
   * UIDNEXT that is not in the mailbox as possibly expunged (RFC 7162 §3.2.10.1 allows a server
   * to send such a superset). Mail stored before the log existed is covered the same way.
   */
  expungedSince(mailboxId: number, modSeq: number): Promise<number[] | null>;
  /** Appends to a mailbox (IMAP APPEND, Sent copies); durable on return. */
  append(mailboxId: number, bytes: Buffer, options?: AppendOptions): Promise<MessageInfo>;
  /**
   * Changes flags; returns the named messages that exist, as they are afterwards. Only those
   * whose flags changed get the new MODSEQ (one per call).
   */
  setFlags(
    mailboxId: number,
    uids: readonly number[],
    flags: readonly string[],
    mode: FlagMode,
    options?: WriteOptions,
  ): Promise<MessageInfo[]>;
  /** Copies to another mailbox (new UIDs there, flags and internal date kept), returns the `[source, destination]` UID pairs. */
  copy(
    fromMailboxId: number,
    uids: readonly number[],
    toMailboxId: number,
    options?: WriteOptions,
  ): Promise<[number, number][]>;
  /**
   * Moves messages atomically (RFC 6851): copies them as `copy` does and expunges them from the
   * source in ONE transaction, so a failure leaves both mailboxes as they were. Returns the
   * `[source, destination]` UID pairs (COPYUID); events: `append` in the destination, then
   * `expunge` in the source.
   */
  move(
    fromMailboxId: number,
    uids: readonly number[],
    toMailboxId: number,
    options?: WriteOptions,
  ): Promise<[number, number][]>;
  /** Removes messages for good (and logs their UIDs for `expungedSince`); returns the UIDs actually removed, ascending. */
  expunge(mailboxId: number, uids: readonly number[], options?: WriteOptions): Promise<number[]>;

  readonly queue: OutboundQueue;

  /** Listens to the changes `scope` covers (see `ChangeScope`); returns the unsubscribe function. */
  subscribe(scope: ChangeScope, listener: (change: StoreChange) => void): () => void;
  /** Finishes pending commits and closes. Idempotent. */
  close(): Promise<void>;
}
