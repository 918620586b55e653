/**
 * The pure half of the line-protocol layer: a receive buffer that hands out CRLF-terminated
 * lines or counted runs of bytes (IMAP literals, SMTP BDAT chunks), never more than a caller's
 * limit. No sockets, no timers, so it is fuzzable on its own.
 *
 * Line endings are reported, not normalised: `ending` says whether a line ended in CRLF or a bare
 * LF, so SMTP can refuse bare-LF endings (SMTP smuggling) while FTP can be lenient. A bare CR
 * inside a line is left in the line for the protocol to judge. A line longer than the limit is
 * reported once as an overflow as soon as the limit is passed, and its bytes are discarded up to
 * and including the next LF, so a client that never sends a newline costs at most `maxLine` bytes.
 * Once that LF arrives, `discardedEnding` tells how the discarded line ended (SMTP needs it: a
 * "." line ends DATA only after a CRLF).
 */

/** One result of {@link LineBuffer.takeLine}. */
export type LineItem =
  | { readonly kind: 'line'; readonly line: Buffer; readonly ending: 'crlf' | 'lf' }
  | { readonly kind: 'overflow' };

const LF = 0x0a;
const CR = 0x0d;

/** Buffers received bytes and splits them into lines or counted byte runs. */
export class LineBuffer {
  #buf: Buffer = Buffer.alloc(0);
  /** Offset up to which `#buf` is known to hold no LF (avoids rescanning on every push). */
  #scanned = 0;
  /** True while discarding the rest of an over-long line. */
  #discarding = false;
  /** The last octet dropped while discarding (a CR that may precede the LF in the next chunk). */
  #lastDropped = -1;
  #discardedEnding: 'crlf' | 'lf' | null = null;

  /** How the last over-long line that was discarded to its end ended; null before any. */
  get discardedEnding(): 'crlf' | 'lf' | null {
    return this.#discardedEnding;
  }

  /** Octets received and not yet taken. */
  get buffered(): number {
    return this.#buf.length;
  }

  /** Appends received bytes. While discarding an over-long line, drops them up to the next LF. */
  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.#discarding && this.#buf.length === 0) {
      const lf = chunk.indexOf(LF);
      if (lf === -1) {
        this.#lastDropped = chunk[chunk.length - 1] ?? -1;
        return;
      }
      this.#endDiscard(lf > 0 ? (chunk[lf - 1] ?? -1) : this.#lastDropped);
      chunk = chunk.subarray(lf + 1);
      if (chunk.length === 0) return;
    }
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
  }

  /**
   * Takes the next complete line (without its ending), an overflow marker, or null when more
   * bytes are needed. `maxLine` counts the ending's octets too, as RFC 5321 §4.5.3.1.4 does.
   */
  takeLine(maxLine: number): LineItem | null {
    for (;;) {
      if (this.#discarding) {
        const lf = this.#buf.indexOf(LF);
        if (lf === -1) {
          this.#lastDropped = this.#buf[this.#buf.length - 1] ?? this.#lastDropped;
          this.#buf = Buffer.alloc(0);
          this.#scanned = 0;
          return null;
        }
        this.#endDiscard(lf > 0 ? (this.#buf[lf - 1] ?? -1) : this.#lastDropped);
        this.#consume(lf + 1);
        continue;
      }
      const lf = this.#buf.indexOf(LF, this.#scanned);
      if (lf === -1) {
        if (this.#buf.length >= maxLine) {
          // Over the limit with no end in sight: report now, drop what we hold, skip to the next LF.
          this.#discarding = true;
          this.#lastDropped = this.#buf[this.#buf.length - 1] ?? -1;
          this.#buf = Buffer.alloc(0);
          this.#scanned = 0;
          return { kind: 'overflow' };
        }
        this.#scanned = this.#buf.length;
        return null;
      }
      if (lf + 1 > maxLine) {
        this.#discardedEnding = lf > 0 && this.#buf[lf - 1] === CR ? 'crlf' : 'lf';
        this.#consume(lf + 1);
        return { kind: 'overflow' };
      }
      const crlf = lf > 0 && this.#buf[lf - 1] === CR;
      const line = this.#buf.subarray(0, crlf ? lf - 1 : lf);
      this.#consume(lf + 1);
      return { kind: 'line', line, ending: crlf ? 'crlf' : 'lf' };
    }
  }

  /** Takes up to `max` buffered octets (at least one), or null when none are buffered. */
  takeBytes(max: number): Buffer | null {
    if (this.#buf.length === 0 || max <= 0) return null;
    const n = Math.min(max, this.#buf.length);
    const out = this.#buf.subarray(0, n);
    this.#consume(n);
    return out;
  }

  /** Drops everything buffered (used before a TLS handshake); returns how many octets went. */
  clear(): number {
    const n = this.#buf.length;
    this.#buf = Buffer.alloc(0);
    this.#scanned = 0;
    this.#discarding = false;
    this.#lastDropped = -1;
    return n;
  }

  /** The discarded line's LF arrived; `before` is the octet that preceded it (-1: none). */
  #endDiscard(before: number): void {
    this.#discarding = false;
    this.#discardedEnding = before === CR ? 'crlf' : 'lf';
    this.#lastDropped = -1;
  }

  #consume(n: number): void {
    this.#buf = n >= this.#buf.length ? Buffer.alloc(0) : this.#buf.subarray(n);
    this.#scanned = 0;
  }
}
