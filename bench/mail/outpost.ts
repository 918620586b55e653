/**
 * Outpost as a mail benchmark contender: its store seeded with the bench messages through
 * `store.accept()` (delivery, so every structure and search text is computed as in production),
 * then the suite started from a generated config with one protocol section (`[pop3]`, `[imap]`)
 * listening on 127.0.0.1, pinned to the server core. Shared by bench/pop3.ts and bench/imap.ts.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openSqliteMailStore } from '../../src/mail/store/index.js';
import { startPeer, type Peer } from '../lib/peer.js';
import { freePort, tcpPortOpen } from '../lib/ports.js';
import { ROOT } from '../lib/root.js';
import type { TempDir } from '../lib/temp.js';
import { SERVER_CORE } from '../lib/tools.js';

/** Seeds Outpost's store in `dataDir` with the messages for `user`, in committed batches. */
export async function seedOutpost(dataDir: string, user: string, messages: readonly Buffer[]): Promise<void> {
  const store = openSqliteMailStore({ path: join(dataDir, 'mail.db') });
  try {
    const receivedAt = new Date();
    for (let i = 0; i < messages.length; i += 500) {
      await Promise.all(
        messages
          .slice(i, i + 500)
          .map((bytes) => store.accept({ receivedAt, local: [{ user }], localBytes: bytes })),
      );
    }
  } finally {
    await store.close();
  }
}

/** What to start. */
export interface OutpostMailSpec {
  readonly tmp: TempDir;
  /** The config section that listens: 'pop3' or 'imap'. */
  readonly protocol: string;
  readonly user: string;
  readonly password: string;
  readonly messages: readonly Buffer[];
}

/** Seeds the store, writes the config and starts the suite; resolves once the port answers. */
export async function startOutpostMail(spec: OutpostMailSpec): Promise<{ peer: Peer; port: number }> {
  const { tmp } = spec;
  const port = await freePort();
  const dataDir = tmp.path('outpost-data');
  mkdirSync(dataDir, { recursive: true });
  await seedOutpost(dataDir, spec.user, spec.messages);
  const conf = tmp.write(
    'outpost.toml',
    [
      `data_dir = ${JSON.stringify(dataDir)}`,
      'hostname = "mail.example.test"',
      '[log]',
      'level = "silent"',
      '[[users]]',
      `address = ${JSON.stringify(spec.user)}`,
      `password = ${JSON.stringify(spec.password)}`,
      `[${spec.protocol}]`,
      `listen = ["127.0.0.1:${String(port)}"]`,
      '',
    ].join('\n'),
  );
  const peer = await startPeer({
    name: 'outpost',
    command: process.execPath,
    args: ['--import', 'tsx', '--expose-gc', join(ROOT, 'bench', 'mail', 'outpost-server.ts'), conf],
    cwd: ROOT,
    core: SERVER_CORE,
    logFile: tmp.path('outpost.log'),
    ready: () => tcpPortOpen(port),
    readyTimeoutMs: 30_000,
  });
  return { peer, port };
}
