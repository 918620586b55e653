/**
 * A real (pino, redacting) logger whose JSON lines a test can read back: what a session logged
 * when it hit an unexpected error, and that no secret reached the log.
 */
import { createLogger, type Logger } from '../../src/core/logger.js';

/** One logged line, parsed. */
export interface LogEntry {
  readonly level: number;
  readonly msg: string;
  readonly [key: string]: unknown;
}

/** A logger at debug level and the lines it wrote, raw (for "the password is not there") and parsed. */
export function captureLogs(): { logger: Logger; entries: LogEntry[]; raw: string[] } {
  const entries: LogEntry[] = [];
  const raw: string[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: {
      write: (line: string) => {
        raw.push(line);
        entries.push(JSON.parse(line) as LogEntry);
      },
    },
  });
  return { logger, entries, raw };
}
