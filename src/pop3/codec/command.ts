/**
 * POP3 command lines (RFC 1939 §3, RFC 2449 §4) to typed values: the keyword and its arguments,
 * message numbers and TOP's line count, and the transcript's redaction of secrets. Pure: no
 * sockets, no timers.
 */
import { POP3_LIMITS } from '../limits.js';

/** A parsed command line, or why it is not one. */
export type ParsedCommand =
  | {
      readonly ok: true;
      /** Upper-cased keyword. */
      readonly verb: string;
      /** Space-separated arguments (trailing spaces ignored; two spaces give an empty one). */
      readonly args: readonly string[];
      /** Everything after the keyword and one space, verbatim (PASS takes a password with spaces). */
      readonly rest: string;
    }
  | { readonly ok: false; readonly reason: string };

const KEYWORD = new RegExp(`^[A-Za-z]{1,${String(POP3_LIMITS.maxArgOctets)}}$`);
/** A number argument: decimal digits, at most an argument's length (RFC 2449 §4). */
const DIGITS = new RegExp(`^\\d{1,${String(POP3_LIMITS.maxArgOctets)}}$`);
// Controls other than TAB are never part of a command (NUL included); bytes >= 0x80 may be UTF-8
// in a password, so they pass.
// eslint-disable-next-line no-control-regex
const BAD_CHARACTERS = /[\x00-\x08\x0a-\x1f\x7f]/;

/**
 * Parses one command line (without its line ending). RFC 1939 §3: a case-insensitive keyword,
 * then arguments separated by single spaces.
 */
export function parseCommand(line: string): ParsedCommand {
  if (BAD_CHARACTERS.test(line)) return { ok: false, reason: 'Bad characters in command' };
  const space = line.indexOf(' ');
  const keyword = space === -1 ? line : line.slice(0, space);
  if (!KEYWORD.test(keyword)) return { ok: false, reason: 'Malformed command' };
  const rest = space === -1 ? '' : line.slice(space + 1);
  const trimmed = rest.replace(/[ \t]+$/, '');
  const args = trimmed === '' ? [] : trimmed.split(' ');
  return { ok: true, verb: keyword.toUpperCase(), args, rest };
}

/**
 * A message number argument: a positive decimal. Returns the number (values past
 * `maxMessageNumber` come back as `maxMessageNumber + 1`, i.e. "no such message"), or null when
 * the argument is not a number at all (`-1`, `1x`, `0x10`, empty).
 */
export function parseMessageNumber(arg: string): number | null {
  if (!DIGITS.test(arg)) return null;
  const digits = arg.replace(/^0+(?=\d)/, '');
  if (digits.length > 10) return POP3_LIMITS.maxMessageNumber + 1;
  return Math.min(Number(digits), POP3_LIMITS.maxMessageNumber + 1);
}

/** TOP's line count (RFC 1939 §7: non-negative); null when malformed; huge means "every line". */
export function parseLineCount(arg: string): number | null {
  if (!DIGITS.test(arg)) return null;
  const digits = arg.replace(/^0+(?=\d)/, '');
  if (digits.length > 10) return POP3_LIMITS.maxTopLines;
  return Math.min(Number(digits), POP3_LIMITS.maxTopLines);
}

/** Rewrites a client line for the transcript: the secret of `PASS` and `AUTH mech IR` hidden. */
export function redactCommand(line: string): string {
  const pass = /^(pass)(?: |$)/i.exec(line);
  if (pass) return `${pass[1] ?? 'PASS'} ****`;
  const auth = /^(auth +\S+) +\S/i.exec(line);
  if (auth) return `${auth[1] ?? 'AUTH'} ****`;
  return line;
}
