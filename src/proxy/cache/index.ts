/**
 * The caching proxy's cache engine (RFC 9111 for a shared cache, RFC 5861, RFC 9211, RFC 9213):
 * the contract the proxy server calls and its implementations.
 */
export {
  NoCache,
  formatCacheStatus,
  streamOf,
  type BodySink,
  type CacheRequest,
  type CacheStatus,
  type HeaderList,
  type Hit,
  type Lookup,
  type OriginHead,
  type ProxyCache,
  type ProxyCacheOptions,
  type ServedBody,
  type ServedResponse,
  type StoredRef,
} from './contract.js';
export { openProxyCache } from './open.js';
export { CacheEngine, headerSource } from './engine.js';
export {
  ObjectStore,
  MEMORY_OBJECT_MAX,
  MEMORY_TIER_MAX,
  type StoredMeta,
  type StoredObject,
} from './store.js';
