/**
 * `outpost/testing`: helpers for other projects' test suites. Start Outpost's servers on port 0
 * with a throwaway data directory, get their addresses, watch their transcripts, close them with
 * `await using`. Nothing here binds anything but 127.0.0.1.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFromObject } from '../core/config/load.js';
import type { OutpostConfigInput } from '../core/config/schema.js';
import { subscribeTranscript, type TranscriptEntry } from '../core/transcript.js';
import type { Endpoint } from '../suite/service.js';
import { Suite } from '../suite/suite.js';

/** A zone given inline: its apex and master-file text. */
export interface InlineZone {
  name: string;
  text: string;
}

export interface TestOutpostOptions {
  /** Zones served by the DNS server (turns DNS on). */
  zones?: InlineZone[];
  /** Users created with these passwords (their domains are added). */
  users?: { address: string; password: string }[];
  /** Extra configuration, merged over the generated one. */
  config?: Partial<OutpostConfigInput>;
}

/** A running Outpost for a test. */
export interface TestOutpost extends AsyncDisposable {
  readonly suite: Suite;
  readonly dataDir: string;
  /** The DNS server's address, when DNS is on. */
  readonly dns: { host: string; port: number } | undefined;
  endpoints(): Endpoint[];
  /** Closes every server and deletes the data directory. */
  close(): Promise<void>;
}

/** Starts Outpost on 127.0.0.1 port 0 with a temporary data directory. */
export async function startTestOutpost(options: TestOutpostOptions = {}): Promise<TestOutpost> {
  const dataDir = mkdtempSync(join(tmpdir(), 'outpost-test-'));
  const zones = (options.zones ?? []).map((zone) => {
    const file = join(dataDir, `${zone.name}.zone`);
    writeFileSync(file, zone.text);
    return { name: zone.name, file };
  });
  const input: OutpostConfigInput = {
    data_dir: dataDir,
    users: options.users ?? [],
    ...(zones.length > 0 ? { dns: { listen: ['127.0.0.1:0'], zones } } : {}),
    ...options.config,
  };
  const suite = await Suite.start({ config: configFromObject(input) });
  const dnsEndpoint = suite.endpoints().find((e) => e.service === 'dns');
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= suite.close().then(() => {
      rmSync(dataDir, { recursive: true, force: true });
    });
    return closed;
  };
  return {
    suite,
    dataDir,
    dns: dnsEndpoint ? { host: dnsEndpoint.host, port: dnsEndpoint.port } : undefined,
    endpoints: () => suite.endpoints(),
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Records every transcript line (C:/S:) until `stop()`. */
export function recordTranscript(filter: (entry: TranscriptEntry) => boolean = () => true): {
  readonly entries: TranscriptEntry[];
  stop(): void;
} {
  const entries: TranscriptEntry[] = [];
  const stop = subscribeTranscript((entry) => {
    if (filter(entry)) entries.push(entry);
  });
  return { entries, stop };
}
