/**
 * Every limit of the POP3 server in one place, with units and the RFC behind each, so the codec,
 * the command table, the session and the server cannot disagree. Connection-level limits not
 * listed here (buffered input, TLS handshake time, connections per IP) come from
 * src/core/limits.ts, and values core already holds (address sizes) are referenced, not repeated.
 */
import { ADDRESS_LIMITS } from '../core/limits.js';

/** Longest command line accepted, in octets including CRLF (see `POP3_LIMITS.maxLineOctets`). */
const MAX_LINE_OCTETS = 2048;

export const POP3_LIMITS = {
  /**
   * Longest command line accepted, in octets including CRLF. RFC 2449 §4 caps a command at 255
   * octets, but RFC 5034 §4 lets a SASL response line (base64) be longer, and a PLAIN response
   * carries an address (254 octets, RFC 5321 §4.5.3.1.3) and a password (AUTH_LIMITS, 1024
   * octets): base64 of those is ~1.7 KiB. Longer lines get `-ERR` and are discarded.
   */
  maxLineOctets: MAX_LINE_OCTETS,
  /** RFC 2449 §4: one argument is at most 40 octets (message numbers, mechanism names); also the
   *  longest keyword the parser takes (RFC 1939's are 3-4 characters). */
  maxArgOctets: 40,
  /**
   * USER's argument, in octets: an address, longer than RFC 2449's 40. RFC 5321 §4.5.3.1.3 caps
   * a path at 256 octets with its angle brackets, so the bare address at 254.
   */
  userArgOctets: ADDRESS_LIMITS.pathMaxOctets - 2,
  /** An AUTH initial response may be as long as the command line allows (RFC 5034 §4). */
  saslArgOctets: MAX_LINE_OCTETS,
  /**
   * Idle time before the server hangs up, in milliseconds. RFC 1939 §3: the autologout timer
   * MUST be at least 10 minutes. A timeout never enters the UPDATE state (deletions are lost).
   */
  idleTimeoutMs: 10 * 60_000,
  /** Longest life of one session, in milliseconds (a slow download of a big maildrop fits). */
  sessionTimeoutMs: 4 * 60 * 60_000,
  /** Failed logins (USER/PASS or AUTH) in one session before the server hangs up. */
  maxAuthFailures: 3,
  /** Rejected commands (unknown, malformed, wrong state) in one session before hanging up. */
  maxBadCommands: 20,
  /**
   * Highest message number parsed, so `RETR 99999999999999999999` is a plain "no such message"
   * rather than a float; also the most messages a maildrop snapshot lists.
   */
  maxMessageNumber: 2 ** 31 - 1,
  /** Highest line count TOP accepts (RFC 1939 §7: a non-negative number); larger means "all". */
  maxTopLines: 2 ** 31 - 1,
  /** Largest message RETR reads ahead (src/pop3/read-ahead.ts), in octets: at most this much is
   *  held per idle session (x 1000 connections = 256 MiB worst case). */
  readAheadMaxOctets: 256 * 1024,
  /** Maildrop indexes (UIDs and sizes per INBOX) cached by one server, least recently used go. */
  maildropCacheEntries: 256,
} as const;
