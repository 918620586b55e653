/**
 * Facts about peer addresses that every protocol's security policy asks: "is this client on
 * loopback?" decides whether plaintext logins are allowed (auth only over TLS, except on
 * loopback). Node reports IPv4 peers on dual-stack sockets as IPv4-mapped IPv6 (`::ffff:a.b.c.d`).
 * And whether a lower-case name is a host name (FTP HOST, the development certificate's names),
 * how a listener's address reads as a metrics label, and a socket error in words for clients.
 */
import { isIP } from 'node:net';

/** True for 127.0.0.0/8, ::1, and their IPv4-mapped or expanded forms. */
export function isLoopback(ip: string): boolean {
  const v4 = ip.toLowerCase().startsWith('::ffff:') ? ip.slice(7) : ip;
  if (isIP(v4) === 4) return v4.startsWith('127.');
  return ip === '::1' || ip === '0:0:0:0:0:0:0:1';
}

/** One label (RFC 1123 §2.1: letters, digits, inner hyphens, 63 octets at most), lower case. */
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** True when lower-case `name` is a host name: LDH labels, 253 characters at most, no final dot. */
export function isDnsName(name: string): boolean {
  return name.length > 0 && name.length <= 253 && name.split('.').every((label) => LABEL.test(label));
}

/** A bound address as a metrics label: `127.0.0.1:10025`, `[::1]:10025`. */
export function listenerLabel(address: { address: string; port: number }): string {
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  return `${host}:${String(address.port)}`;
}

const SOCKET_ERRORS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed',
  ETIMEDOUT: 'connection timed out',
  EADDRNOTAVAIL: 'address not available',
};

/** A socket error in words (`connection refused`), falling back to its message. */
export function describeSocketError(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  return (code === undefined ? undefined : SOCKET_ERRORS[code]) ?? err.message;
}
