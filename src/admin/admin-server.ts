/**
 * The admin listener (`[admin] listen`): GET /healthz answers 200 with a small JSON document
 * (status, the services running, uptime) and GET /metrics the suite's prom-client registry in
 * the Prometheus text format. Nothing else; plain HTTP/1.1 on node:http with the HTTP limits.
 * Bind it to loopback or a management network: it needs no credentials and reveals counters.
 */
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { HTTP_LIMITS } from '../http/limits.js';
import { sendJson, sendText } from '../http/responses.js';
import { asResponse } from '../http/types.js';

/** What the admin server reports. */
export interface AdminOptions {
  readonly registry: Registry;
  /** The services to list in /healthz. */
  readonly services: () => readonly string[];
  readonly now?: () => number;
}

/** The admin HTTP server. */
export class AdminServer implements AsyncDisposable {
  readonly #servers: Server[] = [];
  readonly #options: AdminOptions;
  readonly #startedMs: number;
  #closing: Promise<void> | undefined;

  constructor(options: AdminOptions) {
    this.#options = options;
    this.#startedMs = (options.now ?? Date.now)();
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
        const res = asResponse(rawRes);
        const head = req.method === 'HEAD';
        const path = (req.url ?? '/').split('?')[0];
        if (req.method !== 'GET' && !head) {
          sendText(res, 405, head, undefined, { Allow: 'GET, HEAD' });
          return;
        }
        if (path === '/healthz') {
          const now = (this.#options.now ?? Date.now)();
          sendJson(res, 200, head, {
            status: 'ok',
            services: this.#options.services(),
            uptimeS: Math.floor((now - this.#startedMs) / 1000),
          });
          return;
        }
        if (path === '/metrics') {
          this.#options.registry.metrics().then(
            (text) => {
              const body = Buffer.from(text, 'utf8');
              rawRes.writeHead(200, {
                'Content-Type': this.#options.registry.contentType,
                'Content-Length': body.length,
                'Cache-Control': 'no-store',
              });
              rawRes.end(head ? undefined : body);
            },
            () => {
              sendText(res, 500, head);
            },
          );
          return;
        }
        sendText(res, 404, head);
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
