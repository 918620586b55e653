/**
 * `outpost/proxy`: the caching HTTP proxy (forward and reverse, RFC 9111) for embedding, and its
 * suite service. The cache engine lives in ./cache/ behind its contract.
 */
export { ProxyServer, type ProxyServerOptions } from './server.js';
export { proxySettings, type ProxySettings } from './settings.js';
export { ProxyService, proxyServiceDefinition } from './service.js';
export { ProxyMetrics } from './metrics.js';
export { PROXY_LIMITS } from './limits.js';
