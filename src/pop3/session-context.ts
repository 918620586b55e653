/**
 * What a POP3 command handler may use of its session: the connection (to reply), the services
 * (store, accounts, locks), the state, and a few session-wide decisions. Handlers live in
 * src/pop3/commands/ and never touch sockets or timers; the session implements this interface.
 */
import type { SecureContext } from 'node:tls';
import type { LoginPolicy } from '../core/auth/login-policy.js';
import type { AccountStore } from '../core/accounts/store.js';
import type { LineConnection } from '../core/line/connection.js';
import type { Logger } from '../core/logger.js';
import type { CommandMeter } from '../core/metrics.js';
import type { MailStore } from '../mail/index.js';
import type { MaildropCache, MaildropLocks } from './maildrop.js';
import type { Pop3State, TransactionState } from './state.js';

/** The services a session works with; one set per server, shared by its sessions. */
export interface Pop3SessionDeps {
  readonly store: MailStore;
  readonly accounts: Pick<AccountStore, 'authenticate'>;
  readonly locks: MaildropLocks;
  readonly maildrops: MaildropCache;
  /** The TLS context for STLS; undefined when no certificate is available. */
  readonly tlsContext: () => SecureContext | undefined;
  /** When USER/PASS/AUTH may be used without TLS (asked per use: reloadable). */
  readonly loginPolicy: () => LoginPolicy;
  readonly hostname: string;
  readonly logger: Logger;
  /** Counts commands by verb and reply class, `ok` or `err` (the server's metrics). */
  readonly commands?: CommandMeter;
}

/** A parsed command as a handler sees it. */
export interface CommandInput {
  readonly verb: string;
  readonly args: readonly string[];
  readonly rest: string;
}

/** The session as its command handlers see it. */
export interface Pop3SessionContext {
  readonly conn: LineConnection;
  readonly deps: Pop3SessionDeps;
  state: Pop3State;
  /** Writes one response line. */
  reply(line: string): void;
  /** Writes several lines in one socket write (multi-line responses). */
  replyLines(lines: readonly string[]): void;
  /** Hang up once the current command is answered. */
  end(): void;
  /** True when USER/PASS/AUTH may be used now (TLS, or plaintext where the login policy allows). */
  plaintextAuthAllowed(): boolean;
  /** True when STLS can be offered now (a certificate exists and the connection is plain). */
  tlsOffered(): boolean;
  /** The CAPA lines for the current state (RFC 2449 §5). */
  capabilities(): string[];
  /** Counts a failed login; true when the session has had too many and must end. */
  loginFailed(): boolean;
}

/** The TRANSACTION state; the gate guarantees handlers of TRANSACTION commands only run in it. */
export function transaction(ctx: Pop3SessionContext): TransactionState {
  if (ctx.state.kind !== 'transaction') throw new Error(`not in TRANSACTION (${ctx.state.kind})`);
  return ctx.state;
}
