/**
 * Runs Outpost's suite from a TOML config for the mail benchmarks (POP3, IMAP) through tsx, so
 * the bench measures the source tree, not whatever dist/ holds, and closes it on SIGTERM/SIGINT.
 * On SIGUSR2 it runs a full GC (when started with --expose-gc) and prints `heap <bytes>` (V8's
 * used heap plus external memory), which bench/imap.ts reads for memory per session.
 * Usage: node --import tsx [--expose-gc] bench/mail/outpost-server.ts CONFIG.toml
 */
import { loadConfigFile } from '../../src/core/config/load.js';
import { Suite } from '../../src/suite/suite.js';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: outpost-server.ts CONFIG.toml');
const suite = await Suite.start({ config: loadConfigFile(file) });
process.stdout.write(
  `ready: ${suite
    .endpoints()
    .map((e) => `${e.service} ${e.host}:${String(e.port)}`)
    .join(', ')}\n`,
);
const stop = (): void => {
  void suite.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.on('SIGUSR2', () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const m = process.memoryUsage();
  process.stdout.write(`heap ${String(m.heapUsed + m.external)}\n`);
});
