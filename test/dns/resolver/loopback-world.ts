/**
 * A real DNS hierarchy on loopback for the resolver's network tests: one of our authoritative
 * servers (createDnsServer over an Authority) per address of world-zones.ts (127.53.0.0/16, a
 * range no other test uses), all on one port, since a resolver asks every upstream on the same
 * port. Also writes the root hints file naming the root server.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Authority, createDnsServer, loadZoneText, type DnsServer } from '../../../src/dns/index.js';
import { tempDir } from '../../helpers/temp.js';
import { hints } from './fake-world.js';
import {
  EXAMPLE1,
  EXAMPLE2,
  OTHER,
  ROOT,
  TLD,
  dnZone,
  exampleZone,
  netZone,
  otherZone,
  rootZone,
  tldZone,
} from './world-zones.js';

export interface LoopbackWorld {
  readonly port: number;
  readonly hintsFile: string;
  readonly servers: Map<string, DnsServer>;
  close(): Promise<void>;
}

/** The standard world, with `extraExample` appended to example.test's zone. */
export function standardZones(extraExample = ''): Map<string, [string, string][]> {
  const example: [string, string][] = [
    ['example.test.', exampleZone + extraExample],
    ['dn.test.', dnZone],
  ];
  return new Map<string, [string, string][]>([
    [ROOT, [['.', rootZone]]],
    [
      TLD,
      [
        ['test.', tldZone],
        ['net.', netZone],
      ],
    ],
    [EXAMPLE1, example],
    [EXAMPLE2, example],
    [OTHER, [['other.test.', otherZone]]],
  ]);
}

/** Start one server per address, all on one port (`fixedPort`, else a free one). */
export async function startLoopbackWorld(zones = standardZones(), fixedPort = 0): Promise<LoopbackWorld> {
  for (let attempt = 0; ; attempt++) {
    const servers = new Map<string, DnsServer>();
    let port = fixedPort;
    try {
      for (const [address, list] of zones) {
        const authority = new Authority(list.map(([apex, text]) => loadZoneText(apex, text)));
        const server = createDnsServer({
          handler: (query) => {
            const reply = authority.answer(query);
            return typeof reply === 'string' ? null : reply;
          },
        });
        servers.set(address, server);
        port = (await server.listen({ host: address, port })).port;
      }
    } catch (err) {
      await Promise.all([...servers.values()].map((s) => s.close()));
      if (attempt >= 5 || fixedPort !== 0) throw err;
      continue;
    }
    const dir = tempDir('outpost-resolver-');
    const hintsFile = join(dir, 'root.hints');
    writeFileSync(hintsFile, hints());
    return {
      port,
      hintsFile,
      servers,
      close: async () => {
        await Promise.all([...servers.values()].map((s) => s.close()));
      },
    };
  }
}
