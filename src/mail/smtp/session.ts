/**
 * One SMTP server session (RFC 5321 §4): greeting, then a loop that reads a command line,
 * checks it against the command table through ONE gate (`isAllowed`: phase, TLS and AUTH
 * requirements of the listener, argument rules), and runs its handler. The session talks to the
 * connection through LineConnection's pull API and to the rest of Outpost through hooks
 * (`SmtpHooks`), never to sockets or the store, so it runs over a socket or an in-memory duplex.
 *
 * Replies to pipelined commands (RFC 2920) are gathered in the connection's output buffer
 * (`bufferLines`) while more input is already buffered and written in one go, at most
 * `replyBacklogOctets` at a time; a client that pipelines without
 * reading its replies is then stopped by the connection's output backpressure (LineConnection
 * reads no further command while our unread replies pile up). Too many errors end the
 * session with 421 (RFC 5321 §4.2.5 lets a server close on abuse); so do the idle timeout
 * (§4.5.3.2.7) and a server shutdown.
 */
import type { SecureContext } from 'node:tls';
import type { Counter } from 'prom-client';
import type { LineConnection } from '../../core/line/connection.js';
import { replyClassLabel, type CommandMeter } from '../../core/metrics.js';
import type { Logger } from '../../core/logger.js';
import { COMMANDS, type CommandSpec } from './commands.js';
import { splitCommand } from './command.js';
import type { SmtpLimits } from './limits.js';
import { SMTP_LIMITS } from './limits.js';
import { passwordAllowed, type LoginPolicy } from '../../core/auth/login-policy.js';
import type { SaslRead } from '../../core/sasl.js';
import type { ListenerKind, LocalDirectory } from './policy.js';
import { formatReply, reply, type SmtpReply } from './reply.js';
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

/** What the session asks of the server around it. */
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

const HTTP_VERBS = new Set(['GET', 'POST', 'HEAD', 'PUT', 'CONNECT', 'OPTIONS', 'DELETE']);
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

/** Runs one session over a connection (see the file comment). */
export class SmtpSession {
  readonly conn: LineConnection;
  readonly options: SessionOptions;
  state: SessionState = { phase: 'fresh', user: null };
  #errors = 0;
  #authFailures = 0;
  #done = false;
  /** Code of the last reply queued: a command's metrics class. */
  #lastCode = 0;

  constructor(conn: LineConnection, options: SessionOptions) {
    this.conn = conn;
    this.options = options;
  }

  /** Facts for trace headers and hooks. */
  info(): SessionInfo {
    const s = this.state;
    return {
      id: this.conn.id,
      listener: this.options.listener,
      helo: s.phase === 'fresh' ? '' : s.greeting.name,
      esmtp: s.phase !== 'fresh' && s.greeting.esmtp,
      remoteAddress: this.conn.remoteAddress,
      secure: this.conn.secure,
      tlsProtocol: this.conn.tlsSocket?.getProtocol() ?? null,
      user: s.user,
    };
  }

  /** True when AUTH may be used now (TLS, or plaintext where the login policy allows it). */
  get authOffered(): boolean {
    return passwordAllowed(this.options.loginPolicy, this.conn);
  }

  /** True when STARTTLS can be offered. */
  get startTlsOffered(): boolean {
    return !this.conn.secure && this.options.tlsContext() !== undefined;
  }

  /** Submission-type listener: AUTH required, any recipient. */
  get isSubmission(): boolean {
    return this.options.listener !== 'mx';
  }

  /** Runs the session to its end. */
  async run(): Promise<void> {
    if (await this.conn.detectEarlyTalker(this.options.limits.greetingDelayMs)) {
      this.reply(
        reply(554, '5.5.0', `${this.options.hostname} No SMTP service here: you talked before the greeting`),
      );
      this.flush();
      return;
    }
    this.reply(reply(220, undefined, `${this.options.hostname} ESMTP Outpost`));
    while (!this.#done) {
      if (this.conn.bufferedInput === 0 || this.conn.bufferedOutput >= SMTP_LIMITS.replyBacklogOctets)
        this.flush();
      const r = await this.conn.readLine({ command: true });
      if (r.kind === 'end') break;
      if (r.kind === 'shutdown') {
        this.end(reply(421, '4.3.2', `${this.options.hostname} Service shutting down`));
        break;
      }
      if (r.kind === 'timeout') {
        this.end(reply(421, '4.4.2', `${this.options.hostname} Timeout, closing connection`));
        break;
      }
      if (r.kind === 'overflow' || r.raw.length + 2 > SMTP_LIMITS.commandLineOctets) {
        this.error(reply(500, '5.5.2', 'Line too long'));
        continue;
      }
      if (CONTROL.test(r.text) || r.raw.includes(0x0d)) {
        this.error(reply(500, '5.5.2', 'Control characters are not allowed in commands'));
        continue;
      }
      await this.#dispatch(r.text);
    }
    this.flush();
  }

  /** Queues a reply (written at the next flush). */
  reply(r: SmtpReply): void {
    this.#lastCode = r.code;
    this.conn.bufferLines(formatReply(r));
  }

  /** Queues the reply that ends a message's data (counted as accepted or rejected). */
  messageReply(r: SmtpReply): void {
    this.reply(r);
    this.options.messages?.inc({ result: r.code < 300 ? 'accepted' : 'rejected' });
  }

  /** Writes the queued replies in one socket write. */
  flush(): void {
    this.conn.flush();
  }

  /** A 4xx/5xx for a bad command: counts towards the 421 limit. */
  error(r: SmtpReply): void {
    this.reply(r);
    this.#errors++;
    if (this.#errors >= this.options.limits.errorsBeforeDisconnect) {
      this.end(reply(421, '4.7.0', `${this.options.hostname} Too many errors, closing connection`));
    }
  }

  /** A failed login: after a few, the session ends. */
  authFailed(r: SmtpReply): void {
    this.reply(r);
    this.#authFailures++;
    if (this.#authFailures >= SMTP_LIMITS.authFailuresBeforeDisconnect) {
      this.end(reply(421, '4.7.0', `${this.options.hostname} Too many authentication failures`));
    }
  }

  /** Sends a last reply and ends the session. */
  end(r: SmtpReply): void {
    this.reply(r);
    this.flush();
    this.#done = true;
  }

  /** Reads one line of an exchange (AUTH), flushing first; `closed` when the session must end. */
  async readContinuation(secret: boolean): Promise<SaslRead> {
    this.flush();
    if (secret) this.conn.redactNextInput();
    const r = await this.conn.readLine();
    if (r.kind === 'line') return { kind: 'line', text: r.text };
    if (r.kind === 'overflow') return { kind: 'overflow' };
    if (r.kind === 'timeout') this.end(reply(421, '4.4.2', `${this.options.hostname} Timeout`));
    this.#done = true;
    return { kind: 'closed' };
  }

  /** Marks the session finished (after QUIT or a fatal condition). */
  finish(): void {
    this.#done = true;
  }

  async #dispatch(line: string): Promise<void> {
    const { verb, args } = splitCommand(line);
    await this.#run(verb, args);
    this.options.commands?.count(verb, replyClassLabel(this.#lastCode));
  }

  async #run(verb: string, args: string): Promise<void> {
    const spec = COMMANDS.get(verb);
    if (spec === undefined) {
      if (HTTP_VERBS.has(verb) && this.state.phase === 'fresh') {
        this.end(reply(554, '5.7.0', 'This is an SMTP server, not HTTP'));
        return;
      }
      this.error(reply(500, '5.5.1', 'Command unrecognized'));
      return;
    }
    const refusal = this.isAllowed(spec, args);
    if (refusal !== null) {
      this.error(refusal);
      return;
    }
    await spec.run(this, args);
  }

  /** THE gate: may `spec` run now with these arguments? Null when yes, else the reply. */
  isAllowed(spec: CommandSpec, args: string): SmtpReply | null {
    if (spec.args === 'none' && args !== '') return reply(501, '5.5.4', `${spec.verb} takes no arguments`);
    if (spec.args === 'required' && args === '') return reply(501, '5.5.4', `Syntax: ${spec.syntax}`);
    if (!spec.phases.includes(this.state.phase)) return sequenceError(spec, this.state);
    if (spec.gated && this.isSubmission) {
      if (!this.authOffered) return reply(530, '5.7.0', 'Must issue a STARTTLS command first');
      if (spec.verb !== 'AUTH' && this.state.user === null)
        return reply(530, '5.7.0', 'Authentication required');
    }
    return null;
  }
}

function sequenceError(spec: CommandSpec, state: SessionState): SmtpReply {
  if (state.phase === 'fresh') return reply(503, '5.5.1', 'Send HELO/EHLO first');
  if (state.phase === 'chunking')
    return reply(503, '5.5.1', `${spec.verb} not allowed during BDAT; send BDAT or RSET`);
  if (state.phase === 'ready') return reply(503, '5.5.1', 'Need MAIL command first');
  return reply(503, '5.5.1', spec.verb === 'MAIL' ? 'Sender already specified' : 'Bad sequence of commands');
}
