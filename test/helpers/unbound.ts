/**
 * Starts a real Unbound (NLnet Labs' recursive resolver, Debian package `unbound`) for
 * differential tests of our resolver: iterator module only (no DNSSEC), `do-not-query-localhost:
 * no` so it iterates through a loopback hierarchy, the given root hints, no chroot, no privilege
 * drop, no remote control, listening on 127.0.0.1 on a free high port, run in the foreground with
 * `unbound -d -c FILE` and polled until it answers. A missing unbound is a FAILURE, never a skip:
 * install it with scripts/install-test-peers.sh. `stop()` ends only the process we started.
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RRType } from '../../src/dns/index.js';
import { queryDns } from '../../src/dns/client/index.js';
import { findProgram, freePort, stopChild } from './nsd.js';
import { tempDir } from './temp.js';

/** A running Unbound. */
export interface UnboundInstance {
  readonly host: '127.0.0.1';
  readonly port: number;
  stop(): Promise<void>;
}

function config(dir: string, port: number, rootHints: string): string {
  const q = (s: string): string => JSON.stringify(s);
  return [
    'server:',
    `  interface: 127.0.0.1@${port}`,
    `  port: ${port}`,
    '  do-ip6: no',
    '  access-control: 127.0.0.0/8 allow',
    '  username: ""',
    '  chroot: ""',
    `  directory: ${q(dir)}`,
    `  pidfile: ${q(join(dir, 'unbound.pid'))}`,
    `  logfile: ${q(join(dir, 'unbound.log'))}`,
    '  use-syslog: no',
    '  verbosity: 1',
    '  num-threads: 1',
    '  outgoing-range: 64',
    '  num-queries-per-thread: 32',
    `  root-hints: ${q(rootHints)}`,
    '  do-not-query-localhost: no',
    '  module-config: "iterator"',
    // Unbound answers the RFC 6761 names (test., invalid., …) itself by default; our worlds live there.
    ...['test.', 'invalid.', 'example.'].map((zone) => `  local-zone: "${zone}" nodefault`),
    'remote-control:',
    '  control-enable: no',
    '',
  ].join('\n');
}

async function answers(port: number): Promise<boolean> {
  try {
    const r = await queryDns({
      server: { host: '127.0.0.1', port },
      name: '.',
      type: RRType.NS,
      timeoutMs: 500,
      retries: 0,
    });
    return r.message.header.rcode === 0;
  } catch {
    return false;
  }
}

/** Start Unbound with `rootHints` (a named.root file); throws with its log when it does not come up. */
export async function startUnbound(rootHints: string): Promise<UnboundInstance> {
  const unbound = findProgram('unbound');
  const dir = tempDir('outpost-unbound-');
  const port = await freePort();
  const confPath = join(dir, 'unbound.conf');
  writeFileSync(confPath, config(dir, port, rootHints));
  let output = '';
  const child = spawn(unbound, ['-d', '-c', confPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));
  const stop = async (): Promise<void> => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  const log = (): string => {
    try {
      return output + readFileSync(join(dir, 'unbound.log'), 'utf8');
    } catch {
      return output;
    }
  };
  const deadline = Date.now() + 15_000;
  while (!(await answers(port))) {
    if (spawnError !== undefined || child.exitCode !== null || Date.now() > deadline) {
      const text = log();
      await stop();
      throw new Error(
        `unbound did not come up on 127.0.0.1#${String(port)}: ${spawnError?.message ?? ''}\n${text}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { host: '127.0.0.1', port, stop };
}
