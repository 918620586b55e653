/**
 * The handler chain every HTTP listener kind runs, after CoreDNS's plugin chain: an ordered list
 * of named steps, each of which answers the request or passes it to the next. A listener kind
 * declares its chain in one file (the web server's in `web.ts`, the admin listener's in
 * `src/admin/chain.ts`), so what a request meets, and in which order, is read in one place. A
 * step works on an `HttpExchange`, which is the same over HTTP/1.1 and HTTP/2 (node's
 * compatibility API). Steps answer synchronously when they can, so a request the first steps
 * answer costs no promise.
 */
import type { Logger } from '../../core/logger.js';
import { sendText } from '../responses.js';
import type { HttpRequest, HttpResponse } from '../types.js';

/** What a step did: answered the request (`'done'`), or left it to the next step (`'next'`). */
export type StepOutcome = 'done' | 'next';

/** One request as every step sees it; a listener kind extends it with the state its steps share. */
export interface HttpExchange {
  readonly req: HttpRequest;
  readonly res: HttpResponse;
  /** The request came over TLS. */
  readonly secure: boolean;
  readonly method: string;
  /** A HEAD request: answers carry headers only. */
  readonly head: boolean;
}

/** One link of a chain. */
export interface HttpStep<X extends HttpExchange = HttpExchange> {
  /** Its name, as the chain's declaration, the docs and the tests spell it. */
  readonly name: string;
  /** Answers `exchange` or passes it on; a promise only when the step has to wait. */
  readonly handle: (exchange: X) => StepOutcome | Promise<StepOutcome>;
}

/** The ordered steps of one listener kind. */
export type HttpChain<X extends HttpExchange = HttpExchange> = readonly HttpStep<X>[];

/**
 * Runs `chain` on one exchange: steps in order until one answers; a request no step answers gets
 * 404. Errors never escape: a failure is logged, and becomes a 500 when the headers have not gone
 * out yet, else a reset of the stream.
 */
export function runChain<X extends HttpExchange>(chain: HttpChain<X>, exchange: X, logger: Logger): void {
  const failed = (err: unknown): void => {
    logger.error({ err, method: exchange.req.method, url: exchange.req.url }, 'request failed');
    if (!exchange.res.headersSent) sendText(exchange.res, 500, exchange.head);
    else exchange.res.destroy();
  };
  try {
    runFrom(chain, exchange, 0)?.catch(failed);
  } catch (err) {
    failed(err);
  }
}

/** Runs the steps from `start` on; a promise once a step had to wait. */
function runFrom<X extends HttpExchange>(
  chain: HttpChain<X>,
  exchange: X,
  start: number,
): Promise<void> | undefined {
  for (let i = start; i < chain.length; i++) {
    const step = chain[i];
    if (step === undefined) break;
    const outcome = step.handle(exchange);
    if (outcome === 'done') return undefined;
    if (outcome !== 'next')
      return outcome.then((o) => (o === 'done' ? undefined : runFrom(chain, exchange, i + 1)));
  }
  sendText(exchange.res, 404, exchange.head);
  return undefined;
}
