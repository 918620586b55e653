/**
 * Server responses for the client (RFC 9051 §7), pure: one response is the lines and literals
 * the client read (`{n}` at a line's end announces n octets, then the line goes on), parsed into
 * its tag, its kind and its data. Data is a tree of values: atoms as strings (a FETCH item name
 * keeps its `[section]<partial>`), quoted strings and literals as Buffers, NIL as null, lists as
 * arrays. Status responses (OK, NO, BAD, BYE, PREAUTH) keep their response code and text as
 * text. Bounded nesting; every malformed response throws `ImapResponseError`.
 */
import { IMAP_CLIENT_LIMITS } from './limits.js';

/** A value of response data. */
export type ImapValue = string | Buffer | null | ImapValue[];

/** One line of a response (without CRLF and literal marker) and the literal that followed it. */
export interface ResponseSegment {
  readonly text: Buffer;
  readonly literal: Buffer | null;
}

/** A parsed response. */
export type ImapResponse =
  | { readonly kind: 'continuation'; readonly text: string }
  | {
      readonly kind: 'status';
      /** `*` for untagged, else the command's tag. */
      readonly tag: string;
      readonly status: 'OK' | 'NO' | 'BAD' | 'BYE' | 'PREAUTH';
      /** The response code's text without brackets (`APPENDUID 38505 3955`), or null. */
      readonly code: string | null;
      readonly text: string;
    }
  | {
      readonly kind: 'data';
      /** Upper-cased: CAPABILITY, LIST, STATUS, SEARCH, FLAGS, EXISTS, FETCH, … */
      readonly name: string;
      /** The number before the name (`* 3 FETCH`, `* 5 EXISTS`), or null. */
      readonly number: number | null;
      readonly data: ImapValue[];
    };

/** A response the client cannot parse. */
export class ImapResponseError extends Error {
  override readonly name = 'ImapResponseError';
}

const STATUSES = new Set(['OK', 'NO', 'BAD', 'BYE', 'PREAUTH']);

/** The literal marker at the end of a response line: its size, or null. */
export function literalAtEnd(line: Buffer): number | null {
  if (line.length < 3 || line[line.length - 1] !== 0x7d) return null;
  const open = line.lastIndexOf(0x7b);
  if (open < 0) return null;
  const digits = line.toString('latin1', open + 1, line.length - 1);
  if (!/^\d{1,12}$/.test(digits)) return null;
  return Number(digits);
}

/** Parses one response. */
export function parseResponse(segments: readonly ResponseSegment[]): ImapResponse {
  const first = segments[0];
  if (first === undefined) throw new ImapResponseError('empty response');
  const head = first.text.toString('latin1');
  if (head.startsWith('+')) return { kind: 'continuation', text: head.slice(1).trimStart() };
  const tagEnd = head.indexOf(' ');
  if (tagEnd <= 0) throw new ImapResponseError(`malformed response: ${preview(head)}`);
  const tag = head.slice(0, tagEnd);
  const cursor = new Cursor(segments, tagEnd + 1);
  let number: number | null = null;
  let name = cursor.word();
  if (/^\d+$/.test(name)) {
    number = Number(name);
    name = cursor.word();
  }
  name = name.toUpperCase();
  if (STATUSES.has(name) && number === null) {
    const rest = first.text.toString('utf8', cursor.position).replace(/^ /, '');
    const code = rest.startsWith('[') ? rest.slice(1, Math.max(1, rest.indexOf(']'))) : null;
    const text = code === null ? rest : rest.slice(code.length + 2).replace(/^ /, '');
    return { kind: 'status', tag, status: name as 'OK', code, text };
  }
  if (tag !== '*') throw new ImapResponseError(`tagged response without a status: ${preview(head)}`);
  return { kind: 'data', name, number, data: cursor.values() };
}

function preview(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

/** Reads values across a response's segments. */
class Cursor {
  #seg = 0;
  #pos: number;
  readonly #segments: readonly ResponseSegment[];

  constructor(segments: readonly ResponseSegment[], pos: number) {
    this.#segments = segments;
    this.#pos = pos;
  }

  get position(): number {
    return this.#pos;
  }

  get #text(): Buffer {
    return this.#segments[this.#seg]?.text ?? Buffer.alloc(0);
  }

  #peek(): number {
    const t = this.#text;
    return this.#pos < t.length ? (t[this.#pos] ?? -1) : -1;
  }

  #skipSpaces(): void {
    while (this.#peek() === 0x20) this.#pos++;
  }

  /** A run of non-space octets on the current line. */
  word(): string {
    this.#skipSpaces();
    const t = this.#text;
    const start = this.#pos;
    while (this.#pos < t.length && t[this.#pos] !== 0x20) this.#pos++;
    if (this.#pos === start) throw new ImapResponseError('response ends early');
    return t.toString('latin1', start, this.#pos);
  }

  /** Every value to the response's end. */
  values(): ImapValue[] {
    // An explicit stack instead of recursion: nesting is bounded, never the JS stack.
    const stack: ImapValue[][] = [[]];
    for (;;) {
      this.#skipSpaces();
      const top = stack[stack.length - 1] ?? [];
      const c = this.#peek();
      if (c === -1) {
        const literal = this.#segments[this.#seg]?.literal ?? null;
        if (literal === null) break;
        top.push(literal);
        this.#seg++;
        this.#pos = 0;
        continue;
      }
      if (c === 0x28) {
        if (stack.length > IMAP_CLIENT_LIMITS.maxNestingDepth)
          throw new ImapResponseError('lists nested too deeply');
        const list: ImapValue[] = [];
        top.push(list);
        stack.push(list);
        this.#pos++;
      } else if (c === 0x29) {
        if (stack.length === 1) throw new ImapResponseError('unbalanced )');
        stack.pop();
        this.#pos++;
      } else if (c === 0x22) {
        top.push(this.#quoted());
      } else if (c === 0x7b) {
        // `{n}` closes the line (the segment's text excludes it): the literal comes next.
        throw new ImapResponseError('literal marker inside a line');
      } else {
        const atom = this.#atom();
        top.push(atom.toUpperCase() === 'NIL' ? null : atom);
      }
    }
    if (stack.length !== 1) throw new ImapResponseError('unbalanced (');
    return stack[0] ?? [];
  }

  #quoted(): Buffer {
    const t = this.#text;
    const out: number[] = [];
    let p = this.#pos + 1;
    for (;;) {
      if (p >= t.length) throw new ImapResponseError('unterminated quoted string');
      const c = t[p] ?? 0;
      if (c === 0x22) break;
      if (c === 0x5c) {
        p++;
        if (p >= t.length) throw new ImapResponseError('unterminated quoted string');
      }
      out.push(t[p] ?? 0);
      p++;
    }
    this.#pos = p + 1;
    return Buffer.from(out);
  }

  /** An atom; `[…]` inside one (BODY[HEADER.FIELDS (FROM)]) is kept whole, spaces included. */
  #atom(): string {
    const t = this.#text;
    const start = this.#pos;
    let p = start;
    while (p < t.length) {
      const c = t[p] ?? 0;
      if (c === 0x5b) {
        const close = t.indexOf(0x5d, p);
        if (close < 0) throw new ImapResponseError('unterminated [');
        p = close + 1;
        continue;
      }
      if (c <= 0x20 || c === 0x28 || c === 0x29 || c === 0x22 || c === 0x7b || c === 0x7f) break;
      p++;
    }
    if (p === start) throw new ImapResponseError(`unexpected octet 0x${(t[p] ?? 0).toString(16)}`);
    this.#pos = p;
    return t.toString('latin1', start, p);
  }
}
