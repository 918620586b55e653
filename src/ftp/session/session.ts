/**
 * One FTP control connection (RFC 959): the command loop, the single gate that checks every
 * command against the command table (state, login, argument, permission, TLS policy), and the
 * transfer runner. Transfers run beside the loop, so while bytes flow the client can still send
 * ABOR (426 then 226), STAT (progress) or NOOP; any other command waits for the transfer's final
 * reply first (RFC 959 §5.4 lets a server queue commands during a transfer). The session talks
 * to a LineConnection and to the injected services, never to the listening socket.
 */
import type { Duplex } from 'node:stream';
import type { SecureContext } from 'node:tls';
import type { LineConnection } from '../../core/line/connection.js';
import type { Counter } from 'prom-client';
import type { Logger } from '../../core/logger.js';
import { replyClassLabel, type CommandMeter } from '../../core/metrics.js';
import { silentLogger } from '../../core/logger.js';
import { parseCommand } from '../codec/command.js';
import { formatReply } from '../codec/reply.js';
import { connectActive, PassiveListener, secureDataSocket, type PortRange } from '../server/data-channel.js';
import { finishSocket } from '../server/transfer.js';
import { adoptForBulkReads, type BulkReader } from '../server/bulk-reader.js';
import { FsError, fsErrorOf } from '../server/user-fs.js';
import type { FtpPermissions } from '../server/user-fs.js';
import { FTP_LIMITS } from '../limits.js';
import { COMMANDS, type CommandSpec } from './commands.js';
import {
  passwordAllowed,
  resolveLoginPolicy,
  withLegacyLoginOptions,
  type LoginPolicy,
} from '../../core/auth/login-policy.js';
import { fsReplyCode, Reply } from './outcome.js';
import type { FtpUser, RunningTransfer, SessionState, TransferSettings, VirtualHost } from './state.js';
import type { HostArgument } from '../codec/host.js';
import { MLSX_FACTS } from '../codec/listing.js';

/** The outcome of a login attempt, as the embedding server decides it. */
export type LoginOutcome =
  | { readonly ok: true; readonly user: FtpUser; readonly root: string; readonly permissions: FtpPermissions }
  | { readonly ok: false; readonly reason: 'invalid' | 'throttled' };

/** What a session needs from its server. */
export interface FtpSessionOptions {
  /** Checks USER/PASS (not called for anonymous logins) on the virtual host HOST selected. */
  authenticate: (
    user: string,
    password: string,
    ip: string,
    host: VirtualHost | null,
  ) => Promise<LoginOutcome>;
  /**
   * The virtual host a HOST argument names (RFC 7151), or null for an unknown one (504). Absent:
   * every well-formed name is accepted and selects the one tree.
   */
  virtualHost?: ((requested: HostArgument) => VirtualHost | null | Promise<VirtualHost | null>) | undefined;
  /** Public read-only directory for USER anonymous/ftp; absent = no anonymous login. */
  anonymousRoot?: string | undefined;
  /** TLS for AUTH TLS and PROT P; absent = not offered. */
  tlsContext?: (() => SecureContext | undefined) | undefined;
  /** When passwords may be sent without TLS (default: from loopback only). `requireTls` also
   *  refuses USER/PASS, anonymous included, until TLS is active (RFC 4217 §6). */
  loginPolicy?: Partial<LoginPolicy> | undefined;
  /** @deprecated Use `loginPolicy: { requireTls }`; still honoured. */
  requireTls?: boolean | undefined;
  /** @deprecated Use `loginPolicy: { allowPlaintextLogin }`; still honoured. */
  allowPlaintextLogin?: boolean | undefined;
  passivePorts?: PortRange | undefined;
  /** Address advertised in 227 replies (NAT); the control connection's local address otherwise. */
  passiveAddress?: string | undefined;
  dataConnectTimeoutMs?: number;
  dataIdleTimeoutMs?: number;
  /** fsync uploads before 226 (default true). */
  fsync?: boolean;
  /** The connection arrived on an implicit-TLS listener (PROT P by default). */
  implicitTls?: boolean;
  greeting?: string;
  logger?: Logger;
  /** Counts commands by verb and reply class (the server's metrics). */
  commands?: CommandMeter | undefined;
  /** Counts data-connection octets by direction, `sent` or `received` (the server's metrics). */
  dataBytes?: Counter<'direction'> | undefined;
  now?: () => Date;
}

/** Transfers whose data flows from the client to us. */
const UPLOADS: ReadonlySet<string> = new Set(['STOR', 'APPE', 'STOU']);

/** One control connection's session. */
export class FtpSession {
  readonly conn: LineConnection;
  readonly options: FtpSessionOptions;
  readonly logger: Logger;
  state: SessionState = { kind: 'login', host: null };
  readonly settings: TransferSettings;
  readonly now: () => Date;
  /** Code of the last reply written (0: none since the command began): a command's class. */
  #lastCode = 0;
  readonly #loginPolicy: LoginPolicy;

  constructor(conn: LineConnection, options: FtpSessionOptions) {
    this.conn = conn;
    this.options = options;
    this.#loginPolicy = resolveLoginPolicy(withLegacyLoginOptions(options.loginPolicy, options));
    this.logger = options.logger ?? silentLogger();
    this.now = options.now ?? (() => new Date());
    this.settings = {
      type: 'A',
      prot: options.implicitTls === true ? 'P' : 'C',
      pbsz: options.implicitTls === true,
      epsvAll: false,
      utf8: true,
      mlstFacts: new Set(MLSX_FACTS),
    };
  }

  /** Writes a reply (multi-line when several lines are given, RFC 959 §4.2). */
  reply(code: number, text: string | readonly string[]): void {
    this.#lastCode = code;
    this.conn.writeLines(formatReply(code, text));
  }

  /** The logged-in state, or null. */
  get ready(): Extract<SessionState, { kind: 'ready' }> | null {
    return this.state.kind === 'ready' ? this.state : null;
  }

  /** TLS context when AUTH TLS can be offered. */
  tls(): SecureContext | undefined {
    return this.options.tlsContext?.();
  }

  /** Runs the session until QUIT, EOF, timeout or server shutdown. */
  async run(): Promise<void> {
    this.reply(220, this.options.greeting ?? 'Outpost FTP ready');
    for (;;) {
      const r = await this.conn.readLine({ command: true });
      if (r.kind === 'shutdown') {
        this.#abortTransfer();
        this.reply(421, 'Server shutting down, closing control connection');
        break;
      }
      if (r.kind === 'end') break;
      if (r.kind === 'timeout') {
        if (r.which === 'idle' && this.ready?.transfer) continue;
        this.reply(
          421,
          r.which === 'idle' ? 'Idle timeout, closing control connection' : 'Session too long, closing',
        );
        break;
      }
      if (r.kind === 'overflow') {
        this.reply(500, 'Command line too long');
        continue;
      }
      const parsed = parseCommand(r.raw);
      if (!parsed.ok) {
        if (parsed.reason !== 'empty') this.reply(500, 'Syntax error, command unrecognized');
        else this.reply(500, 'Empty command');
        this.options.commands?.count('', '5xx');
        continue;
      }
      const spec = COMMANDS.get(parsed.verb);
      if (!spec) {
        this.reply(500, `Unknown command ${parsed.verb.slice(0, 4)}`);
        this.options.commands?.count(parsed.verb, '5xx');
        continue;
      }
      const transfer = this.ready?.transfer;
      if (transfer && spec.duringTransfer !== true) await transfer.done;
      await this.#dispatch(spec, parsed.arg);
      if (this.state.kind === 'closing') break;
    }
    this.#abortTransfer();
    await this.ready?.transfer?.done;
    this.#dropData();
    this.state = { kind: 'closing' };
  }

  /** The one gate: may `spec` run now with `arg`? Returns the refusal, or null. */
  isAllowed(spec: CommandSpec, arg: string): Reply | null {
    const kind = this.state.kind;
    if (!spec.states.includes(kind)) {
      if (kind !== 'ready' && spec.states.includes('ready') && spec.states.length === 1) {
        return new Reply(530, 'Please login with USER and PASS');
      }
      return new Reply(503, 'Bad sequence of commands');
    }
    if (spec.arg === 'required' && arg.trim() === '') return new Reply(501, `Syntax: ${spec.help}`);
    if (spec.arg === 'none' && arg.trim() !== '') return new Reply(501, `Syntax: ${spec.help}`);
    if (spec.tlsGate === true && this.#tlsRequired()) {
      return new Reply(530, 'TLS required: use AUTH TLS before logging in');
    }
    const ready = this.ready;
    if (spec.perm !== undefined && ready && !ready.fs.permissions[spec.perm]) {
      return new Reply(550, 'Permission denied');
    }
    if (spec.epsvAllBlocked === true && this.settings.epsvAll) {
      return new Reply(503, 'EPSV ALL in effect: only EPSV may set up data connections');
    }
    return null;
  }

  #tlsRequired(): boolean {
    return !this.conn.secure && this.#loginPolicy.requireTls;
  }

  /** True when a plaintext password from this client must be refused (the login policy). */
  plaintextRefused(): boolean {
    return !passwordAllowed(this.#loginPolicy, this.conn);
  }

  async #dispatch(spec: CommandSpec, arg: string): Promise<void> {
    this.#lastCode = 0;
    await this.#run(spec, arg);
    // No reply yet: a transfer started, whose 150 comes once the data connection is open.
    this.options.commands?.count(spec.verb, this.#lastCode === 0 ? '1xx' : replyClassLabel(this.#lastCode));
  }

  async #run(spec: CommandSpec, arg: string): Promise<void> {
    const refusal = this.isAllowed(spec, arg);
    if (refusal) {
      this.reply(refusal.code, refusal.text);
      return;
    }
    const ready = this.ready;
    const renameFrom = ready?.renameFrom ?? null;
    try {
      const out = await spec.handler(this, arg);
      if (out) this.reply(out.code, out.text);
    } catch (err) {
      if (err instanceof FsError) this.reply(fsReplyCode(err), err.message);
      else {
        this.logger.error({ err, verb: spec.verb }, 'ftp command failed');
        this.reply(451, 'Local error in processing');
      }
    }
    // RNFR only applies to an immediately following RNTO. REST stays until a transfer uses it
    // (clients send it before or after PASV/TYPE; vsftpd and pyftpdlib keep it the same way).
    const after = this.ready;
    if (after && after === ready && spec.verb !== 'RNFR' && after.renameFrom === renameFrom)
      after.renameFrom = null;
  }

  /** Closes a pending passive listener and forgets the data setup. */
  #dropData(): void {
    const ready = this.ready;
    if (ready?.data?.kind === 'passive') ready.data.listener.close();
    if (ready) ready.data = null;
  }

  /** Replaces the data setup (a new PASV closes the previous listener). */
  setData(data: Extract<SessionState, { kind: 'ready' }>['data']): void {
    this.#dropData();
    const ready = this.ready;
    if (ready) ready.data = data;
  }

  #abortTransfer(): void {
    this.ready?.transfer?.controller.abort();
  }

  /** Aborts the running transfer (ABOR); resolves after its 426. False when none ran. */
  async abortTransfer(): Promise<boolean> {
    const transfer = this.ready?.transfer;
    if (!transfer) {
      this.#dropData();
      return false;
    }
    transfer.controller.abort();
    await transfer.done;
    return true;
  }

  /**
   * Opens the data connection and runs `body` on it beside the command loop. Replies 425 when
   * no data connection can be made, 150 once it is, then 226 / 426 (aborted or broken) / 451
   * (local error) / 550 when `body` throws an FsError.
   */
  startTransfer(
    verb: string,
    path: string,
    opening: string,
    body: (socket: Duplex, transfer: RunningTransfer, bulk: BulkReader | null) => Promise<string | undefined>,
    options: { bulkReads?: boolean } = {},
  ): Reply | null {
    const ready = this.ready;
    if (!ready) return new Reply(530, 'Please login with USER and PASS');
    const setup = ready.data;
    ready.data = null;
    if (!setup) return new Reply(425, 'Use PORT, EPRT, PASV or EPSV first');
    const controller = new AbortController();
    let resolveDone!: () => void;
    const transfer: RunningTransfer = {
      verb,
      path,
      controller,
      bytes: 0,
      startedAt: Date.now(),
      done: new Promise<void>((resolve) => {
        resolveDone = resolve;
      }),
    };
    ready.transfer = transfer;
    const connectMs = this.options.dataConnectTimeoutMs ?? FTP_LIMITS.dataConnectTimeoutMs;
    const run = async (): Promise<void> => {
      let socket: Duplex | null = null;
      try {
        let raw;
        try {
          if (setup.kind === 'passive') {
            raw = await setup.listener.accept(connectMs);
            if (raw) setup.listener.take(raw);
            setup.listener.close();
          } else {
            raw = await connectActive(setup.host, setup.port, undefined, connectMs);
          }
        } catch {
          raw = null;
        }
        if (!raw || controller.signal.aborted) {
          raw?.destroy();
          this.reply(425, "Can't open data connection");
          return;
        }
        // Uploads in TYPE I over plain TCP read into reusable buffers (see bulk-reader.ts).
        let bulk: BulkReader | null = null;
        if (options.bulkReads === true && this.settings.prot !== 'P') {
          bulk = adoptForBulkReads(raw, FTP_LIMITS.transferChunkOctets);
          if (bulk) raw = bulk.socket;
        }
        raw.setNoDelay(false);
        socket = raw;
        this.reply(150, opening);
        if (this.settings.prot === 'P') {
          const ctx = this.tls();
          if (!ctx) throw new Error('PROT P without TLS');
          try {
            socket = await secureDataSocket(raw, ctx, connectMs);
          } catch {
            raw.destroy();
            this.reply(425, 'TLS negotiation on the data connection failed');
            return;
          }
        }
        const idleMs = this.options.dataIdleTimeoutMs ?? FTP_LIMITS.dataIdleTimeoutMs;
        const data = socket;
        raw.setTimeout(idleMs, () => {
          controller.abort(new Error('data connection idle'));
          data.destroy();
        });
        // ABOR may arrive while `body` is still opening its file, before it listens for the
        // abort itself: closing the data connection here ends the transfer whatever it awaits.
        whenAborted(controller.signal, () => {
          data.destroy();
        });
        const done = await body(data, transfer, bulk);
        await finishSocket(data);
        this.reply(226, done ?? 'Transfer complete');
      } catch (err) {
        socket?.destroy();
        if (controller.signal.aborted) this.reply(426, 'Connection closed; transfer aborted');
        else if (err instanceof FsError) this.reply(fsReplyCode(err), err.message);
        else if (isSocketError(err)) this.reply(426, 'Data connection broken; transfer aborted');
        else if (fsErrorOf(err).kind === 'no-space')
          this.reply(452, 'Insufficient storage space; transfer aborted');
        else {
          this.logger.warn({ err, verb }, 'ftp transfer failed');
          this.reply(451, 'Transfer aborted: local error');
        }
      } finally {
        this.options.dataBytes?.inc({ direction: UPLOADS.has(verb) ? 'received' : 'sent' }, transfer.bytes);
        if (ready.transfer === transfer) ready.transfer = null;
        resolveDone();
      }
    };
    void run();
    return null;
  }

  /** Opens a passive listener for PASV/EPSV on the control connection's local address. */
  async openPassive(): Promise<PassiveListener> {
    const host = this.conn.localAddress === 'unknown' ? '127.0.0.1' : this.conn.localAddress;
    return PassiveListener.open(host, this.conn.remoteAddress, this.options.passivePorts);
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
