/**
 * The proxy's side of `outpost serve --transcript`: the client ↔ proxy exchange is the HTTP
 * transcript of the listener (src/http/transcript.ts, with Cache-Status among the response
 * fields); this adds one `proxy` session per request that went through the cache, with what the
 * cache decided (`* HIT`, `* MISS`, `* REVALIDATED`, `* STALE`, `* PASS`…) and the proxy ↔ origin
 * exchange: `C:` the request line and fields the proxy sent, `S:` the origin's status line and
 * fields, the body as a size. Credentials are redacted as in the HTTP transcript. Build taps only
 * after transcriptActive() said yes.
 */
import type { IncomingMessage } from 'node:http';
import { transcriptTap, type TranscriptTap } from '../core/transcript.js';
import { bodySummary, redactHeaderValue } from '../http/index.js';

/** A transcript session for one proxied request from `clientAddress`. */
export function proxyTap(clientAddress: string): TranscriptTap {
  return transcriptTap('proxy', clientAddress);
}

/** The request the proxy sends to the origin (`headers`: node's flat list). */
export function tapOriginRequest(
  tap: TranscriptTap,
  method: string,
  url: URL,
  headers: readonly string[],
): void {
  tap('*', `to origin ${url.host}${url.protocol === 'https:' ? ' (TLS)' : ''}`);
  tap('C', `${method} ${url.pathname}${url.search} HTTP/1.1`);
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const name = headers[i] ?? '';
    tap('C', `${name}: ${redactHeaderValue(name, headers[i + 1] ?? '')}`);
  }
}

/** The origin's response head. */
export function tapOriginResponse(tap: TranscriptTap, response: IncomingMessage): void {
  tap(
    'S',
    `HTTP/${response.httpVersion} ${String(response.statusCode ?? 0)} ${response.statusMessage ?? ''}`,
  );
  const raw = response.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] ?? '';
    tap('S', `${name}: ${redactHeaderValue(name, raw[i + 1] ?? '')}`);
  }
}

/** The origin body's size once it ended, or where it was cut. */
export function tapOriginBody(tap: TranscriptTap, octets: number, complete: boolean): void {
  if (complete) {
    if (octets > 0) tap('S', bodySummary(octets));
  } else tap('*', `origin body cut after ${octets.toLocaleString('en-US')} octets`);
}
