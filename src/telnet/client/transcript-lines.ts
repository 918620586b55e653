/**
 * Data of a Telnet session as transcript lines: bytes gathered per direction up to each LF (CR
 * dropped), decoded as UTF-8 with control characters shown as `^X` so a line never carries raw escapes, and
 * lines cut at MAX_TRANSCRIPT_LINE. Commands are described elsewhere; before one is published
 * the partial line of its direction is flushed so the order stays true.
 */
import { MAX_TRANSCRIPT_LINE } from '../limits.js';

const LF = 0x0a;
const CR = 0x0d;

/** `^X` for a C0 control, `^?` for DEL; other characters as they are. */
function caret(c: string): string {
  const code = c.charCodeAt(0);
  if (code === 0x7f) return '^?';
  return code < 0x20 && code !== 0x09 ? `^${String.fromCharCode(code + 0x40)}` : c;
}

/** UTF-8 text with controls in caret notation, so no raw escape reaches a terminal. */
function printable(bytes: readonly number[]): string {
  return Array.from(Buffer.from(bytes).toString('utf8'), caret).join('');
}

/** Gathers one direction's data into lines. */
export class TranscriptLines {
  #line: number[] = [];
  readonly #emit: (text: string) => void;

  constructor(emit: (text: string) => void) {
    this.#emit = emit;
  }

  /** Adds data; emits every line it completes. */
  push(data: Uint8Array): void {
    for (const b of data) {
      if (b === LF) {
        if (this.#line.at(-1) === CR) this.#line.pop();
        this.#flushLine();
      } else {
        this.#line.push(b);
        if (this.#line.length >= MAX_TRANSCRIPT_LINE) this.#flushLine();
      }
    }
  }

  /** Emits the partial line, if any (before a command, at close). */
  flush(): void {
    if (this.#line.length > 0) this.#flushLine();
  }

  #flushLine(): void {
    const line = this.#line;
    this.#line = [];
    if (line.at(-1) === CR) line.pop();
    this.#emit(printable(line));
  }
}
