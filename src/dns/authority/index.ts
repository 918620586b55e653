/**
 * Public surface of the authoritative answer engine: zones indexed for answering (ZoneIndex,
 * loadZoneFile), the Authority that answers decoded queries, and the header-only FORMERR a server
 * sends when a packet does not even decode. Pure: no sockets, timers or global state.
 */
export { Authority, type AuthorityOptions, type Deferral } from './authority.js';
export { MAX_ALIAS_CHAIN } from './limits.js';
export { loadZoneFile, loadZoneText, type LoadZoneFileOptions } from './load.js';
export { formErr } from '../reply.js';
export { findRRset, ZoneIndex, type RRset, type SoaRecord, type ZoneNode } from './zone-index.js';
