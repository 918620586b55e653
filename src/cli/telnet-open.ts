/**
 * Opening `outpost telnet`'s connection: the host's addresses (system resolver or `--dns`), TCP,
 * then TLS at once (`--tls`) or after the protocol's STARTTLS exchange (`--starttls`), trusting
 * `--cacert` and, on loopback, the local suite's development certificate; a refused certificate
 * is explained with the ways to trust it. Progress goes to `say` (stderr), the server's plaintext
 * lines before TLS to `show` (stdout).
 */
import { isIP, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { TlsUntrustedError } from '../core/tls-trust.js';
import type { TranscriptTap } from '../core/transcript.js';
import {
  bareHost,
  connectTcp,
  negotiateStartTls,
  resolveHost,
  startTls,
  type HostAddress,
  type StartTlsProtocol,
} from '../telnet/index.js';
import { findLocalSuite, trustAdvice, trustFor } from './local-suite.js';

/** Where to connect and how. */
export interface TelnetTarget {
  readonly host: string;
  readonly port: number;
  readonly dns?: { readonly host: string; readonly port: number };
  readonly tls?: boolean;
  readonly starttls?: StartTlsProtocol;
  readonly cacert?: string;
  readonly insecure?: boolean;
}

/** An open connection, ready for Telnet. */
export interface OpenConnection {
  readonly socket: Socket | TLSSocket;
  readonly address: HostAddress;
}

/** A refused certificate, with what to do about it already said. */
export class ExplainedTlsError extends Error {}

async function secure(socket: Socket, target: TelnetTarget, say: (line: string) => void): Promise<TLSSocket> {
  const host = bareHost(target.host);
  const suite = findLocalSuite({});
  const trust = trustFor(host, suite, target.cacert);
  if (trust.devCertificate !== undefined)
    say(`Trusting the local suite's development certificate ${trust.devCertificate}.`);
  try {
    const tls = await startTls(socket, {
      ...(isIP(host) === 0 ? { servername: host } : {}),
      ca: trust.ca,
      insecure: target.insecure === true,
    });
    const cipher = tls.getCipher();
    say(`TLS established (${tls.getProtocol() ?? 'TLS'}, ${cipher.name}).`);
    return tls;
  } catch (err) {
    socket.destroy();
    if (!(err instanceof TlsUntrustedError)) throw err;
    say(`outpost: ${err.message} [${err.code}]`);
    say(trustAdvice(err.certificate, suite, { caOption: '--cacert', insecureOption: '--insecure' }));
    throw new ExplainedTlsError(err.message, { cause: err });
  }
}

/** Resolves, connects, and starts TLS when asked; the socket is not reading yet. */
export async function openTelnetConnection(
  target: TelnetTarget,
  say: (line: string) => void,
  show: (line: string) => void,
  transcript?: TranscriptTap,
): Promise<OpenConnection> {
  const addresses = await resolveHost(target.host, target.dns);
  say(`Trying ${addresses.map((a) => a.address).join(', ')}...`);
  const socket = await connectTcp(bareHost(target.host), addresses, target.port);
  const address: HostAddress = {
    address: socket.remoteAddress ?? addresses[0]?.address ?? target.host,
    family: socket.remoteFamily === 'IPv6' ? 6 : 4,
  };
  say(`Connected to ${target.host}.`);
  transcript?.('*', `connected to ${address.address} port ${target.port}`);
  socket.pause();
  try {
    if (target.starttls !== undefined) {
      await negotiateStartTls(socket, target.starttls, show, transcript);
      const tls = await secure(socket, target, say);
      transcript?.('*', `TLS ${tls.getProtocol() ?? ''} after ${target.starttls.toUpperCase()} STARTTLS`);
      return { socket: tls, address };
    }
    if (target.tls === true) {
      const tls = await secure(socket, target, say);
      transcript?.('*', `TLS ${tls.getProtocol() ?? ''}`);
      return { socket: tls, address };
    }
  } catch (err) {
    socket.destroy();
    throw err;
  }
  return { socket, address };
}
