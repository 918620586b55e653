/**
 * The access log in Combined Log Format (Apache's `%h %l %u %t "%r" %>s %b "%{Referer}i"
 * "%{User-agent}i"`, nginx's `combined`), one raw line per response, to a file
 * (`[http] access_log`) or to an output line writer (`outpost serve`: stdout, as nginx in a
 * container). Quotes, backslashes and control characters from the request are escaped so a
 * client cannot forge log lines.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import type { Logger } from '../core/logger.js';

/** One finished request. */
export interface AccessRecord {
  readonly remoteAddress: string;
  readonly user: string | undefined;
  readonly time: Date;
  readonly method: string;
  readonly target: string;
  readonly httpVersion: string;
  readonly status: number;
  readonly bytes: number;
  readonly referer: string | undefined;
  readonly userAgent: string | undefined;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `[10/Oct/2000:13:55:36 +0000]` (always UTC). */
export function clfTime(d: Date): string {
  return `[${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()] ?? ''}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000]`;
}

/** Escapes a field the way Apache does (`\"`, `\\`, `\xhh` for controls). */
export function escapeField(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\x00-\x1f"\\\x7f-\uffff]/g, (c) => {
    if (c === '"' || c === '\\') return `\\${c}`;
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : c;
  });
}

/** One Combined Log Format line (without newline). */
export function formatCombined(r: AccessRecord): string {
  const user = r.user === undefined ? '-' : escapeField(r.user);
  const request = escapeField(`${r.method} ${r.target} HTTP/${r.httpVersion}`);
  const bytes = r.bytes === 0 ? '-' : String(r.bytes);
  const quoted = (v: string | undefined): string => (v === undefined ? '"-"' : `"${escapeField(v)}"`);
  return `${r.remoteAddress} - ${user} ${clfTime(r.time)} "${request}" ${r.status} ${bytes} ${quoted(r.referer)} ${quoted(r.userAgent)}`;
}

/** Where access lines go. */
export interface AccessLog {
  write(record: AccessRecord): void;
  close(): Promise<void>;
}

/**
 * A log to `file` (appended), to `output` (file undefined; only while `logger` is at `info` or
 * below), or none at all (undefined: "off", or no file and no output), so the request path does
 * no work for it. `logger` reports write errors.
 */
export function openAccessLog(
  file: string | undefined,
  logger: Logger,
  output?: (line: string) => void,
): AccessLog | undefined {
  if (file === 'off') return undefined;
  if (file === undefined) {
    if (output === undefined || !logger.isLevelEnabled('info')) return undefined;
    return {
      write(record) {
        output(formatCombined(record));
      },
      close: () => Promise.resolve(),
    };
  }
  const stream: WriteStream = createWriteStream(file, { flags: 'a', mode: 0o640 });
  stream.on('error', (err) => {
    logger.error({ err, file }, 'access log write failed');
  });
  return {
    write(record) {
      stream.write(`${formatCombined(record)}\n`);
    },
    close: () =>
      new Promise((resolve) => {
        stream.end(resolve);
      }),
  };
}
