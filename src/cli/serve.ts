/**
 * `outpost serve`: runs the suite in the foreground. Prints the services table on stdout, then
 * the HTTP access log there (Combined Log Format lines, when `[http] access_log` names no file);
 * logs on stderr at `info` by default (readable lines on a terminal, JSON lines otherwise);
 * shows live transcripts with `--transcript`, drains on SIGTERM/SIGINT within a bounded time
 * (close-with-grace; a second signal forces), and reloads configuration and certificates on SIGHUP.
 */
import { pino } from 'pino';
import { existsSync } from 'node:fs';
import { logConfigWarnings, type ConfigWarning } from '../core/config/load.js';
import { createLogger } from '../core/logger.js';
import { formatTranscriptEntry, subscribeTranscript } from '../core/transcript.js';
import { accountsDatabasePath, Suite } from '../suite/suite.js';
import { resolveServeConfig } from './data-dir.js';
import { runUntilSignal } from './run-until-signal.js';
import { devCertificateNote, formatStartupTable } from '../suite/table.js';

export interface ServeOptions {
  config?: string;
  data?: string;
  transcript?: boolean;
  logLevel?: string;
}

export async function serve(options: ServeOptions): Promise<void> {
  const embedded = options.config === undefined;
  // The log level is in the file, so its warnings wait for the logger.
  const warnings: ConfigWarning[] = [];
  let config = resolveServeConfig(options, { onWarning: (w) => warnings.push(w) });
  const level = options.logLevel ?? config.log.level;
  // Synchronous stderr: a fatal error or forced exit is never lost in an async buffer.
  const logger = createLogger({
    level: level as 'info',
    pretty: process.stderr.isTTY,
    destination: pino.destination({ fd: 2, sync: true }),
  });
  const warn = logConfigWarnings(logger);
  for (const warning of warnings) warn(warning);
  const fresh = !existsSync(accountsDatabasePath(config.data_dir));
  // Access lines are many and not fatal: buffered, flushed at exit.
  const stdout = pino.destination({ fd: 1, sync: false });
  // A reader that went away (`outpost serve | head`) costs the access lines, never the server.
  stdout.on('error', () => undefined);
  const suite = await Suite.start({
    config,
    logger,
    demo: embedded,
    accessLogOutput: (line) => {
      stdout.write(`${line}\n`);
    },
  });

  const data = `data in ${config.data_dir}${fresh ? ' (created now)' : ''}`;
  const title = embedded
    ? `Outpost is running on its embedded default (demo domain example.test), ${data}`
    : `Outpost is running with ${options.config ?? ''}, ${data}`;
  const notes =
    suite.newCredentials.length === 0 && embedded
      ? [
          'Demo passwords were shown on the first start; set new ones with `outpost user passwd alice@example.test`.',
        ]
      : [];
  if (suite.devCertificate !== null) notes.push(devCertificateNote(suite.devCertificate));
  stdout.write(
    `${title}\n\n${formatStartupTable(suite.endpoints(), suite.newCredentials, notes)}\n\nPress Ctrl-C to stop.\n`,
  );

  if (options.transcript === true || config.log.transcript) {
    subscribeTranscript((entry) => {
      process.stderr.write(formatTranscriptEntry(entry) + '\n');
    });
  }

  process.on('SIGHUP', () => {
    void (async () => {
      try {
        logger.info(
          { config: options.config ?? '(embedded default)' },
          'SIGHUP: reloading the configuration',
        );
        if (options.config !== undefined) config = resolveServeConfig(options, { onWarning: warn });
        await suite.reload(config);
        logger.info({ services: suite.serviceNames }, 'configuration reloaded');
      } catch (err) {
        logger.error({ err }, 'reload failed; keeping the running configuration');
      }
    })();
  });

  runUntilSignal(
    logger,
    async () => {
      await suite.close();
      stdout.write('Outpost stopped.\n');
      stdout.flushSync();
    },
    { skip: ['SIGHUP'] },
  );
}
