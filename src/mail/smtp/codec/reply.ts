/**
 * SMTP replies (RFC 5321 §4.2) with enhanced status codes (RFC 3463, RFC 2034): the one model
 * the server writes and the client reads. A reply is a three-digit code and one or more text
 * lines; on the wire every line but the last is `code-text`, the last `code text`, and with
 * ENHANCEDSTATUSCODES each line's text starts with the `class.subject.detail` code.
 * Pure: no sockets.
 */

/** A reply: code, optional enhanced status code, and its text lines (without code prefixes). */
export interface SmtpReply {
  readonly code: number;
  /** e.g. `2.1.0`; absent for the greeting and replies that have none. */
  readonly enhanced?: string;
  readonly lines: readonly string[];
}

const ENHANCED = /^([245])\.(\d{1,3})\.(\d{1,3})$/;
const ENHANCED_PREFIX = /^([245]\.\d{1,3}\.\d{1,3})(?: |$)/;

/** Builds a reply; `text` may hold several lines. */
export function reply(code: number, enhanced: string | undefined, ...text: string[]): SmtpReply {
  if (!Number.isInteger(code) || code < 200 || code > 599)
    throw new RangeError(`bad SMTP reply code ${String(code)}`);
  if (enhanced !== undefined && !ENHANCED.test(enhanced))
    throw new RangeError(`bad enhanced status code ${enhanced}`);
  return enhanced === undefined
    ? { code, lines: text.length ? text : [''] }
    : { code, enhanced, lines: text.length ? text : [''] };
}

/** The wire lines of a reply, without CRLF (the line layer adds it and refuses CR/LF inside). */
export function formatReply(r: SmtpReply): string[] {
  const lines = r.lines.length ? r.lines : [''];
  return lines.map((text, i) => {
    const sep = i === lines.length - 1 ? ' ' : '-';
    const body = r.enhanced === undefined ? text : text === '' ? r.enhanced : `${r.enhanced} ${text}`;
    return `${String(r.code)}${sep}${body}`;
  });
}

/** One parsed reply line. */
export interface ReplyLine {
  readonly code: number;
  /** True for the last line of a reply (`250 ` rather than `250-`). */
  readonly last: boolean;
  readonly text: string;
}

/** Parses one reply line; null when it is not `DDD`, `DDD text` or `DDD-text`. */
export function parseReplyLine(line: string): ReplyLine | null {
  const m = /^([2-5]\d\d)(?:([ -])(.*))?$/.exec(line);
  if (!m) return null;
  return { code: Number(m[1]), last: m[2] !== '-', text: m[3] ?? '' };
}

/**
 * Collects reply lines into replies: `push` returns the finished reply at its last line, null
 * while a multi-line reply continues, and throws on a malformed line or a code that changes
 * mid-reply (RFC 5321 §4.2.1 requires the same code on every line). The enhanced code is taken
 * when the first line carries one; it is stripped from every line that repeats it.
 */
export class ReplyAssembler {
  #lines: ReplyLine[] = [];
  readonly #maxLines: number;

  constructor(maxLines = 100) {
    this.#maxLines = maxLines;
  }

  push(line: string): SmtpReply | null {
    const parsed = parseReplyLine(line);
    if (!parsed) throw new SyntaxError(`malformed SMTP reply line: ${JSON.stringify(line.slice(0, 80))}`);
    const first = this.#lines[0];
    if (first && first.code !== parsed.code) {
      this.#lines = [];
      throw new SyntaxError(
        `reply code changed from ${String(first.code)} to ${String(parsed.code)} mid-reply`,
      );
    }
    this.#lines.push(parsed);
    if (this.#lines.length > this.#maxLines) {
      this.#lines = [];
      throw new SyntaxError('too many lines in one SMTP reply');
    }
    if (!parsed.last) return null;
    const lines = this.#lines;
    this.#lines = [];
    const enhanced = ENHANCED_PREFIX.exec(lines[0]?.text ?? '')?.[1];
    const texts = lines.map((l) => {
      if (enhanced !== undefined && (l.text === enhanced || l.text.startsWith(`${enhanced} `))) {
        return l.text.slice(enhanced.length + 1);
      }
      return l.text;
    });
    return enhanced !== undefined && enhanced[0] === String(parsed.code)[0]
      ? { code: parsed.code, enhanced, lines: texts }
      : { code: parsed.code, lines: lines.map((l) => l.text) };
  }
}

/** `250 2.0.0 text` on one line, for logs, queue records and DSNs. */
export function replyText(r: SmtpReply): string {
  return formatReply(r).join(' / ');
}

/** The reply class: 2 success, 3 intermediate, 4 transient failure, 5 permanent failure. */
export function replyClass(r: SmtpReply): 2 | 3 | 4 | 5 {
  return Math.floor(r.code / 100) as 2 | 3 | 4 | 5;
}

/** `451 4.3.0`: the server's temporary failure for an error it did not expect (RFC 3463 §3.4:
 *  "other or undefined mail system status"); the session's error boundary answers with it. */
export function localError(): SmtpReply {
  return reply(451, '4.3.0', 'Local error in processing, try again later');
}
