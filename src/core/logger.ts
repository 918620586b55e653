/**
 * Logging. Every component takes an injected pino logger; the default is silent, so an embedded
 * server (a test suite importing Outpost) prints nothing unless asked. Secrets are redacted by
 * key name wherever they appear in a log object, and protocol code never puts a password in a
 * message string in the first place.
 */
import { pino, type Logger, type DestinationStream } from 'pino';

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
  name?: string;
}

/** A logger that writes JSON lines with secrets redacted. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const config: pino.LoggerOptions = {
    level: options.level ?? 'info',
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
  };
  if (options.name !== undefined) config.name = options.name;
  return options.destination ? pino(config, options.destination) : pino(config);
}

/** The default for embedded use: discards everything. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
