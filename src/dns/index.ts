/**
 * Everything DNS as one import (`outpost/dns`): the codec, the zone parser, the authoritative
 * answer engine, the UDP/TCP server and the stub client. Like every family's `index.ts`, this is
 * the only file other families import from DNS (the codec's own surface is `codec.ts`).
 */
export * from './codec.js';
export { checkZone, loadZone, parseZone, ZoneError, formatProblem, type ZoneProblem } from './zone/index.js';
export { Authority, ZoneIndex, loadZoneFile, loadZoneText, type Deferral } from './authority/index.js';
export {
  createDnsServer,
  DnsServer,
  DNS_TRANSPORT_LIMITS,
  type DnsServerOptions,
} from './server/dns-server.js';
export { QueryProcessor, type DnsHandler, type RequestContext } from './server/query-processor.js';
export * from './client/index.js';
export type { DnsServerAddress } from './client/server-address.js';
/** IP/CIDR allow-lists (transfers, the resolver; the caching proxy's `allow` and `purge_allow`). */
export {
  parseAllowList,
  isTransferAllowed as isAddressAllowed,
  type AllowEntry,
} from './transfer/allow-list.js';
/** Where the suite's resolver listens once bound (the SMTP queue's MX lookups use it). */
export {
  RESOLVER_BINDING,
  ResolverBinding,
  reachableHost,
  type ResolverAddress,
} from './resolver/bound-address.js';
