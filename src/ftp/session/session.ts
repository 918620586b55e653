/**
 * One FTP control connection (RFC 959): the command loop, with the command table's pure gate
 * (`checkCommand`) before every handler and one error boundary around it (an unexpected error is
 * logged and answered `451`, core/session/command-turn.ts), and the transfer runner. Handlers
 * return their reply and the loop writes it. Transfers run beside the loop, so while bytes flow
 * the client can still send ABOR (426 then 226), STAT (progress) or NOOP; any other command waits
 * for the transfer's final reply first (RFC 959 §5.4 lets a server queue commands during a
 * transfer). The session talks to a LineConnection, to its DataChannel and to the injected hooks,
 * never to a socket or the disk directly.
 */
import type { SecureContext } from 'node:tls';
import type { LineConnection } from '../../core/line/connection.js';
import type { Logger } from '../../core/logger.js';
import { replyClassLabel } from '../../core/metrics.js';
import { silentLogger } from '../../core/logger.js';
import { runCommand, type CommandBoundary } from '../../core/session/command-turn.js';
import {
  passwordAllowed,
  resolveLoginPolicy,
  withLegacyLoginOptions,
  type LoginPolicy,
} from '../../core/auth/login-policy.js';
import { parseCommand, type ParsedCommand } from '../codec/command.js';
import { formatReply, ftpReply, type FtpReply } from '../codec/reply.js';
import { MLSX_FACTS } from '../codec/listing.js';
import { FsError, fsErrorOf } from '../server/user-fs.js';
import { FTP_LIMITS } from '../limits.js';
import { checkCommand, COMMANDS, waitsForTransfer, type CommandSpec, type GateState } from './commands.js';
import {
  fsReplyCode,
  type CommandInfo,
  type FtpSessionContext,
  type FtpSessionOptions,
  type HandlerResult,
  type TransferRequest,
} from './context.js';
import type { DataChannel, DataConnection } from './data-channel.js';
import type { ReadyState, RunningTransfer, SessionState, TransferSettings } from './state.js';

export type { FtpSessionOptions, LoginOutcome } from './context.js';

/** Transfers whose data flows from the client to us. */
const UPLOADS: ReadonlySet<string> = new Set(['STOR', 'APPE', 'STOU']);

/** The temporary failure an unexpected error is answered with (RFC 959 §4.2.2). */
const LOCAL_ERROR = ftpReply(451, 'Local error in processing');

/** One control connection's session. */
export class FtpSession implements FtpSessionContext {
  readonly conn: LineConnection;
  readonly options: FtpSessionOptions;
  readonly logger: Logger;
  state: SessionState = { kind: 'login', host: null };
  readonly settings: TransferSettings;
  readonly data: DataChannel;
  readonly commands: ReadonlyMap<string, CommandInfo> = COMMANDS;
  readonly #now: () => Date;
  readonly #loginPolicy: LoginPolicy;
  readonly #boundary: CommandBoundary<FtpReply>;

  constructor(conn: LineConnection, options: FtpSessionOptions) {
    this.conn = conn;
    this.options = options;
    this.#loginPolicy = resolveLoginPolicy(withLegacyLoginOptions(options.loginPolicy, options));
    this.logger = options.logger ?? silentLogger();
    this.#now = options.now ?? (() => new Date());
    this.data = options.dataChannel(conn);
    this.settings = {
      type: 'A',
      prot: options.implicitTls === true ? 'P' : 'C',
      pbsz: options.implicitTls === true,
      epsvAll: false,
      utf8: true,
      mlstFacts: new Set(MLSX_FACTS),
    };
    // The commands metric is counted by the loop: a started transfer (no reply yet) counts as 1xx.
    this.#boundary = {
      protocol: 'ftp',
      sessionId: conn.id,
      logger: this.logger,
      temporaryFailure: () => LOCAL_ERROR,
      classOf: (r) => replyClassLabel(r.code),
    };
  }

  now(): Date {
    return this.#now();
  }

  #write(reply: FtpReply): void {
    this.conn.writeLines(formatReply(reply.code, reply.lines));
  }

  #ready(): ReadyState | null {
    return this.state.kind === 'ready' ? this.state : null;
  }

  tls(): SecureContext | undefined {
    return this.options.tlsContext?.();
  }

  plaintextRefused(): boolean {
    return !passwordAllowed(this.#loginPolicy, this.conn);
  }

  /** Runs the session until QUIT, EOF, timeout or server shutdown. */
  async run(): Promise<void> {
    this.#write(ftpReply(220, this.options.greeting ?? 'Outpost FTP ready'));
    try {
      for (;;) {
        const r = await this.conn.readLine({ command: true });
        if (r.kind === 'shutdown') {
          this.#abortTransfer();
          this.#write(ftpReply(421, 'Server shutting down, closing control connection'));
          break;
        }
        if (r.kind === 'end') break;
        if (r.kind === 'timeout') {
          if (r.which === 'idle' && this.#ready()?.transfer) continue;
          const why =
            r.which === 'idle' ? 'Idle timeout, closing control connection' : 'Session too long, closing';
          this.#write(ftpReply(421, why));
          break;
        }
        if (r.kind === 'overflow') {
          this.#write(ftpReply(500, 'Command line too long'));
          continue;
        }
        const parsed = parseCommand(r.raw);
        const transfer = this.#ready()?.transfer;
        if (transfer && waitsForTransfer(parsed)) await transfer.done;
        await this.#turn(parsed);
        if (this.state.kind === 'closing') break;
      }
    } finally {
      this.#abortTransfer();
      await this.#ready()?.transfer?.done;
      this.data.reset();
      this.state = { kind: 'closing' };
    }
  }

  /** One command: the gate, then the handler inside the error boundary, then its reply. */
  async #turn(parsed: ParsedCommand): Promise<void> {
    const verb = parsed.ok ? parsed.verb : '';
    const gate = checkCommand(parsed, this.#gateState());
    if (!gate.ok) {
      this.#write(gate.reply);
      this.options.commands?.count(verb, replyClassLabel(gate.reply.code));
      return;
    }
    const before = this.#ready();
    const renameFrom = before?.renameFrom ?? null;
    const reply = await runCommand(verb, () => this.#invoke(gate.spec, gate.arg), this.#boundary);
    if (reply !== null) this.#write(reply);
    this.options.commands?.count(verb, reply === null ? '1xx' : replyClassLabel(reply.code));
    // RNFR only applies to an immediately following RNTO. REST stays until a transfer uses it
    // (clients send it before or after PASV/TYPE; vsftpd and pyftpdlib keep it the same way).
    const after = this.#ready();
    if (after && after === before && verb !== 'RNFR' && after.renameFrom === renameFrom)
      after.renameFrom = null;
  }

  #gateState(): GateState {
    return {
      kind: this.state.kind,
      tlsRequired: !this.conn.secure && this.#loginPolicy.requireTls,
      permissions: this.#ready()?.fs.permissions ?? null,
      epsvAll: this.settings.epsvAll,
    };
  }

  /** Calls the handler with the state it runs in; a refused filesystem operation is its reply. */
  async #invoke(spec: CommandSpec, arg: string): Promise<HandlerResult> {
    try {
      if (spec.when !== 'ready') return await spec.handler(this, arg);
      const ready = this.#ready();
      if (!ready) throw new Error(`${spec.verb} passed the gate before login`);
      return await spec.handler(this, ready, arg);
    } catch (err) {
      if (err instanceof FsError) return ftpReply(fsReplyCode(err), err.message);
      throw err;
    }
  }

  #abortTransfer(): void {
    this.#ready()?.transfer?.controller.abort();
  }

  async abortTransfer(): Promise<boolean> {
    const transfer = this.#ready()?.transfer;
    if (!transfer) {
      this.data.reset();
      return false;
    }
    transfer.controller.abort();
    await transfer.done;
    return true;
  }

  startTransfer(t: TransferRequest): HandlerResult {
    const ready = this.#ready();
    if (!ready) return ftpReply(530, 'Please login with USER and PASS');
    if (!this.data.prepared) return ftpReply(425, 'Use PORT, EPRT, PASV or EPSV first');
    let resolveDone!: () => void;
    const transfer: RunningTransfer = {
      verb: t.verb,
      path: t.path,
      controller: new AbortController(),
      bytes: 0,
      startedAt: this.now().getTime(),
      done: new Promise<void>((resolve) => {
        resolveDone = resolve;
      }),
    };
    ready.transfer = transfer;
    void this.#runTransfer(transfer, t).finally(() => {
      this.options.dataBytes?.inc({ direction: UPLOADS.has(t.verb) ? 'received' : 'sent' }, transfer.bytes);
      if (ready.transfer === transfer) ready.transfer = null;
      resolveDone();
    });
    return null;
  }

  /**
   * Opens the data connection and runs the body on it. Replies 425 when no data connection can
   * be made, 150 once it is, then 226 / 426 (aborted or broken) / 452 (disk full) / 451 (local
   * error, logged) / the filesystem's code when the body throws an FsError. Never throws.
   */
  async #runTransfer(transfer: RunningTransfer, t: TransferRequest): Promise<void> {
    const { controller } = transfer;
    const connectMs = this.options.dataConnectTimeoutMs ?? FTP_LIMITS.dataConnectTimeoutMs;
    let data: DataConnection | null = null;
    try {
      const opened = await this.data.open({
        timeoutMs: connectMs,
        bulkReads: t.bulkReads === true && this.settings.prot !== 'P',
        signal: controller.signal,
      });
      if (!opened) {
        this.#write(ftpReply(425, "Can't open data connection"));
        return;
      }
      data = opened;
      this.#write(ftpReply(150, t.opening));
      if (this.settings.prot === 'P') {
        const context = this.tls();
        if (!context) throw new Error('PROT P without TLS');
        try {
          data = await opened.secure(context, connectMs);
        } catch {
          data = null;
          this.#write(ftpReply(425, 'TLS negotiation on the data connection failed'));
          return;
        }
      }
      const conn = data;
      conn.idleTimeout(this.options.dataIdleTimeoutMs ?? FTP_LIMITS.dataIdleTimeoutMs, () => {
        controller.abort(new Error('data connection idle'));
        conn.destroy();
      });
      // ABOR may arrive while the body is still starting, before it listens for the abort
      // itself: closing the data connection here ends the transfer whatever it awaits.
      whenAborted(controller.signal, () => {
        conn.destroy();
      });
      const done = await t.body(conn, transfer);
      await conn.finish();
      await t.release?.();
      this.#write(ftpReply(226, done ?? 'Transfer complete'));
    } catch (err) {
      data?.destroy();
      this.#write(this.#transferFailure(err, controller.signal, t.verb));
    } finally {
      await t.release?.().catch((err: unknown) => {
        this.logger.warn({ err, verb: t.verb }, 'ftp: closing a transfer file failed');
      });
    }
  }

  #transferFailure(err: unknown, signal: AbortSignal, verb: string): FtpReply {
    if (signal.aborted) return ftpReply(426, 'Connection closed; transfer aborted');
    if (err instanceof FsError) return ftpReply(fsReplyCode(err), err.message);
    if (isSocketError(err)) return ftpReply(426, 'Data connection broken; transfer aborted');
    if (fsErrorOf(err).kind === 'no-space')
      return ftpReply(452, 'Insufficient storage space; transfer aborted');
    this.logger.warn({ err, verb }, 'ftp transfer failed');
    return ftpReply(451, 'Transfer aborted: local error');
  }
}

function isSocketError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return (
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    code === 'ERR_STREAM_DESTROYED'
  );
}

/** Runs `fn` once `signal` aborts, or now if it already has (a listener added late never fires). */
function whenAborted(signal: AbortSignal, fn: () => void): void {
  if (signal.aborted) fn();
  else signal.addEventListener('abort', fn, { once: true });
}
