/**
 * The admin listener (`[admin] listen`): GET /healthz answers 200 with a small JSON document
 * (status, the services running, uptime) and GET /metrics the suite's prom-client registry in
 * the Prometheus text format, as the admin handler chain (chain.ts) declares. Nothing else; plain
 * HTTP/1.1 on node:http with the HTTP limits.
 * Bind it to loopback or a management network: it needs no credentials and reveals counters.
 */
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { silentLogger, type Logger } from '../core/logger.js';
import { asResponse, HTTP_LIMITS, runChain, type HttpChain } from '../http/index.js';
import { adminChain } from './chain.js';
import type { AdminExchange } from './steps.js';

/** What the admin server reports. */
export interface AdminOptions {
  readonly registry: Registry;
  /** The services to list in /healthz. */
  readonly services: () => readonly string[];
  readonly now?: () => number;
  /** Where a failing request is logged (silent by default). */
  readonly logger?: Logger | undefined;
}

/** The admin HTTP server. */
export class AdminServer implements AsyncDisposable {
  readonly #servers: Server[] = [];
  readonly #chain: HttpChain<AdminExchange>;
  readonly #logger: Logger;
  #closing: Promise<void> | undefined;

  constructor(options: AdminOptions) {
    const now = options.now ?? Date.now;
    const startedMs = now();
    this.#logger = options.logger ?? silentLogger();
    this.#chain = adminChain({
      registry: options.registry,
      services: options.services,
      uptimeS: () => Math.floor((now() - startedMs) / 1000),
    });
  }

  /** Starts a listener; resolves with its address. */
  async listen(address: { host: string; port: number }): Promise<{ host: string; port: number }> {
    const server = createServer(
      {
        maxHeaderSize: HTTP_LIMITS.maxHeaderBytes,
        headersTimeout: HTTP_LIMITS.headersTimeoutMs,
        requestTimeout: HTTP_LIMITS.headersTimeoutMs,
        keepAliveTimeout: HTTP_LIMITS.keepAliveTimeoutMs,
      },
      (req, rawRes) => {
        const method = req.method ?? 'GET';
        const exchange: AdminExchange = {
          req,
          res: asResponse(rawRes),
          secure: false,
          method,
          head: method === 'HEAD',
          path: (req.url ?? '/').split('?')[0] ?? '/',
        };
        runChain(this.#chain, exchange, this.#logger);
      },
    );
    server.listen(address.port, address.host);
    await Promise.race([
      once(server, 'listening'),
      once(server, 'error').then(([err]: unknown[]) => {
        throw err;
      }),
    ]);
    this.#servers.push(server);
    const a = server.address() as AddressInfo;
    return { host: a.address, port: a.port };
  }

  /** Bound addresses. */
  addresses(): { host: string; port: number }[] {
    return this.#servers.map((s) => {
      const a = s.address() as AddressInfo;
      return { host: a.address, port: a.port };
    });
  }

  /** Stops listening and closes connections. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= Promise.all(
      this.#servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => {
              resolve();
            });
            s.closeIdleConnections();
          }),
      ),
    ).then(() => undefined);
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
