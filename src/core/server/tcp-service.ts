/**
 * The transport half every TCP protocol server shares: plain and implicit-TLS listeners, a
 * connection count (global and per client IP) that refuses the excess with the protocol's own
 * busy reply, metrics, and an idempotent draining close. A protocol server owns one TcpService
 * and gives it a `handle(conn, listener, settings)` function that runs a session to completion:
 * `listener` says which listener accepted the connection (address, implicit TLS, role), so no
 * session guesses it from a port number, and `settings` are the server's settings when the
 * connection was accepted. `reconfigure(settings)` is the one reload pattern: new sessions get
 * the new settings, running ones keep those they started with.
 *
 * Shape of every Outpost server (STYLE.md #8): `listen({port: 0, host})` resolves with the
 * bound address, `address()`, `close()` drains (stop accepting, ask sessions to finish at the
 * next command, wait up to `drainTimeoutMs`, then destroy), `[Symbol.asyncDispose]`.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { ErrorCodes, OutpostError } from '../errors.js';
import { CONNECTION_LIMITS } from '../limits.js';
import type { Logger } from '../logger.js';
import { silentLogger } from '../logger.js';
import { createMetrics, type ServiceMetrics } from '../metrics.js';
import { listenerLabel } from '../net.js';
import { LineConnection, type LineConnectionOptions } from '../line/connection.js';
import { ConnectionCounter } from './connection-counter.js';

export interface ListenOptions {
  port?: number;
  host?: string;
  /** Implicit TLS (SMTPS 465, POP3S 995, IMAPS 993, FTPS 990). */
  tls?: boolean;
  /** Which of the server's listener kinds this is, when it has several (SMTP: mx, submission, smtps). */
  role?: string;
}

/** A bound listener: what a session is told about the listener that accepted it. */
export interface BoundListener {
  readonly address: AddressInfo;
  /** Implicit TLS: the connection was TLS from its first byte. */
  readonly tls: boolean;
  /** The role given to `listen`, if any. */
  readonly role: string | undefined;
}

/** Per-connection options of the line layer (everything but the protocol name). */
export type ConnectionOptions = Omit<LineConnectionOptions, 'protocol'>;

export interface TcpServiceOptions<S = undefined> {
  protocol: string;
  /**
   * Runs one session; the promise settles when the session is over. `listener` is the listener
   * that accepted the connection; `settings` the service's settings at that moment (see
   * `reconfigure`).
   */
  handle: (conn: LineConnection, listener: BoundListener, settings: S) => Promise<void>;
  /** The settings sessions start with until `reconfigure` (absent when the server has none). */
  settings?: S;
  /** Per-connection options (line length, timeouts, redaction), or a function of the settings
   *  current at accept time (a reloadable idle timeout). */
  connection?: ConnectionOptions | ((settings: S) => ConnectionOptions);
  /** Current TLS context for implicit-TLS listeners (called per handshake, so reloads apply). */
  tlsContext?: () => SecureContext | undefined;
  /** Line written before closing a connection refused by limits, e.g. `421 4.7.0 Too many connections`. */
  busyReply?: string;
  maxConnections?: number;
  maxConnectionsPerIp?: number;
  drainTimeoutMs?: number;
  logger?: Logger;
  metrics?: ServiceMetrics;
}

/** Listeners, connection accounting and graceful shutdown for one protocol server. */
export class TcpService<S = undefined> {
  readonly protocol: string;
  readonly metrics: ServiceMetrics;
  readonly #options: TcpServiceOptions<S>;
  readonly #logger: Logger;
  readonly #servers: { server: Server; listener: BoundListener }[] = [];
  #settings: S;
  readonly #connections = new Set<LineConnection>();
  /** Implicit-TLS sockets still in their handshake (not yet sessions), destroyed by close(). */
  readonly #handshaking = new Set<TLSSocket>();
  readonly #counter: ConnectionCounter;
  #closing: Promise<void> | null = null;

  constructor(options: TcpServiceOptions<S>) {
    this.protocol = options.protocol;
    this.#options = options;
    // Absent only for servers without settings, whose S is undefined.
    this.#settings = options.settings as S;
    this.#logger = options.logger ?? silentLogger();
    this.metrics = options.metrics ?? createMetrics();
    this.#counter = new ConnectionCounter(
      options.maxConnections ?? CONNECTION_LIMITS.maxConnections,
      options.maxConnectionsPerIp ?? CONNECTION_LIMITS.maxConnectionsPerIp,
    );
  }

  /** The settings new sessions start with. */
  get settings(): S {
    return this.#settings;
  }

  /** Gives sessions accepted from now on `settings`; sessions already running keep theirs. */
  reconfigure(settings: S): void {
    this.#settings = settings;
  }

  /** Number of open connections. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /** Binds one more listener; resolves with its address. Call once per port. */
  async listen(options: ListenOptions = {}): Promise<AddressInfo> {
    if (this.#closing) throw new OutpostError(ErrorCodes.NOT_LISTENING, `${this.protocol} server is closed`);
    const useTls = options.tls === true;
    // This listener's descriptor and its metrics label, `host:port`, known once bound.
    let bound: { listener: BoundListener; label: string } | undefined;
    let server: Server;
    if (useTls) {
      const contextFor = this.#options.tlsContext;
      if (!contextFor?.()) {
        throw new OutpostError(
          ErrorCodes.TLS_UNAVAILABLE,
          `${this.protocol}: implicit TLS needs a certificate`,
        );
      }
      // Each socket is wrapped with the context current at accept time, so a client that sends
      // no SNI (any client connecting by IP address) gets the certificate too, and a reload
      // applies to the next connection; SNI clients are answered by the same provider.
      const handshakeTimeoutMs = this.#connectionOptions(this.#settings)?.tlsHandshakeTimeoutMs ?? 30_000;
      server = createServer((raw) => {
        if (bound) this.#acceptTls(raw, contextFor, handshakeTimeoutMs, bound);
        else raw.destroy();
      });
    } else {
      server = createServer((socket) => {
        if (bound) this.#accept(socket, bound);
        else socket.destroy();
      });
    }
    server.on('error', (err) => {
      this.#logger.error({ err }, `${this.protocol}: listener error`);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' }, () => {
        server.off('error', reject);
        const address = server.address() as AddressInfo;
        bound = { listener: { address, tls: useTls, role: options.role }, label: listenerLabel(address) };
        resolve();
      });
    });
    if (!bound) throw new OutpostError(ErrorCodes.NOT_LISTENING, `${this.protocol}: listener did not bind`);
    const { listener } = bound;
    const address = listener.address;
    this.#servers.push({ server, listener });
    this.#logger.info(
      { address: address.address, port: address.port, tls: useTls },
      `${this.protocol} listening`,
    );
    return address;
  }

  /** Runs the TLS handshake on an accepted socket, then hands it to the session. */
  #acceptTls(
    raw: Socket,
    contextFor: () => SecureContext | undefined,
    handshakeTimeoutMs: number,
    bound: { listener: BoundListener; label: string },
  ): void {
    const secureContext = contextFor();
    if (!secureContext) {
      raw.destroy();
      return;
    }
    const socket = new TLSSocket(raw, {
      isServer: true,
      secureContext,
      SNICallback: (_name, cb) => {
        cb(null, contextFor() ?? secureContext);
      },
    });
    this.#handshaking.add(socket);
    const fail = (err?: Error): void => {
      clearTimeout(timer);
      this.#handshaking.delete(socket);
      if (err) this.#logger.debug({ err }, `${this.protocol}: TLS handshake failed`);
      socket.destroy();
    };
    const timer = setTimeout(fail, handshakeTimeoutMs);
    socket.once('error', fail);
    socket.once('secure', () => {
      clearTimeout(timer);
      this.#handshaking.delete(socket);
      socket.off('error', fail);
      this.#accept(socket, bound);
    });
  }

  /** The first listener's address, or null before listen(). */
  address(): AddressInfo | null {
    return this.#servers[0]?.listener.address ?? null;
  }

  /** Every bound listener. */
  listeners(): BoundListener[] {
    return this.#servers.map(({ listener }) => listener);
  }

  /** Stops accepting, lets sessions finish, then destroys stragglers. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#drain();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #drain(): Promise<void> {
    const stopped = Promise.all(
      this.#servers.map(
        ({ server }) =>
          new Promise<void>((resolve) => {
            server.close(() => {
              resolve();
            });
          }),
      ),
    );
    for (const socket of this.#handshaking) socket.destroy();
    for (const conn of this.#connections) conn.requestShutdown();
    const all = Promise.all([...this.#connections].map((c) => c.whenClosed));
    const limit = this.#options.drainTimeoutMs ?? CONNECTION_LIMITS.drainTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      all.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => {
          resolve(true);
        }, limit);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      for (const conn of this.#connections) conn.destroy();
    }
    await stopped;
  }

  /** The line layer's options for a connection that starts with `settings`. */
  #connectionOptions(settings: S): ConnectionOptions | undefined {
    const connection = this.#options.connection;
    return typeof connection === 'function' ? connection(settings) : connection;
  }

  #accept(socket: Socket, bound: { listener: BoundListener; label: string }): void {
    const listener = bound.label;
    const ip = socket.remoteAddress ?? 'unknown';
    const reason = this.#closing ? 'closing' : this.#counter.tryAdd(ip);
    if (reason !== null) {
      this.metrics.connectionsRefused.inc({ protocol: this.protocol, reason });
      this.#logger.warn({ ip, reason }, `${this.protocol}: connection refused`);
      socket.on('error', () => undefined);
      if (this.#options.busyReply !== undefined) socket.end(this.#options.busyReply + '\r\n');
      else socket.end();
      setTimeout(() => socket.destroy(), 1000).unref();
      return;
    }
    socket.setNoDelay(true);
    // The session's settings are fixed here: a later reconfigure() is for later connections.
    const settings = this.#settings;
    const conn = new LineConnection(socket, {
      ...this.#connectionOptions(settings),
      protocol: this.protocol,
    });
    this.#connections.add(conn);
    const labels = { protocol: this.protocol, listener };
    this.metrics.connectionsTotal.inc(labels);
    this.metrics.connectionsCurrent.inc(labels);
    this.#logger.debug({ ip, listener, session: conn.id }, `${this.protocol}: connected`);
    const release = (): void => {
      if (!this.#connections.delete(conn)) return;
      this.#counter.remove(ip);
      this.metrics.connectionsCurrent.dec(labels);
      this.#logger.debug({ ip, session: conn.id }, `${this.protocol}: closed`);
    };
    void conn.whenClosed.then(release);
    this.#options
      .handle(conn, bound.listener, settings)
      .catch((err: unknown) => {
        this.#logger.error({ err, session: conn.id }, `${this.protocol}: session failed`);
      })
      .finally(() => {
        void conn.close();
      });
  }
}
