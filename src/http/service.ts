/**
 * The HTTP service of the suite (`[http]`): one HttpServer with every `listen` (HTTP/1.1) and
 * `tls_listen` (h2 + http/1.1 by ALPN) address, the sites of the configuration (the default site
 * is <data_dir>/www with a generated page when `root` is absent), login sessions signed with a
 * key kept in <data_dir>/http/session.key, the access log and the HTTP metrics on the suite's
 * registry. `reload` swaps in the new sites, certificate and access log without dropping a
 * connection.
 */
import { isAbsolute, join } from 'node:path';
import { ErrorCodes, OutpostError } from '../core/errors.js';
import { checkDirectoryToCreate, checkFileToAppend } from '../core/paths.js';
import type { OutpostConfig } from '../core/config/schema.js';
import type { Endpoint, RunningService, ServiceContext, ServiceDefinition } from '../core/service/service.js';
import { openAccessLog } from './access-log.js';
import { loadOrCreateSessionKey, SessionSigner } from './cookies/session.js';
import { HttpMetrics } from './metrics.js';
import { createHttpServer, type HttpServer } from './server.js';
import { SiteTable } from './sites.js';

type HttpConfig = NonNullable<OutpostConfig['http']>;

/** The access log file of a config (relative paths are under the data directory), or undefined/"off". */
export function accessLogPath(config: OutpostConfig): string | undefined {
  const file = config.http?.access_log;
  if (file === undefined || file === 'off' || isAbsolute(file)) return file;
  return join(config.data_dir, file);
}

/**
 * The paths `[http]` names, checked before start creates a site root or opens the access log
 * (and by `outpost config check`): roots must be directories or creatable, the access log's
 * directory must exist. The default root lives in the data directory, checked by the suite.
 */
export function checkHttpPaths(config: OutpostConfig): void {
  const http = config.http;
  if (!http) return;
  if (http.root !== undefined) checkDirectoryToCreate('http.root', http.root);
  http.sites.forEach((site, i) => {
    checkDirectoryToCreate(`http.sites[${String(i)}].root`, site.root);
  });
  const log = accessLogPath(config);
  if (log !== undefined && log !== 'off') checkFileToAppend('http.access_log', log);
}

/** The running HTTP service. */
export class HttpService implements RunningService {
  readonly name = 'http';
  readonly server: HttpServer;
  #accessLogFile: string | undefined;

  private constructor(server: HttpServer, accessLogFile: string | undefined) {
    this.server = server;
    this.#accessLogFile = accessLogFile;
  }

  /** Builds the sites and listens on every configured address. */
  static async start(context: ServiceContext): Promise<HttpService> {
    const http: HttpConfig | undefined = context.config.http;
    if (!http) throw new Error('http service started without an [http] table');
    checkHttpPaths(context.config);
    if (http.tls_listen.length > 0 && !context.tls)
      throw new OutpostError(
        ErrorCodes.TLS_UNAVAILABLE,
        'http.tls_listen needs a certificate ([tls] cert, key)',
      );
    const logger = context.logger.child({ service: 'http' });
    const file = accessLogPath(context.config);
    const server = createHttpServer({
      sites: SiteTable.fromConfig(context.config),
      accounts: context.accounts,
      sessions: new SessionSigner(
        loadOrCreateSessionKey(join(context.config.data_dir, 'http', 'session.key')),
      ),
      accessLog: openAccessLog(file, logger, context.accessLogOutput),
      metrics: new HttpMetrics(context.metrics),
      maxBodyBytes: http.max_body_size,
      h2c: http.h2c,
      logger,
      tls: context.tls,
    });
    const service = new HttpService(server, file);
    try {
      for (const address of http.listen) await server.listen(address);
      for (const address of http.tls_listen) await server.listenTls(address);
    } catch (err) {
      await server.close();
      throw err;
    }
    return service;
  }

  endpoints(): Endpoint[] {
    return this.server.addresses().map((a) => ({
      service: 'http',
      transport: 'tcp',
      host: a.host,
      port: a.port,
      tls: a.tls ? 'implicit' : 'none',
      note: a.tls ? 'h2, http/1.1' : 'http/1.1',
    }));
  }

  /** New sites (file caches kept where the root is unchanged), certificate and access log. */
  async reload(context: ServiceContext): Promise<void> {
    const options = this.server.handler.options;
    options.sites = SiteTable.fromConfig(context.config, options.sites);
    this.server.reloadTls();
    const file = accessLogPath(context.config);
    if (file !== this.#accessLogFile) {
      const old = options.accessLog;
      options.accessLog = openAccessLog(
        file,
        context.logger.child({ service: 'http' }),
        context.accessLogOutput,
      );
      this.#accessLogFile = file;
      await old?.close();
    }
  }

  close(): Promise<void> {
    return this.server.close();
  }
}

/** The suite's HTTP service definition (see src/suite/services.ts). */
export const httpServiceDefinition: ServiceDefinition = {
  name: 'http',
  enabled: (config) =>
    config.http !== undefined && config.http.listen.length + config.http.tls_listen.length > 0,
  offersTls: (config) => (config.http?.tls_listen.length ?? 0) > 0,
  check: checkHttpPaths,
  start: (context) => HttpService.start(context),
};
