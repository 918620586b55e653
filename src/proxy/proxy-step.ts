/**
 * The `proxy` step, the last of the chain: checks the target and the body size, then answers
 * from the cache or the origin (cache-flow.ts over forward.ts).
 */
import { sendText, type HttpStep, type StepOutcome } from '../http/index.js';
import type { ProxyExchange } from './exchange.js';
import type { CacheFlow } from './cache-flow.js';
import { targetOf } from './forward.js';

/** The `proxy` step. */
export function proxyStep(flow: CacheFlow): HttpStep<ProxyExchange> {
  return {
    name: 'proxy',
    handle: async (x): Promise<StepOutcome> => {
      const target = targetOf(x);
      if (typeof target === 'string') {
        sendText(x.res, 400, x.head, target);
        return 'done';
      }
      const declared = Number(x.req.headers['content-length'] ?? 0);
      if (declared > x.settings.maxBodyBytes) {
        sendText(
          x.res,
          413,
          x.head,
          `Content Too Large: the limit is ${String(x.settings.maxBodyBytes)} octets`,
          {
            Connection: 'close',
          },
        );
        return 'done';
      }
      await flow.handle(x, target);
      return 'done';
    },
  };
}
