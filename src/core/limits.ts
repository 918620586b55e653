/**
 * All limits in one place, with units and the RFC that motivates each. Parsers, sessions and
 * services read their caps from here so that two layers can never disagree about, say, how long an
 * address may be. Every value carries its unit in its name (`Ms`, `Bytes`, `Octets`) or in its doc
 * comment; protocol sections are added below as the protocols land.
 */

/**
 * Line-protocol connection limits shared by SMTP, POP3, IMAP, FTP control and Telnet
 * (src/core/line). Protocols may pass tighter or looser values per listener.
 */
export const LINE_LIMITS = {
  /** Longest command line including CRLF, in octets. RFC 5321 §4.5.3.1.4 requires 512 for SMTP
   *  commands and §4.5.3.1.6 1000 for text lines; IMAP (RFC 9051 §4) needs more room. */
  maxLineOctets: 8192,
  /** Idle time before the server hangs up, in milliseconds. RFC 5321 §4.5.3.2.7 asks SMTP
   *  servers to wait at least 5 minutes; RFC 9051 §5.4 asks IMAP for at least 30. */
  idleTimeoutMs: 5 * 60_000,
  /** Longest life of one connection, in milliseconds. */
  sessionTimeoutMs: 60 * 60_000,
  /** Time allowed for a TLS handshake (implicit TLS or STARTTLS), in milliseconds. */
  tlsHandshakeTimeoutMs: 30_000,
  /** Unread input buffered before the socket is paused (backpressure), in octets. */
  maxBufferedOctets: 1024 * 1024,
  /** Our replies the client has not read yet, beyond which no further command is read until it
   *  reads (a client pipelining `HELP` a million times and never reading), in octets. */
  maxUnreadOutputOctets: 64 * 1024,
} as const;

/**
 * Mailbox address limits (RFC 5321 §4.5.3.1). These are the minimum sizes every implementation
 * must accept, and Outpost treats them as maxima for the accounts it stores so that any of its
 * users can be addressed by any conforming peer.
 */
export const ADDRESS_LIMITS = {
  /** RFC 5321 §4.5.3.1.1: local part, in octets. */
  localPartMaxOctets: 64,
  /** RFC 5321 §4.5.3.1.2: domain, in octets. */
  domainMaxOctets: 255,
  /** RFC 1035 §2.3.4: one DNS label, in octets. */
  labelMaxOctets: 63,
  /**
   * RFC 5321 §4.5.3.1.3: a reverse- or forward-path is at most 256 octets *including* the angle
   * brackets, so the bare address can be at most 254.
   */
  pathMaxOctets: 256,
} as const;

/**
 * Authentication: password hashing bounds, failure throttling and the successful-login cache.
 * RFC 4954 §4 (SMTP AUTH), RFC 9051 §6.2.3 (IMAP) and RFC 5034 §4 (POP3 SASL) all leave it to the
 * server to slow down or refuse clients that keep failing; NIST SP 800-63B §5.2.2 asks for rate
 * limiting of online guessing. Failures are counted per client IP (IPv6 per /64) and per user.
 */
export const AUTH_LIMITS = {
  /** Failures of one user (from any IP) within `failureWindowMs` before that user is locked. */
  maxFailuresPerUser: 5,
  /** Failures from one IP (any user) within `failureWindowMs` before that IP is locked; higher than
   *  per user because NAT puts many honest users behind one address. */
  maxFailuresPerIp: 20,
  /** Sliding window over which failures are counted, in milliseconds. */
  failureWindowMs: 15 * 60_000,
  /** First lock-out, in milliseconds; each further lock-out of the same key doubles it. */
  baseLockMs: 30_000,
  /** Cap on one lock-out, in milliseconds (a locked user is also a denial of service to them). */
  maxLockMs: 15 * 60_000,
  /** An entry with no failure for this long is forgotten, lock level included, in milliseconds. */
  staleAfterMs: 60 * 60_000,
  /** Most keys (IPs, users, IP+user pairs) the throttle tracks; the least recently failed go first. */
  maxTrackedKeys: 100_000,
  /** How long a verified (address, password, hash) triple skips scrypt, in milliseconds. */
  authCacheTtlMs: 10 * 60_000,
  /** Most entries in the successful-login cache. */
  authCacheMaxEntries: 10_000,
  /** Longest password accepted, in UTF-8 octets. RFC 4616 §2 only requires 255; the cap keeps
   *  the pre-hash step of scrypt cheap. */
  maxPasswordOctets: 1024,
  /** Longest SASL client response (base64, one line), in octets: RFC 4954 §4 sets 12288 for SMTP;
   *  every protocol's exchange (src/core/sasl.ts) refuses longer ones, whatever its line limit. */
  maxSaslResponseOctets: 12_288,
  /** scrypt cost bounds accepted from a stored hash (log2 N), so a hostile hash in a config file
   *  cannot make each login burn gigabytes or seconds. */
  scryptMinLn: 10,
  scryptMaxLn: 20,
  /** scrypt block size bound. */
  scryptMaxR: 32,
  /** scrypt parallelism bound. */
  scryptMaxP: 16,
  /** Memory one scrypt verification may use (128 * N * r), in bytes. */
  scryptMaxMemoryBytes: 256 * 1024 * 1024,
  /** Work bound N * r * p: four times the default cost (N = 2^15, r = 8, p = 1). */
  scryptMaxWork: 4 * 2 ** 15 * 8,
} as const;

/** Connection accounting shared by every TCP listener (src/core/server). */
export const CONNECTION_LIMITS = {
  /** Simultaneous connections to one service. */
  maxConnections: 1000,
  /** Simultaneous connections from one client IP to one service. */
  maxConnectionsPerIp: 50,
  /** How long close() waits for sessions to finish before destroying them, in milliseconds. */
  drainTimeoutMs: 10_000,
} as const;
