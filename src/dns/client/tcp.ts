/**
 * One DNS exchange over TCP (RFC 1035 §4.2.2, RFC 7766 §8): connect, send the query behind its
 * two-octet length, read exactly one length-prefixed reply and close. Reads are bounded by the
 * length prefix (at most 65535 octets); octets after the reply are never buffered. Unlike UDP, a
 * reply that does not match the query is an error: nobody else can write into our connection,
 * so a mismatch means a broken server.
 */
import { connect } from 'node:net';
import { ErrorCodes, OutpostError } from '../../core/errors.js';
import { decodeMessage } from '../decode.js';
import { HEADER_SIZE } from '../limits.js';
import { frameMessage } from '../tcp-frame.js';
import { TCP_LENGTH_PREFIX } from './defaults.js';
import { replyMismatch, type MatchOptions } from './match.js';
import { decodeReply, type DnsReply } from './reply.js';
import { describeSocketError } from '../../core/net.js';
import { resolveServer, serverLabel, type DnsServerAddress, type ResolvedServer } from './server-address.js';

/** Options of `exchangeTcp` beyond the required timeout. */
export type TcpExchangeOptions = MatchOptions;

/**
 * Send `query` (a complete DNS message in wire form, at most 65535 octets) to `server` over TCP
 * and resolve with its reply. `timeoutMs` covers connect, send and receive together. Rejects
 * with ERR_TIMEOUT, ERR_CONNECTION_CLOSED (refused, reset, or closed before a whole reply), or
 * ERR_PARSE (malformed reply, a length below the 12-octet header, or a reply to another query).
 */
export async function exchangeTcp(
  query: Uint8Array,
  server: DnsServerAddress | ResolvedServer,
  timeoutMs: number,
  options: TcpExchangeOptions = {},
): Promise<DnsReply> {
  const sent = decodeMessage(query);
  const frame = frameMessage(query); // ERR_INPUT_TOO_LARGE past 65535 octets
  const target = await resolveServer(server);
  const label = serverLabel(target);
  const socket = connect({ host: target.address, port: target.port });
  try {
    return await new Promise<DnsReply>((resolve, reject) => {
      let settled = false;
      const fail = (err: OutpostError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(err);
      };
      const timer = setTimeout(() => {
        fail(new OutpostError(ErrorCodes.TIMEOUT, `no reply from ${label} within ${timeoutMs} ms (TCP)`));
      }, timeoutMs);
      const chunks: Buffer[] = [];
      let have = 0;
      let need = -1; // reply length once the prefix is in
      const onData = (chunk: Buffer): void => {
        if (settled) return;
        // Keep only what the reply needs: the prefix bounds the read to 65535 + 2 octets.
        const want = (need < 0 ? TCP_LENGTH_PREFIX : TCP_LENGTH_PREFIX + need) - have;
        const part = chunk.length > want ? chunk.subarray(0, want) : chunk;
        chunks.push(part);
        have += part.length;
        if (need < 0 && have >= TCP_LENGTH_PREFIX) {
          need = Buffer.concat(chunks).readUInt16BE(0);
          if (need < HEADER_SIZE) {
            fail(new OutpostError(ErrorCodes.PARSE, `${label} sent a ${need}-octet reply (TCP)`));
            return;
          }
          if (chunk.length > part.length) onData(chunk.subarray(part.length));
          return;
        }
        if (need >= 0 && have === TCP_LENGTH_PREFIX + need)
          complete(Buffer.concat(chunks).subarray(TCP_LENGTH_PREFIX));
      };
      const complete = (bytes: Buffer): void => {
        let message;
        try {
          message = decodeReply(bytes);
        } catch (err) {
          fail(new OutpostError(ErrorCodes.PARSE, `malformed reply from ${label} (TCP)`, { cause: err }));
          return;
        }
        const mismatch = replyMismatch(sent, message, options);
        if (mismatch !== undefined) {
          fail(
            new OutpostError(ErrorCodes.PARSE, `reply from ${label} does not match the query: ${mismatch}`),
          );
          return;
        }
        settled = true;
        clearTimeout(timer);
        resolve({ message, bytes });
      };
      socket.on('data', onData);
      socket.on('error', (err) => {
        fail(
          new OutpostError(ErrorCodes.CONNECTION_CLOSED, `${label}: ${describeSocketError(err)} (TCP)`, {
            cause: err,
          }),
        );
      });
      socket.on('close', () => {
        fail(
          new OutpostError(
            ErrorCodes.CONNECTION_CLOSED,
            `${label} closed the connection after ${Math.max(0, have)} of ${need < 0 ? '?' : TCP_LENGTH_PREFIX + need} octets (TCP)`,
          ),
        );
      });
      socket.on('connect', () => {
        socket.write(frame);
      });
    });
  } finally {
    socket.destroy();
  }
}
