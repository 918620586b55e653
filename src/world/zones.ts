/**
 * The master files of a generated world: the root zone (delegating `test.` and `example.`), the
 * two TLD zones (delegating the organisations and the CDN, `example.` naming the root server and
 * the resolver), each organisation's zone (NS, MX, mail, www), the CDN's zone once per edge (one
 * view each: `www` is that edge) and the resolver's root hints. Plain
 * RFC 1035 text a user can edit; the world's DNS servers reload it when it changes.
 */
import type { WorldCdn, WorldEdge, WorldOrg, WorldPlan } from './plan.js';

/** The root server's name (under `example.`, so its glue sits in the root zone). */
export const ROOT_SERVER = 'a.root-servers.example.';
/** A TLD's server name. */
export function tldServer(tld: string): string {
  return `a.nic.${tld}.`;
}

const SOA_TIMES = '1 3600 600 86400 300';

/** File name (under DIR/zones) → master-file text, in a stable order. */
export function worldZoneFiles(plan: WorldPlan): Map<string, string> {
  const files = new Map<string, string>();
  files.set('root.zone', rootZone(plan));
  for (const tld of plan.tlds.keys()) files.set(`${tld}.zone`, tldZone(plan, tld));
  for (const org of plan.orgs) files.set(`${org.domain}.zone`, orgZone(org));
  for (const edge of plan.cdn.edges) files.set(cdnZoneFile(plan.cdn, edge), cdnZone(plan.cdn, edge));
  files.set('root.hints', rootHints(plan));
  return files;
}

/**
 * The file of the CDN zone's view for `edge`: `cdn.test.zone` for the default edge (the one
 * without clients), `cdn.test.edge-a.zone` for the others.
 */
export function cdnZoneFile(cdn: WorldCdn, edge: WorldEdge): string {
  return edge.clients.length === 0 ? `${cdn.domain}.zone` : `${cdn.domain}.${edge.name}.zone`;
}

/** The zone apex a zone file of `worldZoneFiles` holds (null for the root hints). */
export function zoneApexOf(file: string): string | null {
  if (file === 'root.hints') return null;
  if (file === 'root.zone') return '.';
  const cdnView = /^(.+\.test)\.edge-[a-z0-9-]+\.zone$/.exec(file);
  if (cdnView !== null) return cdnView[1] ?? null;
  return file.replace(/\.zone$/, '');
}

function rootZone(plan: WorldPlan): string {
  const lines = [
    '; The root zone of the mini-Internet: it delegates every TLD to its server (with glue).',
    '$ORIGIN .',
    '$TTL 86400',
    `@ IN SOA ${ROOT_SERVER} hostmaster.nic.example. ${SOA_TIMES}`,
    `@ IN NS ${ROOT_SERVER}`,
    `${ROOT_SERVER} IN A ${plan.root}`,
  ];
  for (const [tld, address] of plan.tlds) {
    lines.push(`${tld}. IN NS ${tldServer(tld)}`, `${tldServer(tld)} IN A ${address}`);
  }
  return lines.join('\n') + '\n';
}

function tldZone(plan: WorldPlan, tld: string): string {
  const lines = [
    `; The ${tld}. top-level domain: its own server, and a delegation (NS + glue) per domain below it.`,
    `$ORIGIN ${tld}.`,
    '$TTL 86400',
    `@ IN SOA ${tldServer(tld)} hostmaster.nic.example. ${SOA_TIMES}`,
    `@ IN NS ${tldServer(tld)}`,
    `${tldServer(tld)} IN A ${plan.tlds.get(tld) ?? ''}`,
  ];
  if (tld === 'example') {
    lines.push(`${ROOT_SERVER} IN A ${plan.root}`, `resolver.example. IN A ${plan.resolver}`);
  }
  const delegated = [...plan.orgs.map((o) => [o.domain, o.ns]), [plan.cdn.domain, plan.cdn.ns]];
  for (const [domain = '', ns = ''] of delegated.filter(([d = '']) => d.endsWith(`.${tld}`))) {
    lines.push(`${domain}. IN NS ns.${domain}.`, `ns.${domain}. IN A ${ns}`);
  }
  return lines.join('\n') + '\n';
}

function orgZone(org: WorldOrg): string {
  return (
    [
      `; ${org.domain}: its name server, its mail host (the MX: SMTP, submission, POP3, IMAP) and its web server.`,
      `$ORIGIN ${org.domain}.`,
      '$TTL 300',
      `@ IN SOA ns hostmaster ${SOA_TIMES}`,
      '@ IN NS ns',
      '@ IN MX 10 mail',
      `ns IN A ${org.ns}`,
      `mail IN A ${org.mail}`,
      `www IN A ${org.www}`,
    ].join('\n') + '\n'
  );
}

/**
 * One view of the CDN's zone: the same names everywhere except `www`, which is `edge`'s address,
 * with a short TTL so a resolver asks again soon (a CDN moves clients between edges this way).
 */
function cdnZone(cdn: WorldCdn, edge: WorldEdge): string {
  const who = edge.clients.length === 0 ? 'every other client' : `clients in ${edge.clients.join(', ')}`;
  return (
    [
      `; ${cdn.domain}, the view for ${who}: www is ${edge.name}, the edge cache nearest them.`,
      `$ORIGIN ${cdn.domain}.`,
      '$TTL 300',
      `@ IN SOA ns hostmaster ${SOA_TIMES}`,
      '@ IN NS ns',
      `ns IN A ${cdn.ns}`,
      `origin IN A ${cdn.origin}`,
      ...cdn.edges.map((e) => `${e.name} IN A ${e.address}`),
      `www 30 IN A ${edge.address}`,
    ].join('\n') + '\n'
  );
}

function rootHints(plan: WorldPlan): string {
  return (
    [
      "; The resolver's root hints (named.root format): where every resolution starts.",
      `. 3600000 NS ${ROOT_SERVER}`,
      `${ROOT_SERVER} 3600000 A ${plan.root}`,
    ].join('\n') + '\n'
  );
}
