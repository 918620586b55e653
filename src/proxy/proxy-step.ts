/**
 * The `proxy` step, the last of the chain: checks the target and the body size, then sends the
 * request to its origin and relays the answer (forward.ts). Requests the cache may answer go
 * through it first (cache-flow.ts); everything else is passed straight through.
 */
import { transcriptActive } from '../core/transcript.js';
import { sendText, type HttpStep, type StepOutcome } from '../http/index.js';
import type { ProxyExchange } from './exchange.js';
import { originRequestHeaders, targetOf, type Forwarder } from './forward.js';
import type { OriginResponse } from './origin.js';
import { proxyTap } from './transcript.js';

/** The `proxy` step. */
export function proxyStep(forwarder: Forwarder): HttpStep<ProxyExchange> {
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
      const tap = transcriptActive() ? proxyTap(x.clientAddress) : undefined;
      tap?.('*', `${x.method} ${target.cacheUrl} PASS`);
      const headers = originRequestHeaders(x, target);
      let answer: OriginResponse;
      try {
        answer = await forwarder.fetch(x, target, headers, tap);
      } catch (err) {
        forwarder.failed(x, err, tap);
        return 'done';
      }
      forwarder.deps.metrics.request('pass');
      await forwarder.relay(x, answer, { tap });
      return 'done';
    },
  };
}
