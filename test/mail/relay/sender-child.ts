// The sending host (alice@crepes.test) as a separate process, so a test can kill -9 it in the
// middle of a relay: argv = data dir, DNS "host:port", relay port. Prints "ready <port>" with
// the submission port once listening.
import { configFromObject } from '../../../src/core/config/load.js';
import { createLogger } from '../../../src/core/logger.js';
import { Suite } from '../../../src/suite/suite.js';
import { ALICE, senderSmtpConfig } from './helpers.js';

const [dataDir = '', dns = '', relayPort = '25'] = process.argv.slice(2);
const suite = await Suite.start({
  config: configFromObject({
    data_dir: dataDir,
    hostname: 'mx.crepes.test',
    users: [ALICE],
    smtp: senderSmtpConfig(dns, Number(relayPort)),
  }),
  logger: createLogger({ level: 'silent' }),
});
const sub = suite
  .endpoints()
  .find((e) => e.service === 'smtp' && /submission/.test(e.note ?? '') && e.tls !== 'implicit');
process.stdout.write(`ready ${String(sub?.port ?? 0)}\n`);
process.on('SIGTERM', () => {
  void suite.close().then(() => process.exit(0));
});
