/**
 * FTP command lines (RFC 959 §4.1, §5.3): a verb of letters, optionally one space and an argument
 * that runs to the end of the line (file names may contain spaces). Telnet IAC sequences some
 * clients put before ABOR (Interrupt Process + Synch, RFC 959 §4.1.3) are dropped first. The
 * argument is UTF-8 (RFC 2640 §2.2); invalid sequences become U+FFFD and such paths then do not
 * match any file.
 */

import { ErrorCodes, OutpostError } from '../../core/errors.js';

/** A parsed command, or why the line is not one. */
export type ParsedCommand =
  | { readonly ok: true; readonly verb: string; readonly arg: string }
  | { readonly ok: false; readonly reason: 'empty' | 'bad-verb' | 'nul' };

const IAC = 0xff;

/** Removes Telnet IAC sequences (IAC x, and IAC IAC as a literal 0xFF kept once). */
export function stripTelnet(raw: Buffer): Buffer {
  if (!raw.includes(IAC)) return raw;
  const out = Buffer.allocUnsafe(raw.length);
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i] ?? 0;
    if (b === IAC) {
      const next = raw[i + 1];
      if (next === IAC) out[n++] = IAC;
      i++;
      continue;
    }
    out[n++] = b;
  }
  return out.subarray(0, n);
}

/** Parses one command line (without its line ending). */
export function parseCommand(raw: Buffer | string): ParsedCommand {
  const text = (typeof raw === 'string' ? raw : stripTelnet(raw).toString('utf8')).replace(/^\s+/, '');
  if (text === '') return { ok: false, reason: 'empty' };
  if (text.includes('\0')) return { ok: false, reason: 'nul' };
  const space = text.indexOf(' ');
  const verb = (space === -1 ? text : text.slice(0, space)).toUpperCase();
  if (!/^[A-Z]{3,4}$/.test(verb)) return { ok: false, reason: 'bad-verb' };
  const arg = space === -1 ? '' : text.slice(space + 1);
  return { ok: true, verb, arg };
}

/**
 * Formats a command for the client to send; throws an OutpostError (UNSAFE_OUTPUT) when the
 * argument holds CR, LF or NUL (a second command smuggled into the line).
 */
export function formatCommand(verb: string, arg?: string): string {
  if (arg !== undefined && /[\r\n\0]/.test(arg)) {
    throw new OutpostError(ErrorCodes.UNSAFE_OUTPUT, 'FTP command argument must not contain CR, LF or NUL');
  }
  return arg === undefined || arg === '' ? verb : `${verb} ${arg}`;
}
