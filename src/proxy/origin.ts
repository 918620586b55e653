/**
 * The proxy's client side: HTTP/1.1 to origins over node:http and node:https keep-alive Agents
 * (one pool per scheme; HTTPS with certificate checks against the system roots plus an optional
 * `origin_ca`), node's parser on the response (so a response head is bounded and malformed
 * framing is an error, not a guess), and the timeouts that turn a dead origin into a clear
 * status: no connection within the connect timeout is 502, no response head within the origin
 * timeout is 504, silence in the middle of a body ends it. A request that fails on a reused
 * pooled connection before any response (the origin closed it while idle) is retried once on a
 * new one when it is idempotent and has no body.
 */
import {
  Agent as HttpAgent,
  request as httpRequest,
  type ClientRequest,
  type IncomingMessage,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { rootCertificates } from 'node:tls';
import { PROXY_LIMITS } from './limits.js';

/** Why the origin gave no usable response head. */
export type OriginFailure = 'connect' | 'timeout' | 'protocol' | 'reset';

/** An origin that failed; `status` is what the client gets (502 or 504, RFC 9110 §15.6.3/§15.6.5). */
export class OriginError extends Error {
  readonly failure: OriginFailure;
  constructor(failure: OriginFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OriginError';
    this.failure = failure;
  }

  get status(): 502 | 504 {
    return this.failure === 'timeout' ? 504 : 502;
  }
}

/** How the pool talks to origins. */
export interface OriginPoolOptions {
  readonly connectTimeoutMs?: number | undefined;
  readonly timeoutMs?: number | undefined;
  readonly idleTimeoutMs?: number | undefined;
  /** Extra CA certificates (PEM) HTTPS origins may chain to, besides the system roots. */
  readonly ca?: string | Buffer | undefined;
  readonly maxHeaderBytes?: number | undefined;
}

/** One request to an origin. */
export interface OriginRequest {
  readonly method: string;
  readonly url: URL;
  /** Every field to send, Host included, as node's flat [name, value, …] list. */
  readonly headers: readonly string[];
  /** The body to stream, if the request has one. */
  readonly body?: Readable | undefined;
}

/** A response head with its body stream, and when it was asked and answered. */
export interface OriginResponse {
  readonly response: IncomingMessage;
  readonly requestTime: number;
  readonly responseTime: number;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/** The keep-alive pools to every origin. */
export class OriginPool {
  readonly #http: HttpAgent;
  readonly #https: HttpsAgent;
  readonly #connectTimeoutMs: number;
  readonly #timeoutMs: number;
  readonly #idleTimeoutMs: number;
  readonly #maxHeaderBytes: number;

  constructor(options: OriginPoolOptions = {}) {
    const pool = {
      keepAlive: true,
      maxSockets: PROXY_LIMITS.originMaxSockets,
      maxFreeSockets: PROXY_LIMITS.originFreeSockets,
      timeout: PROXY_LIMITS.originKeepAliveMs,
      scheduling: 'lifo' as const,
    };
    this.#http = new HttpAgent(pool);
    this.#https = new HttpsAgent({
      ...pool,
      minVersion: 'TLSv1.2',
      ...(options.ca === undefined ? {} : { ca: [...rootCertificates, String(options.ca)] }),
    });
    this.#connectTimeoutMs = options.connectTimeoutMs ?? PROXY_LIMITS.originConnectTimeoutMs;
    this.#timeoutMs = options.timeoutMs ?? PROXY_LIMITS.originTimeoutMs;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? PROXY_LIMITS.originIdleTimeoutMs;
    this.#maxHeaderBytes = options.maxHeaderBytes ?? PROXY_LIMITS.maxOriginHeaderBytes;
  }

  /** Sends `request`; resolves at the response head, rejects with an OriginError. */
  async fetch(request: OriginRequest): Promise<OriginResponse> {
    const retryable = request.body === undefined && IDEMPOTENT.has(request.method);
    try {
      return await this.#once(request);
    } catch (err) {
      if (retryable && err instanceof ReusedSocketError) return this.#once(request, true);
      throw err instanceof ReusedSocketError ? err.original : err;
    }
  }

  /** Closes idle pooled connections (in-flight ones finish). */
  close(): void {
    this.#http.destroy();
    this.#https.destroy();
  }

  #once(request: OriginRequest, fresh = false): Promise<OriginResponse> {
    const { url } = request;
    const secure = url.protocol === 'https:';
    const requestTime = Date.now();
    return new Promise<OriginResponse>((resolve, reject) => {
      let settled = false;
      let connectTimer: NodeJS.Timeout | undefined;
      const headTimer = setTimeout(() => {
        fail(
          new OriginError(
            'timeout',
            `no response head from ${url.host} within ${String(this.#timeoutMs)} ms`,
          ),
        );
      }, this.#timeoutMs);
      const done = (): void => {
        settled = true;
        clearTimeout(headTimer);
        if (connectTimer !== undefined) clearTimeout(connectTimer);
      };
      const fail = (err: Error): void => {
        if (settled) return;
        done();
        req.destroy();
        reject(err);
      };
      const options = {
        method: request.method,
        host: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
        port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
        path: `${url.pathname}${url.search}`,
        headers: [...request.headers],
        setHost: false,
        maxHeaderSize: this.#maxHeaderBytes,
        // A retry after a reused connection failed goes on a new one.
        agent: fresh ? false : secure ? this.#https : this.#http,
        ...(secure && fresh ? { ca: this.#https.options.ca } : {}),
      };
      const req: ClientRequest = secure ? httpsRequest(options) : httpRequest(options);
      req.on('socket', (socket: Socket) => {
        if (!socket.connecting) return;
        connectTimer = setTimeout(() => {
          fail(
            new OriginError(
              'connect',
              `no connection to ${url.host} within ${String(this.#connectTimeoutMs)} ms`,
            ),
          );
        }, this.#connectTimeoutMs);
        socket.once(secure ? 'secureConnect' : 'connect', () => {
          clearTimeout(connectTimer);
        });
      });
      req.on('response', (response: IncomingMessage) => {
        if (settled) {
          response.destroy();
          return;
        }
        done();
        // Silence in the middle of the body ends it (the consumer sees an aborted stream). The
        // pool sets its own idle timeout when the connection goes back to it.
        const socket = response.socket;
        const silent = (): void => {
          response.destroy(new OriginError('timeout', `origin ${url.host} went silent mid-body`));
        };
        socket.setTimeout(this.#idleTimeoutMs);
        socket.on('timeout', silent);
        response.once('close', () => socket.removeListener('timeout', silent));
        resolve({ response, requestTime, responseTime: Date.now() });
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (settled) return;
        if (req.reusedSocket && !fresh) {
          done();
          reject(new ReusedSocketError(classify(err, url)));
          return;
        }
        fail(classify(err, url));
      });
      if (request.body === undefined) req.end();
      else {
        request.body.on('error', (err) => {
          req.destroy(err);
        });
        request.body.pipe(req);
      }
    });
  }
}

/** A failure on a pooled connection that had served earlier requests (maybe closed while idle). */
class ReusedSocketError extends Error {
  readonly original: OriginError;
  constructor(original: OriginError) {
    super(original.message);
    this.original = original;
  }
}

/** A socket or parser error as an OriginError. */
function classify(err: NodeJS.ErrnoException, url: URL): OriginError {
  const code = err.code ?? '';
  if (err instanceof OriginError) return err;
  if (code.startsWith('HPE_'))
    return new OriginError('protocol', `origin ${url.host} sent an invalid response (${code})`, {
      cause: err,
    });
  if (
    ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL'].includes(code)
  )
    return new OriginError('connect', `cannot connect to ${url.host}: ${code}`, { cause: err });
  if (code.startsWith('ERR_TLS') || code.includes('CERT') || code === 'DEPTH_ZERO_SELF_SIGNED_CERT')
    return new OriginError('connect', `origin ${url.host} failed the TLS check: ${code}`, { cause: err });
  return new OriginError('reset', `origin ${url.host}: ${code === '' ? err.message : code}`, { cause: err });
}
