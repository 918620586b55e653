/**
 * `outpost/http`: the web server for embedding (createHttpServer over a SiteTable), the cookie
 * module and login sessions the admin UI and webmail reuse, and the pure HTTP helpers
 * (conditional requests, ranges, content-coding negotiation, HTTP-dates) with the RFC 9111 cache
 * rules the caching proxy builds on.
 */
export {
  createHttpServer,
  HttpServer,
  HttpListenerSet,
  type HttpListenerSetOptions,
  type HttpListenerCommon,
  type HttpServerOptions,
  type HttpServerLimits,
  type HttpAddress,
} from './server.js';
export { SiteTable, type Site, type SiteSettings } from './sites.js';
export { RequestHandler, type HandlerOptions } from './handler.js';
export {
  runChain,
  type HttpChain,
  type HttpStep,
  type HttpExchange,
  type StepOutcome,
} from './chain/chain.js';
export { webChain } from './chain/web.js';
export type { WebExchange, RequestTarget } from './chain/web-context.js';
export { HttpService, httpServiceDefinition } from './service.js';
export { openAccessLog, formatCombined, type AccessLog, type AccessRecord } from './access-log.js';
export { HttpMetrics } from './metrics.js';
export { sessionUser, LOGIN_PATH, LOGOUT_PATH } from './login.js';
export { authorizeWrite, parseBasicAuth, transportAllowsCredentials } from './auth.js';
export { evaluatePreconditions, ifRangeAllows, type Preconditions, type Validators } from './conditional.js';
export { parseRange, contentRange, multipartRanges, type ByteRange, type RangeResult } from './range.js';
export { negotiateEncoding, isCompressible, type Coding } from './encoding.js';
export { HTTP_LIMITS, HTTP_CONNECTION_LIMITS } from './limits.js';
export { asResponse, writeHead, type HttpRequest, type HttpResponse } from './types.js';
export { headerLimitsStep } from './steps/header-limits.js';
export { isHttp2 } from './responses.js';
export { redactHeaderValue, bodySummary } from './transcript.js';
export { sendJson, sendText } from './responses.js';
export * from './cookies/index.js';
export * from './cache/index.js';
export { parseHttpDateMs } from './http-date.js';
