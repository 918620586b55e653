/**
 * Logging. Every component takes an injected pino logger; the default is silent, so an embedded
 * server (a test suite importing Outpost) prints nothing unless asked. Secrets are redacted by
 * key name wherever they appear in a log object, and protocol code never puts a password in a
 * message string in the first place. `outpost serve` writes JSON lines, or, on a terminal,
 * readable one-line entries through pino-pretty (the pino project's own formatter, run in this
 * process and synchronously, so a fatal line is never lost in a worker's buffer).
 */
import { createRequire } from 'node:module';
import { pino, type Logger, type DestinationStream } from 'pino';
import type { PinoPretty } from 'pino-pretty';

/** pino-pretty, loaded only when a terminal asks for it (every other CLI start stays lean). */
function loadPretty(): typeof PinoPretty {
  return (createRequire(import.meta.url)('pino-pretty') as { PinoPretty: typeof PinoPretty }).PinoPretty;
}

export type { Logger } from 'pino';

/** Key paths whose values pino replaces with "[redacted]". */
export const REDACTED_PATHS = [
  'password',
  'pass',
  'secret',
  'passwordHash',
  'password_hash',
  '*.password',
  '*.pass',
  '*.secret',
  '*.passwordHash',
  '*.password_hash',
  'users[*].password',
  'users[*].password_hash',
] as const;

export interface LoggerOptions {
  level?: pino.LevelWithSilent;
  /** Where JSON lines go; stdout when absent. */
  destination?: DestinationStream;
  /**
   * Readable lines instead of JSON (`14:02:11.042 INFO (smtp): smtp: message accepted {…}`),
   * written synchronously to `prettyFd` (default 2, stderr). `destination` is ignored then.
   */
  pretty?: boolean;
  prettyFd?: number;
  name?: string;
}

/** A logger that writes JSON lines with secrets redacted. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const config: pino.LoggerOptions = {
    level: options.level ?? 'info',
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
  };
  if (options.name !== undefined) config.name = options.name;
  if (options.pretty === true) {
    return pino(
      config,
      loadPretty()({
        destination: options.prettyFd ?? 2,
        sync: true,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname,service',
        messageFormat: '{if service}({service}) {end}{msg}',
        singleLine: true,
      }),
    );
  }
  return options.destination ? pino(config, options.destination) : pino(config);
}

/** The default for embedded use: discards everything. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
