/**
 * Runs Outpost's recursive resolver for bench/resolver.ts: the suite with only the `[resolver]`
 * service from a TOML config, through tsx so the bench measures the source tree. Signals from
 * the bench: SIGUSR1 empties the caches (RRsets, packets) and the server statistics (a cold start without a new
 * process, so the JIT stays warm; prints `cleared`); SIGUSR2 runs a full GC (with --expose-gc)
 * and prints `memory heap=<bytes> rss=<bytes> entries=<cached entries>` (heap: V8's used heap
 * plus external memory). SIGTERM/SIGINT close the suite.
 * Usage: node --import tsx --expose-gc bench/resolver/outpost-resolver.ts CONFIG.toml
 */
import { loadConfigFile } from '../../src/core/config/load.js';
import type { ServiceDefinition } from '../../src/core/service/service.js';
import { ResolverService, resolverServiceDefinition } from '../../src/dns/resolver/service.js';
import { Suite } from '../../src/suite/suite.js';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: outpost-resolver.ts CONFIG.toml');
let service: ResolverService | undefined;
const definition: ServiceDefinition = {
  ...resolverServiceDefinition,
  start: async (context) => (service = await ResolverService.start(context)),
};
const suite = await Suite.start({ config: loadConfigFile(file), services: [definition] });
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
process.on('SIGUSR1', () => {
  service?.clearCaches();
  process.stdout.write('cleared\n');
});
process.on('SIGUSR2', () => {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  process.stdout.write(
    `memory heap=${String(m.heapUsed + m.external)} rss=${String(m.rss)} entries=${String(service?.resolver.cache.size ?? 0)}\n`,
  );
});
