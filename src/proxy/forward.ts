/**
 * The `forward` step's work: one request to its origin and the answer back. The target comes
 * from target.ts (reverse or forward), the request fields from headers.ts (hop-by-hop fields
 * out; Via, X-Forwarded-For, Forwarded in; Host from the target), the body is streamed with its
 * size bounded, the origin's failure becomes 502/504, and the origin's response goes back with
 * its hop-by-hop fields removed and our Via added, through relay.ts.
 */
import type { IncomingMessage } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import { Transform, type Readable } from 'node:stream';
import type { Logger } from '../core/logger.js';
import type { TranscriptTap } from '../core/transcript.js';
import { sendText, type HttpRequest } from '../http/index.js';
import type { ProxyExchange } from './exchange.js';
import {
  endToEnd,
  flat,
  forwardRequestHeaders,
  pairsOf,
  toOutgoing,
  viaEntry,
  without,
  type HeaderPairs,
} from './headers.js';
import { PROXY_LIMITS } from './limits.js';
import type { ProxyMetrics } from './metrics.js';
import { OriginError, type OriginPool, type OriginResponse } from './origin.js';
import { relay, type RelayResult, type RelaySink } from './relay.js';
import { forwardTarget, reverseTarget, type ProxyTarget } from './target.js';
import { tapOriginBody, tapOriginRequest, tapOriginResponse } from './transcript.js';

/** What forwarding needs. */
export interface ForwardDeps {
  readonly pool: OriginPool;
  readonly metrics: ProxyMetrics;
  readonly logger: Logger;
}

/** The target of an exchange, or the 400 reason. */
export function targetOf(x: ProxyExchange): ProxyTarget | string {
  const origin = x.settings.origin;
  return origin === undefined ? forwardTarget(x.req) : reverseTarget(x.req, origin);
}

/** True when the request carries a body (HTTP/1.1 framing fields, or an HTTP/2 stream left open). */
export function hasBody(req: HttpRequest): boolean {
  if (req.httpVersionMajor === 2) return !(req as Http2ServerRequest).stream.endAfterHeaders;
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** The fields sent to the origin for `x`: end-to-end ones, forwarding fields, Host from the target. */
export function originRequestHeaders(
  x: ProxyExchange,
  target: ProxyTarget,
  pairs: HeaderPairs = pairsOf(x.req.rawHeaders),
): string[] {
  const s = x.settings;
  const fields = forwardRequestHeaders(without(pairs, 'host'), {
    clientAddress: x.clientAddress,
    secure: x.secure,
    host: target.host,
    via: `${viaEntry(x.req.httpVersion, s.pseudonym)} (${s.loopToken})`,
  });
  return flat([['Host', target.host], ...fields]);
}

/** The response fields for the client: the origin's end-to-end ones, our Via, and `extra`. */
export function clientResponseHeaders(
  response: IncomingMessage,
  x: ProxyExchange,
  extra: HeaderPairs = [],
): ReturnType<typeof toOutgoing> {
  const pairs = endToEnd(pairsOf(response.rawHeaders));
  pairs.push(['Via', viaEntry(response.httpVersion, x.settings.pseudonym)]);
  for (const [name, value] of extra) pairs.push([name, value]);
  return toOutgoing(pairs);
}

/** The request body as a stream that fails past `max` octets. */
function boundedBody(req: HttpRequest, max: number): Readable {
  let octets = 0;
  const bound = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      octets += chunk.length;
      if (octets > max) callback(new Error(`request body over ${String(max)} octets`));
      else callback(null, chunk);
    },
  });
  req.on('error', (err) => bound.destroy(err));
  return req.pipe(bound);
}

/** Sends a small error answer, or cuts the response when its head already went out. */
export function answerError(x: ProxyExchange, status: number, reason: string): void {
  if (x.res.headersSent) x.res.destroy();
  else sendText(x.res, status, x.head, reason);
}

/** Forwards requests and relays the answers. */
export class Forwarder {
  readonly #deps: ForwardDeps;

  constructor(deps: ForwardDeps) {
    this.#deps = deps;
  }

  get deps(): ForwardDeps {
    return this.#deps;
  }

  /** Sends `x` to the origin with `headers` (node's flat list); rejects with an OriginError. */
  async fetch(
    x: ProxyExchange,
    target: ProxyTarget,
    headers: readonly string[],
    tap: TranscriptTap | undefined,
    options: { body?: boolean } = {},
  ): Promise<OriginResponse> {
    const send = (options.body ?? true) && hasBody(x.req);
    const body = send ? boundedBody(x.req, x.settings.maxBodyBytes) : undefined;
    if (tap !== undefined) tapOriginRequest(tap, x.method, target.url, headers);
    try {
      const answer = await this.#deps.pool.fetch({ method: x.method, url: target.url, headers, body });
      this.#deps.metrics.fetch('ok');
      if (tap !== undefined) tapOriginResponse(tap, answer.response);
      return answer;
    } catch (err) {
      this.#deps.metrics.fetch('error');
      throw err;
    }
  }

  /** Relays `answer` to the client (and `sink`), with `extra` response fields. */
  async relay(
    x: ProxyExchange,
    answer: OriginResponse,
    options: {
      extra?: HeaderPairs;
      sink?: RelaySink | undefined;
      resume?: (offset: number) => Promise<Readable | undefined>;
      tap?: TranscriptTap | undefined;
    } = {},
  ): Promise<RelayResult> {
    const { response } = answer;
    if (!x.res.headersSent)
      x.res.writeHead(response.statusCode ?? 502, clientResponseHeaders(response, x, options.extra));
    const result = await relay({
      body: response,
      res: x.res,
      sink: options.sink,
      bufferBytes: PROXY_LIMITS.clientBufferBytes,
      resume: options.resume,
    });
    if (options.tap !== undefined) tapOriginBody(options.tap, result.octets, result.complete);
    if (!result.complete)
      this.#deps.logger.warn({ url: x.req.url ?? '', octets: result.octets }, 'origin body cut short');
    return result;
  }

  /** Maps an origin failure to the client's 502/504 (or a cut response). */
  failed(x: ProxyExchange, err: unknown, tap: TranscriptTap | undefined): void {
    const status = err instanceof OriginError ? err.status : 502;
    const reason = err instanceof Error ? err.message : String(err);
    tap?.('*', `origin failed: ${reason} → ${String(status)}`);
    this.#deps.logger.info({ err: reason, url: x.req.url }, 'origin failed');
    this.#deps.metrics.request('error');
    answerError(
      x,
      status,
      status === 504
        ? 'Gateway Timeout: the origin did not answer in time'
        : 'Bad Gateway: the origin failed',
    );
  }
}
