/**
 * The `writes` step: PUT, DELETE and POST on a site, behind authorizeWrite (the site's `writers`,
 * Basic credentials only over TLS or from loopback, throttled), with the body limit checked on
 * Content-Length before anything is read (413); the writes themselves are writes.ts. Every write
 * is logged with its user. Other methods go on.
 */
import { HTTP_LIMITS } from '../limits.js';
import { authorizeWrite, BASIC_CHALLENGE } from '../auth.js';
import type { HttpStep, StepOutcome } from '../chain/chain.js';
import { targetOf, type HandlerOptions, type WebExchange } from '../chain/web-context.js';
import type { Logger } from '../../core/logger.js';
import { sendText } from '../responses.js';
import { declaredTooLarge, handleDelete, handlePost, handlePut, sendTooLarge } from '../writes.js';
import { allowedMethods } from './allow.js';

/** The `writes` step over `options`; `logger` gets one line per write. */
export function writesStep(options: HandlerOptions, logger: Logger): HttpStep<WebExchange> {
  return {
    name: 'writes',
    handle: (x) => {
      const method = x.method;
      if (method !== 'PUT' && method !== 'DELETE' && method !== 'POST') return 'next';
      return write(x, method, options, logger);
    },
  };
}

async function write(
  x: WebExchange,
  method: 'PUT' | 'DELETE' | 'POST',
  options: HandlerOptions,
  logger: Logger,
): Promise<StepOutcome> {
  const { req, res } = x;
  const { site, segments } = targetOf(x);
  const auth = await authorizeWrite({
    writers: site.writers,
    secure: x.secure,
    remoteAddress: req.socket.remoteAddress ?? '',
    authorization: req.headers.authorization,
    accounts: options.accounts,
  });
  if (!auth.ok) {
    const headers: Record<string, string> = { Connection: 'close' };
    if (auth.status === 405) headers.Allow = allowedMethods(site);
    if (auth.status === 401) headers['WWW-Authenticate'] = BASIC_CHALLENGE;
    if (auth.status === 429 && auth.retryAfterS !== undefined)
      headers['Retry-After'] = String(auth.retryAfterS);
    sendText(res, auth.status, false, auth.reason, headers);
    return 'done';
  }
  const maxBytes = options.maxBodyBytes ?? HTTP_LIMITS.maxBodyBytes;
  if (method !== 'DELETE' && declaredTooLarge(req, maxBytes)) {
    sendTooLarge(res);
    return 'done';
  }
  if (method === 'PUT') await handlePut(req, res, site, segments, maxBytes);
  else if (method === 'DELETE') await handleDelete(res, site, segments);
  else await handlePost(req, res, site, segments, maxBytes);
  logger.info({ user: auth.user, method, path: `/${segments.join('/')}`, status: res.statusCode }, 'write');
  return 'done';
}
