/**
 * FTP replies (RFC 959 §4.2): the one reply type, formatting for the server, including multi-line
 * replies, and a parser for the client. A multi-line reply is `ddd-first`, any lines, `ddd last`; a middle line
 * that itself starts with three digits is indented by one space so a client cannot mistake it
 * for the end (§4.2, the "may begin with a space" rule). Text that came from users (file names)
 * never puts CR, LF or NUL on the wire: they become `?` (the control connection is a line
 * protocol, and RFC 959 §3.1.1 file names are byte strings that may hold anything).
 */

/**
 * A complete reply: what a server session's handlers return and the server writes, and what the
 * client reads. The one reply type of FTP.
 */
export interface FtpReply {
  readonly code: number;
  /** Text of every line, the code and separator removed from the first and last. */
  readonly lines: readonly string[];
}

/** A reply with one line of text, or several (written multi-line, RFC 959 §4.2). */
export function ftpReply(code: number, text: string | readonly string[]): FtpReply {
  return { code, lines: typeof text === 'string' ? [text] : text };
}

import { ErrorCodes, OutpostError } from '../../core/errors.js';
import { FTP_LIMITS } from '../limits.js';

const UNSAFE = /[\r\n\0]/g;

/** Replaces CR, LF and NUL so a value can sit inside a reply line. */
export function safeText(text: string): string {
  return text.replace(UNSAFE, '?');
}

/** Quotes a path for a 257 reply: `"` doubled (RFC 959 Appendix II). */
export function quotePath(path: string): string {
  return `"${safeText(path).replace(/"/g, '""')}"`;
}

/**
 * The wire lines of a reply. One text line gives `ddd text`; several give `ddd-first`, the
 * middle lines (indented when they start with a digit run that could read as a code), `ddd last`.
 */
export function formatReply(code: number, text: string | readonly string[]): string[] {
  const lines = (typeof text === 'string' ? [text] : text).map(safeText);
  if (lines.length <= 1) return [`${code} ${lines[0] ?? ''}`];
  const out: string[] = [`${code}-${lines[0] ?? ''}`];
  for (let i = 1; i < lines.length - 1; i++) {
    const line = lines[i] ?? '';
    out.push(/^\d{3}/.test(line) ? ` ${line}` : line);
  }
  out.push(`${code} ${lines[lines.length - 1] ?? ''}`);
  return out;
}

/** Incremental reply parser for the client: feed lines, get a reply when one is complete. */
export class ReplyParser {
  #code: number | null = null;
  #lines: string[] = [];
  readonly #maxLines: number;

  constructor(maxLines: number = FTP_LIMITS.maxReplyLines) {
    this.#maxLines = maxLines;
  }

  /**
   * Feeds one line (without CRLF); returns the reply it completes, or null. Throws an
   * OutpostError (FTP_PROTOCOL) on a line that is no reply or a reply with too many lines.
   */
  push(line: string): FtpReply | null {
    const m = /^(\d{3})([ -]?)(.*)$/.exec(line);
    if (this.#code === null) {
      if (!m)
        throw new OutpostError(
          ErrorCodes.FTP_PROTOCOL,
          `malformed FTP reply line: ${JSON.stringify(line.slice(0, 80))}`,
        );
      const code = Number(m[1]);
      if (m[2] === '-') {
        this.#code = code;
        this.#lines = [m[3] ?? ''];
        return null;
      }
      return { code, lines: [m[3] ?? ''] };
    }
    if (m && Number(m[1]) === this.#code && m[2] === ' ') {
      const reply = { code: this.#code, lines: [...this.#lines, m[3] ?? ''] };
      this.#code = null;
      this.#lines = [];
      return reply;
    }
    if (m && Number(m[1]) === this.#code && m[2] === '-') this.#lines.push(m[3] ?? '');
    else this.#lines.push(line.startsWith(' ') ? line.slice(1) : line);
    if (this.#lines.length > this.#maxLines)
      throw new OutpostError(ErrorCodes.FTP_PROTOCOL, 'FTP reply has too many lines');
    return null;
  }
}

/** The reply class (RFC 959 §4.2.1): 1 preliminary, 2 completion, 3 intermediate, 4/5 failure. */
export function replyClass(code: number): 1 | 2 | 3 | 4 | 5 {
  const c = Math.floor(code / 100);
  return (c >= 1 && c <= 5 ? c : 5) as 1 | 2 | 3 | 4 | 5;
}
