/**
 * The `target` step: checks the request target and records it on the exchange for the steps
 * after it. Too long: 414. The absolute form's authority replaces Host (RFC 9112 §3.2.2), the
 * site is chosen by host, `OPTIONS *` is answered with the site's Allow, and a path that does not
 * decode or escapes the root gets its 400/403 (paths.ts).
 */
import type { HttpStep } from '../chain/chain.js';
import type { HandlerOptions, WebExchange } from '../chain/web-context.js';
import { HTTP_LIMITS } from '../limits.js';
import { parseRequestPath } from '../paths.js';
import { sendText } from '../responses.js';
import { hostWithoutPort, requestHost, writeHead } from '../types.js';
import { allowedMethods } from './allow.js';

/** The `target` step over `options` (sites read per request). */
export function targetStep(options: HandlerOptions): HttpStep<WebExchange> {
  return {
    name: 'target',
    handle: (x) => {
      const { req, res, head } = x;
      let target = req.url ?? '/';
      if (target.length > HTTP_LIMITS.maxUrlOctets) {
        sendText(res, 414, head, undefined, { Connection: 'close' });
        return 'done';
      }
      let host = requestHost(req.headers);
      // The raw path is kept (URL would resolve `..` segments and hide them from the checks).
      const absolute = /^https?:\/\/([^/?#]*)(.*)$/i.exec(target);
      if (absolute) {
        host = hostWithoutPort(absolute[1] ?? '');
        target = absolute[2] === '' || absolute[2] === undefined ? '/' : absolute[2];
      }
      const site = options.sites.forHost(host);
      if (x.method === 'OPTIONS' && target === '*') {
        writeHead(res, 204, { Allow: allowedMethods(site) });
        res.end();
        return 'done';
      }
      const path = parseRequestPath(target);
      if (!path.ok) {
        sendText(res, path.status, head);
        return 'done';
      }
      x.target = { host, site, urlPath: path.urlPath, segments: path.segments };
      return 'next';
    },
  };
}
