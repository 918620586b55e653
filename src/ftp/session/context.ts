/**
 * What an FTP command handler may use of its session: the control connection, the options the
 * server gave (hooks and settings), the state, the transfer settings, the data channel, the
 * command table's descriptions (for HELP and FEAT), and the transfer runner. Handlers (the
 * handlers-*.ts files) depend on this interface, never on the session class, so the session, the
 * command table and the handlers form no import cycle; FtpSession implements it.
 */
import type { Counter } from 'prom-client';
import type { SecureContext } from 'node:tls';
import type { LoginPolicy } from '../../core/auth/login-policy.js';
import type { LineConnection } from '../../core/line/connection.js';
import type { Logger } from '../../core/logger.js';
import type { CommandMeter } from '../../core/metrics.js';
import type { HostArgument } from '../codec/host.js';
import type { FtpReply } from '../codec/reply.js';
import type { PortRange } from '../server/data-channel.js';
import type { FsError, FtpPermissions } from '../server/user-fs.js';
import type { DataChannel, DataConnection } from './data-channel.js';
import type { FtpUser, RunningTransfer, SessionState, TransferSettings, VirtualHost } from './state.js';

/** The outcome of a login attempt, as the embedding server decides it. */
export type LoginOutcome =
  | { readonly ok: true; readonly user: FtpUser; readonly root: string; readonly permissions: FtpPermissions }
  | { readonly ok: false; readonly reason: 'invalid' | 'throttled' };

/** What a session needs from its server. */
export interface FtpSessionOptions {
  /** Checks USER/PASS (not called for anonymous logins) on the virtual host HOST selected. */
  authenticate: (
    user: string,
    password: string,
    ip: string,
    host: VirtualHost | null,
  ) => Promise<LoginOutcome>;
  /**
   * The virtual host a HOST argument names (RFC 7151), or null for an unknown one (504). Absent:
   * every well-formed name is accepted and selects the one tree.
   */
  virtualHost?: ((requested: HostArgument) => VirtualHost | null | Promise<VirtualHost | null>) | undefined;
  /** Public read-only directory for USER anonymous/ftp; absent = no anonymous login. */
  anonymousRoot?: string | undefined;
  /** TLS for AUTH TLS and PROT P; absent = not offered. */
  tlsContext?: (() => SecureContext | undefined) | undefined;
  /** When passwords may be sent without TLS (default: from loopback only). `requireTls` also
   *  refuses USER/PASS, anonymous included, until TLS is active (RFC 4217 §6). */
  loginPolicy?: Partial<LoginPolicy> | undefined;
  /** @deprecated Use `loginPolicy: { requireTls }`; still honoured. */
  requireTls?: boolean | undefined;
  /** @deprecated Use `loginPolicy: { allowPlaintextLogin }`; still honoured. */
  allowPlaintextLogin?: boolean | undefined;
  /** Passive data ports (the server's socket data channel uses them). */
  passivePorts?: PortRange | undefined;
  /** Address advertised in 227 replies (NAT); the control connection's local address otherwise. */
  passiveAddress?: string | undefined;
  /**
   * The data channel of one control connection: how PASV/PORT and transfers make their
   * connections (the server gives sockets, server/data-channel.ts; tests give memory).
   */
  dataChannel: (conn: LineConnection) => DataChannel;
  dataConnectTimeoutMs?: number;
  dataIdleTimeoutMs?: number;
  /** fsync uploads before 226 (default true). */
  fsync?: boolean;
  /** The connection arrived on an implicit-TLS listener (PROT P by default). */
  implicitTls?: boolean;
  greeting?: string;
  logger?: Logger;
  /** Counts commands by verb and reply class (the server's metrics). */
  commands?: CommandMeter | undefined;
  /** Counts data-connection octets by direction, `sent` or `received` (the server's metrics). */
  dataBytes?: Counter<'direction'> | undefined;
  now?: () => Date;
}

/**
 * A handler's result: the reply to send, or null when none is due now: a transfer started (its
 * 150 and final reply come from the transfer runner) or AUTH TLS wrote its 234 with the handshake.
 */
export type HandlerResult = FtpReply | null;

/** The part of a command-table row HELP and FEAT need. */
export interface CommandInfo {
  readonly verb: string;
  /** HELP syntax, e.g. `RETR <sp> pathname`. */
  readonly help: string;
  /** FEAT line (RFC 2389), when the command is an extension worth announcing. */
  readonly feat?: string;
}

/** The body of a transfer: moves the bytes; resolves with the 226 text (default "Transfer complete"). */
export type TransferBody = (data: DataConnection, transfer: RunningTransfer) => Promise<string | undefined>;

/** A transfer a handler asks the session to run. */
export interface TransferRequest {
  /** For STAT, the log and the data-octets metric (uploads: STOR, APPE, STOU). */
  readonly verb: string;
  /** The virtual path, for STAT. */
  readonly path: string;
  /** Text of the 150 reply. */
  readonly opening: string;
  readonly body: TransferBody;
  /** Ask the data channel for bulk reads (binary uploads). */
  readonly bulkReads?: boolean;
  /** Runs once the transfer has ended, however it ended (closes its file); idempotent. */
  readonly release?: () => Promise<void>;
}

/** The session as its command handlers see it. */
export interface FtpSessionContext {
  readonly conn: LineConnection;
  readonly options: FtpSessionOptions;
  readonly logger: Logger;
  state: SessionState;
  readonly settings: TransferSettings;
  /** Prepares and opens the data connections. */
  readonly data: DataChannel;
  /** The command table's descriptions, by verb, in table order. */
  readonly commands: ReadonlyMap<string, CommandInfo>;
  now(): Date;
  /** TLS context when AUTH TLS and PROT P can be offered. */
  tls(): SecureContext | undefined;
  /** True when a plaintext password from this client must be refused (the login policy). */
  plaintextRefused(): boolean;
  /**
   * Opens the prepared data connection and runs the transfer's body on it beside the command
   * loop; null when it started (the runner writes 150 and the final reply), else the refusal (425
   * when nothing was prepared), in which case the caller still owns what it opened.
   */
  startTransfer(transfer: TransferRequest): HandlerResult;
  /** Aborts the running transfer (ABOR); resolves after its 426. False when none ran. */
  abortTransfer(): Promise<boolean>;
}

/**
 * RFC 959 §4.2.2: 553 when a name is not allowed, 452 when the disk is full, 451 for other I/O
 * errors, 550 for every other refusal.
 */
export function fsReplyCode(err: FsError): number {
  switch (err.kind) {
    case 'bad-name':
      return 553;
    case 'no-space':
      return 452;
    case 'io':
      return 451;
    default:
      return 550;
  }
}
