/**
 * The HTTP listeners every HTTP listener kind shares (`HttpListenerSet`: the web server here, the
 * caching proxy in src/proxy/) and the web server on them (`HttpServer`): plain listeners that speak HTTP/1.1 (node:http) or, with the `h2c` option and
 * a connection that opens with the HTTP/2 preface, h2c with prior knowledge (node:http2 createServer, see h2c.ts), and TLS
 * listeners that speak HTTP/2 or HTTP/1.1 as ALPN decides (node:http2 createSecureServer with
 * allowHTTP1), all sharing one RequestHandler (the web handler chain, chain/web.ts). Node's llhttp parses requests (hardened against smuggling); we set its limits
 * from HTTP_LIMITS: header size (431), headers and request timeouts (slowloris), keep-alive idle
 * time, socket inactivity. Connections are counted in all and per IP (ConnectionCounter).
 * `close()` stops accepting, lets in-flight requests finish (HTTP/2 GOAWAY), then destroys
 * what is left after the drain timeout.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  createSecureServer,
  createServer as createH2cServer,
  type Http2SecureServer,
  type Http2Server,
  type Http2ServerResponse,
  type Http2Session,
  type ServerOptions as Http2Options,
} from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { SecureContext, TLSSocket } from 'node:tls';
import { listenerLabel } from '../core/net.js';
import { ConnectionCounter } from '../core/server/connection-counter.js';
import { ErrorCodes, OutpostError } from '../core/errors.js';
import type { ServiceMetrics } from '../core/metrics.js';
import type { TlsProvider } from '../core/tls.js';
import { transcriptActive } from '../core/transcript.js';
import { sniffPlain } from './h2c.js';
import { RequestHandler, type HandlerOptions } from './handler.js';
import { HTTP_CONNECTION_LIMITS, HTTP_LIMITS } from './limits.js';
import type { HttpRequest } from './types.js';
import { tapConnection, tapRejected, tapRequest, tapTlsFailure, tapUndecided } from './transcript.js';
import { answerClientError, isHttpRefusal } from './client-error.js';

/** Timeouts and sizes a caller (or a test) may tighten. */
export interface HttpServerLimits {
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  keepAliveTimeoutMs?: number;
  socketTimeoutMs?: number;
  maxHeaderBytes?: number;
  /** How often Node checks the headers/request timeouts, in ms (Node's default is 30 s). */
  checkIntervalMs?: number;
  maxConnections?: number;
  maxConnectionsPerIp?: number;
  drainTimeoutMs?: number;
}

/** What every listener set is built from; a listener kind adds its request handling. */
export interface HttpListenerCommon {
  /** Certificates for listenTls (reloadable). */
  readonly tls?: TlsProvider | null | undefined;
  readonly limits?: HttpServerLimits | undefined;
  /**
   * Also speak h2c (HTTP/2 with prior knowledge, RFC 9113 §3.3) on the plain listeners. Off by
   * default: sniffing the first bytes in JavaScript costs about a fifth of the new-connection
   * rate (nothing per request on a persistent connection).
   */
  readonly h2c?: boolean | undefined;
}

/** A listener set: the common options plus what it does with requests. */
export interface HttpListenerSetOptions extends HttpListenerCommon {
  /** Every request of every listener, HTTP/1.1 or HTTP/2; `secure`: it came over TLS. */
  readonly handle: (req: HttpRequest, res: ServerResponse | Http2ServerResponse, secure: boolean) => void;
  /** HTTP/1.1 CONNECT on the plain listeners (node:http's 'connect'); absent: node:http closes them. */
  readonly connect?: ((req: IncomingMessage, socket: Duplex, head: Buffer) => void) | undefined;
  /** Connection metrics, labelled `protocol` (default 'http'). */
  readonly metrics?: ServiceMetrics | undefined;
  readonly protocol?: string | undefined;
  /** Runs once the listeners closed (the web server closes its access log). */
  readonly closed?: (() => Promise<void>) | undefined;
}

/** Options of createHttpServer. */
export interface HttpServerOptions extends HandlerOptions, HttpListenerCommon {}

/** A bound listener. */
export interface HttpAddress {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
}

/** Any number of plain and TLS listeners handing their requests to one handler. */
export class HttpListenerSet implements AsyncDisposable {
  readonly #options: HttpListenerSetOptions;
  readonly #tls: TlsProvider | null | undefined;
  readonly #limits: Required<HttpServerLimits>;
  readonly #plain: Server[] = [];
  readonly #secure: Http2SecureServer[] = [];
  readonly #sockets = new Set<Socket>();
  readonly #sessions = new Set<Http2Session>();
  /** Plain connections whose first bytes have not said HTTP/1.1 or h2c yet. */
  readonly #sniffing = new Set<Socket>();
  readonly #h2c: boolean;
  #h2cServer: Http2Server | undefined;
  readonly #counter: ConnectionCounter;
  #closing: Promise<void> | undefined;

  constructor(options: HttpListenerSetOptions) {
    const l = options.limits ?? {};
    this.#options = options;
    this.#tls = options.tls;
    this.#h2c = options.h2c ?? false;
    this.#limits = {
      headersTimeoutMs: l.headersTimeoutMs ?? HTTP_LIMITS.headersTimeoutMs,
      requestTimeoutMs: l.requestTimeoutMs ?? HTTP_LIMITS.requestTimeoutMs,
      keepAliveTimeoutMs: l.keepAliveTimeoutMs ?? HTTP_LIMITS.keepAliveTimeoutMs,
      socketTimeoutMs: l.socketTimeoutMs ?? HTTP_LIMITS.socketTimeoutMs,
      maxHeaderBytes: l.maxHeaderBytes ?? HTTP_LIMITS.maxHeaderBytes,
      checkIntervalMs: l.checkIntervalMs ?? 1_000,
      maxConnections: l.maxConnections ?? HTTP_CONNECTION_LIMITS.maxConnections,
      maxConnectionsPerIp: l.maxConnectionsPerIp ?? HTTP_CONNECTION_LIMITS.maxConnectionsPerIp,
      drainTimeoutMs: l.drainTimeoutMs ?? HTTP_CONNECTION_LIMITS.drainTimeoutMs,
    };
    this.#counter = new ConnectionCounter(this.#limits.maxConnections, this.#limits.maxConnectionsPerIp);
  }

  /** The limits in force, defaults filled in. */
  get limits(): Readonly<Required<HttpServerLimits>> {
    return this.#limits;
  }

  /** Starts a plain HTTP/1.1 (and h2c when enabled) listener; resolves with its address. */
  async listen(address: { host: string; port: number }): Promise<HttpAddress> {
    this.#assertOpen();
    const l = this.#limits;
    const server = createServer(
      {
        maxHeaderSize: l.maxHeaderBytes,
        headersTimeout: l.headersTimeoutMs,
        requestTimeout: l.requestTimeoutMs,
        keepAliveTimeout: l.keepAliveTimeoutMs,
        connectionsCheckingInterval: l.checkIntervalMs,
        requireHostHeader: false,
      },
      this.#onRequest(false),
    );
    // One more than the limit, so the handler sees a request over it (see header-limits.ts).
    server.maxHeadersCount = HTTP_LIMITS.maxHeadersCount + 1;
    server.timeout = l.socketTimeoutMs;
    const connect = this.#options.connect;
    if (connect !== undefined) server.on('connect', connect);
    if (this.#h2c) {
      // node:http's own connection listener runs only once the first bytes said HTTP/1.1.
      const http1 = detachConnectionListener(server);
      this.#track(server, false, (socket) => {
        this.#sniff(socket, server, http1);
      });
    } else this.#track(server, false);
    await bind(server, address);
    this.#plain.push(server);
    return toAddress(server, false);
  }

  /** Starts a TLS listener offering h2 and http/1.1 by ALPN; needs `tls`. */
  async listenTls(address: { host: string; port: number }): Promise<HttpAddress> {
    this.#assertOpen();
    const tls = this.#tls;
    if (!tls)
      throw new OutpostError(ErrorCodes.TLS_UNAVAILABLE, 'an HTTPS listener needs a certificate ([tls])');
    const l = this.#limits;
    const server = createSecureServer(
      {
        ...readPem(tls),
        allowHTTP1: true,
        minVersion: 'TLSv1.2',
        handshakeTimeout: HTTP_LIMITS.tlsHandshakeTimeoutMs,
        ...http2Options(l),
        // SNI clients get the provider's current context, so a reload needs no restart.
        SNICallback: (_name: string, cb: (err: Error | null, ctx?: SecureContext) => void) => {
          cb(null, tls.current());
        },
      },
      this.#onRequest(true),
    );
    // HTTP/1.1 over this TLS listener uses node:http's connection code and these fields.
    Object.assign(server, {
      headersTimeout: l.headersTimeoutMs,
      requestTimeout: l.requestTimeoutMs,
      keepAliveTimeout: l.keepAliveTimeoutMs,
      maxHeadersCount: HTTP_LIMITS.maxHeadersCount + 1,
    });
    this.#trackSessions(server);
    this.#track(server, true);
    await bind(server, address);
    this.#secure.push(server);
    return toAddress(server, true);
  }

  /** Every bound listener. */
  addresses(): HttpAddress[] {
    if (this.#closing) return [];
    return [...this.#plain.map((s) => toAddress(s, false)), ...this.#secure.map((s) => toAddress(s, true))];
  }

  /** Re-reads the certificate for clients without SNI (SNI clients already get the new one). */
  reloadTls(): void {
    if (!this.#tls) return;
    for (const server of this.#secure)
      server.setSecureContext({ ...readPem(this.#tls), minVersion: 'TLSv1.2' });
  }

  /** Stops accepting, drains, closes. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#drain();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #drain(): Promise<void> {
    const servers = [...this.#plain, ...this.#secure];
    const closed = servers.map(
      (s) =>
        new Promise<void>((resolve) => {
          s.close(() => {
            resolve();
          });
        }),
    );
    for (const s of this.#plain) s.closeIdleConnections();
    // A connection that has not finished its first bytes has no request to finish.
    for (const socket of this.#sniffing) socket.destroy();
    for (const session of this.#sessions) session.close();
    const timer = setTimeout(() => {
      for (const socket of this.#sockets) socket.destroy();
      for (const session of this.#sessions) session.destroy();
    }, this.#limits.drainTimeoutMs);
    timer.unref();
    await Promise.all(closed);
    clearTimeout(timer);
    await this.#options.closed?.();
  }

  /** The request listener of every listener kind: the transcript when watched, then the handler. */
  #onRequest(secure: boolean): (req: HttpRequest, res: ServerResponse | Http2ServerResponse) => void {
    const handle = this.#options.handle;
    return (req, res) => {
      if (transcriptActive()) tapRequest(req, res);
      handle(req, res, secure);
    };
  }

  /** Idle timeout and draining for the HTTP/2 sessions of a TLS listener or of h2c. */
  #trackSessions(server: Http2Server | Http2SecureServer): void {
    server.setTimeout(this.#limits.socketTimeoutMs);
    server.on('session', (session: Http2Session) => {
      this.#sessions.add(session);
      session.once('close', () => this.#sessions.delete(session));
    });
  }

  /** The one node:http2 server (never listening) that takes the h2c connections of all plain listeners. */
  #h2cSessions(): Http2Server {
    if (this.#h2cServer) return this.#h2cServer;
    const server = createH2cServer(http2Options(this.#limits), this.#onRequest(false));
    this.#trackSessions(server);
    this.#h2cServer = server;
    return server;
  }

  /** Waits for a plain connection's first bytes, then hands it to node:http or to h2c. */
  #sniff(socket: Socket, server: Server, http1: (socket: Socket) => void): void {
    this.#sniffing.add(socket);
    sniffPlain(socket, {
      timeoutMs: this.#limits.headersTimeoutMs,
      decide: (s, protocol) => {
        this.#sniffing.delete(s);
        if (transcriptActive()) tapConnection(s, protocol === 'h2c' ? 'h2c' : undefined);
        if (protocol === 'h2c') {
          // node:http accepts half-open sockets; an HTTP/2 session ends with the client's FIN,
          // as on node:http2's own listeners.
          s.allowHalfOpen = false;
          this.#h2cSessions().emit('connection', s);
        } else {
          http1.call(server, s);
          s.resume();
        }
      },
      abandoned: (s) => {
        this.#sniffing.delete(s);
        if (transcriptActive()) tapUndecided(s);
      },
    });
  }

  #track(server: Server | Http2SecureServer, tls: boolean, accepted?: (socket: Socket) => void): void {
    const metrics = this.#options.metrics;
    const protocol = this.#options.protocol ?? 'http';
    /** The metrics labels of this listener, known once it is bound. */
    let labels: { protocol: string; listener: string } | undefined;
    server.on('connection', (socket: Socket) => {
      const ip = socket.remoteAddress ?? '';
      const reason = this.#counter.tryAdd(ip);
      if (reason !== null) {
        metrics?.connectionsRefused.inc({ protocol, reason });
        socket.destroy();
        return;
      }
      this.#sockets.add(socket);
      if (metrics !== undefined) {
        labels ??= { protocol, listener: listenerLabel(server.address() as AddressInfo) };
        const bound = labels;
        metrics.connectionsTotal.inc(bound);
        metrics.connectionsCurrent.inc(bound);
        socket.once('close', () => {
          metrics.connectionsCurrent.dec(bound);
        });
      }
      socket.once('close', () => {
        this.#sockets.delete(socket);
        this.#counter.remove(ip);
      });
      if (accepted) accepted(socket);
      else if (!tls && transcriptActive()) tapConnection(socket);
    });
    // Ahead of node:http2's own listener, so the connect entry precedes the first request.
    if (tls)
      server.prependListener('secureConnection', (socket: TLSSocket) => {
        if (transcriptActive()) tapConnection(socket);
      });
    // A request the parser refuses (or that misses the headers timeout): node:http's own answer,
    // plus a transcript entry. HTTP/1.1 on TLS listeners comes through here too; so do failed
    // TLS handshakes (node:http2 forwards tlsClientError), which are handled below.
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
      if (tls && !isHttpRefusal(err)) {
        socket.destroy(err);
        return;
      }
      const status = answerClientError(err, socket);
      if (transcriptActive()) tapRejected(socket, err, status);
    });
    // A TLS handshake failure or a client that hangs up mid-handshake is not our error.
    server.on('tlsClientError', (err: Error, socket: Socket) => {
      if (transcriptActive()) tapTlsFailure(socket, err);
      socket.destroy();
    });
  }

  #assertOpen(): void {
    if (this.#closing) throw new OutpostError(ErrorCodes.NOT_LISTENING, 'the HTTP server is closed');
  }
}

/** The web server: a listener set running the web handler chain (chain/web.ts). */
export class HttpServer extends HttpListenerSet {
  readonly handler: RequestHandler;

  constructor(options: HttpServerOptions) {
    // The handler needs the resolved limits, known once the listener set exists.
    const built: { handler?: RequestHandler } = {};
    super({
      ...options,
      handle: (req, res, secure) => {
        built.handler?.handle(req, res, secure);
      },
      metrics: options.metrics?.shared,
      closed: async () => {
        await built.handler?.options.accessLog?.close();
      },
    });
    this.handler = new RequestHandler(options, this.limits);
    built.handler = this.handler;
  }
}

/** Creates a server (no listener yet); see HttpServer.listen / listenTls. */
export function createHttpServer(options: HttpServerOptions): HttpServer {
  return new HttpServer(options);
}

/**
 * HTTP/2 settings shared by the TLS listeners and h2c (RFC 9113 §6.5.2). The header list's hard
 * ceilings sit above the documented limits, so a block between the two reaches the handler and
 * gets 431 (header-limits.ts) instead of a stream reset.
 */
function http2Options(l: Required<HttpServerLimits>): Http2Options {
  return {
    maxSessionMemory: 10,
    maxHeaderListPairs: HTTP_LIMITS.h2MaxHeaderPairs,
    settings: {
      maxConcurrentStreams: HTTP_LIMITS.h2MaxConcurrentStreams,
      maxHeaderListSize: Math.max(l.maxHeaderBytes, HTTP_LIMITS.h2MaxHeaderListBytes),
    },
    maxSendHeaderBlockLength: l.maxHeaderBytes,
  };
}

/**
 * Removes node:http's own 'connection' listener (which starts the HTTP/1.1 parser) and returns
 * it, so a connection reaches it only after sniffPlain decided it speaks HTTP/1.1.
 */
function detachConnectionListener(server: Server): (socket: Socket) => void {
  const [listener] = server.listeners('connection') as ((socket: Socket) => void)[];
  if (listener === undefined) throw new Error('node:http registered no connection listener');
  server.removeListener('connection', listener);
  return listener;
}

function readPem(tls: TlsProvider): { cert: Buffer; key: Buffer } {
  return { cert: readFileSync(tls.files.cert), key: readFileSync(tls.files.key) };
}

async function bind(
  server: Server | Http2SecureServer,
  address: { host: string; port: number },
): Promise<void> {
  server.listen(address.port, address.host);
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([err]: unknown[]) => {
      throw err;
    }),
  ]);
}

function toAddress(server: Server | Http2SecureServer, tls: boolean): HttpAddress {
  const a = server.address() as AddressInfo;
  return { host: a.address, port: a.port, tls };
}
