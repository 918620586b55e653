/**
 * What the server says to a request node:http's parser refuses (llhttp errors: a malformed request
 * line or field, a smuggling attempt, an oversized head) or that misses the headers timeout.
 * node:http answers these itself unless the server listens for 'clientError'; we listen so the
 * transcript can show the refusal, and answer exactly as node:http does (its socketOnError): one
 * fixed status with `Connection: close` when nothing of a response went out yet, then the
 * connection is destroyed.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/** The status node:http gives each refusal; every other parser error is 400. */
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  HPE_HEADER_OVERFLOW: 431,
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 413,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
};

/** True for the parser's refusals (llhttp `HPE_*`) and the headers timeout, not socket errors. */
export function isHttpRefusal(err: NodeJS.ErrnoException): boolean {
  return err.code === 'ERR_HTTP_REQUEST_TIMEOUT' || err.code?.startsWith('HPE_') === true;
}

/** The status a refused request gets. */
export function rejectionStatus(err: NodeJS.ErrnoException): number {
  return STATUS_BY_CODE[err.code ?? ''] ?? 400;
}

/** True when a response on `socket` already wrote its head, so no error reply may follow. */
function responseStarted(socket: Duplex): boolean {
  // node:http keeps the in-flight response on the socket and checks its `_headerSent` (set once
  // the head went to the socket, not merely built); both internal, read as its own handler does.
  const inFlight = (socket as Duplex & { _httpMessage?: { _headerSent?: boolean } | null })._httpMessage;
  return inFlight?._headerSent === true;
}

/**
 * Answers a refused request as node:http would and destroys the connection; returns the status
 * sent, or null when none could be (peer gone, or a response already under way).
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): number | null {
  let sent: number | null = null;
  if (socket.writable && !responseStarted(socket)) {
    sent = rejectionStatus(err);
    socket.write(`HTTP/1.1 ${sent} ${STATUS_CODES[sent] ?? ''}\r\nConnection: close\r\n\r\n`);
  }
  socket.destroy(err);
  return sent;
}
