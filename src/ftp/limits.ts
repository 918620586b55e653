/**
 * Every FTP limit in one place, with units and the RFC that motivates it. The codec, the session,
 * the data channels and the client read their caps from here. Values core already defines (the
 * line layer's) are referenced, not repeated.
 */
import { LINE_LIMITS } from '../core/limits.js';

export const FTP_LIMITS = {
  /** Longest command line including CRLF, in octets. RFC 959 sets none; a path of
   *  `maxPathOctets` plus a verb and an option list fits with room to spare. */
  maxCommandOctets: 2048,
  /** Longest path argument, in UTF-8 octets (Linux PATH_MAX is 4096; real clients stay far below). */
  maxPathOctets: 1024,
  /** Idle time on the control connection before `421` and close, in milliseconds
   *  (vsftpd's idle_session_timeout is 300 s). Not counted while a transfer runs. */
  idleTimeoutMs: LINE_LIMITS.idleTimeoutMs,
  /** Time a data connection may stall (no byte either way) before the transfer aborts with 426,
   *  in milliseconds (vsftpd's data_connection_timeout). */
  dataIdleTimeoutMs: 5 * 60_000,
  /** Time allowed for a passive data connection to arrive or an active one to connect, in
   *  milliseconds (vsftpd's accept_timeout / connect_timeout are 60 s). */
  dataConnectTimeoutMs: 30_000,
  /** Longest wait for a data connection whatever `data_timeout_seconds` says, in milliseconds
   *  (vsftpd's accept_timeout): the stall limit may be long, the wait for a connection not. */
  maxDataConnectTimeoutMs: 60_000,
  /** Read size for downloads and socket high-water mark, in octets: big chunks keep the
   *  syscall count low (issue 7's throughput target). */
  transferChunkOctets: 1024 * 1024,
  /** Octets an upload writes between background fdatasyncs when uploads are fsync'ed (writeback
   *  starts early, so the fsync before 226 waits for the tail only). */
  writebackOctets: 32 * 1024 * 1024,
  /** Largest file whose TYPE A SIZE is computed by scanning it (RFC 3659 §4: SIZE reports the
   *  size as transferred); larger files get 550 in TYPE A, in octets. */
  maxAsciiSizeScanOctets: 64 * 1024 * 1024,
  /** Most entries one LIST/NLST/MLSD returns (bounded memory per directory listing). */
  maxListEntries: 100_000,
  /** Attempts at a free port in the passive range before 425. */
  passivePortAttempts: 64,
  /** Lowest port PORT/EPRT may name (RFC 2577 §3: refuse privileged ports, bounce attacks). */
  minActivePort: 1024,
  /** Longest unique-name attempt loop for STOU. */
  stouAttempts: 100,
  /** Lines of a multi-line reply the client accepts before giving up (bounded read). */
  maxReplyLines: 100_000,
  /** Longest reply line the client reads, including CRLF, in octets (servers put file names
   *  and MLST facts in replies, so more than the server's command limit). */
  clientMaxReplyLineOctets: 64 * 1024,
  /** How long the client waits for a reply, a connection or a data connection, in milliseconds
   *  (the client's default; `timeoutMs` overrides it). */
  clientReplyTimeoutMs: 30_000,
  /** After a transfer's last byte, how long the server waits for the data connection to close
   *  before destroying it, in milliseconds. */
  dataCloseGraceMs: 5_000,
  /** Pending connections a passive listener queues (it accepts exactly one). */
  passiveBacklog: 4,
} as const;
