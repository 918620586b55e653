/**
 * HTTP/2 over cleartext with prior knowledge (h2c, RFC 9113 §3.3) on the plain HTTP/1.1
 * listener: the first bytes of each plain connection say which protocol it speaks. A client
 * with prior knowledge opens with the connection preface (RFC 9113 §3.4,
 * `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`); any other first bytes are HTTP/1.1. The deprecated
 * `Upgrade: h2c` dance (RFC 7540 §3.2, removed by RFC 9113 §3.1) is not offered: such requests
 * are answered as plain HTTP/1.1, as nginx does.
 *
 * The sniff is bounded: it decides on the first byte that differs from the preface, or once all
 * 24 preface octets are in; a client that stalls before either gets the same 408 that node:http
 * sends on its headers timeout, and one that half-closes first is closed. The peeked bytes are pushed back (`unshift`) before the socket
 * is handed over, so the chosen server parses the connection from its first byte.
 */
import type { Socket } from 'node:net';

/** The client connection preface (RFC 9113 §3.4). */
export const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** What the first bytes of a plain connection say. */
export type PlainProtocol = 'http/1.1' | 'h2c';

/** The answer node:http gives a client that misses its headers timeout (RFC 9110 §15.5.9). */
const REQUEST_TIMEOUT = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n';

/** `h2c` once `seen` holds the whole preface, `http/1.1` once it differs from it, else undefined. */
export function classifyFirstBytes(seen: Buffer): PlainProtocol | undefined {
  const n = Math.min(seen.length, H2_PREFACE.length);
  if (seen.compare(H2_PREFACE, 0, n, 0, n) !== 0) return 'http/1.1';
  return n === H2_PREFACE.length ? 'h2c' : undefined;
}

/** How sniffPlain hands a connection over. */
export interface SniffOptions {
  /** Longest wait for the deciding bytes, in ms (the listener's headers timeout). */
  readonly timeoutMs: number;
  /** Called once with the decision; the peeked bytes are back in the socket, which is paused. */
  readonly decide: (socket: Socket, protocol: PlainProtocol) => void;
  /** Called when the socket closes (peer gone, timeout, error) before a decision. */
  readonly abandoned: (socket: Socket) => void;
}

/**
 * Reads the first bytes of `socket` until the protocol is known, then pauses it, pushes the
 * bytes back and calls `decide`. Until then the socket has its own error and timeout handling.
 */
export function sniffPlain(socket: Socket, options: SniffOptions): void {
  let seen: Buffer | undefined;
  const cleanup = (): void => {
    socket.removeListener('data', onData);
    socket.removeListener('timeout', onTimeout);
    socket.removeListener('error', onError);
    socket.removeListener('close', onClose);
    socket.removeListener('end', onEnd);
    socket.setTimeout(0);
  };
  const onData = (chunk: Buffer): void => {
    const bytes = seen === undefined ? chunk : Buffer.concat([seen, chunk]);
    const protocol = classifyFirstBytes(bytes);
    if (protocol === undefined) {
      seen = bytes;
      return;
    }
    socket.pause();
    cleanup();
    socket.unshift(bytes);
    options.decide(socket, protocol);
  };
  const onTimeout = (): void => {
    cleanup();
    socket.on('error', onError);
    socket.once('close', onClose);
    socket.end(REQUEST_TIMEOUT);
    socket.destroySoon();
  };
  const onError = (): void => {
    socket.destroy();
  };
  // The client's FIN before a decision: what it sent (at most part of the preface) is no request.
  const onEnd = (): void => {
    socket.destroy();
  };
  const onClose = (): void => {
    cleanup();
    options.abandoned(socket);
  };
  socket.setTimeout(options.timeoutMs);
  socket.on('timeout', onTimeout);
  socket.on('error', onError);
  socket.once('close', onClose);
  socket.once('end', onEnd);
  socket.on('data', onData);
}
