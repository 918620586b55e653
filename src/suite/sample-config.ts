/**
 * The sample configuration `outpost config init` writes: the embedded default (default-config.ts)
 * rendered as TOML, one commented block per top-level key, plus the demo users with their
 * password hashes. It is rendered from the very object `outpost serve` runs without a config, so
 * the file and the embedded default cannot drift, and every top-level key of the schema must
 * have its comment here (the `Record` below does not compile otherwise). A key the default leaves
 * out (such as `[tls]`) is shown commented out, as an example.
 */
import { stringify } from 'smol-toml';
import type { OutpostConfigInput } from '../core/config/schema.js';
import {
  DEMO_DOMAIN,
  DEMO_WRITER,
  EMBEDDED_HTTP_PORT,
  EMBEDDED_PORT_OFFSET,
  embeddedDefaultConfig,
} from './default-config.js';

/** What the file says about one top-level key. */
interface SectionNote {
  /** Comment lines above the key (without the leading `# `). */
  readonly about: readonly string[];
  /** Commented-out TOML shown when the embedded default leaves the key out. */
  readonly example?: string;
}

/** One comment block per top-level key, in the order they appear in the file (plain values first: TOML puts them before any table). */
const NOTES: Readonly<Record<keyof OutpostConfigInput, SectionNote>> = {
  data_dir: {
    about: [
      'Where the suite keeps its data: accounts.db (users, password hashes), mail.db (mailboxes',
      'and the outbound queue), tls/ (the development certificate), www/ (the default web site),',
      'ftp/ (FTP homes). Relative paths in this file are relative to this file.',
    ],
  },
  hostname: { about: ["This server's name: the SMTP greeting, Received: lines, the certificate."] },
  log: {
    about: [
      'Logs on stderr at this level or above (fatal, error, warn, info, debug, trace, silent):',
      'readable lines on a terminal, JSON lines otherwise. transcript = true prints every session',
      'line (C:/S:), as `serve --transcript` does.',
    ],
  },
  tls: {
    about: [
      'Certificate and key (PEM) for every TLS listener, STARTTLS, STLS and AUTH TLS. Without this',
      'table a self-signed development certificate is generated into data_dir/tls/.',
    ],
    example:
      '[tls]\ncert = "/etc/ssl/certs/mail.example.test.pem"\nkey = "/etc/ssl/private/mail.example.test.key"',
  },
  domains: {
    about: ['The mail domains this server is responsible for (and hosts FTP and web logins for).'],
  },
  users: {
    about: [
      'Accounts, by full address: the login name for SMTP AUTH, POP3, IMAP, FTP and web uploads.',
      'password_hash is an scrypt hash (`outpost user passwd` makes new ones); a clear',
      '`password = "..."` works too and is hashed at start.',
    ],
  },
  dns: {
    about: [
      'Authoritative DNS over UDP and TCP. Each zone is a master file (RFC 1035), reloaded when it',
      'changes; `primary = "host:port"` instead of `file` makes a secondary zone pulled by AXFR.',
      'Try: outpost dig @127.0.0.1 -p 10053 example.test MX',
    ],
  },
  resolver: {
    about: [
      'A recursive caching resolver: iterates from the root hints (a named.root file; IANA keeps',
      'the real one at https://www.internic.net/domain/named.root) and answers the clients in',
      '`allow` (default loopback). Upstreams are asked on port 53 unless upstream_port says otherwise.',
    ],
    example:
      '[resolver]\nlisten = ["127.0.0.1:10054"]\nroot_hints = "/path/to/root.hints"\nallow = ["127.0.0.0/8", "::1/128"]',
  },
  http: {
    about: [
      'The web server: plain HTTP/1.1 on listen, HTTPS (HTTP/2 or HTTP/1.1 by ALPN) on tls_listen.',
      'The default site is data_dir/www unless `root` names another directory; [[http.sites]] adds',
      'virtual hosts. writers may PUT, DELETE and POST files (Basic auth over TLS or loopback).',
    ],
  },
  admin: {
    about: [
      'GET /healthz and GET /metrics (Prometheus) for the whole suite. No authentication: keep it',
      'on loopback or a management network.',
    ],
    example: '[admin]\nlisten = ["127.0.0.1:19090"]',
  },
  proxy: {
    about: [
      'A caching HTTP proxy (RFC 9111). Without `origin` it is a forward proxy (curl -x',
      'http://127.0.0.1:13128 …; CONNECT only to connect_ports) for the clients in `allow`;',
      'with origin = "http://127.0.0.1:18080" it is a reverse proxy (an edge cache) in front of it.',
      'cache_size is in bytes; PURGE is accepted from purge_allow. See docs/proxy.md.',
    ],
  },
  smtp: {
    about: [
      'SMTP: listen is the MX (port 25 on the Internet), submission_listen takes mail from your users',
      '(STARTTLS + AUTH), tls_listen is submission over implicit TLS. Mail for other domains is',
      'queued and relayed to their MX on relay_port (25 on the Internet).',
    ],
  },
  pop3: {
    about: [
      'POP3 for reading mail: STLS on listen, implicit TLS on tls_listen. Passwords without TLS are',
      'accepted from loopback only.',
    ],
  },
  imap: {
    about: [
      'IMAP (IMAP4rev2 and IMAP4rev1) for reading mail in folders: STARTTLS on listen, implicit TLS',
      'on tls_listen. Passwords without TLS are accepted from loopback only. max_message_size (the',
      "APPEND limit) defaults to [smtp]'s.",
    ],
  },
  ftp: {
    about: [
      'FTP: each account has a home under data_dir/ftp; AUTH TLS is offered on listen.',
      'anonymous_root = "pub" would allow read-only anonymous logins.',
    ],
  },
};

/** A demo user as the file lists it. */
export interface SampleUser {
  readonly address: string;
  readonly password_hash: string;
}

/** Where the sample puts its data and zone file (relative to the config file). */
export interface SampleConfigOptions {
  readonly dataDir: string;
  readonly zoneFile: string;
  readonly users: readonly SampleUser[];
}

function comment(lines: readonly string[]): string {
  return lines.map((line) => (line === '' ? '#' : `# ${line}`)).join('\n');
}

/** The embedded default plus `users`, as one commented TOML file. */
export function sampleConfigText(options: SampleConfigOptions): string {
  const config: OutpostConfigInput = {
    ...embeddedDefaultConfig(options.dataDir, options.zoneFile),
    users: [...options.users],
  };
  const blocks = [
    comment([
      `Outpost configuration: the embedded default (demo domain ${DEMO_DOMAIN}, every service on`,
      `127.0.0.1 at its standard port + ${String(EMBEDDED_PORT_OFFSET)}, plain HTTP on ${String(EMBEDDED_HTTP_PORT)}), written by \`outpost config init\`.`,
      `The demo users' passwords were printed once; ${DEMO_WRITER} may upload to the web site.`,
      'Check it with `outpost config check FILE`; run it with `outpost serve --config FILE`;',
      'SIGHUP reloads it. Every key and its default: docs/configuration.md.',
    ]),
  ];
  for (const key of Object.keys(NOTES) as (keyof OutpostConfigInput)[]) {
    const note = NOTES[key];
    const value = config[key];
    const body =
      value === undefined
        ? note.example === undefined
          ? undefined
          : comment(note.example.split('\n'))
        : stringify({ [key]: value }).trim();
    if (body !== undefined) blocks.push(`${comment(note.about)}\n${body}`);
  }
  return `${blocks.join('\n\n')}\n`;
}
