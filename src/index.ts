/**
 * The `outpost` package: the embeddable servers and clients, the suite runtime and the core.
 * Protocol families also have their own entry points (`outpost/dns`, `outpost/core`) and test
 * helpers live in `outpost/testing`.
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
} from './dns/api.js';
export { Suite, type SuiteOptions, type Credential } from './suite/suite.js';
export type { Endpoint, RunningService, ServiceContext, ServiceDefinition } from './suite/service.js';
export { SERVICES } from './suite/services.js';
export { embeddedDefaultConfig } from './suite/default-config.js';
