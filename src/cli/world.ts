/**
 * `outpost world [DIR]`: the mini-Internet in the foreground. Generates DIR (default `./world`)
 * on first run, starts every suite of DIR/world.toml in this process, prints the host table (and
 * the generated passwords, once) and a few commands to try, drains on SIGINT/SIGTERM.
 */
import { pino } from 'pino';
import { logConfigWarnings } from '../core/config/load.js';
import { createLogger } from '../core/logger.js';
import { formatTranscriptEntry, subscribeTranscript } from '../core/transcript.js';
import { formatWorldTable, World } from '../world/index.js';
import { runUntilSignal } from './run-until-signal.js';

/** The directory used when none is named. */
export const DEFAULT_WORLD_DIR = 'world';

export interface WorldCommandOptions {
  net?: string;
  portOffset?: string;
  transcript?: boolean;
  logLevel?: string;
}

export async function runWorld(dir: string | undefined, options: WorldCommandOptions): Promise<void> {
  const logger = createLogger({
    level: (options.logLevel ?? 'info') as 'info',
    pretty: process.stderr.isTTY,
    destination: pino.destination({ fd: 2, sync: true }),
  });
  const portOffset = options.portOffset === undefined ? undefined : Number(options.portOffset);
  const world = await World.start({
    dir: dir ?? DEFAULT_WORLD_DIR,
    logger,
    onWarning: logConfigWarnings(logger),
    ...(options.net === undefined ? {} : { net: options.net }),
    ...(portOffset === undefined ? {} : { portOffset }),
  });
  const stdout = pino.destination({ fd: 1, sync: true });
  const hosts = world.hosts();
  const resolver = hosts.find((h) => h.suite === 'resolver');
  const [resolverHost, resolverPort] = (resolver?.address ?? ':').split(':');
  const lines = [
    `Outpost's mini-Internet is running from ${world.file}${world.generated ? ' (generated now)' : ''}`,
    '',
    formatWorldTable(hosts),
  ];
  if (world.newCredentials.length > 0) {
    lines.push(
      '',
      'Accounts (passwords are shown only now and stored hashed in each organisation’s accounts.db):',
      ...world.newCredentials.map((c) => `  ${c.address}  password: ${c.password}`),
    );
  }
  lines.push(
    '',
    'Try (docs/world.md walks through it):',
    `  outpost dig @${resolverHost ?? ''} -p ${resolverPort ?? ''} www.hamburger.test`,
    `  dig @${resolverHost ?? ''} -p ${resolverPort ?? ''} hamburger.test MX`,
    '',
    'Press Ctrl-C to stop.',
  );
  stdout.write(lines.join('\n') + '\n');

  if (options.transcript === true) {
    subscribeTranscript((entry) => {
      process.stderr.write(formatTranscriptEntry(entry) + '\n');
    });
  }
  runUntilSignal(logger, async () => {
    await world.close();
    stdout.write('Outpost world stopped.\n');
  });
}
