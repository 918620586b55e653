/**
 * Opening the connection: TCP to each address of the host in turn until one answers (errors in
 * words: "connection refused"), and TLS on an open socket, used at once for implicit-TLS ports
 * and after a STARTTLS exchange. The certificate is checked by Node and, when refused, reported
 * with whose it is (core/tls-trust.ts) before a byte of application data is sent.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { ErrorCodes, OutpostError } from '../../core/errors.js';
import { describeSocketError } from '../../core/net.js';
import { connectedWithin } from '../../core/net-connect.js';
import { caWithRoots, TlsUntrustedError, untrustedPeer } from '../../core/tls-trust.js';
import type { HostAddress } from './resolve.js';

/** How long one TCP connection attempt may take, in milliseconds. */
export const CONNECT_TIMEOUT_MS = 30_000;

/** A TCP connection to the first of `addresses` that accepts; ERR_CONNECT_FAILED otherwise. */
export async function connectTcp(
  host: string,
  addresses: readonly HostAddress[],
  port: number,
  timeoutMs = CONNECT_TIMEOUT_MS,
): Promise<Socket> {
  const failures: string[] = [];
  let cause: unknown;
  for (const address of addresses) {
    try {
      return await connectedWithin(
        netConnect({ host: address.address, port, family: address.family }),
        timeoutMs,
      );
    } catch (err) {
      cause = err;
      const why = err instanceof Error ? describeSocketError(err) : String(err);
      failures.push(addresses.length > 1 || address.address !== host ? `${address.address}: ${why}` : why);
    }
  }
  throw new OutpostError(
    ErrorCodes.CONNECT_FAILED,
    `cannot connect to ${host} port ${port}: ${failures.join('; ')}`,
    {
      cause,
    },
  );
}

/** How to check the server's certificate. */
export interface TlsTrust {
  /** The name to verify and send as SNI (a host name; omitted for IP literals). */
  readonly servername?: string;
  /** PEM certificates to trust besides Node's roots. */
  readonly ca?: readonly string[];
  /** Accept any certificate (test servers only). */
  readonly insecure?: boolean;
}

/**
 * TLS over `socket`. Resolves once the handshake is done and the certificate is trusted (or
 * `insecure`); rejects with TlsUntrustedError naming the certificate, or ERR_TLS_UNAVAILABLE.
 */
export function startTls(socket: Socket, trust: TlsTrust): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const secure = tlsConnect({
      socket,
      rejectUnauthorized: false,
      ...(trust.servername === undefined ? {} : { servername: trust.servername }),
      ...caWithRoots(trust.ca),
    });
    // Node's identity check runs only with rejectUnauthorized; untrustedPeer reads its verdict.
    secure.once('secureConnect', () => {
      secure.removeAllListeners('error');
      const untrusted = trust.insecure === true ? null : untrustedPeer(secure);
      if (untrusted === null) {
        resolve(secure);
        return;
      }
      secure.destroy();
      reject(new TlsUntrustedError(untrusted));
    });
    secure.once('error', (err: Error) => {
      reject(
        new OutpostError(ErrorCodes.TLS_UNAVAILABLE, `TLS handshake failed: ${describeSocketError(err)}`, {
          cause: err,
        }),
      );
    });
  });
}
