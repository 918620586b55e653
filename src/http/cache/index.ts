/**
 * The HTTP cache (RFC 9111), shared by `outpost http --cache` and the caching proxy to come:
 * pure rules (what may be stored, freshness and age, Vary, revalidation) over a storage
 * contract with a directory backend.
 */
export { parseCacheControl, deltaSeconds, type CacheDirectives, type HeaderSource } from './cache-control.js';
export {
  freshnessLifetime,
  currentAge,
  isFresh,
  usableWithoutRevalidation,
  HEURISTICALLY_CACHEABLE,
  HEURISTIC_FRACTION,
  HEURISTIC_MAX_S,
  type TimedResponse,
} from './freshness.js';
export { isStorable, type StoreRequest, type StoreResponse } from './storable.js';
export { varyFields, varyKey, varyMatches } from './vary.js';
export { conditionalHeaders, hasValidator } from './validators.js';
export { entryFor, entryHeaders, timedEntry, type CacheEntry, type FetchedResponse } from './entry.js';
export type { CacheStore, StoredResponse } from './store.js';
export { FileCacheStore } from './file-store.js';
