/**
 * The request engine of `outpost http`: one HTTP/1.1 exchange over node:http or node:https.
 * Not fetch: Node's fetch (and undici's) refuses the Fetch standard's "bad ports" (10080, 6000,
 * 6667, …) before any dispatcher runs, and a curl-like tool must reach whatever port it is given.
 * node:http adds no dependency, sends the header fields exactly as given (name case and order),
 * streams the body, and takes trusted CAs or `insecure` per request instead of process-wide.
 */
import { caWithRoots } from '../core/tls-trust.js';
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** What to send. */
export interface ExchangeOptions {
  readonly method: string;
  /** Header fields in order, names as written; `Host` is added first unless present. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body?: string | Buffer;
  /** Extra CAs (PEM) trusted besides Node's bundled roots, for https: URLs. */
  readonly ca?: readonly string[];
  /** Skip certificate verification (curl's -k). */
  readonly insecure?: boolean;
  readonly signal?: AbortSignal;
}

/** A response whose head has arrived; `body` is the unread body stream. */
export interface Exchange {
  readonly status: number;
  readonly statusText: string;
  /** `1.1` or `1.0`. */
  readonly httpVersion: string;
  /** The header fields as received: names in the server's case, in order, repeats kept. */
  readonly rawHeaders: readonly (readonly [string, string])[];
  /** The same fields for lookups (`get`, `getSetCookie`). */
  readonly headers: Headers;
  readonly body: IncomingMessage;
}

function pairs(flat: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i] ?? '', flat[i + 1] ?? '']);
  return out;
}

function headersOf(raw: readonly (readonly [string, string])[]): Headers {
  const headers = new Headers();
  for (const [name, value] of raw) {
    try {
      headers.append(name, value);
    } catch {
      // A field Headers refuses (it is stricter than llhttp) is still shown raw, just not looked up.
    }
  }
  return headers;
}

/** Sends one request; resolves when the response head arrives, rejects on a network/TLS error. */
export function exchange(url: URL, options: ExchangeOptions): Promise<Exchange> {
  const fields = options.headers.some(([n]) => n.toLowerCase() === 'host')
    ? [...options.headers]
    : [['Host', url.host] as const, ...options.headers];
  const flat = fields.flatMap(([n, v]) => [n, v]);
  if (options.body !== undefined && !fields.some(([n]) => n.toLowerCase() === 'content-length'))
    flat.push('Content-Length', String(Buffer.byteLength(options.body)));
  const common = {
    method: options.method,
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port === '' ? undefined : Number(url.port),
    path: `${url.pathname}${url.search}`,
    // node:http takes the raw form [name, value, name, value…] and sends it unchanged.
    headers: flat as unknown as OutgoingHttpHeaders,
    agent: false as const,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
  return new Promise((resolve, reject) => {
    const onResponse = (res: IncomingMessage): void => {
      const rawHeaders = pairs(res.rawHeaders);
      resolve({
        status: res.statusCode ?? 0,
        statusText: res.statusMessage ?? '',
        httpVersion: res.httpVersion,
        rawHeaders,
        headers: headersOf(rawHeaders),
        body: res,
      });
    };
    const req =
      url.protocol === 'https:'
        ? httpsRequest(
            {
              ...common,
              rejectUnauthorized: options.insecure !== true,
              ...caWithRoots(options.ca),
            },
            onResponse,
          )
        : httpRequest(common, onResponse);
    req.on('error', reject);
    req.end(options.body);
  });
}
