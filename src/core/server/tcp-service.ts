/**
 * The transport half every TCP protocol server shares: plain and implicit-TLS listeners, a
 * connection count (global and per client IP) that refuses the excess with the protocol's own
 * busy reply, metrics, and an idempotent draining close. A protocol server owns one TcpService
 * and gives it a `handle(conn)` function that runs a session to completion.
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
}

/** A bound listener and whether it speaks implicit TLS. */
export interface BoundListener {
  address: AddressInfo;
  tls: boolean;
}

export interface TcpServiceOptions {
  protocol: string;
  /** Runs one session; the promise settles when the session is over. */
  handle: (conn: LineConnection) => Promise<void>;
  /** Per-connection options (line length, timeouts, redaction). */
  connection?: Omit<LineConnectionOptions, 'protocol'>;
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
export class TcpService {
  readonly protocol: string;
  readonly metrics: ServiceMetrics;
  readonly #options: TcpServiceOptions;
  readonly #logger: Logger;
  readonly #servers: { server: Server; tls: boolean }[] = [];
  readonly #connections = new Set<LineConnection>();
  /** Implicit-TLS sockets still in their handshake (not yet sessions), destroyed by close(). */
  readonly #handshaking = new Set<TLSSocket>();
  readonly #counter: ConnectionCounter;
  #closing: Promise<void> | null = null;

  constructor(options: TcpServiceOptions) {
    this.protocol = options.protocol;
    this.#options = options;
    this.#logger = options.logger ?? silentLogger();
    this.metrics = options.metrics ?? createMetrics();
    this.#counter = new ConnectionCounter(
      options.maxConnections ?? CONNECTION_LIMITS.maxConnections,
      options.maxConnectionsPerIp ?? CONNECTION_LIMITS.maxConnectionsPerIp,
    );
  }

  /** Number of open connections. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /** Binds one more listener; resolves with its address. Call once per port. */
  async listen(options: ListenOptions = {}): Promise<AddressInfo> {
    if (this.#closing) throw new OutpostError(ErrorCodes.NOT_LISTENING, `${this.protocol} server is closed`);
    const useTls = options.tls === true;
    // The metrics label of this listener, `host:port`, known once bound.
    let listener = '';
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
      const handshakeTimeoutMs = this.#options.connection?.tlsHandshakeTimeoutMs ?? 30_000;
      server = createServer((raw) => {
        this.#acceptTls(raw, contextFor, handshakeTimeoutMs, listener);
      });
    } else {
      server = createServer((socket) => {
        this.#accept(socket, listener);
      });
    }
    server.on('error', (err) => {
      this.#logger.error({ err }, `${this.protocol}: listener error`);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#servers.push({ server, tls: useTls });
    const address = server.address() as AddressInfo;
    listener = listenerLabel(address);
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
    listener: string,
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
      this.#accept(socket, listener);
    });
  }

  /** The first listener's address, or null before listen(). */
  address(): AddressInfo | null {
    const first = this.#servers[0];
    return first ? (first.server.address() as AddressInfo) : null;
  }

  /** Every bound listener. */
  listeners(): BoundListener[] {
    return this.#servers.map(({ server, tls }) => ({ address: server.address() as AddressInfo, tls }));
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

  #accept(socket: Socket, listener: string): void {
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
    const conn = new LineConnection(socket, { ...this.#options.connection, protocol: this.protocol });
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
      .handle(conn)
      .catch((err: unknown) => {
        this.#logger.error({ err, session: conn.id }, `${this.protocol}: session failed`);
      })
      .finally(() => {
        void conn.close();
      });
  }
}
