/**
 * Small responses the server writes itself (errors, redirects, OPTIONS, HTML pages): short text
 * bodies with an exact Content-Length, nothing echoed from the request unescaped.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import { STATUS_CODES } from 'node:http';
import { writeHead, type HttpResponse } from './types.js';

/** Ends `res` with a plain-text body (`reason` or the status text). HEAD gets headers only. */
export function sendText(
  res: HttpResponse,
  status: number,
  head: boolean,
  reason?: string,
  headers: OutgoingHttpHeaders = {},
): void {
  const text = `${reason ?? STATUS_CODES[status] ?? 'Error'}\n`;
  const body = Buffer.from(text, 'utf8');
  const all: OutgoingHttpHeaders = {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': body.length,
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  };
  // HTTP/2 forbids connection-specific fields (RFC 9113 §8.2.2); node:http2 throws on them.
  if (isHttp2(res)) delete all.Connection;
  writeHead(res, status, all);
  if (head) res.end();
  else res.end(body);
}

/** Ends `res` with an HTML page. */
export function sendHtml(
  res: HttpResponse,
  status: number,
  head: boolean,
  html: string,
  headers: OutgoingHttpHeaders = {},
): void {
  const body = Buffer.from(html, 'utf8');
  writeHead(res, status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': body.length,
    'Cache-Control': 'no-store',
    ...headers,
  });
  if (head) res.end();
  else res.end(body);
}

/** Ends `res` with a JSON body. */
export function sendJson(
  res: HttpResponse,
  status: number,
  head: boolean,
  value: unknown,
  headers: OutgoingHttpHeaders = {},
): void {
  const body = Buffer.from(`${JSON.stringify(value)}\n`, 'utf8');
  writeHead(res, status, {
    'Content-Type': 'application/json',
    'Content-Length': body.length,
    'Cache-Control': 'no-store',
    ...headers,
  });
  if (head) res.end();
  else res.end(body);
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Percent-encodes one path segment for a link (keeps unreserved characters). */
export function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** True for an HTTP/2 compatibility response. */
export function isHttp2(res: HttpResponse): boolean {
  return (res as { stream?: unknown }).stream !== undefined;
}
