/**
 * What the POP3 server sends (RFC 1939 §3): `+OK`/`-ERR` status lines with RFC 2449 §8 / RFC 3206
 * response codes, multi-line responses with dot-stuffing, and `Pop3Reply`, the one reply type
 * every command handler returns and the session writes. Pure: no sockets, no timers.
 */
import type { ResponseWriter } from '../../core/line/connection.js';

/** RFC 2449 §8.1 and RFC 3206 response codes the server uses. */
export type Pop3ResponseCode = 'IN-USE' | 'LOGIN-DELAY' | 'AUTH' | 'SYS/TEMP' | 'SYS/PERM';

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

/**
 * A command's reply: status and response lines written in one go (a status line, or a whole
 * multi-line response from `multiLine`), or a message streamed after its status line (RETR,
 * TOP): `write` runs inside the connection's `response()`, holding the output until it is done.
 */
export type Pop3Reply =
  | { readonly kind: 'lines'; readonly lines: readonly string[] }
  | {
      readonly kind: 'message';
      readonly status: string;
      readonly write: (w: Pick<ResponseWriter, 'writeRaw'>) => Promise<void>;
    };

/** `+OK text` as a reply. */
export function ok(text: string): Pop3Reply {
  return { kind: 'lines', lines: [okLine(text)] };
}

/** `-ERR [CODE] text` as a reply. */
export function err(code: Pop3ResponseCode | null, text: string): Pop3Reply {
  return { kind: 'lines', lines: [errLine(code, text)] };
}

/** A multi-line response (see `multiLine`) as a reply. */
export function listing(status: string, lines: Iterable<string>): Pop3Reply {
  return { kind: 'lines', lines: multiLine(status, lines) };
}

/** True for `+OK` (the commands metric's `ok` class). */
export function isOk(reply: Pop3Reply): boolean {
  return (reply.kind === 'message' ? reply.status : (reply.lines[0] ?? '')).startsWith('+');
}

/** The POP3 temporary failure the session loop answers an unexpected error with. */
export function temporaryFailure(): Pop3Reply {
  return err('SYS/TEMP', 'Local error in processing; try again later');
}
