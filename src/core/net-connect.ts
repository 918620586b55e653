/**
 * A client's TCP (or TLS) connect with a time limit, shared by the IMAP, SMTP, FTP and Telnet
 * clients: wait for the socket's `connect` (`secureConnect` for a socket from tls.connect), fail
 * with its error, or destroy it with a ConnectTimeoutError (ETIMEDOUT, "connection timed out")
 * when the limit passes. Each client words the failure its own way.
 */
import type { Socket } from 'node:net';

/** How a connect attempt that ran out of time ends: `connection timed out`, code ETIMEDOUT. */
export class ConnectTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';

  constructor() {
    super('connection timed out');
  }
}

/**
 * Resolves with `socket` once `event` fires; rejects with the socket's error, or with a
 * ConnectTimeoutError after `timeoutMs` (the socket is destroyed with it). The caller's own
 * error listener goes on from there.
 */
export function connectedWithin<S extends Socket>(
  socket: S,
  timeoutMs: number,
  event: 'connect' | 'secureConnect' = 'connect',
): Promise<S> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy(new ConnectTimeoutError());
    }, timeoutMs);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      reject(err);
    };
    socket.once('error', fail);
    socket.once(event, () => {
      clearTimeout(timer);
      socket.off('error', fail);
      resolve(socket);
    });
  });
}
