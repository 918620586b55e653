/**
 * The caching proxy service of the suite (`[proxy]`): one ProxyServer with every `listen`
 * (HTTP/1.1, CONNECT) and `tls_listen` (HTTP/2 or HTTP/1.1 by ALPN, the suite's certificate)
 * address; a reverse proxy when `origin` is set, else a forward proxy. `reload` applies new
 * allow-lists, ports and limits to the requests that arrive afterwards, and the new certificate.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, OutpostError } from '../core/errors.js';
import type { OutpostConfig } from '../core/config/schema.js';
import type { Endpoint, RunningService, ServiceContext, ServiceDefinition } from '../core/service/service.js';
import { NoCache, openProxyCache } from './cache/index.js';
import { ProxyServer } from './server.js';
import { proxySettings } from './settings.js';

type ProxyConfig = NonNullable<OutpostConfig['proxy']>;

/** The `origin_ca` PEM of a config, read now (a missing file is a clear start-up error). */
function readOriginCa(proxy: ProxyConfig): string | undefined {
  if (proxy.origin_ca === undefined) return undefined;
  try {
    return readFileSync(proxy.origin_ca, 'utf8');
  } catch (err) {
    throw new OutpostError(
      ErrorCodes.PATH_UNUSABLE,
      `proxy.origin_ca ${proxy.origin_ca}: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

/** What `outpost config check` verifies beyond the schema: the origin CA file can be read. */
export function checkProxy(config: OutpostConfig): void {
  if (config.proxy) readOriginCa(config.proxy);
}

/** The running proxy service. */
export class ProxyService implements RunningService {
  readonly name = 'proxy';
  readonly server: ProxyServer;

  private constructor(server: ProxyServer) {
    this.server = server;
  }

  static async start(context: ServiceContext): Promise<ProxyService> {
    const proxy = context.config.proxy;
    if (!proxy) throw new Error('proxy service started without a [proxy] table');
    if (proxy.tls_listen.length > 0 && !context.tls)
      throw new OutpostError(
        ErrorCodes.TLS_UNAVAILABLE,
        'proxy.tls_listen needs a certificate ([tls] cert, key)',
      );
    const cache =
      proxy.cache_size > 0
        ? await openProxyCache({ dir: join(context.config.data_dir, 'proxy'), maxBytes: proxy.cache_size })
        : new NoCache();
    const server = new ProxyServer({
      cache,
      settings: proxySettings(proxy, context.config.hostname),
      origin: {
        ca: readOriginCa(proxy),
        connectTimeoutMs: proxy.origin_connect_timeout_ms,
        timeoutMs: proxy.origin_timeout_ms,
      },
      tls: context.tls,
      metrics: context.metrics,
      logger: context.logger.child({ service: 'proxy' }),
    });
    try {
      for (const address of proxy.listen) await server.listen(address);
      for (const address of proxy.tls_listen) await server.listenTls(address);
    } catch (err) {
      await server.close();
      throw err;
    }
    return new ProxyService(server);
  }

  endpoints(): Endpoint[] {
    const origin = this.server.settings.origin;
    const mode = origin === undefined ? 'forward proxy' : `reverse proxy for ${origin.origin}`;
    return this.server.addresses().map((a) => ({
      service: 'proxy',
      transport: 'tcp',
      host: a.host,
      port: a.port,
      tls: a.tls ? 'implicit' : 'none',
      note: a.tls ? `${mode}, h2, http/1.1` : mode,
    }));
  }

  /** New settings for new requests, and the certificate. */
  reload(context: ServiceContext): Promise<void> {
    const proxy = context.config.proxy;
    if (proxy) this.server.reconfigure(proxySettings(proxy, context.config.hostname));
    this.server.listeners.reloadTls();
    return Promise.resolve();
  }

  close(): Promise<void> {
    return this.server.close();
  }
}

/** The suite's proxy service definition (see src/suite/services.ts). */
export const proxyServiceDefinition: ServiceDefinition = {
  name: 'proxy',
  enabled: (config) =>
    config.proxy !== undefined && config.proxy.listen.length + config.proxy.tls_listen.length > 0,
  offersTls: (config) => (config.proxy?.tls_listen.length ?? 0) > 0,
  check: checkProxy,
  start: (context) => ProxyService.start(context),
};
