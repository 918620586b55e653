/**
 * Runs Outpost's suite from a TOML config for the POP3 benchmark (through tsx, so the bench
 * measures the source tree, not whatever dist/ holds) and closes it on SIGTERM/SIGINT.
 * Usage: node --import tsx bench/pop3/outpost-server.ts CONFIG.toml
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
