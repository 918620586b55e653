/**
 * What a POP3 command handler may use of its session: the connection (to read a SASL response and
 * to write its `+` challenges), the services (store, accounts, locks), the state, and a few
 * session-wide decisions. Handlers live in src/pop3/commands/, get the state they run in (the
 * gate guarantees it) and *return* their reply (`Pop3Reply`); they never touch sockets or timers,
 * and the session implements this interface, so nothing imports the session (no cycle).
 */
import type { SecureContext } from 'node:tls';
import type { LoginPolicy } from '../core/auth/login-policy.js';
import type { AccountStore } from '../core/accounts/store.js';
import type { LineConnection } from '../core/line/connection.js';
import type { LoginSession } from '../core/session/password-login.js';
import type { Logger } from '../core/logger.js';
import type { CommandMeter } from '../core/metrics.js';
import type { MailStore } from '../mail/index.js';
import type { MaildropCache, MaildropLocks } from './maildrop.js';
import type { Pop3Reply } from './codec/reply.js';
import type { Pop3State } from './state.js';

/** The services a session works with: the server's, shared by its sessions, and the settings
 *  current when the session was accepted. */
export interface Pop3SessionDeps {
  readonly store: MailStore;
  readonly accounts: Pick<AccountStore, 'authenticate'>;
  readonly locks: MaildropLocks;
  readonly maildrops: MaildropCache;
  /** The TLS context for STLS; undefined when no certificate is available. */
  readonly tlsContext: () => SecureContext | undefined;
  /** When USER/PASS/AUTH may be used without TLS (asked per use; the one the session was
   *  accepted with: a reload gives new sessions a new one). */
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

/** The session as its command handlers see it (LoginSession: what its login handlers use, with
 *  `plaintextAuthAllowed` for USER/PASS/AUTH, `tlsOffered` for STLS and `capabilities` the CAPA
 *  lines for the current state, RFC 2449 §5). */
export interface Pop3SessionContext extends LoginSession {
  readonly conn: LineConnection;
  readonly deps: Pop3SessionDeps;
  /** The state; a handler replaces it as a whole once a step has succeeded. */
  state: Pop3State;
  /**
   * The reply that starts TLS (STLS): the session writes `line` and starts the handshake in one
   * step, dropping whatever the client pipelined after the command (RFC 2595 §4).
   */
  startTls(context: SecureContext, line: string): Pop3Reply;
}
