/**
 * The `fast-static` step: answers an unconditional GET/HEAD for a file already in a site's memory
 * cache synchronously, before any target parsing (see serveFast). Anything it cannot answer that
 * way goes on to the full chain. The login pages are never served from files.
 */
import type { HttpStep } from '../chain/chain.js';
import type { HandlerOptions, WebExchange } from '../chain/web-context.js';
import { LOGIN_PATH, LOGOUT_PATH } from '../login.js';
import { serveFast } from '../static/serve-static.js';
import { fastHeaders } from '../types.js';

/** The `fast-static` step over `options` (sites read per request: a reload swaps them). */
export function fastStaticStep(options: HandlerOptions): HttpStep<WebExchange> {
  const reserved = (urlPath: string): boolean =>
    options.accounts !== undefined && (urlPath === LOGIN_PATH || urlPath === LOGOUT_PATH);
  return {
    name: 'fast-static',
    handle: ({ req, res, method, head }) => {
      if (method !== 'GET' && method !== 'HEAD') return 'next';
      const target = req.url ?? '/';
      const headers = fastHeaders(req);
      const site = options.sites.forHost(headers.host);
      return target.charCodeAt(0) === 0x2f && serveFast(headers, res, site, target, head, reserved)
        ? 'done'
        : 'next';
    },
  };
}
