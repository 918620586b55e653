/**
 * Every cap the SMTP server enforces, with its unit and where it comes from. The codec, the
 * session, the DATA/BDAT readers and the server read them from here (or from the options that
 * override them per server), so no two layers disagree. Caps every protocol shares (connections,
 * idle and session time, SASL lines, address sizes) are core's (src/core/limits.ts) and only
 * referenced here.
 */
import { ADDRESS_LIMITS, AUTH_LIMITS, CONNECTION_LIMITS, LINE_LIMITS } from '../../core/limits.js';

/** SMTP server limits (RFC 5321 §4.5.3 unless noted). */
export const SMTP_LIMITS = {
  /** RFC 5321 §4.5.3.1.4: a command line, including CRLF, in octets. */
  commandLineOctets: 512,
  /** RFC 5321 §4.5.3.1.6: a text line of the message, including CRLF, in octets. */
  dataLineOctets: 1000,
  /** RFC 5321 §4.5.3.1.8 requires at least 100 recipients per transaction; we take exactly 100. */
  recipientsPerMessage: 100,
  /** Largest message, in octets (SIZE, RFC 1870); `[smtp] max_message_size` overrides it. */
  messageOctets: 25 * 1024 * 1024,
  /** Syntax or sequence errors in one session before `421` and a hang-up (RFC 5321 §4.2.5 lets
   *  a server close on abuse). */
  errorsBeforeDisconnect: 10,
  /** Failed AUTH attempts in one session before `421` (the account throttle works across sessions). */
  authFailuresBeforeDisconnect: 3,
  /** Simultaneous connections from one client IP to one listener (core's default). */
  connectionsPerIp: CONNECTION_LIMITS.maxConnectionsPerIp,
  /** Simultaneous connections to one listener (core's default). */
  connections: CONNECTION_LIMITS.maxConnections,
  /** RFC 5321 §4.5.3.2.7: the server waits at least 5 minutes for the next command or data
   *  line, in milliseconds (core's line-layer default is exactly that). */
  idleTimeoutMs: LINE_LIMITS.idleTimeoutMs,
  /** Whole-session cap, in milliseconds (core's line-layer default). */
  sessionTimeoutMs: LINE_LIMITS.sessionTimeoutMs,
  /** Pause before the greeting during which a client that talks first is refused (RFC 5321
   *  §4.3.1: the client waits for the greeting), in milliseconds. 0 checks only what is already
   *  buffered (no delay), which is what a busy MX wants by default. */
  greetingDelayMs: 0,
  /** Longest SASL response line (RFC 4954 §4: 12288 octets for AUTH responses, core's SASL cap),
   *  which makes it the longest line the connection reads at all; longer ones are discarded as
   *  overflow. */
  authLineOctets: AUTH_LIMITS.maxSaslResponseOctets,
  /** A HELO/EHLO argument: a domain (RFC 5321 §4.5.3.1.2) or an address literal, in octets. */
  heloArgOctets: ADDRESS_LIMITS.domainMaxOctets,
  /** Digits of a MAIL SIZE value (RFC 1870 §6: up to 20); larger values are refused as malformed. */
  sizeParamDigits: 20,
  /** Digits of a BDAT chunk size (RFC 3030 §2 sets none; 15 keeps it a safe integer). */
  bdatSizeDigits: 15,
  /** RFC 3461 §4.4: an ENVID value is at most 100 characters. */
  envIdChars: 100,
  /** RFC 3461 §4.2: an ORCPT value is at most 500 characters. */
  orcptChars: 500,
  /** Largest BDAT chunk we read in one go before checking the total, in octets. */
  bdatReadOctets: 64 * 1024,
  /** Replies to pipelined commands (RFC 2920 §3.1) held back while more input is buffered, in
   *  octets: at this size they are written, and the connection's output backpressure takes
   *  over (LINE_LIMITS.maxUnreadOutputOctets). */
  replyBacklogOctets: 64 * 1024,
} as const;

/** The per-server subset a caller may override. */
export interface SmtpLimits {
  readonly maxMessageOctets: number;
  readonly maxRecipients: number;
  readonly errorsBeforeDisconnect: number;
  readonly greetingDelayMs: number;
}

/** Defaults for `SmtpLimits`. */
export const DEFAULT_SMTP_LIMITS: SmtpLimits = {
  maxMessageOctets: SMTP_LIMITS.messageOctets,
  maxRecipients: SMTP_LIMITS.recipientsPerMessage,
  errorsBeforeDisconnect: SMTP_LIMITS.errorsBeforeDisconnect,
  greetingDelayMs: SMTP_LIMITS.greetingDelayMs,
};
