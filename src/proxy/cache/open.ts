/**
 * Opening the proxy's cache from its options. Until the engine lands this returns `NoCache`, so
 * the server can be wired to the final call now.
 */
import { NoCache, type ProxyCache, type ProxyCacheOptions } from './contract.js';

/** Opens (or creates) the cache in `options.dir`, rebuilding its index from what is there. */
export function openProxyCache(_options: ProxyCacheOptions): Promise<ProxyCache> {
  return Promise.resolve(new NoCache());
}
