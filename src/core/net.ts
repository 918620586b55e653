/**
 * Facts about peer addresses that every protocol's security policy asks: "is this client on
 * loopback?" decides whether plaintext logins are allowed (auth only over TLS, except on
 * loopback). Node reports IPv4 peers on dual-stack sockets as IPv4-mapped IPv6 (`::ffff:a.b.c.d`).
 */
import { isIP } from 'node:net';

/** True for 127.0.0.0/8, ::1, and their IPv4-mapped or expanded forms. */
export function isLoopback(ip: string): boolean {
  const v4 = ip.toLowerCase().startsWith('::ffff:') ? ip.slice(7) : ip;
  if (isIP(v4) === 4) return v4.startsWith('127.');
  return ip === '::1' || ip === '0:0:0:0:0:0:0:1';
}
