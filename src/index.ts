/**
 * The `outpost` package: the embeddable servers and clients, the suite runtime and the core.
 * Each protocol family also has its own entry point with everything it offers (`outpost/dns`,
 * `outpost/http`, `outpost/mail`, `outpost/pop3`, `outpost/imap`, `outpost/ftp`, `outpost/telnet`, `outpost/core`); test helpers
 * live in `outpost/testing`.
 */
export * from './core/index.js';
export {
  Authority,
  createDnsServer,
  DnsServer,
  loadZoneFile,
  queryDns,
  type DnsHandler,
  type DnsServerOptions,
  type QueryOptions,
  type QueryResult,
} from './dns/index.js';
export { createHttpServer, HttpServer, type HttpServerOptions } from './http/index.js';
export {
  createSmtpServer,
  SmtpServer,
  openSqliteMailStore,
  connectSmtp,
  type MailStore,
} from './mail/index.js';
export { createPop3Server, Pop3Server, type Pop3ServerOptions } from './pop3/index.js';
export { createImapServer, ImapServer, type ImapServerOptions } from './imap/index.js';
export { createFtpServer, FtpServer, FtpClient, type FtpServerOptions } from './ftp/index.js';
export { Suite, type SuiteOptions, type Credential } from './suite/suite.js';
export type { Endpoint, RunningService, ServiceContext, ServiceDefinition } from './core/service/service.js';
export { SERVICES } from './suite/services.js';
export { embeddedDefaultConfig } from './suite/default-config.js';
