/**
 * Limits and timeouts of the SMTP client (our submission user agent and the queue's relay), with
 * the RFC each comes from. Timeouts are per command, as RFC 5321 §4.5.3.2 asks of a client.
 */

/** SMTP client caps. Times in milliseconds, sizes in octets. */
export const SMTP_CLIENT_LIMITS = {
  /** Establishing the TCP connection (not in RFC 5321; a dead MX must not hold a delivery). */
  connectTimeoutMs: 30_000,
  /** RFC 5321 §4.5.3.2.1: initial 220 greeting, 5 minutes. Also used for EHLO, STARTTLS, AUTH,
   *  RSET and QUIT, which RFC 5321 does not list separately. */
  greetingTimeoutMs: 5 * 60_000,
  /** RFC 5321 §4.5.3.2.2: MAIL command, 5 minutes. */
  mailTimeoutMs: 5 * 60_000,
  /** RFC 5321 §4.5.3.2.3: each RCPT command, 5 minutes. */
  rcptTimeoutMs: 5 * 60_000,
  /** RFC 5321 §4.5.3.2.4: DATA initiation (waiting for 354), 2 minutes. */
  dataInitTimeoutMs: 2 * 60_000,
  /** RFC 5321 §4.5.3.2.5: each data block written (waiting for the socket to drain), 3 minutes. */
  dataBlockTimeoutMs: 3 * 60_000,
  /** RFC 5321 §4.5.3.2.6: DATA termination (the reply to `.` or BDAT LAST), 10 minutes. */
  dataTermTimeoutMs: 10 * 60_000,
  /** RFC 5321 §4.5.3.1.5 allows 512-octet reply lines; we accept up to 4 KiB (CRLF included). */
  replyLineOctets: 4096,
  /** Lines in one multi-line reply (EHLO lists are the longest in practice). */
  replyLines: 100,
  /** Largest BDAT chunk we send (RFC 3030 leaves the size to the client). */
  bdatChunkOctets: 1024 * 1024,
} as const;

/** The per-command timeouts a caller may override. */
export type SmtpClientTimeouts = {
  -readonly [K in keyof typeof SMTP_CLIENT_LIMITS as K extends `${string}TimeoutMs` ? K : never]: number;
};
