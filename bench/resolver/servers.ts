/**
 * The two resolvers the benchmark compares, each pinned to the server core on a free port of
 * 127.0.0.1, both iterating from the same loopback root hints with QNAME minimisation on (both
 * defaults) and caches large enough for the memory figure's 100k RRsets without eviction:
 * Unbound (the reference; Debian `unbound`, one thread, `module-config: "iterator"`,
 * `do-not-query-localhost: no`, remote control on a unix socket) and Outpost
 * (bench/resolver/outpost-resolver.ts: the suite with only `[resolver]`). Each can empty its
 * cache without a restart (Unbound: `unbound-control reload`, which drops the message, RRset and
 * infrastructure caches; Outpost: SIGUSR1, the cache and the server statistics) and report its
 * memory.
 */
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RRType } from '../../src/dns/index.js';
import { answers } from '../dns/probe.js';
import { signalPeer, startPeer, type Peer } from '../lib/peer.js';
import { freePort } from '../lib/ports.js';
import { ROOT } from '../lib/root.js';
import type { TempDir } from '../lib/temp.js';
import { requireCommand, SERVER_CORE } from '../lib/tools.js';

const run = promisify(execFile);

/** Cache sizes for both: room for the memory figure's 100k RRsets plus the rest. */
const CACHE_ENTRIES = 250_000;
const CACHE_MIB = 256;

/** A process's memory as the bench reports it. */
export interface ResolverMemory {
  readonly rss: number;
  /** Outpost: V8's used heap plus external memory after a full GC. */
  readonly heap?: number;
  /** Entries in the cache (Outpost: RRsets and negative answers; Unbound: RRsets). */
  readonly entries?: number;
  /** Unbound's own accounting of its RRset and message caches, in bytes. */
  readonly cacheBytes?: number;
}

/** A started resolver. */
export interface RunningResolver {
  readonly peer: Peer;
  readonly port: number;
  /** Empty the caches (and what the resolver knows about servers) without a restart. */
  clear(): Promise<void>;
  memory(): Promise<ResolverMemory>;
}

/** One contender. */
export interface ResolverDef {
  readonly name: string;
  label(): string;
  /**
   * Start a fresh process; `tag` keeps the files of several starts apart. `memoryStats` asks for
   * the resolver's own cache accounting (Unbound: extended statistics, off otherwise so the
   * throughput figures carry no counting cost).
   */
  start(tmp: TempDir, hintsFile: string, tag: string, memoryStats?: boolean): Promise<RunningResolver>;
}

function rssOf(pid: number): number {
  const kib = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${String(pid)}/status`, 'utf8'))?.[1];
  return Number(kib ?? Number.NaN) * 1024;
}

function unboundConfig(
  tmp: TempDir,
  tag: string,
  port: number,
  hintsFile: string,
  memoryStats: boolean,
): string {
  const q = (s: string): string => JSON.stringify(s);
  return [
    'server:',
    `  interface: 127.0.0.1@${String(port)}`,
    `  port: ${String(port)}`,
    '  do-ip6: no',
    '  access-control: 127.0.0.0/8 allow',
    '  username: ""',
    '  chroot: ""',
    `  directory: ${q(tmp.dir)}`,
    `  pidfile: ${q(tmp.path(`${tag}.pid`))}`,
    `  logfile: ${q(tmp.path(`${tag}.log`))}`,
    '  use-syslog: no',
    '  verbosity: 1',
    '  num-threads: 1',
    ...(memoryStats ? ['  extended-statistics: yes'] : []),
    `  msg-cache-size: ${String(CACHE_MIB / 2)}m`,
    `  rrset-cache-size: ${String(CACHE_MIB)}m`,
    `  root-hints: ${q(hintsFile)}`,
    '  do-not-query-localhost: no',
    '  module-config: "iterator"',
    // Unbound answers the RFC 6761 names itself by default; the mini-Internet lives in test.
    '  local-zone: "test." nodefault',
    'remote-control:',
    '  control-enable: yes',
    `  control-interface: ${q(tmp.path(`${tag}.ctl`))}`,
    '',
  ].join('\n');
}

const unbound: ResolverDef = {
  name: 'unbound',
  label() {
    const out = spawnSync(requireCommand('unbound'), ['-V'], { encoding: 'utf8' });
    return `Unbound ${/Version (\S+)/.exec(out.stdout)?.[1] ?? '?'}, 1 thread, iterator only`;
  },
  async start(tmp, hintsFile, tag, memoryStats = false) {
    const port = await freePort();
    const conf = tmp.write(`${tag}.conf`, unboundConfig(tmp, tag, port, hintsFile, memoryStats));
    const control = requireCommand('unbound-control', 'unbound');
    const peer = await startPeer({
      name: 'unbound',
      command: requireCommand('unbound'),
      args: ['-d', '-c', conf],
      core: SERVER_CORE,
      logFile: tmp.path(`${tag}.out`),
      extraLogs: [tmp.path(`${tag}.log`)],
      ready: () => answers(port, '.', RRType.NS),
    });
    const ctl = async (...args: string[]): Promise<string> =>
      (await run(control, ['-c', conf, ...args])).stdout;
    return {
      peer,
      port,
      async clear() {
        const out = await ctl('reload');
        if (!out.startsWith('ok')) throw new Error(`unbound-control reload: ${out}`);
      },
      async memory() {
        const stats = await ctl('stats_noreset');
        const stat = (key: string): number =>
          Number(new RegExp(`^${key.replace(/\./g, '\\.')}=(\\d+)$`, 'm').exec(stats)?.[1] ?? Number.NaN);
        return {
          rss: rssOf(peer.pid),
          entries: stat('rrset.cache.count'),
          cacheBytes: stat('mem.cache.rrset') + stat('mem.cache.message'),
        };
      },
    };
  },
};

function outpostConfig(tmp: TempDir, tag: string, port: number, hintsFile: string): string {
  const q = (s: string): string => JSON.stringify(s);
  return [
    `data_dir = ${q(tmp.path(`${tag}-data`))}`,
    '[log]',
    'level = "silent"',
    '[resolver]',
    `listen = [${q(`127.0.0.1:${String(port)}`)}]`,
    `root_hints = ${q(hintsFile)}`,
    'upstream_port = 53',
    `cache_max_entries = ${String(CACHE_ENTRIES)}`,
    `cache_max_bytes = ${String(CACHE_MIB * 1024 * 1024)}`,
    '',
  ].join('\n');
}

const outpost: ResolverDef = {
  name: 'outpost',
  label() {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version?: string };
    return `Outpost ${pkg.version ?? '?'} resolver (suite, Node ${process.version})`;
  },
  async start(tmp, hintsFile, tag) {
    const port = await freePort();
    const conf = tmp.write(`${tag}.toml`, outpostConfig(tmp, tag, port, hintsFile));
    const peer = await startPeer({
      name: 'outpost',
      command: process.execPath,
      args: ['--import', 'tsx', '--expose-gc', join(ROOT, 'bench', 'resolver', 'outpost-resolver.ts'), conf],
      cwd: ROOT,
      core: SERVER_CORE,
      logFile: tmp.path(`${tag}.out`),
      ready: () => answers(port, '.', RRType.NS),
      readyTimeoutMs: 30_000,
    });
    return {
      peer,
      port,
      async clear() {
        await signalPeer(peer, 'SIGUSR1', /^cleared$/m);
      },
      async memory() {
        const m = await signalPeer(peer, 'SIGUSR2', /^memory heap=(\d+) rss=(\d+) entries=(\d+)$/m, 20_000);
        return { heap: Number(m[1]), rss: Number(m[2]), entries: Number(m[3]) };
      },
    };
  },
};

/** Every contender; Unbound is the reference. */
export const RESOLVERS: readonly ResolverDef[] = [outpost, unbound];
