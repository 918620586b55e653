/**
 * Runs the mini-Internet of internet.ts: one NSD per server address on 127.66.x.y#53 (binding
 * port 53 needs root or CAP_NET_BIND_SERVICE), pinned to the load core so the resolvers keep the
 * server core to themselves, each with nsd-control on a unix socket. `upstreamQueries()` reads and
 * resets every server's query counter: the upstream queries a resolver sent between two calls,
 * counted where they arrive, the same way for both resolvers.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { RRType } from '../../src/dns/index.js';
import { answers } from '../dns/probe.js';
import { nsdConfig } from '../lib/nsd.js';
import { startPeer, type Peer } from '../lib/peer.js';
import type { TempDir } from '../lib/temp.js';
import { LOAD_CORE, requireCommand } from '../lib/tools.js';
import { rootHints, zoneServers } from './internet.js';

const run = promisify(execFile);

/** The running mini-Internet. */
export interface Network {
  /** The named.root file both resolvers use. */
  readonly hintsFile: string;
  readonly peers: readonly Peer[];
  /** Queries every server received since the last call (or start), summed. */
  upstreamQueries(): Promise<number>;
  stop(): Promise<void>;
}

/** Writes the zones and starts every server; stops what started when one fails. */
export async function startNetwork(tmp: TempDir): Promise<Network> {
  const nsd = requireCommand('nsd');
  const control = requireCommand('nsd-control', 'nsd');
  const peers: Peer[] = [];
  const configs: string[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(peers.map((p) => p.stop()));
  };
  try {
    for (const server of zoneServers()) {
      const tag = `nsd-${server.address}`;
      const zones = [...server.zones].map(([apex, text], i): [string, string] => [
        apex,
        tmp.write(`${tag}-${String(i)}.zone`, `$ORIGIN ${apex}\n${text}`),
      ]);
      const conf = tmp.write(
        `${tag}.conf`,
        nsdConfig({
          statePrefix: tmp.path(tag),
          zonesDir: tmp.dir,
          address: server.address,
          port: 53,
          zones,
          controlSocket: tmp.path(`${tag}.ctl`),
        }),
      );
      const apex = zones[0]?.[0] ?? '.';
      peers.push(
        await startPeer({
          name: tag,
          command: nsd,
          args: ['-d', '-c', conf],
          core: LOAD_CORE,
          logFile: tmp.path(`${tag}.out`),
          extraLogs: [tmp.path(`${tag}.log`)],
          ready: () => answers(53, apex, RRType.SOA, server.address),
        }),
      );
      configs.push(conf);
    }
  } catch (err) {
    await stop();
    throw new Error(
      `the mini-Internet needs NSD on 127.66.x.y#53 (root or CAP_NET_BIND_SERVICE): ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  const hintsFile = tmp.write('root.hints', rootHints());
  return {
    hintsFile,
    peers,
    async upstreamQueries() {
      const counts = await Promise.all(
        configs.map(async (conf) => {
          const { stdout } = await run(control, ['-c', conf, 'stats']);
          return Number(/^num\.queries=(\d+)$/m.exec(stdout)?.[1] ?? Number.NaN);
        }),
      );
      return counts.reduce((a, b) => a + b, 0);
    },
    stop,
  };
}
