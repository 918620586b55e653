/**
 * Everything DNS as one import (`outpost/dns`): the codec, the zone parser, the authoritative
 * answer engine, the UDP/TCP server and the stub client.
 */
export * from './index.js';
export { checkZone, loadZone, parseZone, ZoneError, formatProblem, type ZoneProblem } from './zone/index.js';
export { Authority, ZoneIndex, loadZoneFile, loadZoneText, type Deferral } from './authority/index.js';
export {
  createDnsServer,
  DnsServer,
  DNS_TRANSPORT_LIMITS,
  type DnsServerOptions,
} from './server/dns-server.js';
export { QueryProcessor, type DnsHandler, type RequestContext } from './server/query-processor.js';
export {
  queryDns,
  exchangeTcp,
  exchangeUdp,
  buildQuery,
  type QueryOptions,
  type QueryResult,
} from './client/query.js';
