/**
 * The web chain's first step: when an access log or metrics are configured, records every
 * response once it finished (status, body bytes, duration, Combined Log Format line). It never
 * answers; it is first so that every answer of the steps after it is counted.
 */
import { parseBasicAuth } from '../auth.js';
import type { HttpStep } from '../chain/chain.js';
import type { HandlerOptions, WebExchange } from '../chain/web-context.js';
import { declaredBodyBytes, trackBodyBytes } from '../types.js';

/** The `observe` step over `options` (read per request: the access log may be swapped). */
export function observeStep(options: HandlerOptions): HttpStep<WebExchange> {
  return {
    name: 'observe',
    handle: ({ req, res }) => {
      if (options.accessLog === undefined && options.metrics === undefined) return 'next';
      const time = Date.now();
      const at = performance.now();
      // Read now: once an HTTP/2 stream has closed, its request no longer reaches the session's
      // socket, so the access log would show `-`.
      const remoteAddress = req.socket.remoteAddress ?? '-';
      trackBodyBytes(res);
      res.once('finish', () => {
        const status = res.statusCode;
        const bytes = req.method === 'HEAD' || status === 304 || status === 204 ? 0 : declaredBodyBytes(res);
        options.metrics?.record(status, bytes, (performance.now() - at) / 1000);
        options.accessLog?.write({
          remoteAddress,
          user: parseBasicAuth(req.headers.authorization)?.user,
          time: new Date(time),
          method: req.method ?? '-',
          target: req.url ?? '-',
          httpVersion: req.httpVersion,
          status,
          bytes,
          referer: req.headers.referer,
          userAgent: req.headers['user-agent'],
        });
      });
      return 'next';
    },
  };
}
