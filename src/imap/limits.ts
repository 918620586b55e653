/**
 * Every cap of the IMAP server in one place, with units and the RFC behind each, so the codec,
 * the session and the server cannot disagree (imapflow's lib/handler/limits.js idea). Limits
 * shared by every line protocol (buffered input, TLS handshake time, connections, SASL response
 * length) are not repeated here: they come from src/core/limits.ts. The APPEND limit is a
 * setting (`[imap] max_message_size`, advertised as APPENDLIMIT, RFC 7889), passed to the parser.
 */
import { AUTH_LIMITS, LINE_LIMITS } from '../core/limits.js';

export const IMAP_LIMITS = {
  /**
   * Longest command line, in octets including CRLF. RFC 2683 §3.2.1.5 and RFC 7162 §4 ask
   * servers to accept at least 8000 octets (clients send long UID sets, QRESYNC known-UID sets);
   * Dovecot accepts 64 KiB, and so do we (the core default, LINE_LIMITS.maxLineOctets, is 8 KiB).
   */
  maxLineOctets: 64 * 1024,
  /**
   * Octets of one command's lines together (literal contents excluded): a command continued over
   * several literals is re-checked at each one, so this also bounds that work.
   */
  maxCommandOctets: 128 * 1024,
  /** Literals in one command (LOGIN has 2, APPEND 1; RFC 9051 sets no limit). */
  maxLiteralsPerCommand: 64,
  /**
   * Largest literal of any command but APPEND, in octets (a password, a search string, a mailbox
   * name). Larger ones get `NO [TOOBIG]` before the client sends them (RFC 9051 §7.1, RFC 7888
   * §4 for non-synchronising ones).
   */
  maxLiteralOctets: 64 * 1024,
  /**
   * A non-synchronising literal over its limit is read and thrown away (then `BAD [TOOBIG]`,
   * RFC 7888 §4) up to this many octets; a larger one closes the connection, since reading it
   * would let a client keep us busy with gigabytes (a literal claiming 4 GB).
   */
  literalDiscardCapOctets: 64 * 1024 * 1024,
  /**
   * The APPEND limit when the setting is absent, in octets: 25 MiB, the same default as SMTP's
   * message size (the suite passes `[imap] max_message_size`, which defaults to `[smtp]`'s).
   */
  defaultAppendOctets: 25 * 1024 * 1024,
  /** Nesting depth of parenthesised lists, search groups included (RFC 9051 sets none). */
  maxNestingDepth: 32,
  /** Depth of one search program (NOT, OR and parentheses each add one level). */
  maxSearchDepth: 256,
  /** Search keys in one SEARCH command (each key, operator or group counts one). */
  maxSearchKeys: 1000,
  /** Ranges (or single numbers) in one sequence set (RFC 9051 §9 sequence-set). */
  maxSequenceRanges: 16_384,
  /** Items in any one parenthesised list of a command (flags, FETCH items, header names). */
  maxListItems: 1000,
  /** Longest tag, in octets (RFC 9051 §2.2.1 sets none; tags are echoed in every reply). */
  maxTagOctets: 128,
  /** RFC 2971 §3.3: at most 30 field-value pairs in ID, fields of 30 octets, values of 1024. */
  maxIdPairs: 30,
  maxIdFieldOctets: 30,
  maxIdValueOctets: 1024,
  /** Largest number in a sequence set or UID (RFC 9051 §9: nz-number is 32-bit unsigned). */
  maxNumber: 4_294_967_295,
  /** Longest SASL response line of AUTHENTICATE (shared with SMTP and POP3). */
  maxSaslResponseOctets: AUTH_LIMITS.maxSaslResponseOctets,
  /** Before login, silence after which the server hangs up, in milliseconds (1 minute). */
  unauthenticatedIdleMs: 60_000,
  /**
   * After login, in milliseconds. RFC 9051 §5.4: an inactivity autologout timer MUST be at least
   * 30 minutes (the core line default, LINE_LIMITS.idleTimeoutMs, is SMTP's 5 minutes).
   */
  authenticatedIdleMs: 30 * 60_000,
  /** During IDLE, `* OK Still here` after this much silence, in milliseconds (NAT keepalive). */
  idleKeepaliveMs: 2 * 60_000,
  /**
   * The server ends an IDLE no sooner than this, in milliseconds. RFC 2177 §3 (and RFC 9051
   * §6.3.13) tells clients to re-issue IDLE at least every 29 minutes, so 30 is the earliest.
   */
  idleMaxMs: 30 * 60_000,
  /** Whole-session cap: none, IMAP sessions live for days (IDLE). */
  sessionTimeoutMs: Infinity,
  /** Rejected commands in one session before `* BYE` (Dovecot's CLIENT_MAX_BAD_COMMANDS). */
  maxBadCommands: 20,
  /** Failed LOGIN/AUTHENTICATE in one session before `* BYE` (the account throttle spans sessions). */
  maxAuthFailures: 3,
} as const;

/** The limits one parser applies: IMAP_LIMITS with the APPEND limit set by the server. */
export interface ImapParserLimits {
  readonly maxCommandOctets: number;
  readonly maxLiteralsPerCommand: number;
  readonly maxLiteralOctets: number;
  readonly literalDiscardCapOctets: number;
  /** APPEND's message literal, in octets (`[imap] max_message_size`). */
  readonly maxAppendOctets: number;
  readonly maxNestingDepth: number;
  readonly maxSearchDepth: number;
  readonly maxSearchKeys: number;
  readonly maxSequenceRanges: number;
  readonly maxListItems: number;
  readonly maxTagOctets: number;
}

/** The parser's limits from IMAP_LIMITS, with overrides (tests, `[imap] max_message_size`). */
export function parserLimits(overrides: Partial<ImapParserLimits> = {}): ImapParserLimits {
  return {
    maxCommandOctets: IMAP_LIMITS.maxCommandOctets,
    maxLiteralsPerCommand: IMAP_LIMITS.maxLiteralsPerCommand,
    maxLiteralOctets: IMAP_LIMITS.maxLiteralOctets,
    literalDiscardCapOctets: IMAP_LIMITS.literalDiscardCapOctets,
    maxAppendOctets: IMAP_LIMITS.defaultAppendOctets,
    maxNestingDepth: IMAP_LIMITS.maxNestingDepth,
    maxSearchDepth: IMAP_LIMITS.maxSearchDepth,
    maxSearchKeys: IMAP_LIMITS.maxSearchKeys,
    maxSequenceRanges: IMAP_LIMITS.maxSequenceRanges,
    maxListItems: IMAP_LIMITS.maxListItems,
    maxTagOctets: IMAP_LIMITS.maxTagOctets,
    ...overrides,
  };
}

/** The line layer's settings for an IMAP connection (LineConnectionOptions' limits). */
export const IMAP_LINE_OPTIONS = {
  maxLineOctets: IMAP_LIMITS.maxLineOctets,
  idleTimeoutMs: IMAP_LIMITS.unauthenticatedIdleMs,
  sessionTimeoutMs: IMAP_LIMITS.sessionTimeoutMs,
  tlsHandshakeTimeoutMs: LINE_LIMITS.tlsHandshakeTimeoutMs,
  maxBufferedOctets: LINE_LIMITS.maxBufferedOctets,
  maxUnreadOutputOctets: LINE_LIMITS.maxUnreadOutputOctets,
} as const;
