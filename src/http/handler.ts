/**
 * The protocol-neutral request handler shared by the HTTP/1.1 listener and the TLS listener
 * (HTTP/2 or HTTP/1.1 by ALPN): wraps each request in a WebExchange and runs the web server's
 * handler chain (chain/web.ts) on it. Errors never escape (chain/chain.ts).
 */
import type { ServerResponse } from 'node:http';
import type { Http2ServerResponse } from 'node:http2';
import type { Logger } from '../core/logger.js';
import { silentLogger } from '../core/logger.js';
import { runChain, type HttpChain } from './chain/chain.js';
import type { HandlerOptions, WebExchange } from './chain/web-context.js';
import { webChain } from './chain/web.js';
import { HTTP_LIMITS } from './limits.js';
import { asResponse, type HttpRequest } from './types.js';

export type { HandlerOptions } from './chain/web-context.js';
export { allowedMethods } from './steps/allow.js';

/** Handles requests for a set of sites; `options.sites` may be swapped at any time (reload). */
export class RequestHandler {
  readonly options: HandlerOptions;
  /** The steps every request meets, in order. */
  readonly chain: HttpChain<WebExchange>;
  readonly #logger: Logger;

  /** `maxHeaderBytes`: the request header section's size limit (431), as the server enforces it. */
  constructor(options: HandlerOptions, limits: { readonly maxHeaderBytes?: number } = {}) {
    this.options = options;
    this.#logger = options.logger ?? silentLogger();
    this.chain = webChain(options, limits.maxHeaderBytes ?? HTTP_LIMITS.maxHeaderBytes, this.#logger);
  }

  /** The entry point for both protocols; `secure` says the request came over TLS. */
  handle(req: HttpRequest, rawRes: ServerResponse | Http2ServerResponse, secure: boolean): void {
    const method = req.method ?? 'GET';
    const exchange: WebExchange = {
      req,
      res: asResponse(rawRes),
      secure,
      method,
      head: method === 'HEAD',
      target: undefined,
    };
    runChain(this.chain, exchange, this.#logger);
  }
}
