/**
 * The resolver benchmark's mini-Internet, as master files and an address plan on 127.66.0.0/16
 * (a range no test uses; never 127.0.0.53): a root server (which also serves root-servers.net.,
 * as the real ones do), three TLD servers (test., net., org.), six organisation servers, two
 * servers of a DNS host (dnshost.net.) whose customers' zones name NS hosts outside their own
 * zone (a resolver must look those addresses up first), and one server for fill.test., a wildcard
 * zone that answers any name (memory fill). Forty sites `siteNN.<tld>` each get five questions:
 * www A, mail A, the apex MX, api AAAA, and a cross-zone CNAME (even sites) or an NXDOMAIN (odd
 * sites): the 200 distinct names of the cold-cache run. Pure: no processes are started here.
 */

/** Every server of the mini-Internet listens on its own address, port 53. */
export const ROOT_SERVER = '127.66.0.1';
const TLD_SERVERS: Readonly<Record<string, string>> = {
  test: '127.66.1.1',
  net: '127.66.1.2',
  org: '127.66.1.3',
};
const SITE_SERVERS = ['127.66.2.1', '127.66.2.2', '127.66.2.3', '127.66.2.4', '127.66.2.5', '127.66.2.6'];
const HOST_SERVERS = ['127.66.2.7', '127.66.2.8'];
const FILL_SERVER = '127.66.3.1';
/** The wildcard zone the memory figure fills the caches from. */
export const FILL_ZONE = 'fill.test.';
const SITES = 40;
const TTL = 3600;

/** One question with the rcode a correct resolver gives. */
export interface BenchQuestion {
  readonly name: string;
  readonly type: 'A' | 'AAAA' | 'MX';
  readonly rcode: 'NOERROR' | 'NXDOMAIN';
}

/** One NSD instance: its address and the zones it serves (apex → master-file text). */
export interface ZoneServer {
  readonly address: string;
  readonly zones: ReadonlyMap<string, string>;
}

interface Site {
  readonly index: number;
  readonly domain: string;
  readonly tld: string;
  /** NS host names and, for in-bailiwick ones, their glue addresses. */
  readonly ns: readonly (readonly [string, string | null])[];
  readonly servers: readonly string[];
}

const pad = (n: number): string => String(n).padStart(2, '0');

function soa(apex: string): string {
  return `${apex} ${String(TTL)} IN SOA ns.${apex === '.' ? '' : apex} hostmaster.${apex === '.' ? '' : apex} 1 3600 600 86400 300`;
}

function sites(): Site[] {
  const tlds = ['test', 'net', 'org'];
  return Array.from({ length: SITES }, (_, i) => {
    const index = i + 1;
    const tld = tlds[index % 3] ?? 'test';
    const domain = `site${pad(index)}.${tld}.`;
    if (index % 4 === 0) {
      return {
        index,
        domain,
        tld,
        ns: [
          ['ns1.dnshost.net.', null],
          ['ns2.dnshost.net.', null],
        ],
        servers: HOST_SERVERS,
      };
    }
    const a = SITE_SERVERS[index % SITE_SERVERS.length] ?? '';
    const b = SITE_SERVERS[(index + 1) % SITE_SERVERS.length] ?? '';
    return {
      index,
      domain,
      tld,
      ns: [
        [`ns1.${domain}`, a],
        [`ns2.${domain}`, b],
      ],
      servers: [a, b],
    };
  });
}

function siteZone(site: Site, next: Site): string {
  const i = site.index;
  const lines = [soa(site.domain), ...site.ns.map(([ns]) => `${site.domain} ${String(TTL)} NS ${ns}`)];
  for (const [ns, glue] of site.ns) if (glue !== null) lines.push(`${ns} ${String(TTL)} A ${glue}`);
  lines.push(
    `${site.domain} ${String(TTL)} MX 10 mail.${site.domain}`,
    `www.${site.domain} ${String(TTL)} A 192.0.2.${String(i)}`,
    `www.${site.domain} ${String(TTL)} A 192.0.2.${String(100 + i)}`,
    `mail.${site.domain} ${String(TTL)} A 198.51.100.${String(i)}`,
    `api.${site.domain} ${String(TTL)} AAAA 2001:db8::${i.toString(16)}`,
    `static.${site.domain} ${String(TTL)} CNAME www.${next.domain}`,
  );
  return `${lines.join('\n')}\n`;
}

function tldZone(tld: string, all: readonly Site[]): string {
  const apex = `${tld}.`;
  const server = TLD_SERVERS[tld] ?? '';
  const lines = [
    soa(apex),
    `${apex} ${String(TTL)} NS a.nic.${apex}`,
    `a.nic.${apex} ${String(TTL)} A ${server}`,
  ];
  for (const site of all.filter((s) => s.tld === tld)) {
    for (const [ns, glue] of site.ns) {
      lines.push(`${site.domain} ${String(TTL)} NS ${ns}`);
      if (glue !== null) lines.push(`${ns} ${String(TTL)} A ${glue}`);
    }
  }
  if (tld === 'net') {
    lines.push(
      `root-servers.net. ${String(TTL)} NS a.root-servers.net.`,
      `a.root-servers.net. ${String(TTL)} A ${ROOT_SERVER}`,
    );
    HOST_SERVERS.forEach((address, i) => {
      lines.push(
        `dnshost.net. ${String(TTL)} NS ns${String(i + 1)}.dnshost.net.`,
        `ns${String(i + 1)}.dnshost.net. ${String(TTL)} A ${address}`,
      );
    });
  }
  if (tld === 'test') {
    lines.push(
      `${FILL_ZONE} ${String(TTL)} NS ns1.${FILL_ZONE}`,
      `ns1.${FILL_ZONE} ${String(TTL)} A ${FILL_SERVER}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function rootZone(): string {
  const lines = [
    soa('.'),
    `. ${String(TTL)} NS a.root-servers.net.`,
    `a.root-servers.net. ${String(TTL)} A ${ROOT_SERVER}`,
  ];
  for (const [tld, address] of Object.entries(TLD_SERVERS)) {
    lines.push(`${tld}. ${String(TTL)} NS a.nic.${tld}.`, `a.nic.${tld}. ${String(TTL)} A ${address}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The servers of the mini-Internet with their zones. */
export function zoneServers(): ZoneServer[] {
  const all = sites();
  const byServer = new Map<string, Map<string, string>>();
  const add = (address: string, apex: string, text: string): void => {
    const zones = byServer.get(address) ?? new Map<string, string>();
    zones.set(apex, text);
    byServer.set(address, zones);
  };
  add(ROOT_SERVER, '.', rootZone());
  add(
    ROOT_SERVER,
    'root-servers.net.',
    `${soa('root-servers.net.')}\nroot-servers.net. ${String(TTL)} NS a.root-servers.net.\na.root-servers.net. ${String(TTL)} A ${ROOT_SERVER}\n`,
  );
  for (const tld of Object.keys(TLD_SERVERS)) add(TLD_SERVERS[tld] ?? '', `${tld}.`, tldZone(tld, all));
  const hostZone = [
    soa('dnshost.net.'),
    ...HOST_SERVERS.flatMap((address, i) => [
      `dnshost.net. ${String(TTL)} NS ns${String(i + 1)}.dnshost.net.`,
      `ns${String(i + 1)}.dnshost.net. ${String(TTL)} A ${address}`,
    ]),
  ].join('\n');
  for (const address of HOST_SERVERS) add(address, 'dnshost.net.', `${hostZone}\n`);
  all.forEach((site, i) => {
    const next = all[(i + 1) % all.length] ?? site;
    for (const address of site.servers) add(address, site.domain, siteZone(site, next));
  });
  add(
    FILL_SERVER,
    FILL_ZONE,
    `${soa(FILL_ZONE)}\n${FILL_ZONE} ${String(TTL)} NS ns1.${FILL_ZONE}\nns1.${FILL_ZONE} ${String(TTL)} A ${FILL_SERVER}\n*.${FILL_ZONE} ${String(TTL)} A 192.0.2.250\n`,
  );
  return [...byServer].map(([address, zones]) => ({ address, zones }));
}

/** named.root for both resolvers: the one loopback root server. */
export function rootHints(): string {
  return `. 3600000 NS a.root-servers.net.\na.root-servers.net. 3600000 A ${ROOT_SERVER}\n`;
}

/** The 200 distinct questions of the cold-cache run, interleaved so no two neighbours share a site. */
export function coldQuestions(): BenchQuestion[] {
  const perSite = sites().map((site): BenchQuestion[] => [
    { name: `www.${site.domain}`, type: 'A', rcode: 'NOERROR' },
    { name: `mail.${site.domain}`, type: 'A', rcode: 'NOERROR' },
    { name: site.domain, type: 'MX', rcode: 'NOERROR' },
    { name: `api.${site.domain}`, type: 'AAAA', rcode: 'NOERROR' },
    site.index % 2 === 0
      ? { name: `static.${site.domain}`, type: 'A', rcode: 'NOERROR' }
      : { name: `missing.${site.domain}`, type: 'A', rcode: 'NXDOMAIN' },
  ]);
  const out: BenchQuestion[] = [];
  for (let k = 0; k < 5; k++) for (const list of perSite) out.push(list[k] as BenchQuestion);
  return out;
}

/** `count` distinct names of the wildcard zone (one cached RRset each). */
export function fillQuestions(count: number, offset = 0): BenchQuestion[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `n${String(offset + i)}.${FILL_ZONE}`,
    type: 'A',
    rcode: 'NOERROR',
  }));
}

/** Questions as the load client's file: `name TYPE RCODE` per line. */
export function questionFile(questions: readonly BenchQuestion[]): string {
  return `${questions.map((q) => `${q.name} ${q.type} ${q.rcode}`).join('\n')}\n`;
}

/** Questions as dnsperf's file: `name TYPE` per line. */
export function dnsperfFile(questions: readonly BenchQuestion[]): string {
  return `${questions.map((q) => `${q.name} ${q.type}`).join('\n')}\n`;
}
