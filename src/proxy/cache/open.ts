/**
 * Opening the proxy's cache from its options: the engine over its directory, index rebuilt from
 * what the directory holds.
 */
import type { ProxyCache, ProxyCacheOptions } from './contract.js';
import { CacheEngine } from './engine.js';

/** Opens (or creates) the cache in `options.dir`, rebuilding its index from what is there. */
export function openProxyCache(options: ProxyCacheOptions): Promise<ProxyCache> {
  return CacheEngine.open(options);
}
