/**
 * Local line editing for `outpost telnet`'s line mode and its `telnet>` prompt, on a terminal in
 * raw mode: printable characters are echoed and gathered, Backspace/DEL rubs out the last
 * character, ^U the line, ^W the last word, Enter ends the line; ^C, ^D on an empty line and the
 * escape character are reported to the caller; other control keys and terminal escape sequences
 * (arrows) are ignored. Pure: it says what to echo and what happened, the caller does it.
 */

/** What one key did. */
export type EditorEvent =
  | { readonly kind: 'line'; readonly line: Buffer }
  | { readonly kind: 'escape' }
  | { readonly kind: 'interrupt' }
  | { readonly kind: 'eof' };

/** The result of feeding keys: text to echo, and what completed. */
export interface EditorOutput {
  readonly echo: string;
  readonly events: EditorEvent[];
  /** Keys after an event that ends editing (escape), for the caller to hand on. */
  readonly rest: Buffer;
}

const CR = 0x0d;
const LF = 0x0a;
const ESC = 0x1b;

/** One line being typed. */
export class LineEditor {
  #chars: string[] = [];
  #pending: number[] = [];
  #inEscapeSequence = false;
  readonly #escape: number | null;

  /** `escape`: the escape character's byte (null: none). */
  constructor(escape: number | null) {
    this.#escape = escape;
  }

  /** The text typed so far. */
  get text(): string {
    return this.#chars.join('');
  }

  /** Forgets the line typed so far. */
  clear(): void {
    this.#chars = [];
    this.#pending = [];
  }

  /** Feeds typed keys; stops at an escape character (the rest is returned untouched). */
  feed(keys: Uint8Array): EditorOutput {
    let echo = '';
    const events: EditorEvent[] = [];
    for (let i = 0; i < keys.length; i++) {
      const b = keys[i] ?? 0;
      if (this.#inEscapeSequence) {
        // CSI/SS3 sequences end with a byte in 0x40..0x7e (ECMA-48); the introducer '[' or 'O' is skipped.
        if (b >= 0x40 && b <= 0x7e && b !== 0x5b && b !== 0x4f) this.#inEscapeSequence = false;
        continue;
      }
      if (b === this.#escape) {
        events.push({ kind: 'escape' });
        return { echo, events, rest: Buffer.from(keys.subarray(i + 1)) };
      }
      if (b === CR || b === LF) {
        if (b === LF && i > 0 && keys[i - 1] === CR) continue;
        echo += '\r\n';
        events.push({ kind: 'line', line: Buffer.from(this.text, 'utf8') });
        this.clear();
      } else if (b === 0x7f || b === 0x08) {
        if (this.#chars.pop() !== undefined) echo += '\b \b';
      } else if (b === 0x15) {
        echo += '\b \b'.repeat(this.#chars.length);
        this.#chars = [];
      } else if (b === 0x17) {
        while (this.#chars.at(-1) === ' ') echo += this.#rubout();
        while (this.#chars.length > 0 && this.#chars.at(-1) !== ' ') echo += this.#rubout();
      } else if (b === 0x03) {
        echo += '^C\r\n';
        this.clear();
        events.push({ kind: 'interrupt' });
      } else if (b === 0x04) {
        if (this.#chars.length === 0) events.push({ kind: 'eof' });
      } else if (b === ESC) {
        this.#inEscapeSequence = true;
      } else if (b >= 0x20 || b === 0x09) {
        echo += this.#addByte(b);
      }
    }
    return { echo, events, rest: Buffer.alloc(0) };
  }

  #rubout(): string {
    this.#chars.pop();
    return '\b \b';
  }

  /** Gathers UTF-8 sequences into one character before echoing it. */
  #addByte(b: number): string {
    this.#pending.push(b);
    const lead = this.#pending[0] ?? 0;
    const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    if (this.#pending.length < need) return '';
    const char = Buffer.from(this.#pending).toString('utf8');
    this.#pending = [];
    this.#chars.push(char);
    return char;
  }
}
