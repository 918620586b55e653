/**
 * The web chain's last step, `allow`: OPTIONS gets 204 with the site's Allow header, any method
 * no step before it answered gets 405 with the same header (RFC 9110 §10.2.1, §15.5.6).
 */
import type { HttpStep } from '../chain/chain.js';
import { targetOf, type WebExchange } from '../chain/web-context.js';
import { sendText } from '../responses.js';
import { isWritable, type Site } from '../sites.js';
import { writeHead } from '../types.js';

const READ_METHODS = 'GET, HEAD, OPTIONS';
const WRITE_METHODS = 'GET, HEAD, PUT, DELETE, POST, OPTIONS';

/** The methods a site allows (the Allow header, RFC 9110 §10.2.1). */
export function allowedMethods(site: Site): string {
  return isWritable(site) ? WRITE_METHODS : READ_METHODS;
}

/** The `allow` step. */
export function allowStep(): HttpStep<WebExchange> {
  return {
    name: 'allow',
    handle: (x) => {
      const { site } = targetOf(x);
      if (x.method === 'OPTIONS') {
        writeHead(x.res, 204, { Allow: allowedMethods(site), 'Content-Length': 0 });
        x.res.end();
      } else sendText(x.res, 405, x.head, undefined, { Allow: allowedMethods(site) });
      return 'done';
    },
  };
}
