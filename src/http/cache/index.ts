/**
 * The HTTP cache (RFC 9111), shared by `outpost http --cache` and the caching proxy: pure rules
 * (what may be stored and which fields, freshness and age, reuse and serving stale, Vary,
 * revalidation and 304 updates, CDN-Cache-Control) over a storage contract with a directory
 * backend.
 */
export {
  parseCacheControl,
  deltaSeconds,
  qualifiedFields,
  type CacheDirectives,
  type HeaderSource,
} from './cache-control.js';
export {
  freshnessLifetime,
  currentAge,
  ageValue,
  directivesOf,
  isFresh,
  usableWithoutRevalidation,
  HEURISTICALLY_CACHEABLE,
  HEURISTIC_FRACTION,
  HEURISTIC_MAX_S,
  type TimedResponse,
} from './freshness.js';
export { reuse, staleForbidden, staleIfErrorAllowed, DEFAULT_STALE_IF_ERROR_S, type Reuse } from './reuse.js';
export { isStorable, UNDERSTOOD_STATUS, type StoreRequest, type StoreResponse } from './storable.js';
export { varyFields, varyKey, varyMatches, normaliseVaryValue } from './vary.js';
export { conditionalHeaders, hasValidator } from './validators.js';
export { storedHeaders, updatedHeaders, connectionListed, HOP_BY_HOP, type HeaderPairs } from './headers.js';
export { parseCdnCacheControl, responseDirectives } from './cdn-cache-control.js';
export { parseSurrogateControl, SURROGATE_CAPABILITY, SURROGATE_TOKEN } from './surrogate-control.js';
export { entryFor, entryHeaders, timedEntry, type CacheEntry, type FetchedResponse } from './entry.js';
export type { CacheStore, StoredResponse } from './store.js';
export { FileCacheStore } from './file-store.js';
