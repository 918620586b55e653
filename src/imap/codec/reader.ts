/**
 * The lexical layer of the command parser: a cursor over one command's pieces (its lines, and
 * the literals announced at their ends) that reads the RFC 9051 §9 primitives: SP, atoms,
 * numbers, quoted strings with `\"` and `\\` escapes, literals, astrings, nstrings and
 * parenthesised lists with bounded depth and length. Reading a literal whose octets have not
 * arrived yet throws `NeedLiteral`: that is how the parser learns the command so far is valid
 * and the literal sits where one is allowed. Every other failure throws `ParseError` with the
 * reason the client gets in its `BAD`.
 */
import { IMAP_LIMITS, type ImapParserLimits } from '../limits.js';

/** A literal announced at the end of a line: `{n}`, `{n+}`, `~{n}` or `~{n+}`. */
export interface LiteralMarker {
  readonly size: number;
  /** `{n}`: the client waits for `+` before sending (RFC 9051 §4.3); `{n+}` does not (RFC 7888). */
  readonly sync: boolean;
  /** `~{n}`: literal8, which may contain NUL (RFC 3516 §4.1). */
  readonly binary: boolean;
}

/** One line of a command (without its CRLF and literal marker) and the literal that follows it. */
export interface Segment {
  readonly text: Buffer;
  readonly literal: LiteralMarker | null;
  /** The literal's octets, once received. */
  data: Buffer | null;
}

/** A syntax error, with the reason for the client's `BAD`. */
export class ParseError extends Error {
  override readonly name = 'ParseError';
}

/** Thrown when the command needs the octets of the pending literal: everything before it parsed. */
export class NeedLiteral extends Error {
  override readonly name = 'NeedLiteral';
  /** What the literal is: APPEND's message (APPEND limit, literal8 allowed) or any other string. */
  readonly use: 'message' | 'string';
  constructor(use: 'message' | 'string') {
    super('the command continues with a literal');
    this.use = use;
  }
}

// Thrown once per literal of every command: allocated once, so no stack is captured each time.
const NEED_MESSAGE = new NeedLiteral('message');
const NEED_STRING = new NeedLiteral('string');

const SP = 0x20;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;

/** RFC 9051 ATOM-CHAR: any CHAR except atom-specials ( ) { SP CTL % * " \ ]. */
export function isAtomChar(c: number): boolean {
  return (
    c > 0x20 &&
    c < 0x7f &&
    c !== 0x28 &&
    c !== 0x29 &&
    c !== 0x7b &&
    c !== 0x25 &&
    c !== 0x2a &&
    c !== DQUOTE &&
    c !== BACKSLASH &&
    c !== 0x5d
  );
}

/** ASTRING-CHAR: ATOM-CHAR or `]`. */
export function isAstringChar(c: number): boolean {
  return isAtomChar(c) || c === 0x5d;
}

/** A tag's characters: ASTRING-CHAR except `+` (RFC 9051 §9 tag). */
export function isTagChar(c: number): boolean {
  return isAstringChar(c) && c !== 0x2b;
}

/** list-char (LIST patterns): ATOM-CHAR, `%`, `*` or `]`. */
export function isListChar(c: number): boolean {
  return isAstringChar(c) || c === 0x25 || c === 0x2a;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A cursor over a command's segments. */
export class Reader {
  #seg = 0;
  #pos = 0;
  #depth = 0;

  private readonly segments: readonly Segment[];
  readonly limits: ImapParserLimits;
  /** Names are UTF-8 (IMAP4rev2 or UTF8=ACCEPT enabled) rather than modified UTF-7. */
  readonly utf8Names: boolean;

  constructor(segments: readonly Segment[], limits: ImapParserLimits, utf8Names: boolean) {
    this.segments = segments;
    this.limits = limits;
    this.utf8Names = utf8Names;
  }

  get #text(): Buffer {
    return this.segments[this.#seg]?.text ?? Buffer.alloc(0);
  }

  /** Throws a ParseError. */
  fail(reason: string): never {
    throw new ParseError(reason);
  }

  /** The next octet of the current line, or -1 at its end (before a literal or the command's end). */
  peek(): number {
    const t = this.#text;
    return this.#pos < t.length ? (t[this.#pos] ?? -1) : -1;
  }

  /** True when the cursor is at a literal. */
  atLiteral(): boolean {
    return this.#pos >= this.#text.length && (this.segments[this.#seg]?.literal ?? null) !== null;
  }

  /** True when the cursor is at a literal8 (`~{n}`). */
  literalIsBinary(): boolean {
    return this.atLiteral() && this.segments[this.#seg]?.literal?.binary === true;
  }

  /** True at the end of the command. */
  atEnd(): boolean {
    return this.#pos >= this.#text.length && !this.atLiteral();
  }

  /** Consumes `c` when it is next. */
  eat(c: number): boolean {
    if (this.peek() !== c) return false;
    this.#pos++;
    return true;
  }

  /** Consumes `c` or fails saying what was expected. */
  expect(c: number, what: string): void {
    if (!this.eat(c)) this.fail(`expected ${what}`);
  }

  /** One SP. */
  sp(): void {
    if (!this.eat(SP)) this.fail(this.atEnd() ? 'missing argument' : 'expected a single space');
  }

  /** The end of the command; anything left is an error. */
  end(): void {
    if (this.atLiteral()) this.fail('unexpected literal');
    if (!this.atEnd()) this.fail('unexpected characters after the command');
  }

  /** A run of octets accepted by `ok` (ASCII only), at least one. */
  run(ok: (c: number) => boolean, what: string): string {
    const t = this.#text;
    const start = this.#pos;
    let p = start;
    while (p < t.length && ok(t[p] ?? 0)) p++;
    if (p === start) this.fail(`expected ${what}`);
    this.#pos = p;
    return t.toString('latin1', start, p);
  }

  /** An atom. */
  atom(what = 'an atom'): string {
    return this.run(isAtomChar, what);
  }

  /** An atom upper-cased (command names, keywords). */
  keyword(what = 'a keyword'): string {
    return this.atom(what).toUpperCase();
  }

  /** True (and consumed) when the next atom is `word` (case-insensitive), followed by a non-atom char. */
  eatKeyword(word: string): boolean {
    const t = this.#text;
    const end = this.#pos + word.length;
    if (end > t.length) return false;
    if (t.toString('latin1', this.#pos, end).toUpperCase() !== word) return false;
    if (end < t.length && isAtomChar(t[end] ?? 0)) return false;
    this.#pos = end;
    return true;
  }

  /** `number` (RFC 9051 §9): 32-bit unsigned. */
  number(what = 'a number'): number {
    return this.digits(what, IMAP_LIMITS.maxNumber);
  }

  /** `nz-number`: 1..2^32-1. */
  nzNumber(what = 'a non-zero number'): number {
    const n = this.number(what);
    if (n === 0) this.fail(`expected ${what}`);
    return n;
  }

  /** Digits up to `max` (no sign, no decimal point). */
  digits(what: string, max: number): number {
    const text = this.run((c) => c >= 0x30 && c <= 0x39, what);
    if (text.length > 20) this.fail(`${what} is too large`);
    const n = Number(text);
    if (n > max) this.fail(`${what} is too large`);
    return n;
  }

  /** A quoted string's contents (RFC 9051 `quoted`; UTF-8 allowed, as `utf8-quoted`). */
  quoted(): string {
    this.expect(DQUOTE, 'a quoted string');
    const t = this.#text;
    const bytes: number[] = [];
    let p = this.#pos;
    for (;;) {
      if (p >= t.length) this.fail('unterminated quoted string');
      const c = t[p] ?? 0;
      if (c === DQUOTE) break;
      if (c === BACKSLASH) {
        const next = t[p + 1];
        if (next !== DQUOTE && next !== BACKSLASH) this.fail('invalid escape in quoted string');
        bytes.push(next);
        p += 2;
        continue;
      }
      if (c === 0) this.fail('NUL in quoted string');
      bytes.push(c);
      p++;
    }
    this.#pos = p + 1;
    return decodeUtf8(Buffer.from(bytes), this);
  }

  /**
   * A literal's octets: throws NeedLiteral when they have not arrived. literal8 (`~{n}`) only
   * where `use` is 'message'; a NUL only in literal8 or a message.
   */
  literal(use: 'message' | 'string' = 'string'): Buffer {
    if (!this.atLiteral()) this.fail('expected a literal');
    const seg = this.segments[this.#seg];
    if (!seg?.literal) this.fail('expected a literal');
    if (seg.literal.binary && use !== 'message') this.fail('literal8 is not allowed here');
    if (seg.data === null) throw use === 'message' ? NEED_MESSAGE : NEED_STRING;
    const data = seg.data;
    if (use === 'string' && data.includes(0)) this.fail('NUL in literal');
    this.#seg++;
    this.#pos = 0;
    return data;
  }

  /** `string`: quoted or literal, as text. */
  string(what = 'a string'): string {
    if (this.peek() === DQUOTE) return this.quoted();
    if (this.atLiteral()) return decodeUtf8(this.literal(), this);
    return this.fail(`expected ${what}`);
  }

  /** `astring`: atom (with `]`), quoted or literal. */
  astring(what = 'a string'): string {
    if (this.peek() === DQUOTE) return this.quoted();
    if (this.atLiteral()) return decodeUtf8(this.literal(), this);
    return this.run(isAstringChar, what);
  }

  /** `nstring`: NIL or a string. */
  nstring(what = 'a string or NIL'): string | null {
    if (this.eatKeyword('NIL')) return null;
    return this.string(what);
  }

  /**
   * A parenthesised list: `(` items separated by single spaces `)`, possibly empty when
   * `allowEmpty`. Depth and length are bounded by the limits.
   */
  list<T>(item: () => T, allowEmpty = false, what = 'a parenthesised list'): T[] {
    this.expect(0x28, what);
    this.enter();
    const items: T[] = [];
    if (!this.eat(0x29)) {
      for (;;) {
        items.push(item());
        if (items.length > this.limits.maxListItems) this.fail('too many items in a list');
        if (this.eat(0x29)) break;
        this.sp();
      }
    } else if (!allowEmpty) {
      this.fail(`empty ${what}`);
    }
    this.leave();
    return items;
  }

  /** One level deeper into parentheses (or a search group); fails past the nesting limit. */
  enter(): void {
    this.#depth++;
    if (this.#depth > this.limits.maxNestingDepth) this.fail('too deeply nested');
  }

  leave(): void {
    this.#depth--;
  }
}

function decodeUtf8(bytes: Buffer, reader: Reader): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return reader.fail('invalid UTF-8 in string');
  }
}
