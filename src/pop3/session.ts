/**
 * One POP3 session (RFC 1939): the greeting, the read-gate-dispatch loop, and every way out.
 * The state is one discriminated union (state.ts); the command table (commands/table.ts) and its
 * gate decide what may run; handlers (commands/) do the work. Whatever ends the session (QUIT,
 * a dropped connection, the idle timeout of RFC 1939 §3, a server shutdown, an error) releases the
 * maildrop lock; only QUIT from TRANSACTION enters UPDATE and applies deletions.
 */
import type { LineConnection } from '../core/line/connection.js';
import { passwordAllowed } from '../core/auth/login-policy.js';
import { errLine, okLine, parseCommand } from './codec.js';
import { capabilityLines, checkCommand } from './commands/table.js';
import { POP3_LIMITS } from './limits.js';
import type { Pop3SessionContext, Pop3SessionDeps } from './session-context.js';
import type { Pop3State } from './state.js';

/** `+`: the first octet of +OK and of a continuation. */
const PLUS = 0x2b;

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
  #authFailures = 0;
  #badCommands = 0;
  #ending = false;
  /** Whether the last status line written was +OK (or a + continuation): a command's class. */
  #lastOk = false;

  constructor(conn: LineConnection, deps: Pop3SessionDeps, limits: Pop3SessionLimits = {}) {
    this.conn = conn;
    this.deps = deps;
    this.#maxAuthFailures = limits.maxAuthFailures ?? POP3_LIMITS.maxAuthFailures;
    this.#maxBadCommands = limits.maxBadCommands ?? POP3_LIMITS.maxBadCommands;
  }

  /** Greets, serves commands until the session ends, then releases everything. */
  async run(): Promise<void> {
    try {
      this.reply(okLine(`${this.deps.hostname} Outpost POP3 server ready`));
      while (!this.#ending && !this.conn.closed) await this.#step();
    } finally {
      // Every exit path: QUIT already released; a drop, timeout or error releases here and
      // applies no deletion (RFC 1939 §6: only QUIT enters UPDATE).
      if (this.state.kind === 'transaction') {
        this.state.reader.cancel();
        this.state.release();
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
        this.reply(
          errLine(null, read.which === 'idle' ? 'Autologout; idle for too long' : 'Session too long'),
        );
        this.#ending = true;
        return;
      case 'shutdown':
        this.reply(errLine('SYS/TEMP', 'Server shutting down'));
        this.#ending = true;
        return;
      case 'overflow':
        this.#rejected(errLine(null, 'Line too long'));
        return;
      case 'line':
        break;
    }
    const parsed = parseCommand(read.text);
    const gate = checkCommand(parsed, this.state.kind);
    if (!gate.ok) this.#rejected(gate.reply);
    else await gate.command.run(this, gate.input);
    this.deps.commands?.count(parsed.ok ? parsed.verb : '', this.#lastOk ? 'ok' : 'err');
  }

  #rejected(line: string): void {
    this.reply(line);
    if (++this.#badCommands >= this.#maxBadCommands) {
      this.reply(errLine(null, 'Too many bad commands; closing'));
      this.#ending = true;
    }
  }

  reply(line: string): void {
    this.#lastOk = line.charCodeAt(0) === PLUS;
    this.conn.writeLine(line);
  }

  replyLines(lines: readonly string[]): void {
    this.#lastOk = lines[0]?.charCodeAt(0) === PLUS;
    this.conn.writeLines(lines);
  }

  end(): void {
    this.#ending = true;
  }

  plaintextAuthAllowed(): boolean {
    return passwordAllowed(this.deps.loginPolicy(), this.conn);
  }

  tlsOffered(): boolean {
    return !this.conn.secure && this.conn.tlsSocket === null && this.deps.tlsContext() !== undefined;
  }

  capabilities(): string[] {
    return capabilityLines(this);
  }

  loginFailed(): boolean {
    return ++this.#authFailures >= this.#maxAuthFailures;
  }
}
