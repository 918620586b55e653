/**
 * The configuration schema (zod). One source of truth for every key, its type and default;
 * docs/configuration.md documents the same keys. Tables are strict: an unknown key is an error,
 * so a typo never silently leaves a default in place. A service whose table is absent is off.
 */
import { z } from 'zod';
import { isIP } from 'node:net';
import { loginPolicyKeys } from '../auth/login-policy.js';

/** `host:port` or `[v6]:port`, port 0-65535 (0 = any free port, for tests). */
export const listenAddress = z.string().transform((value, ctx) => {
  const parsed = parseListenAddress(value);
  if (!parsed) {
    ctx.addIssue({
      code: 'custom',
      message: `expected "host:port" (e.g. "127.0.0.1:10025"), got ${JSON.stringify(value)}`,
    });
    return z.NEVER;
  }
  return parsed;
});

/** A parsed listen address. */
export interface ListenAddress {
  host: string;
  port: number;
}

/** Parses `host:port` / `[v6]:port`; null when malformed. */
export function parseListenAddress(value: string): ListenAddress | null {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(value);
  if (!m) return null;
  const host = m[1] ?? m[2] ?? '';
  const port = Number(m[3]);
  if (port > 65535) return null;
  if (m[1] !== undefined && isIP(host) !== 6) return null;
  return { host, port };
}

const listenList = z.array(listenAddress).default([]);
const hostname = z
  .string()
  .min(1)
  .max(253)
  .regex(
    /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/,
    'expected a DNS name',
  );
/** A zone apex: a DNS name, or `.` for the root zone (the mini-Internet's root server). */
const zoneApex = z.union([z.literal('.'), hostname]);
const ipList = z.array(
  z
    .string()
    .refine((s) => isIP(s) !== 0 || /^[0-9a-fA-F:.]+\/\d{1,3}$/.test(s), 'expected an IP address or CIDR'),
);

const domainSchema = z.strictObject({ name: hostname });

const userSchema = z
  .strictObject({
    address: z.string().min(3).max(254),
    password: z.string().min(1).optional(),
    password_hash: z
      .string()
      .startsWith('$scrypt$', 'expected a "$scrypt$..." hash from `outpost user passwd`')
      .optional(),
  })
  .refine((u) => (u.password === undefined) !== (u.password_hash === undefined), {
    message: 'give exactly one of password or password_hash',
  });

const tlsSchema = z.strictObject({
  cert: z.string().min(1),
  key: z.string().min(1),
});

const dnsViewSchema = z.strictObject({
  match_clients: ipList.min(1),
  file: z.string().min(1),
});

const dnsZoneSchema = z
  .strictObject({
    name: zoneApex,
    file: z.string().min(1).optional(),
    primary: listenAddress.optional(),
    notify: listenList,
    allow_transfer: ipList.default([]),
    /** Round-robin the records of each RRset across successive answers. */
    rotate: z.boolean().default(false),
    /** Per-client data (BIND match-clients): the first view whose CIDRs cover the client answers. */
    views: z.array(dnsViewSchema).default([]),
  })
  .refine((zone) => (zone.file === undefined) !== (zone.primary === undefined), {
    message: 'a zone needs exactly one of file (primary) or primary (secondary)',
  })
  .refine((zone) => zone.views.length === 0 || zone.file !== undefined, {
    message: 'views are for primary zones (with file)',
  });

const dnsSchema = z.strictObject({
  listen: listenList,
  zones: z.array(dnsZoneSchema).default([]),
});

/** The recursive resolver (src/dns/resolver/); docs/dns.md. */
const resolverSchema = z.strictObject({
  listen: listenList,
  /** named.root-format file the iteration starts from (IANA's, or a test world's). Required. */
  root_hints: z.string().min(1),
  /** Who may query (IPs or CIDRs); default loopback only. */
  allow: ipList.default(['127.0.0.0/8', '::1/128']),
  /** Port every upstream server is asked on (named.root carries none). */
  upstream_port: z.number().int().min(1).max(65535).default(53),
  /** Query loopback upstreams although the root hints are not loopback. */
  allow_loopback_upstreams: z.boolean().default(false),
  /** Send the client's /24 (IPv4) or /56 (IPv6) upstream as EDNS Client Subnet (RFC 7871). */
  send_client_subnet: z.boolean().default(false),
  /** QNAME minimisation (RFC 9156, relaxed). */
  qname_minimisation: z.boolean().default(true),
  /** Cache bounds: RRsets and negative entries, and estimated octets. */
  cache_max_entries: z.number().int().min(1).max(10_000_000).default(100_000),
  cache_max_bytes: z
    .number()
    .int()
    .min(4096)
    .default(64 * 1024 * 1024),
  /** Which entry a full cache drops: least recently used, or least frequently used. */
  cache_eviction: z.enum(['lru', 'lfu']).default('lru'),
  /** TTL caps in seconds (positive, negative). */
  max_ttl: z.number().int().min(1).max(604_800).default(86_400),
  max_negative_ttl: z.number().int().min(1).max(86_400).default(3_600),
  /** How long expired data may be served when every authority fails, in seconds (RFC 8767); 0 = never. */
  serve_stale_seconds: z.number().int().min(0).max(604_800).default(86_400),
  /** RFC 8767 client-response timer in ms: stale data goes to a client waiting this long; 0 = off. */
  stale_client_response_ms: z.number().int().min(0).max(30_000).default(1_800),
});

/** Accounts allowed to PUT/DELETE/POST files: full addresses, or "*" for any account. */
const httpWriters = z.array(z.string().min(1).max(254)).default([]);
/** Cache-Control per URL path prefix (longest prefix wins), e.g. { "/assets/" = "max-age=86400" }. */
const httpCacheControl = z
  .record(
    z.string().startsWith('/', 'expected a path prefix starting with "/"'),
    z.string().regex(/^[\x20-\x7e]*$/, 'expected printable ASCII'),
  )
  .default({});

const httpSiteSchema = z.strictObject({
  host: z.string().min(1),
  root: z.string().min(1),
  listing: z.boolean().default(false),
  writers: httpWriters,
  cache_control: httpCacheControl,
});

const httpSchema = z.strictObject({
  listen: listenList,
  tls_listen: listenList,
  root: z.string().min(1).optional(),
  listing: z.boolean().default(false),
  writers: httpWriters,
  cache_control: httpCacheControl,
  sites: z.array(httpSiteSchema).default([]),
  /** Combined Log Format file; absent = lines on `outpost serve`'s stdout at level info or lower; "off" = none. */
  access_log: z.string().min(1).optional(),
  /** Also speak h2c (HTTP/2 with prior knowledge, RFC 9113 §3.3) on the plain `listen` addresses. */
  h2c: z.boolean().default(false),
  /** Largest request body (PUT/POST), in bytes. */
  max_body_size: z
    .number()
    .int()
    .positive()
    .default(100 * 1024 * 1024),
});

/** An origin URL for the caching proxy: http:// or https://, host and optional port, no path. */
const originUrl = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      url.hostname !== '' &&
      url.username === '' &&
      url.password === '' &&
      (url.pathname === '/' || url.pathname === '') &&
      url.search === '' &&
      url.hash === ''
    );
  } catch {
    return false;
  }
}, 'expected "http://host[:port]" or "https://host[:port]" (no path)');

/** The caching HTTP proxy (src/proxy/); docs/proxy.md. */
const proxySchema = z.strictObject({
  /** Plain listeners: HTTP/1.1 (forward proxies are asked in HTTP/1.1). */
  listen: listenList,
  /** TLS listeners: HTTP/2 or HTTP/1.1 by ALPN, the suite's certificate. */
  tls_listen: listenList,
  /** Reverse proxy in front of this origin; absent: a forward proxy (absolute-form, CONNECT). */
  origin: originUrl.optional(),
  /** PEM file of extra CAs an https origin's certificate may chain to (test origins). */
  origin_ca: z.string().min(1).optional(),
  /** Bytes of responses kept in the cache (memory and files under data_dir/proxy); 0 = no cache. */
  cache_size: z
    .number()
    .int()
    .min(0)
    .default(256 * 1024 * 1024),
  /** Who may use the proxy (IPs or CIDRs); default loopback only. Others get 403. */
  allow: ipList.default(['127.0.0.0/8', '::1/128']),
  /** Who may remove stored responses with the PURGE method; default loopback only. */
  purge_allow: ipList.default(['127.0.0.0/8', '::1/128']),
  /** Ports a forward proxy's CONNECT may reach; others get 403. */
  connect_ports: z.array(z.number().int().min(1).max(65535)).default([443]),
  /** Time to connect to the origin (502 after it), in ms. */
  origin_connect_timeout_ms: z.number().int().min(1).max(600_000).default(10_000),
  /** Time from sending a request to the origin's response head (504 after it), in ms. */
  origin_timeout_ms: z.number().int().min(1).max(3_600_000).default(60_000),
  /** Largest request body forwarded, in bytes. */
  max_body_size: z
    .number()
    .int()
    .positive()
    .default(100 * 1024 * 1024),
});

const adminSchema = z.strictObject({ listen: listenList });

const smtpSchema = z.strictObject({
  listen: listenList,
  submission_listen: listenList,
  tls_listen: listenList,
  max_message_size: z
    .number()
    .int()
    .positive()
    .default(25 * 1024 * 1024),
  relay_port: z.number().int().min(1).max(65535).default(25),
  dns_server: listenAddress.optional(),
  /** When AUTH (and submission without STARTTLS) may be used without TLS. */
  ...loginPolicyKeys,
  /** Recipients per message; RFC 5321 §4.5.3.1.8 requires at least 100. */
  max_recipients: z.number().int().min(100).max(10_000).default(100),
  /** Wait before the greeting; a client talking first is refused (RFC 5321 §4.3.1), in ms. */
  greeting_delay_ms: z.number().int().min(0).max(30_000).default(0),
  /** Receives <Postmaster> and postmaster@<domain> mail (RFC 5321 §4.5.1); checked at start. */
  postmaster: z
    .string()
    .max(254)
    .regex(/^[^@\s<>]+@[^@\s<>]+$/, 'expected an account address, e.g. "alice@example.test"')
    .optional(),
  /** Idle time before `421 4.4.2`, in s (RFC 5321 §4.5.3.2.7 recommends at least 300). */
  idle_timeout_seconds: z.number().int().min(1).max(3600).default(300),
  /** Bad commands in one session before `421` and a hang-up (RFC 5321 §4.2.5). */
  max_errors: z.number().int().min(1).max(1000).default(10),
  /** Outbound queue: bounce what is still undelivered after this long (RFC 5321 §4.5.4.1), in s. */
  queue_lifetime_seconds: z
    .number()
    .int()
    .min(60)
    .default(5 * 24 * 3600),
  /** Outbound queue: first retry delay, doubling per attempt up to retry_max_seconds, in s. */
  retry_initial_seconds: z.number().int().min(1).default(60),
  retry_max_seconds: z.number().int().min(1).default(3600),
});

const pop3Schema = z.strictObject({
  listen: listenList,
  tls_listen: listenList,
  ...loginPolicyKeys,
});

const imapSchema = z.strictObject({
  /** Plain listeners (STARTTLS offered when a certificate exists), port 143 by custom. */
  listen: listenList,
  /** Implicit-TLS listeners (RFC 8314 §3.3), port 993 by custom. */
  tls_listen: listenList,
  /** APPEND limit in octets (APPENDLIMIT, RFC 7889); absent: `[smtp] max_message_size`, else 25 MiB. */
  max_message_size: z.number().int().positive().optional(),
  ...loginPolicyKeys,
});

const ftpSchema = z.strictObject({
  listen: listenList,
  /** Implicit FTPS listeners (RFC 4217 §1, port 990 by custom). */
  tls_listen: listenList,
  passive_ports: z
    .string()
    .regex(/^\d{1,5}-\d{1,5}$/, 'expected "low-high", e.g. "40000-40099"')
    .optional(),
  passive_address: z.string().optional(),
  /** When passwords may be sent without TLS; `require_tls` also refuses anonymous logins. */
  ...loginPolicyKeys,
  anonymous_root: z.string().optional(),
  home_root: z.string().optional(),
  /** Control connection idle timeout, in seconds. */
  idle_timeout_seconds: z.number().int().min(1).max(86_400).default(300),
  /** Data connection connect/stall timeout, in seconds. */
  data_timeout_seconds: z.number().int().min(1).max(86_400).default(300),
  max_connections_per_ip: z.number().int().min(1).optional(),
  /** fsync uploads before the 226 reply (durable, slower on real disks). */
  fsync: z.boolean().default(true),
  /** Per-user permissions; users not listed may read, write and delete in their own home. */
  permissions: z
    .array(
      z.strictObject({
        user: z.string().min(1),
        read: z.boolean().default(true),
        write: z.boolean().default(true),
        delete: z.boolean().default(true),
      }),
    )
    .default([]),
  /**
   * Virtual hosts beyond the suite's domains (RFC 7151 HOST), by name: a name or any name under
   * it selects the entry; `anonymous_root` gives that host an anonymous tree of its own.
   */
  virtual_hosts: z.record(hostname, z.strictObject({ anonymous_root: z.string().optional() })).default({}),
});

const logSchema = z.strictObject({
  level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  transcript: z.boolean().default(false),
});

/** The whole file. */
export const configSchema = z.strictObject({
  data_dir: z.string().min(1).default('./data'),
  hostname: hostname.default('localhost'),
  log: logSchema.default({ level: 'info', transcript: false }),
  tls: tlsSchema.optional(),
  domains: z.array(domainSchema).default([]),
  users: z.array(userSchema).default([]),
  dns: dnsSchema.optional(),
  resolver: resolverSchema.optional(),
  http: httpSchema.optional(),
  admin: adminSchema.optional(),
  proxy: proxySchema.optional(),
  smtp: smtpSchema.optional(),
  pop3: pop3Schema.optional(),
  imap: imapSchema.optional(),
  ftp: ftpSchema.optional(),
});

/** A validated configuration with defaults applied and paths made absolute. */
export type OutpostConfig = z.output<typeof configSchema>;
/** What a TOML file (or a library caller) may give. */
export type OutpostConfigInput = z.input<typeof configSchema>;
