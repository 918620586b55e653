/**
 * What an IMAP command handler may use of its session: the connection (to read a SASL response
 * and write its `+` challenges), the services (store, accounts), the state, and a few
 * session-wide decisions. Handlers live in src/imap/session/commands/, get the state they run in
 * (the gate guarantees it) and *return* their reply; the session implements this interface, so
 * nothing imports the session (no cycle).
 */
import type { SecureContext } from 'node:tls';
import type { AccountStore } from '../../core/accounts/store.js';
import type { LoginPolicy } from '../../core/auth/login-policy.js';
import type { LineConnection } from '../../core/line/connection.js';
import type { LoginSession } from '../../core/session/password-login.js';
import type { Logger } from '../../core/logger.js';
import type { CommandMeter } from '../../core/metrics.js';
import type { MailStore } from '../../mail/index.js';
import type { ImapReply } from './reply.js';
import type { ImapState } from './state.js';

/** The services a session works with; one set per server, shared by its sessions. */
export interface ImapSessionDeps {
  readonly store: MailStore;
  readonly accounts: Pick<AccountStore, 'authenticate'>;
  /** The TLS context for STARTTLS; undefined when no certificate is available. */
  readonly tlsContext: () => SecureContext | undefined;
  /** When LOGIN/AUTHENTICATE may be used without TLS (asked per use: reloadable). */
  readonly loginPolicy: () => LoginPolicy;
  /** APPEND's limit in octets (`[imap] max_message_size`, advertised as APPENDLIMIT). */
  readonly maxMessageSize: number;
  readonly hostname: string;
  readonly logger: Logger;
  /** Counts commands by name and status (the server's metrics). */
  readonly commands?: CommandMeter;
}

/**
 * Extensions a client can turn on with ENABLE (RFC 5161); CONDSTORE also by any CONDSTORE
 * enabling command (RFC 7162 §3.1), and QRESYNC turns CONDSTORE on with it.
 */
export type Enableable = 'IMAP4rev2' | 'UTF8=ACCEPT' | 'CONDSTORE' | 'QRESYNC';

/** The session as its command handlers see it (LoginSession: what its login handlers use, with
 *  `plaintextAuthAllowed` for LOGIN/AUTHENTICATE, `tlsOffered` for STARTTLS and `capabilities`
 *  the CAPABILITY list for the current state). */
export interface ImapSessionContext extends LoginSession {
  readonly conn: LineConnection;
  readonly deps: ImapSessionDeps;
  /** The state; a handler replaces it as a whole once a step has succeeded. */
  state: ImapState;
  /** The extensions ENABLE turned on. */
  readonly enabled: ReadonlySet<Enableable>;
  /** Mailbox names and strings are UTF-8 (IMAP4rev2 or UTF8=ACCEPT enabled), not modified UTF-7. */
  readonly utf8: boolean;
  /** The origin this session's store writes carry (`imap-<connection id>`). */
  readonly origin: string;
  /** IDLE's keepalive interval in ms (tests shorten it); IMAP_LIMITS.idleKeepaliveMs when undefined. */
  readonly idleKeepaliveMs: number | undefined;
  /** The store changed the selected mailbox (wakes IDLE). */
  mailboxChanged(): void;
  /**
   * Turns an extension on (QRESYNC turns CONDSTORE on too); false when it already was. Mailbox
   * names become UTF-8 only with IMAP4rev2 or UTF8=ACCEPT.
   */
  enable(extension: Enableable): boolean;
  /** Enters the authenticated state as `user` (longer idle timeout, RFC 9051 §5.4). */
  loggedIn(user: string): void;
  /**
   * Back to the not-authenticated state (UNAUTHENTICATE, RFC 8437): the selected mailbox (with
   * its store listener and saved search) is let go, ENABLEd extensions are off, mailbox names are
   * modified UTF-7 again and the idle timeout is the one before login. TLS stays.
   */
  loggedOut(): void;
  /**
   * The reply that starts TLS (STARTTLS): the session writes `line` and starts the handshake in
   * one step, dropping whatever the client pipelined after the command (RFC 9051 §6.2.1).
   */
  startTls(context: SecureContext, line: string): ImapReply;
  /**
   * The reply that starts compression (COMPRESS, RFC 4978): written uncompressed, then the
   * connection compresses and inflates (dropping whatever the client pipelined after it).
   */
  startCompression(line: string): ImapReply;
  /** `reply`, after which compression ends, when it is on (UNAUTHENTICATE, RFC 8437 §4.1). */
  endCompression(reply: ImapReply): ImapReply;
}
