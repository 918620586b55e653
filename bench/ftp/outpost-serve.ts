/**
 * `outpost serve --config FILE` from the sources, for benchmarking a checkout that has not been
 * built (bench/ftp.ts prefers bin/outpost when dist/ has the FTP server). Prints nothing; stops on
 * SIGTERM.
 */
import { loadConfigFile } from '../../src/core/config/load.js';
import { silentLogger } from '../../src/core/logger.js';
import { Suite } from '../../src/suite/suite.js';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: outpost-serve.ts CONFIG');
const suite = await Suite.start({ config: loadConfigFile(file), logger: silentLogger() });
process.once('SIGTERM', () => {
  void suite.close().then(() => process.exit(0));
});
