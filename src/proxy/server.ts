/**
 * The caching proxy's server: the HTTP listener set of the web server (src/http/server.ts: plain
 * HTTP/1.1 listeners, TLS listeners with HTTP/2 or HTTP/1.1 by ALPN, node's parser with the HTTP
 * limits, connection limits, draining close) running the proxy chain (chain.ts) on each request,
 * and CONNECT tunnels (tunnel.ts) on the plain listeners. Settings may be swapped (reload).
 */
import type { ServerResponse } from 'node:http';
import type { Http2ServerResponse } from 'node:http2';
import type { ServiceMetrics } from '../core/metrics.js';
import { silentLogger, type Logger } from '../core/logger.js';
import type { TlsProvider } from '../core/tls.js';
import {
  asResponse,
  HttpListenerSet,
  runChain,
  type HttpAddress,
  type HttpChain,
  type HttpRequest,
  type HttpServerLimits,
} from '../http/index.js';
import { NoCache, type ProxyCache } from './cache/index.js';
import { CacheFlow } from './cache-flow.js';
import { proxyChain } from './chain.js';
import type { ProxyExchange } from './exchange.js';
import { Forwarder } from './forward.js';
import { ProxyMetrics } from './metrics.js';
import { OriginPool, type OriginPoolOptions } from './origin.js';
import type { ProxySettings } from './settings.js';
import { openTunnel } from './tunnel.js';

/** What a proxy server is built from. */
export interface ProxyServerOptions {
  readonly settings: ProxySettings;
  readonly origin?: OriginPoolOptions | undefined;
  readonly tls?: TlsProvider | null | undefined;
  readonly limits?: HttpServerLimits | undefined;
  readonly metrics?: ServiceMetrics | undefined;
  readonly logger?: Logger | undefined;
  /** The cache (closed with the server); default NoCache, which stores nothing. */
  readonly cache?: ProxyCache | undefined;
}

/** A caching proxy with any number of plain and TLS listeners. */
export class ProxyServer implements AsyncDisposable {
  readonly listeners: HttpListenerSet;
  readonly metrics: ProxyMetrics;
  readonly #pool: OriginPool;
  readonly #cache: ProxyCache;
  readonly #chain: HttpChain<ProxyExchange>;
  readonly #logger: Logger;
  #settings: ProxySettings;

  constructor(options: ProxyServerOptions) {
    this.#settings = options.settings;
    this.#logger = options.logger ?? silentLogger();
    this.metrics = new ProxyMetrics(options.metrics);
    this.#pool = new OriginPool(options.origin);
    this.#cache = options.cache ?? new NoCache();
    const forwarder = new Forwarder({ pool: this.#pool, metrics: this.metrics, logger: this.#logger });
    this.listeners = new HttpListenerSet({
      tls: options.tls,
      limits: options.limits,
      metrics: options.metrics,
      protocol: 'proxy',
      handle: (req, res, secure) => {
        this.#handle(req, res, secure);
      },
      connect: (req, socket, head) => {
        openTunnel(
          { settings: () => this.#settings, metrics: this.metrics, logger: this.#logger },
          req,
          socket,
          head,
        );
      },
      closed: async () => {
        this.#pool.close();
        await this.#cache.close();
      },
    });
    this.#chain = proxyChain({
      // Cache-Status names the cache as Via does (RFC 9211 §2: "the cache's identifier"), so two edges are told apart.
      flow: new CacheFlow(this.#cache, forwarder, this.#settings.pseudonym),
      metrics: this.metrics,
      maxHeaderBytes: this.listeners.limits.maxHeaderBytes,
    });
  }

  /** The settings in force. */
  get settings(): ProxySettings {
    return this.#settings;
  }

  /** New settings for the requests that arrive from now on. */
  reconfigure(settings: ProxySettings): void {
    this.#settings = settings;
  }

  listen(address: { host: string; port: number }): Promise<HttpAddress> {
    return this.listeners.listen(address);
  }

  listenTls(address: { host: string; port: number }): Promise<HttpAddress> {
    return this.listeners.listenTls(address);
  }

  addresses(): HttpAddress[] {
    return this.listeners.addresses();
  }

  close(): Promise<void> {
    return this.listeners.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #handle(req: HttpRequest, rawRes: ServerResponse | Http2ServerResponse, secure: boolean): void {
    const method = req.method ?? 'GET';
    const exchange: ProxyExchange = {
      req,
      res: asResponse(rawRes),
      secure,
      method,
      head: method === 'HEAD',
      settings: this.#settings,
      clientAddress: req.socket.remoteAddress ?? '',
    };
    runChain(this.#chain, exchange, this.#logger);
  }
}
