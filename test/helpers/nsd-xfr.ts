/**
 * Zone-transfer additions to the NSD launcher (nsd.ts, whose API this file only builds on): the
 * `zone:` lines that make NSD a secondary of an Outpost primary or a primary of an Outpost
 * secondary, a reload (SIGHUP to the NSD we started: NSD rereads zone files whose mtime changed),
 * waiting until a server serves a serial, and the serial as `dig` sees it. A missing NSD or dig
 * is a failure, never a skip.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { querySoaSerial } from '../../src/dns/transfer/soa-query.js';
import type { NsdInstance } from './nsd.js';
import { eventually } from './eventually.js';

/** `zone:` lines for NSD as a secondary pulling from (and accepting NOTIFY from) 127.0.0.1@port. */
export function nsdSecondaryConfig(primaryPort: number): string[] {
  return [
    `request-xfr: 127.0.0.1@${primaryPort} NOKEY`,
    'allow-notify: 127.0.0.1 NOKEY',
    // So the test can AXFR the copy back out and compare.
    'provide-xfr: 127.0.0.1 NOKEY',
  ];
}

/** `zone:` lines for NSD as a primary serving transfers to 127.0.0.1 and notifying 127.0.0.1@port. */
export function nsdPrimaryConfig(notifyPort: number): string[] {
  return ['provide-xfr: 127.0.0.1 NOKEY', `notify: 127.0.0.1@${notifyPort} NOKEY`];
}

/** The pid NSD wrote to its pidfile: the process `startNsd` spawned (`nsd -d` does not fork it). */
export function nsdPid(nsd: NsdInstance): number {
  const pid = Number(readFileSync(join(nsd.dir, 'nsd.pid'), 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 1) throw new Error(`nsd.pid holds no pid`);
  return pid;
}

/** Ask NSD to reread changed zone files (SIGHUP, nsd(8)); the caller must have changed the mtime. */
export function reloadNsd(nsd: NsdInstance): void {
  process.kill(nsdPid(nsd), 'SIGHUP');
}

/** Poll `port` until it serves `apex` with `serial`; throws with the last serial seen on timeout. */
export async function waitForSerial(
  port: number,
  apex: string,
  serial: number,
  timeoutMs = 20_000,
): Promise<void> {
  let last: unknown;
  await eventually(
    async () => {
      try {
        last = await querySoaSerial({ host: '127.0.0.1', port }, apex, 500);
      } catch (err) {
        last = err;
      }
      return last === serial;
    },
    {
      timeoutMs,
      intervalMs: 100,
      what: () => `127.0.0.1#${port} to serve ${apex} serial ${serial} (last: ${String(last)})`,
    },
  );
}

/** The SOA serial `dig +short` reports for `apex` at 127.0.0.1#port. Throws when dig is missing. */
export function digSerial(port: number, apex: string): number {
  const r = spawnSync(
    'dig',
    ['@127.0.0.1', '-p', String(port), apex, 'SOA', '+short', '+norec', '+time=2', '+tries=2'],
    {
      encoding: 'utf8',
    },
  );
  if (r.error !== undefined) {
    throw new Error(`dig is not installed (apt-get install -y bind9-dnsutils): ${r.error.message}`);
  }
  const fields = r.stdout.trim().split(/\s+/);
  const serial = Number(fields[2]);
  if (r.status !== 0 || !Number.isInteger(serial)) throw new Error(`dig failed: ${r.stdout}${r.stderr}`);
  return serial;
}
