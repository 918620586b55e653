/**
 * One POP3 session (RFC 1939): the greeting, the read-gate-run-reply loop, and every way out.
 * The state is one discriminated union (state.ts); the command table (commands/table.ts) and its
 * pure gate decide what may run; handlers (commands/) do the work and return their reply, which
 * the loop writes. The loop is the one error boundary (src/core/session/command-turn.ts): an
 * error a handler did not expect (a throwing account hook, a failing store) is logged and
 * answered `-ERR [SYS/TEMP]`, and the session goes on in the state the command started from; a
 * failure while a message is being streamed ends the session (the client has half a response).
 * Whatever ends the session (QUIT, a dropped connection, the idle timeout of RFC 1939 §3, a server
 * shutdown, an error) releases the maildrop lock; only QUIT from TRANSACTION enters UPDATE and
 * applies deletions.
 */
import type { SecureContext } from 'node:tls';
import type { LineConnection } from '../core/line/connection.js';
import { passwordAllowed } from '../core/auth/login-policy.js';
import { tlsUpgradeOffered } from '../core/session/password-login.js';
import { runCommand, sendFailed, type CommandBoundary } from '../core/session/command-turn.js';
import { parseCommand } from './codec/command.js';
import { errLine, isOk, okLine, temporaryFailure, type Pop3Reply } from './codec/reply.js';
import { capabilityLines, checkCommand } from './commands/table.js';
import { POP3_LIMITS } from './limits.js';
import type { Pop3SessionContext, Pop3SessionDeps } from './session-context.js';
import { flagRetrievedSeen } from './seen.js';
import type { Pop3State } from './state.js';

/** Limits a session enforces itself (the line layer enforces line length and timeouts). */
export interface Pop3SessionLimits {
  maxAuthFailures?: number;
  maxBadCommands?: number;
}

/** Runs one POP3 session over `conn` to its end. */
export class Pop3Session implements Pop3SessionContext {
  readonly conn: LineConnection;
  readonly deps: Pop3SessionDeps;
  state: Pop3State = { kind: 'authorization', user: null };
  readonly #maxAuthFailures: number;
  readonly #maxBadCommands: number;
  readonly #boundary: CommandBoundary<Pop3Reply>;
  #authFailures = 0;
  #badCommands = 0;
  #ending = false;
  /** Set by `startTls`: the reply that starts TLS, written with the handshake. */
  #upgrade: { context: SecureContext; line: string; reply: Pop3Reply } | null = null;

  constructor(conn: LineConnection, deps: Pop3SessionDeps, limits: Pop3SessionLimits = {}) {
    this.conn = conn;
    this.deps = deps;
    this.#maxAuthFailures = limits.maxAuthFailures ?? POP3_LIMITS.maxAuthFailures;
    this.#maxBadCommands = limits.maxBadCommands ?? POP3_LIMITS.maxBadCommands;
    this.#boundary = {
      protocol: 'pop3',
      sessionId: conn.id,
      logger: deps.logger,
      temporaryFailure,
      classOf: (r) => (isOk(r) ? 'ok' : 'err'),
      meter: deps.commands,
    };
  }

  /** Greets, serves commands until the session ends, then releases everything. */
  async run(): Promise<void> {
    try {
      this.conn.writeLine(okLine(`${this.deps.hostname} Outpost POP3 server ready`));
      while (!this.#ending && !this.conn.closed) await this.#step();
    } finally {
      // Every exit path: QUIT already released; a drop, timeout or error releases here and
      // applies no deletion (RFC 1939 §6: only QUIT enters UPDATE).
      if (this.state.kind === 'transaction') {
        const { maildrop, reader, release, user } = this.state;
        reader.cancel();
        await flagRetrievedSeen(this.deps.store, maildrop, {
          logger: this.deps.logger,
          user,
          session: this.conn.id,
        });
        release();
      }
    }
  }

  async #step(): Promise<void> {
    const read = await this.conn.readLine({ command: true });
    switch (read.kind) {
      case 'end':
        this.#ending = true;
        return;
      case 'timeout':
        this.conn.writeLine(
          errLine(null, read.which === 'idle' ? 'Autologout; idle for too long' : 'Session too long'),
        );
        this.#ending = true;
        return;
      case 'shutdown':
        this.conn.writeLine(errLine('SYS/TEMP', 'Server shutting down'));
        this.#ending = true;
        return;
      case 'overflow':
        this.#rejected(errLine(null, 'Line too long'));
        return;
      case 'line':
        break;
    }
    const parsed = parseCommand(read.text);
    const verb = parsed.ok ? parsed.verb : '';
    const gate = checkCommand(parsed, this.state.kind);
    if (!gate.ok) {
      this.deps.commands?.count(verb, 'err');
      this.#rejected(gate.reply);
      return;
    }
    const state = this.state;
    const reply = await runCommand(verb, () => gate.command.run(this, gate.input, state), this.#boundary);
    if (reply !== null) await this.#send(verb, reply);
  }

  /** Writes a handler's reply: lines at once, a message inside a response, STLS with the handshake. */
  async #send(verb: string, reply: Pop3Reply): Promise<void> {
    const upgrade = this.#upgrade;
    this.#upgrade = null;
    try {
      if (upgrade !== null && upgrade.reply === reply) {
        await this.conn.startTls(upgrade.context, upgrade.line);
      } else if (reply.kind === 'lines') {
        this.conn.writeLines(reply.lines);
      } else {
        await this.conn.response(reply.write);
      }
    } catch (err) {
      if (upgrade === null) sendFailed(this.#boundary, verb, err);
      else this.deps.logger.debug({ err, session: this.conn.id }, 'pop3: STLS handshake failed');
      this.#ending = true;
    }
  }

  #rejected(line: string): void {
    this.conn.writeLine(line);
    if (++this.#badCommands >= this.#maxBadCommands) {
      this.conn.writeLine(errLine(null, 'Too many bad commands; closing'));
      this.#ending = true;
    }
  }

  end(): void {
    this.#ending = true;
  }

  plaintextAuthAllowed(): boolean {
    return passwordAllowed(this.deps.loginPolicy(), this.conn);
  }

  tlsOffered(): boolean {
    return tlsUpgradeOffered(this.conn, this.deps.tlsContext);
  }

  capabilities(): string[] {
    return capabilityLines(this);
  }

  loginFailed(): boolean {
    return ++this.#authFailures >= this.#maxAuthFailures;
  }

  startTls(context: SecureContext, line: string): Pop3Reply {
    const reply: Pop3Reply = { kind: 'lines', lines: [line] };
    this.#upgrade = { context, line, reply };
    return reply;
  }
}
