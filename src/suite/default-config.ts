/**
 * The embedded default: what `outpost serve` runs with no config file. Every service on
 * 127.0.0.1 at its standard port + 10000 (plain HTTP at 8080 + 10000, see
 * EMBEDDED_HTTP_PORT; the admin listener, /healthz and /metrics, at 9090 + 10000), a demo
 * domain `example.test` with users alice and bob (alice may upload to the web site), logs at
 * info, data in ./data. `outpost config init` writes the same configuration to a file
 * (sample-config.ts). Nothing here needs root or touches the network beyond loopback.
 */
import { join } from 'node:path';
import type { OutpostConfigInput } from '../core/config/schema.js';

/** The demo domain and its users. */
export const DEMO_DOMAIN = 'example.test';
export const DEMO_USERS = ['alice', 'bob'] as const;

/** Offset added to every standard port so that no root is needed. */
export const EMBEDDED_PORT_OFFSET = 10_000;

/**
 * The plain HTTP listener's port: 8080 + 10000, not 80 + 10000. 10080 is on the Fetch
 * standard's "bad port" list (https://fetch.spec.whatwg.org/#bad-port), so browsers, Node's
 * fetch and undici's fetch refuse it before connecting; 18080 is on no such list, and neither
 * is any other embedded default port.
 */
export const EMBEDDED_HTTP_PORT = 8080 + EMBEDDED_PORT_OFFSET;

const loopback = (port: number): string[] => [`127.0.0.1:${port}`];
const at = (port: number): string[] => loopback(port + EMBEDDED_PORT_OFFSET);

/** The demo user who may upload to the default web site (PUT/DELETE/POST). */
export const DEMO_WRITER = `${DEMO_USERS[0]}@${DEMO_DOMAIN}`;

/**
 * The embedded default configuration, with data in `dataDir` and the demo zone at `zoneFile`
 * (inside the data directory unless `outpost config init` puts it beside its file). Its demo
 * users are not listed: `outpost serve` creates them on first start (config init lists them).
 */
export function embeddedDefaultConfig(
  dataDir: string,
  zoneFile: string = demoZonePath(dataDir),
): OutpostConfigInput {
  return {
    data_dir: dataDir,
    hostname: `mail.${DEMO_DOMAIN}`,
    log: { level: 'info' },
    domains: [{ name: DEMO_DOMAIN }],
    dns: { listen: at(53), zones: [{ name: DEMO_DOMAIN, file: zoneFile }] },
    http: { listen: loopback(EMBEDDED_HTTP_PORT), tls_listen: at(443), writers: [DEMO_WRITER] },
    smtp: {
      listen: at(25),
      submission_listen: at(587),
      tls_listen: at(465),
      relay_port: 25 + EMBEDDED_PORT_OFFSET,
    },
    pop3: { listen: at(110), tls_listen: at(995) },
    imap: { listen: at(143), tls_listen: at(993) },
    ftp: { listen: at(21) },
    // Prometheus' own port + 10000: /healthz and /metrics, on loopback only.
    admin: { listen: at(9090) },
    // Squid's port + 10000: a forward caching proxy for loopback clients only.
    proxy: { listen: at(3128) },
  };
}

/** The data directory when neither --data nor a config names one: $OUTPOST_DATA or ./data. */
export function defaultDataDir(): string {
  const fromEnv = process.env['OUTPOST_DATA'];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : './data';
}

/** Where the embedded default keeps the demo domain's zone file (written on first start). */
export function demoZonePath(dataDir: string): string {
  return join(dataDir, 'zones', `${DEMO_DOMAIN}.zone`);
}
