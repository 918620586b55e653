/**
 * The web server's handler chain, declared here and nowhere else (CoreDNS's plugin.cfg): every
 * request on an `[http]` listener, HTTP/1.1, h2c or TLS, meets these steps in this order, and the
 * first that answers ends it. A new web feature is a step in `../steps/` and a line here.
 *
 * | step            | answers                                                              |
 * |-----------------|----------------------------------------------------------------------|
 * | `observe`       | never: records the response in the access log and metrics            |
 * | `header-limits` | 431 for a header section over the limits                             |
 * | `fast-static`   | GET/HEAD of a memory-cached file, synchronously                      |
 * | `target`        | 414, `OPTIONS *`, bad paths; picks the site for the steps below      |
 * | `login`         | /login, /logout                                                      |
 * | `writes`        | PUT, DELETE, POST (authorised writers)                               |
 * | `static`        | GET, HEAD from the site's files                                      |
 * | `allow`         | OPTIONS (204) and every other method (405), with Allow               |
 */
import type { Logger } from '../../core/logger.js';
import { allowStep } from '../steps/allow.js';
import { fastStaticStep } from '../steps/fast-static.js';
import { headerLimitsStep } from '../steps/header-limits.js';
import { loginStep } from '../steps/login.js';
import { observeStep } from '../steps/observe.js';
import { staticStep } from '../steps/static.js';
import { targetStep } from '../steps/target.js';
import { writesStep } from '../steps/writes.js';
import type { HttpChain } from './chain.js';
import type { HandlerOptions, WebExchange } from './web-context.js';

/** The web listener's chain over `options`; `maxHeaderBytes` is the server's header limit. */
export function webChain(
  options: HandlerOptions,
  maxHeaderBytes: number,
  logger: Logger,
): HttpChain<WebExchange> {
  return [
    observeStep(options),
    headerLimitsStep(maxHeaderBytes),
    fastStaticStep(options),
    targetStep(options),
    loginStep(options),
    writesStep(options, logger),
    staticStep(),
    allowStep(),
  ];
}
