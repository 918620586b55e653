/**
 * The resolver with NSD as an authoritative server in the loopback hierarchy: NSD serves
 * example.test on 127.0.0.1 (its test helper's address) and our own servers the root, the TLDs
 * and other.test on 127.53.x on the same port. NSD must pass the resolver's 0x20 check (it echoes
 * the question's case), its truncated answers must be fetched over TCP, and its negative answers
 * must be understood.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Rcode, RRType } from '../../../src/dns/index.js';
import { Resolver } from '../../../src/dns/resolver/resolver.js';
import { loadRootHints } from '../../../src/dns/resolver/root-hints.js';
import { NetworkUpstream } from '../../../src/dns/resolver/upstream.js';
import { startNsd, type NsdInstance } from '../../helpers/nsd.js';
import { tempDir } from '../../helpers/temp.js';
import { startLoopbackWorld, standardZones, type LoopbackWorld } from './loopback-world.js';
import { EXAMPLE1, EXAMPLE2, exampleZone, TLD, tldZone } from './world-zones.js';

const onNsd = (text: string): string =>
  text.replaceAll(EXAMPLE1, '127.0.0.1').replaceAll(EXAMPLE2, '127.0.0.1');
const bigTxt = Array.from(
  { length: 12 },
  (_, i) => `big.example.test. 300 TXT "${String(i).padStart(3, '0')}${'y'.repeat(180)}"`,
).join('\n');

describe('resolver with NSD as an authoritative server', () => {
  let nsd: NsdInstance;
  let world: LoopbackWorld;
  before(async () => {
    const dir = tempDir('outpost-resolver-nsd-');
    const zoneFile = join(dir, 'example.test.zone');
    writeFileSync(zoneFile, `$ORIGIN example.test.\n${onNsd(exampleZone)}\n${bigTxt}\n`);
    nsd = await startNsd('example.test', zoneFile);
    const zones = standardZones();
    zones.delete(EXAMPLE1);
    zones.delete(EXAMPLE2);
    zones.set(TLD, [
      ['test.', onNsd(tldZone)],
      ...(standardZones().get(TLD) ?? []).filter(([apex]) => apex !== 'test.'),
    ]);
    world = await startLoopbackWorld(zones, nsd.port);
  });
  after(async () => {
    await world.close();
    await nsd.stop();
  });

  it('resolves through NSD with 0x20, over UDP and after truncation over TCP', async () => {
    const upstream = new NetworkUpstream();
    const resolver = new Resolver({
      hints: loadRootHints(world.hintsFile),
      upstreamPort: nsd.port,
      transport: upstream,
    });
    const www = await resolver.resolve({ name: 'www.example.test.', type: RRType.A, class: 1 });
    assert.equal(www.rcode, Rcode.NOERROR);
    assert.deepEqual(
      www.answers.map((r) => r.name),
      ['www.example.test.'],
    );
    const far = await resolver.resolve({ name: 'far.example.test.', type: RRType.A, class: 1 });
    assert.deepEqual(
      far.answers.map((r) => r.name),
      ['far.example.test.', 'www.other.test.'],
    );
    const big = await resolver.resolve({ name: 'big.example.test.', type: RRType.TXT, class: 1 });
    assert.equal(big.answers.length, 12);
    assert.ok(upstream.sent.tcp >= 1);
    const nx = await resolver.resolve({ name: 'nope.example.test.', type: RRType.A, class: 1 });
    assert.equal(nx.rcode, Rcode.NXDOMAIN);
    assert.equal(nx.authorities[0]?.type, RRType.SOA);
    const nodata = await resolver.resolve({ name: 'www.example.test.', type: RRType.AAAA, class: 1 });
    assert.equal(nodata.rcode, Rcode.NOERROR);
    assert.equal(nodata.answers.length, 0);
  });
});
