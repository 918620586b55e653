/**
 * The `[proxy]` settings a request is handled with, parsed once from the configuration (allow
 * lists as address prefixes, the origin as a URL) and swapped whole on reload, so a request
 * sees one consistent set.
 */
import { randomBytes } from 'node:crypto';
import type { OutpostConfig } from '../core/config/schema.js';
import { parseAllowList, type AllowEntry } from '../dns/index.js';

type ProxyConfig = NonNullable<OutpostConfig['proxy']>;

/** What the proxy's steps read. */
export interface ProxySettings {
  /** The origin of a reverse proxy; undefined: a forward proxy. */
  readonly origin: URL | undefined;
  readonly allow: readonly AllowEntry[];
  readonly purgeAllow: readonly AllowEntry[];
  readonly connectPorts: ReadonlySet<number>;
  readonly maxBodyBytes: number;
  /** Our name in Via (RFC 9110 §7.6.3): the suite's hostname. */
  readonly pseudonym: string;
  /** A token unique to this process, in our Via comment, that detects forwarding loops. */
  readonly loopToken: string;
}

const LOOP_TOKEN = `outpost-${randomBytes(6).toString('hex')}`;

/** Settings from a validated configuration with a `[proxy]` table. */
export function proxySettings(proxy: ProxyConfig, hostname: string): ProxySettings {
  return {
    origin: proxy.origin === undefined ? undefined : new URL(proxy.origin),
    allow: parseAllowList(proxy.allow),
    purgeAllow: parseAllowList(proxy.purge_allow),
    connectPorts: new Set(proxy.connect_ports),
    maxBodyBytes: proxy.max_body_size,
    pseudonym: hostname,
    loopToken: LOOP_TOKEN,
  };
}
