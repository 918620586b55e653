/**
 * One IMAP session (RFC 9051, RFC 3501): the greeting, the read-parse-gate-run-reply loop, and
 * every way out. Commands are read through the codec's incremental parser: lines, and literals
 * read only once the parser has checked that the command so far is valid and the literal is
 * within its limit (a synchronising literal over it is refused before the client sends it, a
 * non-synchronising one is read and dropped up to a cap). The state is one discriminated union
 * (state.ts); the command table (commands/table.ts) and its pure gate decide what may run;
 * handlers return their reply, which the loop writes. The loop is the one error boundary
 * (src/core/session/command-turn.ts): an error a handler did not expect is logged and answered
 * `NO [SERVERBUG]`, and the session goes on in the state the command started from.
 */
import type { SecureContext } from 'node:tls';
import { passwordAllowed } from '../../core/auth/login-policy.js';
import { tlsUpgradeOffered } from '../../core/session/password-login.js';
import type { LineConnection, ResponseWriter } from '../../core/line/connection.js';
import { runCommand, sendFailed, type CommandBoundary } from '../../core/session/command-turn.js';
import { transcriptActive } from '../../core/transcript.js';
import {
  CommandParser,
  continuation,
  hasSecretContinuation,
  ResponseTranscriber,
  statusLine,
  type Command,
  type ParseStep,
  type ResponseCode,
} from '../codec/index.js';
import { IMAP_LIMITS } from '../limits.js';
import { capabilityList, checkCommand } from './commands/table.js';
import type { Enableable, ImapSessionContext, ImapSessionDeps } from './context.js';
import { serverBug, type ImapReply } from './reply.js';
import type { ImapState } from './state.js';

/** Limits a session enforces itself (the line layer enforces line length and timeouts). */
export interface ImapSessionLimits {
  maxAuthFailures?: number;
  maxBadCommands?: number;
  /** Idle timeout once logged in, in ms (RFC 9051 §5.4: at least 30 minutes). */
  authenticatedIdleMs?: number;
  /** IDLE's `* OK Still here` interval, in ms (IMAP_LIMITS.idleKeepaliveMs). */
  idleKeepaliveMs?: number;
}

/** A reply written with a switch of the connection: TLS handshake, compression on or off. */
type Upgrade =
  | { readonly kind: 'tls'; readonly context: SecureContext; readonly reply: ImapReply }
  | { readonly kind: 'compress' | 'uncompress'; readonly reply: ImapReply };

/** Runs one IMAP session over `conn` to its end. */
export class ImapSession implements ImapSessionContext {
  readonly conn: LineConnection;
  readonly deps: ImapSessionDeps;
  state: ImapState = { kind: 'not-authenticated' };
  readonly #enabled = new Set<Enableable>();
  readonly #parser: CommandParser;
  readonly #limits: Required<Omit<ImapSessionLimits, 'idleKeepaliveMs'>>;
  readonly #idleKeepaliveMs: number | undefined;
  readonly #boundary: Omit<CommandBoundary<ImapReply>, 'temporaryFailure'>;
  /** The idle timeout before login (restored by UNAUTHENTICATE). */
  readonly #loginIdleMs: number;
  #authFailures = 0;
  #badCommands = 0;
  #ending = false;
  /**
   * Set by `startTls`, `startCompression` and `endCompression`: a reply written with a switch of
   * the connection (TLS handshake, compression on or off).
   */
  #upgrade: Upgrade | null = null;

  constructor(conn: LineConnection, deps: ImapSessionDeps, limits: ImapSessionLimits = {}) {
    this.conn = conn;
    this.deps = deps;
    this.#limits = {
      maxAuthFailures: limits.maxAuthFailures ?? IMAP_LIMITS.maxAuthFailures,
      maxBadCommands: limits.maxBadCommands ?? IMAP_LIMITS.maxBadCommands,
      authenticatedIdleMs: limits.authenticatedIdleMs ?? IMAP_LIMITS.authenticatedIdleMs,
    };
    this.#idleKeepaliveMs = limits.idleKeepaliveMs;
    this.#loginIdleMs = conn.idleTimeoutMs;
    this.#parser = new CommandParser({ limits: { maxAppendOctets: deps.maxMessageSize } });
    this.#boundary = {
      protocol: 'imap',
      sessionId: conn.id,
      logger: deps.logger,
      classOf: (r) => r.status,
      meter: deps.commands,
    };
  }

  get enabled(): ReadonlySet<Enableable> {
    return this.#enabled;
  }

  get utf8(): boolean {
    return this.#enabled.has('IMAP4rev2') || this.#enabled.has('UTF8=ACCEPT');
  }

  get origin(): string {
    return `imap-${this.conn.id}`;
  }

  /** Greets, serves commands until the session ends, then stops listening to the store. */
  async run(): Promise<void> {
    try {
      const code: ResponseCode = { code: 'CAPABILITY', capabilities: this.capabilities() };
      this.conn.writeLine(statusLine(null, 'OK', `${this.deps.hostname} Outpost IMAP server ready`, code));
      while (!this.#ending && !this.conn.closed) await this.#step();
    } finally {
      if (this.state.kind === 'selected') this.state.mailbox.close();
    }
  }

  async #step(): Promise<void> {
    const read = await this.conn.readLine({ command: true });
    switch (read.kind) {
      case 'end':
        this.#ending = true;
        return;
      case 'timeout':
        this.#bye('Autologout; idle for too long');
        return;
      case 'shutdown':
        this.#bye('Server shutting down', 'UNAVAILABLE');
        return;
      case 'overflow':
        this.#overflow();
        return;
      case 'line':
        break;
    }
    const step = await this.#readCommand(this.#parser.push(read.raw), hasSecretContinuation(read.raw));
    if (step === null) return;
    switch (step.kind) {
      case 'empty':
        return;
      case 'error':
        this.#rejected(
          statusLine(step.tag, step.status, step.reason, step.code ? { code: step.code } : null),
        );
        if (step.close) this.#bye('Literal too large to skip; closing');
        return;
      case 'command':
        await this.#dispatch(step.command);
        return;
      case 'literal':
      case 'discard':
        return;
    }
  }

  /**
   * Reads the rest of a command the parser is in (its literals and the lines after them); null
   * when the connection ended or the line overflowed meanwhile (answered here). With `secret`
   * (LOGIN, AUTHENTICATE) the transcript hides the lines after the literals.
   */
  async #readCommand(first: ParseStep, secret: boolean): Promise<ParseStep | null> {
    let step = first;
    while (step.kind === 'literal' || step.kind === 'discard') {
      if (step.kind === 'literal') {
        if (step.sync) this.conn.writeLine(continuation('Ready for literal data'));
        const data = await this.conn.readExactly(step.size);
        if (data.kind !== 'bytes') return this.#lost();
        this.#parser.pushLiteral(data.data);
      } else {
        let left = step.size;
        while (left > 0) {
          const chunk = await this.conn.readBytes(Math.min(left, 64 * 1024));
          if (chunk.kind !== 'bytes') return this.#lost();
          left -= chunk.data.length;
        }
      }
      if (secret) this.conn.redactNextInput();
      const next = await this.conn.readLine();
      if (next.kind !== 'line') {
        if (next.kind !== 'overflow') return this.#lost();
        this.#overflow();
        return null;
      }
      step = this.#parser.push(next.raw);
    }
    return step;
  }

  /**
   * A line over the limit: the line layer dropped it with any literal marker it ended in, so
   * what follows may be a literal's octets read as commands. Dovecot's answer: `BAD [TOOBIG]`,
   * BYE, close.
   */
  #overflow(): void {
    this.#parser.reset();
    this.conn.writeLine(statusLine(null, 'BAD', 'Line too long', { code: 'TOOBIG' }));
    this.#bye('Line too long; closing');
  }

  /** The connection ended (or timed out) inside a command. */
  #lost(): null {
    this.#parser.reset();
    this.#ending = true;
    return null;
  }

  async #dispatch(cmd: Command): Promise<void> {
    const gate = checkCommand(cmd, this.state.kind);
    if (!gate.ok) {
      this.deps.commands?.count(cmd.name, 'BAD');
      this.#rejected(gate.line);
      return;
    }
    const state = this.state;
    const boundary = { ...this.#boundary, temporaryFailure: () => serverBug(cmd.tag) };
    const reply = await runCommand(cmd.name, () => gate.command.run(this, cmd, state), boundary);
    if (reply !== null) await this.#send(reply);
  }

  /** Writes a handler's reply: its untagged lines, then the status line (STARTTLS with the handshake). */
  async #send(reply: ImapReply): Promise<void> {
    const upgrade = this.#upgrade;
    this.#upgrade = null;
    if (upgrade !== null && upgrade.reply === reply) {
      await this.#switch(upgrade);
      return;
    }
    const write = reply.write;
    if (write !== undefined) {
      try {
        await this.conn.response(async (w) => {
          await w.writeLines(reply.untagged);
          await write(transcriptActive() ? transcribed(w) : w);
        });
      } catch (err) {
        sendFailed({ ...this.#boundary, temporaryFailure: () => reply }, reply.line.split(' ')[1] ?? '', err);
        this.#ending = true;
        return;
      }
      this.conn.writeLines([...(await this.#updates(reply.noExpunge !== true)), reply.line]);
      return;
    }
    this.conn.writeLines([...reply.untagged, ...(await this.#updates(reply.noExpunge !== true)), reply.line]);
  }

  /** Writes a reply that switches the connection, and switches. */
  async #switch(upgrade: Upgrade): Promise<void> {
    const { reply } = upgrade;
    try {
      switch (upgrade.kind) {
        case 'tls':
          await this.conn.startTls(upgrade.context, reply.line);
          this.#parser.reset();
          return;
        case 'compress':
          // Untagged lines (mailbox updates) go out before the OK, still uncompressed.
          this.conn.writeLines([...reply.untagged, ...(await this.#updates(true))]);
          await this.conn.startCompression(reply.line);
          this.#parser.reset();
          return;
        case 'uncompress':
          this.conn.writeLines(reply.untagged);
          await this.conn.stopCompression(reply.line);
          this.#parser.reset();
          return;
      }
    } catch (err) {
      this.deps.logger.debug({ err, session: this.conn.id }, `imap: switching to ${upgrade.kind} failed`);
      this.#ending = true;
    }
  }

  /**
   * What the client must hear of changes to its selected mailbox before a tagged reply (RFC
   * 9051 §7.5.1). A failing store read here loses nothing: the mailbox stays marked changed.
   */
  async #updates(allowExpunge: boolean): Promise<string[]> {
    if (this.state.kind !== 'selected') return [];
    try {
      return await this.state.mailbox.updates(allowExpunge);
    } catch (err) {
      this.deps.logger.error({ err, session: this.conn.id }, 'imap: cannot read mailbox changes');
      return [];
    }
  }

  mailboxChanged(): void {
    // Wakes IDLE's interruptible read; outside IDLE the change waits for a command boundary
    // (only IDLE reads interruptibly, so a pending interrupt at most makes it look once more).
    this.conn.interrupt('mailbox');
  }

  get idleKeepaliveMs(): number | undefined {
    return this.#idleKeepaliveMs;
  }

  #rejected(line: string): void {
    this.conn.writeLine(line);
    if (++this.#badCommands >= this.#limits.maxBadCommands) this.#bye('Too many bad commands; closing');
  }

  #bye(text: string, code: 'UNAVAILABLE' | null = null): void {
    this.conn.writeLine(statusLine(null, 'BYE', text, code ? { code } : null));
    this.state = { kind: 'logout' };
    this.#ending = true;
  }

  enable(extension: Enableable): boolean {
    if (this.#enabled.has(extension)) return false;
    this.#enabled.add(extension);
    // RFC 7162 §3.2.3: QRESYNC implies CONDSTORE.
    if (extension === 'QRESYNC') this.#enabled.add('CONDSTORE');
    // RFC 9051 §6.3.1 / RFC 6855 §3: mailbox names are UTF-8 from now on.
    if (this.utf8) this.#parser.utf8Names = true;
    return true;
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
    return capabilityList(this);
  }

  loginFailed(): boolean {
    return ++this.#authFailures >= this.#limits.maxAuthFailures;
  }

  loggedIn(user: string): void {
    this.state = { kind: 'authenticated', user };
    this.conn.setIdleTimeout(this.#limits.authenticatedIdleMs);
  }

  loggedOut(): void {
    if (this.state.kind === 'selected') this.state.mailbox.close();
    this.state = { kind: 'not-authenticated' };
    this.#enabled.clear();
    this.#parser.utf8Names = false;
    this.conn.setIdleTimeout(this.#loginIdleMs);
  }

  startTls(context: SecureContext, line: string): ImapReply {
    const reply: ImapReply = { untagged: [], status: 'OK', line };
    this.#upgrade = { kind: 'tls', context, reply };
    return reply;
  }

  startCompression(line: string): ImapReply {
    const reply: ImapReply = { untagged: [], status: 'OK', line };
    this.#upgrade = { kind: 'compress', reply };
    return reply;
  }

  endCompression(reply: ImapReply): ImapReply {
    if (this.conn.compressed) this.#upgrade = { kind: 'uncompress', reply };
    return reply;
  }
}

/** A writer whose raw chunks show in the transcript as lines, literals as `<n octets>`. */
function transcribed(w: ResponseWriter): ResponseWriter {
  const transcriber = new ResponseTranscriber();
  return {
    writeLines: (lines) => w.writeLines(lines),
    writeLine: (line) => w.writeLine(line),
    writeRaw: (data, note) => w.writeRaw(data, note ?? transcriber.lines(data)),
  };
}
