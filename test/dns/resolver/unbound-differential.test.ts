/**
 * Differential test of the resolver against Unbound: a loopback mini-Internet of NSD servers on
 * 127.64.0.0/16 (a range no other test uses), port 53 since neither resolver can ask a delegated
 * server on another port: a root, the test. and net. TLDs, example.test. (two servers),
 * other.test. whose NS name lives in provider.net. (out of bailiwick: its address needs a
 * resolution of its own), CNAMEs across zones, NXDOMAIN, NODATA, MX. Unbound (iterator only) and
 * our resolver service get the same root hints; ISC dig asks both the same questions and the
 * rcode and the answer section (as sets, TTLs ignored) must agree. Binding port 53 needs root or
 * CAP_NET_BIND_SERVICE, as CI has.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { configFromObject } from '../../../src/core/config/load.js';
import { resolverServiceDefinition } from '../../../src/dns/resolver/service.js';
import { Suite } from '../../../src/suite/suite.js';
import { startNsd, type NsdInstance } from '../../helpers/nsd.js';
import { run } from '../../helpers/run.js';
import { tempDir } from '../../helpers/temp.js';
import { startUnbound, type UnboundInstance } from '../../helpers/unbound.js';
import { SOA } from './fake-world.js';

const ROOT = '127.64.0.1';
const TEST_TLD = '127.64.1.1';
const NET_TLD = '127.64.1.2';
const EXAMPLE1 = '127.64.2.1';
const EXAMPLE2 = '127.64.2.2';
const OTHER = '127.64.3.1';
const PROVIDER = '127.64.4.1';

const zones: Record<string, [string, string][]> = {
  [ROOT]: [
    [
      '.',
      `${SOA('.')}
. 3600 NS a.root-servers.test.
a.root-servers.test. 3600 A ${ROOT}
test. 3600 NS ns1.nic.test.
ns1.nic.test. 3600 A ${TEST_TLD}
net. 3600 NS ns1.nic.net.
ns1.nic.net. 3600 A ${NET_TLD}
`,
    ],
  ],
  [TEST_TLD]: [
    [
      'test.',
      `${SOA('test.')}
test. 3600 NS ns1.nic.test.
ns1.nic.test. 3600 A ${TEST_TLD}
root-servers.test. 3600 NS ns1.nic.test.
a.root-servers.test. 3600 A ${ROOT}
example.test. 3600 NS ns1.example.test.
example.test. 3600 NS ns2.example.test.
ns1.example.test. 3600 A ${EXAMPLE1}
ns2.example.test. 3600 A ${EXAMPLE2}
other.test. 3600 NS ns.provider.net.
lame.test. 3600 NS ns1.example.test.
`,
    ],
  ],
  [NET_TLD]: [
    [
      'net.',
      `${SOA('net.')}
net. 3600 NS ns1.nic.net.
ns1.nic.net. 3600 A ${NET_TLD}
provider.net. 3600 NS ns1.provider.net.
ns1.provider.net. 3600 A ${PROVIDER}
`,
    ],
  ],
  [PROVIDER]: [
    [
      'provider.net.',
      `${SOA('provider.net.')}
provider.net. 3600 NS ns1.provider.net.
ns1.provider.net. 3600 A ${PROVIDER}
ns.provider.net. 3600 A ${OTHER}
www.provider.net. 300 CNAME www.example.test.
`,
    ],
  ],
  [OTHER]: [
    [
      'other.test.',
      `${SOA('other.test.')}
other.test. 3600 NS ns.provider.net.
other.test. 3600 MX 5 mx.other.test.
mx.other.test. 300 A 198.51.100.25
www.other.test. 300 A 198.51.100.7
www.other.test. 300 AAAA 2001:db8::7
back.other.test. 300 CNAME www.example.test.
hop.other.test. 300 CNAME www.provider.net.
dangling.other.test. 300 CNAME gone.example.test.
`,
    ],
  ],
};
const exampleZone = `${SOA('example.test.')}
example.test. 3600 NS ns1.example.test.
example.test. 3600 NS ns2.example.test.
example.test. 3600 MX 10 mail.example.test.
example.test. 3600 MX 20 mx.other.test.
example.test. 3600 TXT "v=spf1 -all"
ns1.example.test. 3600 A ${EXAMPLE1}
ns2.example.test. 3600 A ${EXAMPLE2}
www.example.test. 300 A 192.0.2.1
www.example.test. 300 A 192.0.2.2
www.example.test. 300 TXT "hello"
mail.example.test. 300 A 192.0.2.25
alias.example.test. 300 CNAME www.example.test.
far.example.test. 300 CNAME www.other.test.
chain.example.test. 300 CNAME hop.other.test.
broken.example.test. 300 CNAME dangling.other.test.
a.b.c.deep.example.test. 300 A 192.0.2.99
*.wild.example.test. 300 A 192.0.2.50
moved.example.test. 300 DNAME other.test.
loop1.example.test. 300 CNAME loop2.example.test.
loop2.example.test. 300 CNAME loop1.example.test.
`;
zones[EXAMPLE1] = [['example.test.', exampleZone]];
zones[EXAMPLE2] = [['example.test.', exampleZone]];

const questions: [string, string][] = [
  ['www.example.test', 'A'],
  ['www.example.test', 'TXT'],
  ['www.example.test', 'AAAA'],
  ['www.example.test', 'MX'],
  ['example.test', 'MX'],
  ['example.test', 'TXT'],
  ['example.test', 'NS'],
  ['example.test', 'SOA'],
  ['mail.example.test', 'A'],
  ['alias.example.test', 'A'],
  ['alias.example.test', 'CNAME'],
  ['far.example.test', 'A'],
  ['far.example.test', 'AAAA'],
  ['chain.example.test', 'A'],
  ['broken.example.test', 'A'],
  ['nope.example.test', 'A'],
  ['nope.example.test', 'MX'],
  ['deep.example.test', 'A'],
  ['c.deep.example.test', 'TXT'],
  ['a.b.c.deep.example.test', 'A'],
  ['x.a.b.c.deep.example.test', 'A'],
  ['any.wild.example.test', 'A'],
  ['any.wild.example.test', 'AAAA'],
  ['www.moved.example.test', 'A'],
  ['nope.moved.example.test', 'A'],
  ['loop1.example.test', 'A'],
  ['WWW.Example.TEST', 'A'],
  ['www.lame.test', 'A'],
  ['www.other.test', 'A'],
  ['www.other.test', 'AAAA'],
  ['other.test', 'MX'],
  ['mx.other.test', 'A'],
  ['back.other.test', 'A'],
  ['hop.other.test', 'TXT'],
  ['dangling.other.test', 'A'],
  ['missing.other.test', 'A'],
  ['www.provider.net', 'A'],
  ['ns.provider.net', 'A'],
  ['provider.net', 'NS'],
  ['nothing.provider.net', 'AAAA'],
  ['nope.test', 'A'],
  ['nope.net', 'A'],
  ['nope', 'A'],
  ['test', 'NS'],
  ['.', 'NS'],
];

interface Answer {
  readonly status: string;
  readonly answers: string[];
}

/** dig's status and its answer section as sorted lines without the TTL. */
async function ask(port: number, name: string, type: string): Promise<Answer> {
  const r = await run(
    'dig',
    [
      '@127.0.0.1',
      '-p',
      String(port),
      '+tries=1',
      '+time=8',
      '+nocmd',
      '+nostats',
      '+noquestion',
      name,
      type,
    ],
    { timeoutMs: 20_000 },
  );
  const out = r.stdout.toString();
  const status = /status: ([A-Z]+)/.exec(out)?.[1] ?? `no answer:\n${out}${r.stderr}`;
  const section = /;; ANSWER SECTION:\n([\s\S]*?)(?:\n\n|$)/.exec(out)?.[1] ?? '';
  const answers = section
    .split('\n')
    .filter((l) => l !== '')
    .map((l) =>
      l
        .split(/\s+/)
        .filter((_, i) => i !== 1)
        .join(' ')
        .toLowerCase(),
    )
    .sort();
  return { status, answers };
}

describe('resolver against Unbound over an NSD mini-Internet', () => {
  const nsds: NsdInstance[] = [];
  let unbound: UnboundInstance | undefined;
  let suite: Suite | undefined;
  let port = 0;
  let unboundPort = 0;
  before(async () => {
    const dir = tempDir('outpost-resolver-unbound-');
    try {
      for (const [address, list] of Object.entries(zones)) {
        const files = list.map(([apex, text], i): [string, string] => {
          const file = join(dir, `${address}-${String(i)}.zone`);
          writeFileSync(file, `$ORIGIN ${apex}\n${text}`);
          return [apex, file];
        });
        const [first, ...rest] = files;
        if (first === undefined) continue;
        nsds.push(await startNsd(first[0], first[1], { host: address, port: 53, extraZones: rest }));
      }
    } catch (err) {
      throw new Error(`the mini-Internet needs NSD on 127.64.x.y#53 (root or CAP_NET_BIND_SERVICE)`, {
        cause: err,
      });
    }
    const hintsFile = join(dir, 'root.hints');
    writeFileSync(hintsFile, `. 3600000 NS a.root-servers.test.\na.root-servers.test. 3600000 A ${ROOT}\n`);
    unbound = await startUnbound(hintsFile);
    unboundPort = unbound.port;
    suite = await Suite.start({
      config: configFromObject({
        data_dir: tempDir('outpost-resolver-data-'),
        resolver: { listen: ['127.0.0.1:0'], root_hints: hintsFile, upstream_port: 53 },
      }),
      services: [resolverServiceDefinition],
    });
    port = suite.endpoints()[0]?.port ?? 0;
  });
  after(async () => {
    await suite?.close();
    await unbound?.stop();
    await Promise.all(nsds.map((n) => n.stop()));
  });

  it('gives the same rcode and answer section as Unbound for every question', async () => {
    const differences: string[] = [];
    for (const [name, type] of questions) {
      const ours = await ask(port, name, type);
      const theirs = await ask(unboundPort, name, type);
      try {
        assert.deepEqual(ours, theirs);
      } catch {
        differences.push(`${name} ${type}: ours ${JSON.stringify(ours)}, unbound ${JSON.stringify(theirs)}`);
      }
    }
    assert.deepEqual(differences, []);
  });

  it('agrees again from a warm cache', async () => {
    for (const [name, type] of questions) {
      assert.deepEqual(await ask(port, name, type), await ask(unboundPort, name, type), `${name} ${type}`);
    }
  });
});
