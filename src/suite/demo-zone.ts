/**
 * The demo domain's zone, written into the data directory on the first start of the embedded
 * default, so that `outpost dig @127.0.0.1 -p 10053 example.test MX` has something real to
 * answer: name servers, mail exchanger, web host, SPF and the SRV records mail clients use to
 * find submission and POP3 (RFC 6186), all on loopback with the embedded ports.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DEMO_DOMAIN, EMBEDDED_PORT_OFFSET } from './default-config.js';

/** The zone text for the demo domain. */
export function demoZoneText(serial: number): string {
  const p = (port: number): number => port + EMBEDDED_PORT_OFFSET;
  return `; Demo zone of Outpost's embedded default. Edit freely: the server reloads it on change.
$ORIGIN ${DEMO_DOMAIN}.
$TTL 300
@        IN SOA  ns1 hostmaster ( ${serial} 3600 600 604800 300 )
         IN NS   ns1
         IN MX   10 mail
         IN A    127.0.0.1
         IN TXT  "v=spf1 mx -all"
ns1      IN A    127.0.0.1
mail     IN A    127.0.0.1
www      IN CNAME @
ftp      IN CNAME @
_submission._tcp IN SRV 0 1 ${p(587)} mail
_pop3._tcp       IN SRV 0 1 ${p(110)} mail
_pop3s._tcp      IN SRV 0 1 ${p(995)} mail
`;
}

/** Writes the demo zone at `path` unless a file is already there (the user's edits win). */
export function ensureDemoZone(path: string, now: Date = new Date()): void {
  if (!existsSync(path)) writeDemoZone(path, now);
}

/** Writes the demo zone at `path` (replacing any file there), serial YYYYMMDD01 of `now`. */
export function writeDemoZone(path: string, now: Date = new Date()): void {
  mkdirSync(dirname(path), { recursive: true });
  const serial = Number(now.toISOString().slice(0, 10).replaceAll('-', '')) * 100 + 1;
  writeFileSync(path, demoZoneText(serial));
}
