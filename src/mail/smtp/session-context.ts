/**
 * What an SMTP command handler may use of its session: the connection (to read a SASL response or
 * a message body), the per-listener settings and hooks, the state, and a few session-wide
 * decisions and counters. Handlers live in src/mail/smtp/commands/, get the state their table row
 * lists (the gate guarantees it) and *return* their reply (`SmtpReply`), which the session
 * writes; the session implements this interface, so no handler imports the session or the table
 * (no cycle). Also here: the hooks through which the session reaches the rest of Outpost.
 */
import type { SecureContext } from 'node:tls';
import type { Counter } from 'prom-client';
import type { LoginPolicy } from '../../core/auth/login-policy.js';
import type { LineConnection } from '../../core/line/connection.js';
import type { Logger } from '../../core/logger.js';
import type { CommandMeter } from '../../core/metrics.js';
import type { SaslRead } from '../../core/sasl.js';
import type { SmtpReply } from './codec/reply.js';
import type { SmtpLimits } from './limits.js';
import type { ListenerKind, LocalDirectory } from './policy.js';
import type { Envelope, SessionState } from './state.js';

/** The result of a login attempt, as the session needs it. */
export type SmtpAuthResult =
  | { readonly ok: true; readonly user: string }
  | { readonly ok: false; readonly reason: 'invalid' | 'throttled' };

/** A message the session accepted the body of; the hook stores it and says what to reply. */
export interface ReceivedMessage {
  readonly envelope: Envelope;
  /** The body exactly as received (CRLF lines, dot-unstuffed), without our trace headers. */
  readonly body: Buffer;
  readonly session: SessionInfo;
  readonly receivedAt: Date;
}

/** Facts about the session for trace headers and logs. */
export interface SessionInfo {
  readonly id: string;
  readonly listener: ListenerKind;
  readonly helo: string;
  readonly esmtp: boolean;
  readonly remoteAddress: string;
  readonly secure: boolean;
  readonly tlsProtocol: string | null;
  readonly user: string | null;
}

/** What the session asks of the server around it. A hook that throws is answered `451 4.3.0`. */
export interface SmtpHooks extends LocalDirectory {
  authenticate(username: string, password: string, ip: string): Promise<SmtpAuthResult>;
  /** Stores/queues the message durably and returns the final reply (250 after the commit). */
  deliver(message: ReceivedMessage): Promise<SmtpReply>;
}

/** Per-listener session settings. */
export interface SessionOptions {
  readonly listener: ListenerKind;
  readonly hostname: string;
  readonly limits: SmtpLimits;
  /** The TLS context for STARTTLS; undefined when no certificate is available. */
  readonly tlsContext: () => SecureContext | undefined;
  /** When AUTH (and submission without STARTTLS) may be used without TLS. */
  readonly loginPolicy: LoginPolicy;
  readonly hooks: SmtpHooks;
  readonly logger: Logger;
  /** Counts commands by verb and reply class (the server's metrics). */
  readonly commands?: CommandMeter;
  /** Counts messages by result, accepted or rejected (the server's metrics). */
  readonly messages?: Counter<'result'>;
  readonly now?: () => Date;
}

/** The session as its command handlers see it. */
export interface SmtpSessionContext {
  readonly conn: LineConnection;
  readonly options: SessionOptions;
  /** The state; a handler replaces it as a whole once a step has succeeded. */
  state: SessionState;
  /** Facts for trace headers and hooks. */
  info(): SessionInfo;
  /** True when AUTH may be used now (TLS, or plaintext where the login policy allows it). */
  readonly authOffered: boolean;
  /** True when STARTTLS can be offered. */
  readonly startTlsOffered: boolean;
  /** Submission-type listener: AUTH required, any recipient. */
  readonly isSubmission: boolean;
  /** The EHLO keyword lines for now, from the command table. */
  ehloKeywords(): string[];
  /** The HELP lines, from the command table. */
  helpLines(): string[];
  /** Writes an intermediate reply at once (354 before DATA's body), with any queued before it. */
  send(r: SmtpReply): void;
  /** Reads one line of an exchange (AUTH), flushing first; `closed` when the session must end. */
  readContinuation(secret: boolean): Promise<SaslRead>;
  /** A refusal that counts towards the error limit (RFC 5321 §4.2.5: 421 after too many). */
  error(r: SmtpReply): SmtpReply;
  /** A failed login: after a few, the session ends with 421. */
  authFailed(r: SmtpReply): SmtpReply;
  /** The reply ending a message's data, counted as accepted or rejected. */
  messageReply(r: SmtpReply): SmtpReply;
  /** The last reply: the session ends once it is written (QUIT, a timeout inside DATA). */
  close(r: SmtpReply): SmtpReply;
  /** Ends the session without a reply (the client is gone); the handler then returns null. */
  finish(): void;
  /**
   * The reply that starts TLS (STARTTLS): the session writes it and starts the handshake in one
   * step, dropping whatever the client pipelined after the command (RFC 3207 §4.2).
   */
  startTls(context: SecureContext, r: SmtpReply): SmtpReply;
}
