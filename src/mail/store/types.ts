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
 */

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
  readonly subscribed: boolean;
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

/** The durable outbound queue (rows live in the same database as the mailboxes). */
export interface OutboundQueue {
  /** Entries with pending recipients whose next attempt is due at `now`, oldest first. */
  due(now: Date, limit: number): QueueEntry[];
  /** When the earliest pending entry is next due; null when nothing is pending. */
  nextDueAt(): Date | null;
  /** The bytes of an entry; null when it was deleted. */
  readBytes(id: string): Buffer | null;
  /**
   * Records one attempt durably: each recipient's outcome, the attempt count, and the next
   * attempt time (ignored when no recipient is left pending). An entry with nothing pending
   * left is removed.
   */
  recordAttempt(id: string, outcomes: readonly RecipientOutcome[], nextAttemptAt: Date): void;
  list(): QueueEntry[];
  get(id: string): QueueEntry | null;
  /** Removes an entry (`outpost queue delete`); false when there was none. */
  delete(id: string): boolean;
  /** Makes one entry (or all) due now; returns how many. */
  flush(id?: string): number;
}

/** A change, published after its commit (IMAP IDLE and NOTIFY listen to these). */
export type StoreChange =
  | { readonly kind: 'append'; readonly user: string; readonly mailboxId: number; readonly uid: number }
  | {
      readonly kind: 'flags';
      readonly user: string;
      readonly mailboxId: number;
      readonly uids: readonly number[];
      readonly modSeq: number;
    }
  | {
      readonly kind: 'expunge';
      readonly user: string;
      readonly mailboxId: number;
      readonly uids: readonly number[];
    }
  | { readonly kind: 'mailboxes'; readonly user: string };

/** How `setFlags` combines the given flags with the current ones (IMAP STORE FLAGS / +FLAGS / -FLAGS). */
export type FlagMode = 'replace' | 'add' | 'remove';

/** The mail store. Reads are synchronous snapshots; writes are durable when they return. */
export interface MailStore {
  /** Commits a message's deliveries and queue entry in one durable transaction (see file comment). */
  accept(request: AcceptRequest): Promise<AcceptResult>;

  /** Creates the default mailboxes for a user if missing (idempotent). */
  ensureMailboxes(user: string): void;
  listMailboxes(user: string): MailboxInfo[];
  /** A mailbox by name (INBOX matched case-insensitively); null when absent. */
  getMailbox(user: string, name: string): MailboxInfo | null;
  createMailbox(user: string, name: string, specialUse?: SpecialUse): MailboxInfo;
  /** Renames; a new UIDVALIDITY is not needed (RFC 9051 §6.3.6). */
  renameMailbox(user: string, from: string, to: string): void;
  deleteMailbox(user: string, name: string): void;
  setSubscribed(user: string, name: string, subscribed: boolean): void;

  /** Every message of a mailbox by ascending UID (from an index, never a scan of bytes). */
  listMessages(mailboxId: number): MessageInfo[];
  /** The exact stored bytes; null when expunged. */
  readMessage(mailboxId: number, uid: number): Buffer | null;
  /** Appends to a mailbox (IMAP APPEND, Sent copies); durable on return. */
  append(
    mailboxId: number,
    bytes: Buffer,
    options?: { flags?: readonly string[]; internalDate?: Date },
  ): MessageInfo;
  /** Changes flags; returns the messages as they are afterwards (with their new MODSEQ). */
  setFlags(
    mailboxId: number,
    uids: readonly number[],
    flags: readonly string[],
    mode: FlagMode,
  ): MessageInfo[];
  /** Copies to another mailbox (new UIDs there), returns the `[source, destination]` UID pairs. */
  copy(fromMailboxId: number, uids: readonly number[], toMailboxId: number): [number, number][];
  /** Removes messages for good; returns the UIDs actually removed. */
  expunge(mailboxId: number, uids: readonly number[]): number[];

  readonly queue: OutboundQueue;

  /** Subscribes to changes; returns the unsubscribe function. */
  subscribe(listener: (change: StoreChange) => void): () => void;
  /** Finishes pending commits and closes. Idempotent. */
  close(): Promise<void>;
}
