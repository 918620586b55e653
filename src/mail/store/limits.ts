/**
 * Every cap of the mail store, in one place so both backends (SQLite and memory) and the rules
 * they share (mailbox names, flags, keywords) enforce the same numbers. Each bounds something a
 * client could otherwise grow without end.
 */

/** The store's caps (see each field). */
export const STORE_LIMITS = {
  /** Longest mailbox name, in characters (mailbox-name.ts); a name is one path of the hierarchy. */
  mailboxNameChars: 255,
  /** Longest keyword (a user-defined flag, RFC 9051 §2.3.2), in characters (flags.ts): keeps one
   *  message's flag column bounded. */
  keywordChars: 100,
  /** Most flags one message may carry, system flags and keywords together (flags.ts). */
  flagsPerMessage: 64,
  /**
   * Expunged UIDs remembered per mailbox for QRESYNC VANISHED (RFC 7162 §3.2.10). Past this the
   * oldest entries are dropped and the mailbox's expunge floor rises; `expungedSince` then
   * answers null for a MODSEQ below the floor (see types.ts).
   */
  expungeLogPerMailbox: 10_000,
  /**
   * Distinct keywords one mailbox may hold (its PERMANENTFLAGS list, RFC 9051 §7.1). A flag
   * change that would add a new keyword past this fails with INPUT_TOO_LARGE; IMAP then stops
   * advertising `\*` for that mailbox.
   */
  keywordsPerMailbox: 1_000,
  /** Subscriptions per user: they may name mailboxes that do not exist (RFC 9051 §6.3.7). */
  subscriptionsPerUser: 10_000,
  /**
   * Characters of decoded body text kept per message for SEARCH BODY/TEXT (2 MiB of text, far
   * more than any message's readable content; what lies past it is not searchable).
   */
  searchBodyChars: 2 * 1024 * 1024,
  /**
   * Bytes (estimated from the stored JSON) of parsed ENVELOPE/BODYSTRUCTURE kept in memory for
   * IMAP FETCH (structure-cache.ts): about 50,000 messages' envelopes.
   */
  structureCacheBytes: 32 * 1024 * 1024,
} as const;

/** The caps a store may be opened with (tests use small ones); each defaults to STORE_LIMITS. */
export interface StoreLimits {
  readonly expungeLogPerMailbox?: number;
  readonly keywordsPerMailbox?: number;
  readonly subscriptionsPerUser?: number;
}

/** Every cap, defaults filled in. */
export type ResolvedStoreLimits = Required<StoreLimits>;

/** The caps with defaults for those not given. */
export function resolveStoreLimits(limits: StoreLimits = {}): ResolvedStoreLimits {
  return {
    expungeLogPerMailbox: limits.expungeLogPerMailbox ?? STORE_LIMITS.expungeLogPerMailbox,
    keywordsPerMailbox: limits.keywordsPerMailbox ?? STORE_LIMITS.keywordsPerMailbox,
    subscriptionsPerUser: limits.subscriptionsPerUser ?? STORE_LIMITS.subscriptionsPerUser,
  };
}
