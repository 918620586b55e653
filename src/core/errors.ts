/**
 * Errors with stable codes. Every error Outpost raises on purpose is an OutpostError whose `code`
 * never changes between releases, so callers and tests branch on codes, not on messages. Protocol
 * layers map codes to wire replies (SMTP code + enhanced status, DNS rcode, FTP reply); peers see a
 * generic message while logs keep the detail and the `cause`.
 */

/** Stable error codes, grouped by area. Add new codes; never rename or reuse one. */
export const ErrorCodes = {
  CONFIG_INVALID: 'ERR_CONFIG_INVALID',
  CONFIG_READ: 'ERR_CONFIG_READ',
  LINE_TOO_LONG: 'ERR_LINE_TOO_LONG',
  INPUT_TOO_LARGE: 'ERR_INPUT_TOO_LARGE',
  UNSAFE_OUTPUT: 'ERR_UNSAFE_OUTPUT',
  CONNECTION_CLOSED: 'ERR_CONNECTION_CLOSED',
  /** A read on a line connection while another read of the same connection is still pending. */
  READ_PENDING: 'ERR_READ_PENDING',
  TIMEOUT: 'ERR_TIMEOUT',
  TLS_UNAVAILABLE: 'ERR_TLS_UNAVAILABLE',
  /** A TLS peer's certificate failed verification (untrusted issuer, self-signed, wrong name, expired). */
  TLS_UNTRUSTED: 'ERR_TLS_UNTRUSTED',
  ALREADY_LISTENING: 'ERR_ALREADY_LISTENING',
  NOT_LISTENING: 'ERR_NOT_LISTENING',
  ACCOUNT_EXISTS: 'ERR_ACCOUNT_EXISTS',
  ACCOUNT_NOT_FOUND: 'ERR_ACCOUNT_NOT_FOUND',
  DOMAIN_EXISTS: 'ERR_DOMAIN_EXISTS',
  DOMAIN_NOT_FOUND: 'ERR_DOMAIN_NOT_FOUND',
  DOMAIN_IN_USE: 'ERR_DOMAIN_IN_USE',
  INVALID_ADDRESS: 'ERR_INVALID_ADDRESS',
  INVALID_PASSWORD_HASH: 'ERR_INVALID_PASSWORD_HASH',
  STORAGE: 'ERR_STORAGE',
  PARSE: 'ERR_PARSE',
  /** A value cannot be put on the wire (out-of-range field, type/data mismatch, oversize message). */
  ENCODE: 'ERR_ENCODE',
  /** A DNS server answered with an error rcode (REFUSED, NOTAUTH, SERVFAIL…). */
  DNS_RCODE: 'ERR_DNS_RCODE',
  /** An IXFR reply was incremental (RFC 1995 §4), which the transfer client does not apply. */
  TRANSFER_INCREMENTAL: 'ERR_TRANSFER_INCREMENTAL',
  /** An FTP data connection could not be opened, was refused or broke (passive/active). */
  FTP_DATA_CONNECTION: 'ERR_FTP_DATA_CONNECTION',
  /** An FTP server answered with an error or an unexpected reply (the client's view). */
  FTP_REPLY: 'ERR_FTP_REPLY',
  /** An FTP reply is malformed or too long (the client's view). */
  FTP_PROTOCOL: 'ERR_FTP_PROTOCOL',
  /** An FTP transfer failed on our side: the local file, or the data stream while it ran. */
  FTP_TRANSFER: 'ERR_FTP_TRANSFER',
  /** The mail store has no mailbox of that name for that user. */
  MAILBOX_NOT_FOUND: 'ERR_MAILBOX_NOT_FOUND',
  /** A mailbox of that name already exists (create, rename). */
  MAILBOX_EXISTS: 'ERR_MAILBOX_EXISTS',
  /** A mailbox name the store refuses (empty, control characters, INBOX rules). */
  MAILBOX_NAME_INVALID: 'ERR_MAILBOX_NAME_INVALID',
  /** An SMTP command line, path or parameter that does not parse (RFC 5321 §4.1). */
  SMTP_SYNTAX: 'ERR_SMTP_SYNTAX',
  /** An SMTP server refused the session or transaction (greeting, EHLO, STARTTLS, AUTH; the client's view). */
  SMTP_REPLY: 'ERR_SMTP_REPLY',
  /** An SMTP server's reply is malformed or out of sequence (the client's view). */
  SMTP_PROTOCOL: 'ERR_SMTP_PROTOCOL',
  /** An IMAP server answered a command NO or BAD, or said BYE (the client's view). */
  IMAP_REPLY: 'ERR_IMAP_REPLY',
  /** An IMAP server's response is malformed or over the client's limits (the client's view). */
  IMAP_PROTOCOL: 'ERR_IMAP_PROTOCOL',
  /** A cookie name, value or attribute breaks RFC 6265 §4.1 (CR/LF/`;`, bad token…). */
  COOKIE_INVALID: 'ERR_COOKIE_INVALID',
  /** An HTTP request could not be made or completed (the `outpost http` client). */
  HTTP_REQUEST: 'ERR_HTTP_REQUEST',
  /** A request path escapes the site root or is otherwise refused (`..`, NUL, symlink out). */
  HTTP_PATH_REFUSED: 'ERR_HTTP_PATH_REFUSED',
  /** A configured path cannot be used as configured (not a directory, cannot be created). */
  PATH_UNUSABLE: 'ERR_PATH_UNUSABLE',
  /** A command that reads a data directory found no suite data there. */
  NO_DATA: 'ERR_NO_DATA',
  /** A command would overwrite an existing file it was not told to replace (`--force`). */
  FILE_EXISTS: 'ERR_FILE_EXISTS',
  /** A host name has no address (the system resolver's or the DNS server's answer). */
  HOST_NOT_FOUND: 'ERR_HOST_NOT_FOUND',
  /** A TCP connection could not be opened (refused, unreachable, timed out). */
  CONNECT_FAILED: 'ERR_CONNECT_FAILED',
  /** A STARTTLS exchange (SMTP STARTTLS, POP3 STLS, IMAP STARTTLS, FTP AUTH TLS) was refused or broke. */
  STARTTLS_FAILED: 'ERR_STARTTLS_FAILED',
} as const;

/** One of the known codes (`ErrorCodes`' values): a typo or an unlisted code does not compile. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** Base class of every deliberate Outpost error. */
export class OutpostError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OutpostError';
    this.code = code;
  }
}

/** A configuration file or value was rejected; `path` names the key, `file` the source. */
export class ConfigError extends OutpostError {
  readonly file: string | undefined;
  readonly keyPath: string;

  constructor(message: string, keyPath: string, file?: string, options?: { cause?: unknown }) {
    super(ErrorCodes.CONFIG_INVALID, message, options);
    this.name = 'ConfigError';
    this.keyPath = keyPath;
    this.file = file;
  }
}

/** True when `err` is an OutpostError carrying `code`. */
export function hasCode(err: unknown, code: ErrorCode): boolean {
  return err instanceof OutpostError && err.code === code;
}
