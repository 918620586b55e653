/**
 * The HTTP server: plain HTTP/1.1 listeners (node:http) and TLS listeners that speak HTTP/2 or
 * HTTP/1.1 as ALPN decides (node:http2 createSecureServer with allowHTTP1), all sharing one
 * RequestHandler. Node's llhttp parses requests (hardened against smuggling); we set its limits
 * from HTTP_LIMITS: header size (431), headers and request timeouts (slowloris), keep-alive idle
 * time, socket inactivity. Connections are counted in all and per IP (ConnectionCounter).
 * `close()` stops accepting, lets in-flight requests finish (HTTP/2 GOAWAY), then destroys
 * what is left after the drain timeout.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createSecureServer, type Http2SecureServer, type Http2Session } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import type { SecureContext, TLSSocket } from 'node:tls';
import { ConnectionCounter } from '../core/server/connection-counter.js';
import { ErrorCodes, OutpostError } from '../core/errors.js';
import type { TlsProvider } from '../core/tls.js';
import { transcriptActive } from '../core/transcript.js';
import { RequestHandler, type HandlerOptions } from './handler.js';
import { HTTP_CONNECTION_LIMITS, HTTP_LIMITS } from './limits.js';
import { tapConnection, tapRequest, tapTlsFailure } from './transcript.js';

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

/** Options of createHttpServer. */
export interface HttpServerOptions extends HandlerOptions {
  /** Certificates for listenTls (reloadable). */
  readonly tls?: TlsProvider | null | undefined;
  readonly limits?: HttpServerLimits | undefined;
}

/** A bound listener. */
export interface HttpAddress {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
}

/** An HTTP server with any number of plain and TLS listeners. */
export class HttpServer implements AsyncDisposable {
  readonly handler: RequestHandler;
  readonly #tls: TlsProvider | null | undefined;
  readonly #limits: Required<HttpServerLimits>;
  readonly #plain: Server[] = [];
  readonly #secure: Http2SecureServer[] = [];
  readonly #sockets = new Set<Socket>();
  readonly #sessions = new Set<Http2Session>();
  readonly #counter: ConnectionCounter;
  #closing: Promise<void> | undefined;

  constructor(options: HttpServerOptions) {
    this.handler = new RequestHandler(options);
    this.#tls = options.tls;
    const l = options.limits ?? {};
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

  /** Starts a plain HTTP/1.1 listener; resolves with its address. */
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
      (req, res) => {
        if (transcriptActive()) tapRequest(req, res);
        this.handler.handle(req, res, false);
      },
    );
    server.maxHeadersCount = HTTP_LIMITS.maxHeadersCount;
    server.timeout = l.socketTimeoutMs;
    this.#track(server, false);
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
        maxSessionMemory: 10,
        settings: { maxConcurrentStreams: 128, maxHeaderListSize: l.maxHeaderBytes },
        maxSendHeaderBlockLength: l.maxHeaderBytes,
        // SNI clients get the provider's current context, so a reload needs no restart.
        SNICallback: (_name: string, cb: (err: Error | null, ctx?: SecureContext) => void) => {
          cb(null, tls.current());
        },
      },
      (req, res) => {
        if (transcriptActive()) tapRequest(req, res);
        this.handler.handle(req, res, true);
      },
    );
    // HTTP/1.1 over this TLS listener uses node:http's connection code and these fields.
    Object.assign(server, {
      headersTimeout: l.headersTimeoutMs,
      requestTimeout: l.requestTimeoutMs,
      keepAliveTimeout: l.keepAliveTimeoutMs,
      maxHeadersCount: HTTP_LIMITS.maxHeadersCount,
    });
    server.setTimeout(l.socketTimeoutMs);
    server.on('session', (session: Http2Session) => {
      this.#sessions.add(session);
      session.once('close', () => this.#sessions.delete(session));
    });
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
    for (const session of this.#sessions) session.close();
    const timer = setTimeout(() => {
      for (const socket of this.#sockets) socket.destroy();
      for (const session of this.#sessions) session.destroy();
    }, this.#limits.drainTimeoutMs);
    timer.unref();
    await Promise.all(closed);
    clearTimeout(timer);
    await this.handler.options.accessLog?.close();
  }

  #track(server: Server | Http2SecureServer, tls: boolean): void {
    server.on('connection', (socket: Socket) => {
      const ip = socket.remoteAddress ?? '';
      if (this.#counter.tryAdd(ip) !== null) {
        socket.destroy();
        return;
      }
      this.#sockets.add(socket);
      socket.once('close', () => {
        this.#sockets.delete(socket);
        this.#counter.remove(ip);
      });
      if (!tls && transcriptActive()) tapConnection(socket);
    });
    // Ahead of node:http2's own listener, so the connect entry precedes the first request.
    if (tls)
      server.prependListener('secureConnection', (socket: TLSSocket) => {
        if (transcriptActive()) tapConnection(socket);
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

/** Creates a server (no listener yet); see HttpServer.listen / listenTls. */
export function createHttpServer(options: HttpServerOptions): HttpServer {
  return new HttpServer(options);
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
