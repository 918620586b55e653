/**
 * `outpost serve --config FILE` for a checkout whose dist/ is older than its sources: starts the
 * same Suite from the TypeScript sources (through tsx) and stops it on SIGTERM. The benchmark
 * uses it only when the build is stale, and says so in the server's label.
 */
import { loadConfigFile } from '../../src/core/config/load.js';
import { Suite } from '../../src/suite/suite.js';

async function main(): Promise<void> {
  const file = process.argv[2];
  if (file === undefined) throw new Error('usage: outpost-serve.ts CONFIG');
  const suite = await Suite.start({ config: loadConfigFile(file) });
  process.once('SIGTERM', () => {
    void suite.close().then(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
