/**
 * One DNS exchange over UDP (RFC 1035 §4.2.1): send the query from a fresh connected socket (so
 * the kernel drops datagrams from any other address or port and the OS picks a random source
 * port, RFC 5452 §4.5) and wait for a datagram that answers it. Datagrams that do not answer it
 * (wrong id, wrong question, not a response, or undecodable) are ignored until the timeout: an
 * off-path spoofer must not be able to end the exchange early. A datagram is at most 65535
 * octets, which bounds every read.
 */
import { randomInt } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { ErrorCodes, OutpostError } from '../../core/errors.js';
import { decodeHeader, decodeMessage } from '../decode.js';
import type { Message } from '../types.js';
import { HEADER_SIZE } from '../limits.js';
import { replyMismatch, type MatchOptions } from './match.js';
import { decodeReply, type DnsReply } from './reply.js';
import { describeSocketError } from '../../core/net.js';
import { resolveServer, serverLabel, type DnsServerAddress, type ResolvedServer } from './server-address.js';

/** Options of `exchangeUdp` beyond the required timeout. */
export interface UdpExchangeOptions extends MatchOptions {
  /**
   * Called for each datagram that was ignored, with the reason (tracing and tests), and the
   * decoded reply when it carried our id but did not match the query.
   */
  readonly onIgnored?: (reason: string, reply?: Message) => void;
  /**
   * Bind to a source port drawn by `crypto.randomInt` from 1024..65535 instead of the kernel's
   * choice (RFC 5452 §9.2; the recursive resolver's port randomisation), falling back to the
   * kernel's choice when a few draws are taken.
   */
  readonly randomSourcePort?: boolean;
}

/** Draws tried before the kernel picks the port. */
const PORT_DRAWS = 8;

/** A socket bound to a random port, or an unbound one (the kernel chooses) when the draws are taken. */
async function randomPortSocket(family: 4 | 6): Promise<Socket> {
  for (let i = 0; i < PORT_DRAWS; i++) {
    const socket = createSocket(family === 6 ? 'udp6' : 'udp4');
    const port = randomInt(1024, 65536);
    const bound = await new Promise<boolean>((resolve) => {
      const onError = (): void => {
        resolve(false);
      };
      socket.once('error', onError);
      socket.bind({ port, address: family === 6 ? '::' : '0.0.0.0', exclusive: true }, () => {
        socket.off('error', onError);
        resolve(true);
      });
    });
    if (bound) return socket;
    try {
      socket.close();
    } catch {
      // a failed bind may already have closed it
    }
  }
  return createSocket(family === 6 ? 'udp6' : 'udp4');
}

/**
 * Send `query` (a complete DNS message in wire form) to `server` over UDP and resolve with the
 * first datagram that answers it (see match.ts). Rejects with ERR_TIMEOUT when nothing matching
 * arrives within `timeoutMs`, ERR_PARSE instead when the only replies carrying our id were
 * malformed, and ERR_CONNECTION_CLOSED on a socket error (e.g. ICMP port unreachable).
 */
export async function exchangeUdp(
  query: Uint8Array,
  server: DnsServerAddress | ResolvedServer,
  timeoutMs: number,
  options: UdpExchangeOptions = {},
): Promise<DnsReply> {
  const sent = decodeMessage(query);
  const target = await resolveServer(server);
  const label = serverLabel(target);
  const socket =
    options.randomSourcePort === true
      ? await randomPortSocket(target.family)
      : createSocket(target.family === 6 ? 'udp6' : 'udp4');
  let malformed: unknown;
  const ignore = (reason: string, reply?: Message): void => {
    options.onIgnored?.(reason, reply);
  };
  try {
    return await new Promise<DnsReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          malformed === undefined
            ? new OutpostError(ErrorCodes.TIMEOUT, `no reply from ${label} within ${timeoutMs} ms (UDP)`)
            : new OutpostError(ErrorCodes.PARSE, `malformed reply from ${label} (UDP)`, { cause: malformed }),
        );
      }, timeoutMs);
      const finish = (fn: () => void): void => {
        clearTimeout(timer);
        fn();
      };
      socket.on('error', (err) => {
        finish(() => {
          reject(
            new OutpostError(ErrorCodes.CONNECTION_CLOSED, `${label}: ${describeSocketError(err)} (UDP)`, {
              cause: err,
            }),
          );
        });
      });
      socket.on('message', (bytes) => {
        if (bytes.length < HEADER_SIZE || decodeHeader(bytes).id !== sent.header.id) {
          ignore(`datagram of ${bytes.length} octets without our id`);
          return;
        }
        let message;
        try {
          message = decodeReply(bytes);
        } catch (err) {
          malformed = err;
          ignore(`malformed reply: ${err instanceof Error ? err.message : String(err)}`);
          return;
        }
        const mismatch = replyMismatch(sent, message, options);
        if (mismatch !== undefined) {
          ignore(`reply does not match the query: ${mismatch}`, message);
          return;
        }
        finish(() => {
          resolve({ message, bytes });
        });
      });
      socket.connect(target.port, target.address, () => {
        socket.send(query, (err) => {
          if (err) socket.emit('error', err);
        });
      });
    });
  } finally {
    try {
      socket.close();
    } catch {
      // already closed by a failed connect
    }
  }
}
