/**
 * The four DNS servers the benchmark compares, each started pinned to the server core on a free
 * port of 127.0.0.1 with its files in the run's temp directory: NSD (the reference), the bare
 * node:dgram fixed reply (Node's UDP ceiling), the dns2 npm server, and Outpost itself through
 * `outpost serve`. Each declares how much of the zone it answers (see checks.ts).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RRType } from '../../src/dns/index.js';
import { startPeer, type Peer } from '../lib/peer.js';
import { nsdConfig } from '../lib/nsd.js';
import { freePort } from '../lib/ports.js';
import type { TempDir } from '../lib/temp.js';
import { requireCommand, SERVER_CORE } from '../lib/tools.js';
import type { AnswerKind } from './checks.js';
import { answers } from './probe.js';

import { ROOT } from '../lib/root.js';

/** Where and what to serve. */
export interface ServeContext {
  readonly tmp: TempDir;
  readonly zoneName: string;
  /** Absolute path of the zone file. */
  readonly zoneFile: string;
}

/** A started server. */
export interface RunningServer {
  readonly peer: Peer;
  readonly port: number;
}

/** One contender. */
export interface DnsServerDef {
  readonly name: string;
  readonly kind: AnswerKind;
  /** Description with version, e.g. "NSD 4.6.1". */
  label(): string;
  start(ctx: ServeContext): Promise<RunningServer>;
}

function packageVersion(dir: string): string {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '?';
}

const nsd: DnsServerDef = {
  name: 'nsd',
  kind: 'authoritative',
  label() {
    const out = spawnSync(requireCommand('nsd'), ['-v'], { encoding: 'utf8' });
    const version = /NSD version (\S+)/.exec(`${out.stdout}${out.stderr}`)?.[1] ?? '?';
    return `NSD ${version}, 1 server process`;
  },
  async start(ctx) {
    const port = await freePort();
    const conf = ctx.tmp.write(
      'nsd.conf',
      nsdConfig({
        statePrefix: ctx.tmp.path('nsd'),
        zonesDir: ctx.tmp.dir,
        address: '127.0.0.1',
        port,
        zones: [[ctx.zoneName, ctx.zoneFile]],
      }),
    );
    const peer = await startPeer({
      name: 'nsd',
      command: requireCommand('nsd'),
      args: ['-d', '-c', conf],
      core: SERVER_CORE,
      logFile: ctx.tmp.path('nsd.out'),
      extraLogs: [ctx.tmp.path('nsd.log')],
      ready: () => answers(port, ctx.zoneName, RRType.SOA),
    });
    return { peer, port };
  },
};

/** A Node server script from this folder, run through tsx from the checkout root. */
function nodeScript(
  name: string,
  script: string,
  extraArgs: (ctx: ServeContext) => string[],
): DnsServerDef['start'] {
  return async (ctx) => {
    const port = await freePort();
    const peer = await startPeer({
      name,
      command: process.execPath,
      args: ['--import', 'tsx', join(ROOT, 'bench', 'dns', script), String(port), ...extraArgs(ctx)],
      cwd: ROOT,
      core: SERVER_CORE,
      logFile: ctx.tmp.path(`${name}.log`),
      ready: () => answers(port, 'www.example.test.', RRType.A),
    });
    return { peer, port };
  };
}

const nodeDgram: DnsServerDef = {
  name: 'node-dgram',
  kind: 'fixed',
  label: () => `node:dgram fixed reply, Node ${process.version}`,
  start: nodeScript('node-dgram', 'node-dgram-server.ts', () => []),
};

const dns2: DnsServerDef = {
  name: 'dns2',
  kind: 'a-map',
  label: () => `dns2 ${packageVersion(join(ROOT, 'node_modules', 'dns2'))} (npm), A-record map`,
  start: nodeScript('dns2', 'dns2-server.ts', (ctx) => [ctx.zoneName, ctx.zoneFile]),
};

function outpostConfig(ctx: ServeContext, port: number): string {
  const q = (s: string): string => JSON.stringify(s);
  return [
    `data_dir = ${q(ctx.tmp.path('outpost-data'))}`,
    '[dns]',
    `listen = [${q(`127.0.0.1:${port}`)}]`,
    '[[dns.zones]]',
    `name = ${q(ctx.zoneName)}`,
    `file = ${q(ctx.zoneFile)}`,
    '',
  ].join('\n');
}

const outpost: DnsServerDef = {
  name: 'outpost',
  kind: 'authoritative',
  label: () => `Outpost ${packageVersion(ROOT)} (outpost serve)`,
  async start(ctx) {
    const port = await freePort();
    const conf = ctx.tmp.write('outpost.toml', outpostConfig(ctx, port));
    const peer = await startPeer({
      name: 'outpost',
      command: process.execPath,
      args: [join(ROOT, 'bin', 'outpost'), 'serve', '--config', conf, '--log-level', 'silent'],
      cwd: ctx.tmp.dir,
      core: SERVER_CORE,
      logFile: ctx.tmp.path('outpost.log'),
      ready: () => answers(port, ctx.zoneName, RRType.SOA),
      readyTimeoutMs: 10_000,
    });
    return { peer, port };
  },
};

/** Every contender, in the order they are shown and measured. */
export const DNS_SERVERS: readonly DnsServerDef[] = [outpost, nsd, nodeDgram, dns2];
