/**
 * Starts a real NSD (NLnet Labs' authoritative server, Debian package `nsd`) for interop and
 * differential tests: a config in a fresh temp directory (pid, state, zone list and log inside
 * it, no database, no chroot, no privilege drop, no remote control), listening on 127.0.0.1 (or a
 * given address) on a free high port (or a given one) for UDP and TCP, started in the foreground with `nsd -d -c FILE` and polled
 * until it answers the zone's SOA. A missing nsd is a FAILURE, never a skip (DESIGN.md, tier 4):
 * install it with scripts/install-test-peers.sh. `stop()` ends only the process we started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { accessSync, constants, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join, resolve } from 'node:path';
import { RRType } from '../../src/dns/index.js';
import { queryDns } from '../../src/dns/client/index.js';
import { tempDir } from './temp.js';

/** A running NSD. */
export interface NsdInstance {
  /** The UDP and TCP port on `host`. */
  readonly port: number;
  /** 127.0.0.1 unless `NsdOptions.host` said otherwise. */
  readonly host: string;
  /** The temp directory holding nsd.conf, nsd.log and the state files. */
  readonly dir: string;
  /** Stop NSD (SIGTERM, SIGKILL after 5 s) and remove the temp directory. Idempotent. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Extra configuration for special tests (zone transfer, NOTIFY...). */
export interface NsdOptions {
  /** More `name: value` lines for the `server:` clause. */
  readonly serverConfig?: readonly string[];
  /** More lines for the zone's `zone:` clause (e.g. `provide-xfr: 127.0.0.1 NOKEY`). */
  readonly zoneConfig?: readonly string[];
  /** How long to wait for the first answer; default 15000 ms. */
  readonly readyTimeoutMs?: number;
  /** Listen on this address instead of 127.0.0.1. */
  readonly host?: string;
  /** Listen on this fixed port instead of a free one (53 for a resolver's mini-Internet). */
  readonly port?: number;
  /** More zones served by the same instance: [name, file]. */
  readonly extraZones?: readonly (readonly [string, string])[];
}

/** Absolute path of a peer daemon: PATH first, then the sbin directories PATH often lacks. */
export function findProgram(name: string): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  for (const dir of dirs) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new Error(
    `${name} is not installed: interop tests need it (run scripts/install-test-peers.sh as root)`,
  );
}

/** Absolute path of the nsd binary. */
export function findNsd(): string {
  return findProgram('nsd');
}

/** A port free for both UDP and TCP on 127.0.0.1 right now (NSD needs a fixed number). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((res, rej) => {
      const srv = createServer();
      srv.once('error', rej);
      srv.listen(0, '127.0.0.1', () => {
        const addr = srv.address();
        srv.close(() => {
          res(typeof addr === 'object' && addr !== null ? addr.port : 0);
        });
      });
    });
    const udpFree = await new Promise<boolean>((res) => {
      const sock = createSocket('udp4');
      sock.once('error', () => {
        res(false);
      });
      sock.bind(port, '127.0.0.1', () => {
        sock.close(() => {
          res(true);
        });
      });
    });
    if (port !== 0 && udpFree) return port;
  }
}

function config(
  dir: string,
  host: string,
  port: number,
  zoneName: string,
  zoneFile: string,
  options: NsdOptions,
): string {
  const q = (s: string): string => JSON.stringify(s);
  const zones = [[zoneName, zoneFile] as const, ...(options.extraZones ?? [])];
  return [
    'server:',
    `  ip-address: ${host}@${port}`,
    `  port: ${port}`,
    '  do-ip6: no',
    '  username: ""',
    '  chroot: ""',
    `  zonesdir: ${q(dir)}`,
    `  pidfile: ${q(join(dir, 'nsd.pid'))}`,
    `  xfrdfile: ${q(join(dir, 'xfrd.state'))}`,
    `  zonelistfile: ${q(join(dir, 'zone.list'))}`,
    '  database: ""',
    `  logfile: ${q(join(dir, 'nsd.log'))}`,
    '  server-count: 1',
    '  verbosity: 1',
    ...(options.serverConfig ?? []).map((l) => `  ${l}`),
    'remote-control:',
    '  control-enable: no',
    ...zones.flatMap(([name, file]) => [
      'zone:',
      `  name: ${q(name)}`,
      `  zonefile: ${q(resolve(file))}`,
      ...(options.zoneConfig ?? []).map((l) => `  ${l}`),
    ]),
    '',
  ].join('\n');
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((res) => {
    if (child.exitCode !== null || child.signalCode !== null) res();
    else
      child.once('exit', () => {
        res();
      });
  });
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited(child);
  clearTimeout(timer);
}

async function answersSoa(host: string, port: number, zoneName: string): Promise<boolean> {
  try {
    const r = await queryDns({
      server: { host, port },
      name: zoneName,
      type: RRType.SOA,
      timeoutMs: 250,
      retries: 0,
    });
    return r.message.header.rcode === 0 && r.message.answers.length > 0;
  } catch {
    return false;
  }
}

async function startOnce(
  zoneName: string,
  zoneFile: string,
  options: NsdOptions,
): Promise<NsdInstance | 'port-taken'> {
  const nsd = findNsd();
  const dir = tempDir('outpost-nsd-');
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? (await freePort());
  const confPath = join(dir, 'nsd.conf');
  writeFileSync(confPath, config(dir, host, port, zoneName, zoneFile, options));
  let output = '';
  const child = spawn(nsd, ['-d', '-c', confPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  const collect = (c: Buffer): void => {
    output += c.toString();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const spawnError = new Promise<Error>((res) => child.once('error', res));
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  const log = (): string => {
    let text = output;
    try {
      text += readFileSync(join(dir, 'nsd.log'), 'utf8');
    } catch {
      // no log yet
    }
    return text;
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 15_000);
  for (;;) {
    const failed = await Promise.race([
      spawnError,
      new Promise<undefined>((r) => {
        setTimeout(() => {
          r(undefined);
        }, 100);
      }),
    ]);
    if (failed !== undefined) {
      await stop();
      throw new Error(`cannot run ${nsd}: ${failed.message}`);
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      const text = log();
      await stop();
      if (/already in use/i.test(text) && options.port === undefined) return 'port-taken';
      throw new Error(`nsd exited during start-up:\n${text}`);
    }
    if (await answersSoa(host, port, zoneName)) break;
    if (Date.now() > deadline) {
      const text = log();
      await stop();
      throw new Error(`nsd did not answer on ${host}#${port} in time:\n${text}`);
    }
  }
  return { port, host, dir, stop, [Symbol.asyncDispose]: stop };
}

/**
 * Start NSD serving `zoneFile` as `zoneName` (and `extraZones`) on 127.0.0.1 or `host` (UDP and
 * TCP, same free or given port) and
 * resolve once it answers the zone's SOA. Throws (never skips) when nsd is missing, the zone is
 * refused or NSD does not come up; the error carries NSD's log.
 */
export async function startNsd(
  zoneName: string,
  zoneFile: string,
  options: NsdOptions = {},
): Promise<NsdInstance> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const started = await startOnce(zoneName, zoneFile, options);
    if (started !== 'port-taken') return started;
  }
  throw new Error('nsd: no free port after 5 attempts');
}

/** Alias of `startNsd`: `start(zoneName, zoneFile) -> { port, stop() }`. */
export const start = startNsd;
