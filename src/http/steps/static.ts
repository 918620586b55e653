/**
 * The `static` step: GET and HEAD served from the site's files (static/serve-static.ts: index
 * files, listings, conditional requests, ranges, compression); other methods go on.
 */
import type { HttpStep } from '../chain/chain.js';
import { targetOf, type WebExchange } from '../chain/web-context.js';
import { serveStatic } from '../static/serve-static.js';

/** The `static` step. */
export function staticStep(): HttpStep<WebExchange> {
  return {
    name: 'static',
    handle: (x) => {
      if (x.method !== 'GET' && x.method !== 'HEAD') return 'next';
      const { site, segments, urlPath } = targetOf(x);
      return serveStatic(x.req, x.res, site, segments, urlPath, x.head).then(() => 'done');
    },
  };
}
