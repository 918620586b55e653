/**
 * One SMTP server session (RFC 5321 §4): greeting, then a loop that reads a command line, checks
 * it against the command table through ONE pure gate (`checkCommand` in commands/table.ts:
 * phase, TLS and AUTH requirements of the listener, argument rules), runs its handler and writes
 * the reply the handler returns. The loop is the one error boundary
 * (src/core/session/command-turn.ts): an error a handler did not expect (a throwing
 * `authenticate` hook, a bug) is logged and answered `451 4.3.0`, and the session goes on in the
 * state the command started from. The session talks to the connection through LineConnection's
 * pull API and to the rest of Outpost through hooks (`SmtpHooks`), never to sockets or the store,
 * so it runs over a socket or an in-memory duplex.
 *
 * Replies to pipelined commands (RFC 2920) are gathered in the connection's output buffer
 * (`bufferLines`) while more input is already buffered and written in one go, at most
 * `replyBacklogOctets` at a time; a client that pipelines without reading its replies is then
 * stopped by the connection's output backpressure (LineConnection reads no further command while
 * our unread replies pile up). Too many errors end the session with 421 (RFC 5321 §4.2.5 lets a
 * server close on abuse); so do the idle timeout (§4.5.3.2.7) and a server shutdown.
 */
import type { SecureContext } from 'node:tls';
import type { LineConnection } from '../../core/line/connection.js';
import { replyClassLabel } from '../../core/metrics.js';
import { passwordAllowed } from '../../core/auth/login-policy.js';
import type { SaslRead } from '../../core/sasl.js';
import { runCommand, type CommandBoundary } from '../../core/session/command-turn.js';
import { splitCommand } from './codec/command.js';
import { formatReply, localError, reply, type SmtpReply } from './codec/reply.js';
import { checkCommand, ehloKeywords, helpLines } from './commands/table.js';
import { SMTP_LIMITS } from './limits.js';
import type { SessionInfo, SessionOptions, SmtpSessionContext } from './session-context.js';
import type { SessionState } from './state.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

/** Runs one session over a connection (see the file comment). */
export class SmtpSession implements SmtpSessionContext {
  readonly conn: LineConnection;
  readonly options: SessionOptions;
  state: SessionState = { phase: 'fresh', user: null };
  readonly #boundary: CommandBoundary<SmtpReply>;
  #errors = 0;
  #authFailures = 0;
  #done = false;
  /** The reply that ends the session after the current command's (421 after too many errors). */
  #closing: SmtpReply | null = null;
  /** Set by `startTls`: the reply that starts TLS, written with the handshake. */
  #upgrade: { context: SecureContext; reply: SmtpReply } | null = null;

  constructor(conn: LineConnection, options: SessionOptions) {
    this.conn = conn;
    this.options = options;
    this.#boundary = {
      protocol: 'smtp',
      sessionId: conn.id,
      logger: options.logger,
      temporaryFailure: localError,
      classOf: (r) => replyClassLabel(r.code),
      meter: options.commands,
    };
  }

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

  get authOffered(): boolean {
    return passwordAllowed(this.options.loginPolicy, this.conn);
  }

  get startTlsOffered(): boolean {
    return !this.conn.secure && this.options.tlsContext() !== undefined;
  }

  get isSubmission(): boolean {
    return this.options.listener !== 'mx';
  }

  ehloKeywords(): string[] {
    return ehloKeywords(this);
  }

  helpLines(): string[] {
    return helpLines();
  }

  /** Runs the session to its end. */
  async run(): Promise<void> {
    if (await this.conn.detectEarlyTalker(this.options.limits.greetingDelayMs)) {
      this.#queue(
        reply(554, '5.5.0', `${this.options.hostname} No SMTP service here: you talked before the greeting`),
      );
      this.conn.flush();
      return;
    }
    this.#queue(reply(220, undefined, `${this.options.hostname} ESMTP Outpost`));
    while (!this.#done) {
      if (this.conn.bufferedInput === 0 || this.conn.bufferedOutput >= SMTP_LIMITS.replyBacklogOctets)
        this.conn.flush();
      const r = await this.conn.readLine({ command: true });
      if (r.kind === 'end') break;
      if (r.kind === 'shutdown') {
        this.#last(reply(421, '4.3.2', `${this.options.hostname} Service shutting down`));
        break;
      }
      if (r.kind === 'timeout') {
        this.#last(reply(421, '4.4.2', `${this.options.hostname} Timeout, closing connection`));
        break;
      }
      if (r.kind === 'overflow' || r.raw.length + 2 > SMTP_LIMITS.commandLineOctets) {
        this.#queue(this.error(reply(500, '5.5.2', 'Line too long')));
      } else if (CONTROL.test(r.text) || r.raw.includes(0x0d)) {
        this.#queue(this.error(reply(500, '5.5.2', 'Control characters are not allowed in commands')));
      } else {
        await this.#command(r.text);
      }
      if (this.#closing !== null) {
        this.#last(this.#closing);
        this.#closing = null;
      }
    }
    this.conn.flush();
  }

  /** One command: gate, handler inside the error boundary, reply. */
  async #command(line: string): Promise<void> {
    const parsed = splitCommand(line);
    const gate = checkCommand(parsed, {
      state: this.state,
      submission: this.isSubmission,
      authOffered: this.authOffered,
    });
    const state = this.state;
    const result = await runCommand(
      parsed.verb,
      () => {
        if (gate.ok) return gate.command.run(this, gate.args, state);
        return gate.close ? this.close(gate.reply) : this.error(gate.reply);
      },
      this.#boundary,
    );
    if (result === null) return;
    const upgrade = this.#upgrade;
    this.#upgrade = null;
    if (upgrade === null || upgrade.reply !== result) {
      this.#queue(result);
      return;
    }
    this.conn.flush();
    try {
      // Discards anything pipelined after STARTTLS (RFC 3207 §4.2, CVE-2011-0411).
      await this.conn.startTls(upgrade.context, formatReply(upgrade.reply).join(''));
    } catch (err) {
      this.options.logger.debug({ err, session: this.conn.id }, 'smtp: STARTTLS handshake failed');
      this.#done = true;
    }
  }

  #queue(r: SmtpReply): void {
    this.conn.bufferLines(formatReply(r));
  }

  /** Writes a last reply and ends the session. */
  #last(r: SmtpReply): void {
    this.#queue(r);
    this.conn.flush();
    this.#done = true;
  }

  send(r: SmtpReply): void {
    this.#queue(r);
    this.conn.flush();
  }

  messageReply(r: SmtpReply): SmtpReply {
    this.options.messages?.inc({ result: r.code < 300 ? 'accepted' : 'rejected' });
    return r;
  }

  error(r: SmtpReply): SmtpReply {
    this.#errors++;
    if (this.#errors >= this.options.limits.errorsBeforeDisconnect) {
      this.#closing ??= reply(421, '4.7.0', `${this.options.hostname} Too many errors, closing connection`);
    }
    return r;
  }

  authFailed(r: SmtpReply): SmtpReply {
    this.#authFailures++;
    if (this.#authFailures >= SMTP_LIMITS.authFailuresBeforeDisconnect) {
      this.#closing ??= reply(421, '4.7.0', `${this.options.hostname} Too many authentication failures`);
    }
    return r;
  }

  close(r: SmtpReply): SmtpReply {
    this.#done = true;
    return r;
  }

  finish(): void {
    this.#done = true;
  }

  startTls(context: SecureContext, r: SmtpReply): SmtpReply {
    this.#upgrade = { context, reply: r };
    return r;
  }

  async readContinuation(secret: boolean): Promise<SaslRead> {
    this.conn.flush();
    if (secret) this.conn.redactNextInput();
    const r = await this.conn.readLine();
    if (r.kind === 'line') return { kind: 'line', text: r.text };
    if (r.kind === 'overflow') return { kind: 'overflow' };
    if (r.kind === 'timeout') this.#last(reply(421, '4.4.2', `${this.options.hostname} Timeout`));
    this.#done = true;
    return { kind: 'closed' };
  }
}
