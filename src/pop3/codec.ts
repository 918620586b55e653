/**
 * The POP3 codec (RFC 1939, RFC 2449): command lines to typed values, and the bytes the server
 * sends: `+OK`/`-ERR` status lines with RFC 2449 §8 / RFC 3206 response codes, multi-line
 * responses with dot-stuffing (RFC 1939 §3), and stored messages turned into a dot-stuffed,
 * CRLF-terminated body without per-line string work (Buffers only, zero-copy when the message
 * has no line starting with a dot). Pure: no sockets, no timers.
 */
import { POP3_LIMITS } from './limits.js';

/** RFC 2449 §8.1 and RFC 3206 response codes the server uses. */
export type Pop3ResponseCode = 'IN-USE' | 'LOGIN-DELAY' | 'AUTH' | 'SYS/TEMP' | 'SYS/PERM';

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

const KEYWORD = /^[A-Za-z]{1,40}$/;
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
  if (!/^\d{1,40}$/.test(arg)) return null;
  const digits = arg.replace(/^0+(?=\d)/, '');
  if (digits.length > 10) return POP3_LIMITS.maxMessageNumber + 1;
  return Math.min(Number(digits), POP3_LIMITS.maxMessageNumber + 1);
}

/** TOP's line count (RFC 1939 §7: non-negative); null when malformed; huge means "every line". */
export function parseLineCount(arg: string): number | null {
  if (!/^\d{1,40}$/.test(arg)) return null;
  const digits = arg.replace(/^0+(?=\d)/, '');
  if (digits.length > 10) return POP3_LIMITS.maxTopLines;
  return Math.min(Number(digits), POP3_LIMITS.maxTopLines);
}

/** `+OK text`. */
export function okLine(text: string): string {
  return text === '' ? '+OK' : `+OK ${text}`;
}

/** `-ERR [CODE] text` (RFC 2449 §8: the code in brackets right after `-ERR`). */
export function errLine(code: Pop3ResponseCode | null, text: string): string {
  return code === null ? `-ERR ${text}` : `-ERR [${code}] ${text}`;
}

/**
 * A multi-line response (RFC 1939 §3): the status line, each line dot-stuffed (a line starting
 * with `.` gets one more), then the terminating `.`. Lines are without CRLF.
 */
export function multiLine(status: string, lines: Iterable<string>): string[] {
  const out = [status];
  for (const line of lines) out.push(line.startsWith('.') ? `.${line}` : line);
  out.push('.');
  return out;
}

const CRLF = Buffer.from('\r\n');
const DOT = Buffer.from('.');
const LF_DOT = Buffer.from('\n.');
const TERMINATOR = Buffer.from('.\r\n');
const CRLF_TERMINATOR = Buffer.from('\r\n.\r\n');

/**
 * The wire form of a message body inside a multi-line response: every line that starts with `.`
 * gets another `.` in front, a final CRLF is added when the message does not end with one, and the
 * terminating `.` CRLF follows (RFC 1939 §3). Returns the pieces to write, in order; pieces are
 * slices of `body` (no copy) except for the inserted dots and the terminator. Only `\n.` is
 * searched for (a native scan), so a large message costs no per-line JavaScript work. Stored
 * messages already have CRLF line endings (the store's contract); a bare LF is passed through and
 * still treated as a line end for stuffing, so no client can see a premature terminator.
 */
export function dotStuffBody(body: Buffer): Buffer[] {
  const pieces: Buffer[] = [];
  let start = 0;
  if (body.length > 0 && body[0] === 0x2e) pieces.push(DOT);
  let i = body.indexOf(LF_DOT);
  while (i !== -1) {
    pieces.push(body.subarray(start, i + 1), DOT);
    start = i + 1;
    i = body.indexOf(LF_DOT, start);
  }
  if (start === 0 && pieces.length === 0) pieces.push(body);
  else if (start < body.length) pieces.push(body.subarray(start));
  const endsWithCrlf = body.length >= 2 && body[body.length - 2] === 0x0d && body[body.length - 1] === 0x0a;
  pieces.push(endsWithCrlf || body.length === 0 ? TERMINATOR : CRLF_TERMINATOR);
  return pieces;
}

/** One buffer: the status line with CRLF, then `dotStuffBody(body)`. */
export function multiLineMessage(status: string, body: Buffer): Buffer {
  const pieces = dotStuffBody(body);
  let length = status.length + 2;
  for (const p of pieces) length += p.length;
  return Buffer.concat([Buffer.from(status, 'latin1'), CRLF, ...pieces], length);
}

/**
 * The part of a message TOP sends (RFC 1939 §7): the header, the blank line after it, and the
 * first `lines` lines of the body. A message without a blank line is all header.
 */
export function topOfMessage(message: Buffer, lines: number): Buffer {
  let bodyStart: number;
  if (message.length >= 2 && message[0] === 0x0d && message[1] === 0x0a) bodyStart = 2;
  else {
    const blank = message.indexOf('\r\n\r\n');
    if (blank === -1) return message;
    bodyStart = blank + 4;
  }
  let end = bodyStart;
  for (let n = 0; n < lines && end < message.length; n++) {
    const lf = message.indexOf(0x0a, end);
    end = lf === -1 ? message.length : lf + 1;
  }
  return message.subarray(0, end);
}

/** RFC 1939 §7: a unique-id is 1-70 characters in 0x21-0x7E. Ours is `<uidvalidity>.<uid>`. */
export function uniqueId(uidValidity: number, uid: number): string {
  return `${String(uidValidity)}.${String(uid)}`;
}

/** Rewrites a client line for the transcript: the secret of `PASS` and `AUTH mech IR` hidden. */
export function redactCommand(line: string): string {
  const pass = /^(pass)(?: |$)/i.exec(line);
  if (pass) return `${pass[1] ?? 'PASS'} ****`;
  const auth = /^(auth +\S+) +\S/i.exec(line);
  if (auth) return `${auth[1] ?? 'AUTH'} ****`;
  return line;
}
