/**
 * The world config, `DIR/world.toml`: one `[suites.NAME]` table per server group of the
 * mini-Internet, each an ordinary Outpost config (the keys of docs/configuration.md) with its own
 * `data_dir` under DIR. Rendered from a plan on first run (commented, so it says its port plan),
 * read back on every run through the suite's own schema: an edit is checked exactly as
 * `outpost serve --config` would check it. Relative paths are relative to DIR.
 */
import { dirname, resolve } from 'node:path';
import { stringify } from 'smol-toml';
import {
  parseConfigToml,
  readConfigText,
  validateConfig,
  type ConfigLoadOptions,
} from '../core/config/load.js';
import type { OutpostConfig, OutpostConfigInput } from '../core/config/schema.js';
import { ConfigError } from '../core/errors.js';
import type { WorldPlan } from './plan.js';
import { cdnZoneFile, tldServer, ROOT_SERVER } from './zones.js';

/** The world config's file name inside DIR. */
export const WORLD_FILE = 'world.toml';

/** One suite of a world, in file order. */
export interface WorldSuiteConfig {
  readonly name: string;
  readonly config: OutpostConfig;
}

const hostPort = (host: string, port: number): string => `${host}:${String(port)}`;
const noDot = (name: string): string => name.replace(/\.$/, '');

/** The suites of `plan` as config objects, in start order (name servers first, then the resolver, then the organisations). */
export function worldSuites(plan: WorldPlan): [string, string, OutpostConfigInput][] {
  const { ports } = plan;
  const dnsOnly = (address: string, hostname: string, zones: [string, string][]): OutpostConfigInput => ({
    hostname,
    dns: {
      listen: [hostPort(address, ports.dns)],
      zones: zones.map(([name, file]) => ({ name, file: `zones/${file}` })),
    },
  });
  const suites: [string, string, OutpostConfigInput][] = [
    ['root-server', 'the root server', dnsOnly(plan.root, noDot(ROOT_SERVER), [['.', 'root.zone']])],
  ];
  for (const [tld, address] of plan.tlds) {
    suites.push([
      `tld-${tld}`,
      `the ${tld}. TLD server`,
      dnsOnly(address, noDot(tldServer(tld)), [[tld, `${tld}.zone`]]),
    ]);
  }
  suites.push([
    'resolver',
    'the recursive resolver (asks every server on the world DNS port)',
    {
      hostname: 'resolver.example',
      resolver: {
        listen: [hostPort(plan.resolver, ports.dns)],
        root_hints: 'zones/root.hints',
        upstream_port: ports.dns,
        // The client's /24 goes upstream (EDNS Client Subnet), so the CDN's name server sees where it is.
        send_client_subnet: true,
      },
    },
  ]);
  for (const org of plan.orgs) {
    suites.push([
      org.domain,
      `${org.domain}: name server ns, mail host mail (MX, submission, POP3, IMAP), web server www`,
      {
        hostname: `mail.${org.domain}`,
        domains: [{ name: org.domain }],
        dns: {
          listen: [hostPort(org.ns, ports.dns)],
          zones: [{ name: org.domain, file: `zones/${org.domain}.zone` }],
        },
        smtp: {
          listen: [hostPort(org.mail, ports.smtp)],
          submission_listen: [hostPort(org.mail, ports.submission)],
          relay_port: ports.smtp,
          dns_server: hostPort(plan.resolver, ports.dns),
          retry_initial_seconds: 10,
          retry_max_seconds: 60,
        },
        pop3: { listen: [hostPort(org.mail, ports.pop3)] },
        imap: { listen: [hostPort(org.mail, ports.imap)] },
        http: { listen: [hostPort(org.www, ports.http)] },
      },
    ]);
  }
  suites.push(...cdnSuites(plan));
  return suites;
}

/**
 * The CDN's suites: its name server (views send each client to its edge) with the origin web
 * server, then one reverse-proxy edge cache per edge, each in front of the origin.
 */
function cdnSuites(plan: WorldPlan): [string, string, OutpostConfigInput][] {
  const { cdn, ports } = plan;
  const fallback = cdn.edges.find((e) => e.clients.length === 0);
  if (fallback === undefined) throw new Error('the CDN plan needs an edge for every other client');
  const suites: [string, string, OutpostConfigInput][] = [
    [
      cdn.domain,
      `${cdn.domain}: the CDN's name server ns (www is the edge nearest the client) and its origin web server`,
      {
        hostname: `ns.${cdn.domain}`,
        dns: {
          listen: [hostPort(cdn.ns, ports.dns)],
          zones: [
            {
              name: cdn.domain,
              file: `zones/${cdnZoneFile(cdn, fallback)}`,
              views: cdn.edges
                .filter((e) => e.clients.length > 0)
                .map((e) => ({ match_clients: [...e.clients], file: `zones/${cdnZoneFile(cdn, e)}` })),
            },
          ],
        },
        http: { listen: [hostPort(cdn.origin, ports.http)], cache_control: { '/': 'max-age=300' } },
      },
    ],
  ];
  for (const edge of cdn.edges) {
    suites.push([
      `${edge.name}.${cdn.domain}`,
      `${edge.name}.${cdn.domain}: an edge cache (reverse proxy) in front of the CDN's origin`,
      {
        hostname: `${edge.name}.${cdn.domain}`,
        proxy: {
          listen: [hostPort(edge.address, ports.http)],
          origin: `http://${hostPort(cdn.origin, ports.http)}`,
          cache_size: 64 * 1024 * 1024,
        },
      },
    ]);
  }
  return suites;
}

/** The commented world.toml text for `plan`. */
export function worldFileText(plan: WorldPlan): string {
  const p = plan.ports;
  const portNote =
    plan.portOffset === 0
      ? 'standard ports (generated as root)'
      : `standard ports + ${String(plan.portOffset)} (generated without root; HTTP 8080 + ${String(plan.portOffset)})`;
  const header = [
    "# Outpost's mini-Internet (`outpost world`): every server below runs in one process on its own",
    `# loopback address in ${plan.net}.0/24. Each [suites.NAME] table is an ordinary Outpost config`,
    '# (docs/configuration.md) with its own data_dir; relative paths are relative to this file.',
    `# Port plan: ${portNote}:`,
    `#   DNS ${String(p.dns)}, SMTP ${String(p.smtp)}, submission ${String(p.submission)}, POP3 ${String(p.pop3)}, IMAP ${String(p.imap)}, HTTP ${String(p.http)}.`,
    '# The resolver asks every name server on its upstream_port and each mail host relays on',
    '# relay_port, so both equal the DNS and SMTP ports here: change them together. Zone files',
    '# are in zones/ (reloaded when they change). Accounts: outpost user … --data DIR/crepes.test.',
    '',
  ];
  const blocks = worldSuites(plan).map(
    ([name, about, config]) =>
      `# ${about}\n${stringify({ suites: { [name]: { data_dir: name, ...config } } })}\n`,
  );
  return header.join('\n') + '\n' + blocks.join('\n');
}

/** Reads DIR/world.toml: every suite validated as `outpost serve --config` would. */
export function loadWorldFile(file: string, options: ConfigLoadOptions = {}): WorldSuiteConfig[] {
  return parseWorldText(readConfigText(file), file, options);
}

/** Parses world.toml text; `file` names it in errors and anchors relative paths. */
export function parseWorldText(
  text: string,
  file: string,
  options: ConfigLoadOptions = {},
): WorldSuiteConfig[] {
  const data = parseConfigToml(text, file);
  const extra = Object.keys(data).filter((k) => k !== 'suites');
  if (extra.length > 0) {
    throw new ConfigError(
      `${file}: unknown top-level key ${JSON.stringify(extra[0])} (a world has only [suites.NAME] tables)`,
      extra[0] ?? '',
      file,
    );
  }
  const suites = data.suites;
  if (
    typeof suites !== 'object' ||
    suites === null ||
    Array.isArray(suites) ||
    Object.keys(suites).length === 0
  ) {
    throw new ConfigError(`${file}: no [suites.NAME] tables`, 'suites', file);
  }
  const baseDir = dirname(resolve(file));
  return Object.entries(suites as Record<string, unknown>).map(([name, input]) => ({
    name,
    config: validateConfig(input, { ...options, file: `${file} [suites.${name}]`, baseDir }),
  }));
}
