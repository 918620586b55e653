/**
 * RFC 5322 §3.4 address lists (From:, To:, Cc:, Reply-To:…): name-addr and addr-spec mailboxes,
 * groups, quoted local parts and display names, comments (nested, bounded), domain literals, the
 * obsolete forms of §4.4 that are safe to accept (route in angle brackets, `John Q. Public`
 * phrases, CFWS around dots, empty list elements, the `addr (Name)` comment-as-name habit),
 * RFC 2047 encoded words in display names and RFC 6532 UTF-8. Formatting back to header text, and
 * RFC 5321 §4.1.2 mailbox checks for envelopes. Malformed input (unterminated quotes, comments or
 * literals, missing domains) raises OutpostError ERR_PARSE; sizes are capped by MESSAGE_LIMITS.
 */
import { ErrorCodes, OutpostError } from '../../core/errors.js';
import { ADDRESS_LIMITS } from '../../core/limits.js';
import {
  decodeEncodedWords,
  encodeUnstructured,
  encodeWords,
  looksEncoded,
  needsEncoding,
} from './encoded-word.js';
import { MESSAGE_LIMITS } from './limits.js';

/** One mailbox. */
export interface Mailbox {
  readonly kind: 'mailbox';
  /** Display name, decoded (RFC 2047) and unquoted; '' when none. */
  readonly name: string;
  /** The local part's value (quotes and escapes removed). */
  readonly local: string;
  /** The domain as written (a domain literal keeps its brackets). */
  readonly domain: string;
  /** `local@domain`, the local part quoted again when it needs it. */
  readonly address: string;
}

/** A group (RFC 5322 §3.4): `Friends: a@x, b@y;` or `undisclosed-recipients:;`. */
export interface Group {
  readonly kind: 'group';
  readonly name: string;
  readonly members: readonly Mailbox[];
}

export type Address = Mailbox | Group;

type Token =
  | { readonly t: 'atom'; readonly v: string; readonly space: boolean }
  | { readonly t: 'quoted'; readonly v: string; readonly space: boolean }
  | { readonly t: 'literal'; readonly v: string; readonly space: boolean }
  | { readonly t: 'comment'; readonly v: string; readonly space: boolean }
  | { readonly t: 'special'; readonly v: string; readonly space: boolean };

const SPECIALS = '()<>[]:;@\\,."';

function fail(message: string): OutpostError {
  return new OutpostError(ErrorCodes.PARSE, `address: ${message}`);
}

/** Splits a structured header value into tokens (RFC 5322 §3.2). */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let space = false;
  const maxTokens = MESSAGE_LIMITS.maxFieldOctets;
  while (i < text.length) {
    if (tokens.length > maxTokens) throw fail('too many tokens');
    const c = text[i] ?? '';
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      space = true;
      i++;
    } else if (c === '(') {
      let depth = 0;
      let v = '';
      for (;;) {
        const d = text[i];
        if (d === undefined) throw fail('unterminated comment');
        if (d === '\\') {
          v += text[i + 1] ?? '';
          i += 2;
          continue;
        }
        if (d === '(') {
          depth++;
          if (depth > MESSAGE_LIMITS.maxCommentDepth) throw fail('comments nested too deeply');
          if (depth > 1) v += d;
        } else if (d === ')') {
          depth--;
          if (depth === 0) {
            i++;
            break;
          }
          v += d;
        } else v += d;
        i++;
      }
      tokens.push({ t: 'comment', v, space });
      space = true;
    } else if (c === '"') {
      let v = '';
      i++;
      for (;;) {
        const d = text[i];
        if (d === undefined) throw fail('unterminated quoted string');
        if (d === '\\') {
          v += text[i + 1] ?? '';
          i += 2;
        } else if (d === '"') {
          i++;
          break;
        } else if (d === '\r' || d === '\n') i++;
        else {
          v += d;
          i++;
        }
      }
      tokens.push({ t: 'quoted', v, space });
      space = false;
    } else if (c === '[') {
      const end = text.indexOf(']', i);
      if (end < 0) throw fail('unterminated domain literal');
      const v = text.slice(i, end + 1);
      if (/[[\\]/.test(v.slice(1, -1))) throw fail('bad domain literal');
      tokens.push({ t: 'literal', v: v.replace(/[ \t\r\n]/g, ''), space });
      i = end + 1;
      space = false;
    } else if (SPECIALS.includes(c)) {
      tokens.push({ t: 'special', v: c, space });
      i++;
      space = false;
    } else {
      let j = i;
      while (j < text.length && !SPECIALS.includes(text[j] ?? '') && !/[ \t\r\n]/.test(text[j] ?? '')) j++;
      const v = text.slice(i, j);
      // eslint-disable-next-line no-control-regex
      if (/[\x00-\x1f\x7f]/.test(v)) throw fail('control character');
      tokens.push({ t: 'atom', v, space });
      i = j;
      space = false;
    }
  }
  return tokens;
}

/** A dot-atom local part needs no quotes (RFC 5322 §3.2.3); anything else gets them. */
function quoteLocal(local: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[^\x00-\x20\x7f()<>[\]:;@\\,."]+(?:\.[^\x00-\x20\x7f()<>[\]:;@\\,."]+)*$/.test(local)) return local;
  return `"${local.replace(/(["\\])/g, '\\$1')}"`;
}

class AddressParser {
  readonly #tokens: Token[];
  #pos = 0;
  /** The comment tokens skipped since the last `take` (for the `addr (Name)` obsolete habit). */
  #comments: string[] = [];

  constructor(text: string) {
    this.#tokens = tokenize(text);
  }

  #skipComments(): void {
    for (;;) {
      const tok = this.#tokens[this.#pos];
      if (tok?.t !== 'comment') return;
      this.#comments.push(tok.v);
      this.#pos++;
    }
  }

  peek(): Token | undefined {
    this.#skipComments();
    return this.#tokens[this.#pos];
  }

  take(): Token | undefined {
    const tok = this.peek();
    if (tok) this.#pos++;
    this.#comments = [];
    return tok;
  }

  isSpecial(v: string): boolean {
    const tok = this.peek();
    return tok?.t === 'special' && tok.v === v;
  }

  expect(v: string, what: string): void {
    if (!this.isSpecial(v)) throw fail(`expected "${v}" ${what}`);
    this.take();
  }

  list(): Address[] {
    const out: Address[] = [];
    while (this.peek()) {
      if (this.isSpecial(',')) {
        this.take();
        continue;
      }
      out.push(this.address(true));
      if (out.length > MESSAGE_LIMITS.maxAddresses) throw fail('too many addresses');
      if (this.peek() && !this.isSpecial(',')) throw fail(`unexpected "${this.peek()?.v ?? ''}"`);
    }
    return out;
  }

  /** Words (atoms, quoted strings, dots) up to the next structural special. */
  phrase(): Token[] {
    const words: Token[] = [];
    for (;;) {
      const tok = this.peek();
      if (!tok) break;
      if (tok.t === 'atom' || tok.t === 'quoted' || (tok.t === 'special' && tok.v === '.')) {
        words.push(tok);
        this.take();
      } else break;
    }
    return words;
  }

  address(groupAllowed: boolean): Address {
    const start = this.#pos;
    const words = this.phrase();
    const next = this.peek();
    if (next?.t === 'special' && next.v === ':' && words.length) {
      if (!groupAllowed) throw fail('group inside a group');
      this.take();
      const members: Mailbox[] = [];
      while (!this.isSpecial(';')) {
        if (!this.peek()) throw fail('unterminated group');
        if (this.isSpecial(',')) {
          this.take();
          continue;
        }
        const member = this.address(false);
        if (member.kind === 'mailbox') members.push(member);
        if (members.length > MESSAGE_LIMITS.maxAddresses) throw fail('too many addresses');
      }
      this.take();
      return { kind: 'group', name: phraseText(words), members };
    }
    if (next?.t === 'special' && next.v === '<') {
      this.take();
      // obs-route (RFC 5322 §4.4): `<@a,@b:user@c>`; the route is ignored.
      if (this.isSpecial('@')) {
        while (this.peek() && !this.isSpecial(':')) this.take();
        this.expect(':', 'after a route');
      }
      const spec = this.addrSpec(this.phrase());
      this.expect('>', 'to close the angle address');
      return mailbox(phraseText(words), spec);
    }
    this.#pos = start;
    const spec = this.addrSpec(this.phrase());
    // Obsolete `user@host (Real Name)`: the trailing comment becomes the display name.
    this.peek();
    const comment = this.#comments.join(' ').trim();
    return mailbox(comment ? decodeEncodedWords(comment) : '', spec);
  }

  addrSpec(localWords: Token[]): { local: string; domain: string } {
    if (localWords.length === 0) throw fail(`expected an address, got "${this.peek()?.v ?? 'end'}"`);
    let local = '';
    let expectWord = true;
    for (const w of localWords) {
      const isDot = w.t === 'special';
      if (isDot === expectWord) throw fail('bad local part');
      local += w.v;
      expectWord = isDot;
    }
    if (expectWord) throw fail('local part ends with a dot');
    if (!this.isSpecial('@')) throw fail(`missing "@domain" after "${local}"`);
    this.take();
    const first = this.take();
    if (!first || (first.t !== 'atom' && first.t !== 'literal')) throw fail('missing domain');
    let domain = first.v;
    if (first.t === 'atom') {
      while (this.isSpecial('.')) {
        this.take();
        const label = this.take();
        if (label?.t !== 'atom') throw fail('bad domain');
        domain += `.${label.v}`;
      }
    }
    return { local, domain };
  }
}

function phraseText(words: readonly Token[]): string {
  let out = '';
  let prevEncoded = false;
  for (const [i, w] of words.entries()) {
    const encoded = w.t === 'atom' && /^=\?.*\?=$/.test(w.v);
    if (i > 0 && w.space && !(encoded && prevEncoded)) out += ' ';
    out += encoded ? decodeEncodedWords(w.v) : w.v;
    prevEncoded = encoded;
  }
  return out.trim();
}

function mailbox(name: string, spec: { local: string; domain: string }): Mailbox {
  return { kind: 'mailbox', name, ...spec, address: `${quoteLocal(spec.local)}@${spec.domain}` };
}

/** Parses an address-list header value (RFC 5322 §3.4). Throws ERR_PARSE on malformed input. */
export function parseAddressList(value: string): Address[] {
  return new AddressParser(value).list();
}

/** Every mailbox of an address list, groups flattened. */
export function flattenAddresses(addresses: readonly Address[]): Mailbox[] {
  return addresses.flatMap((a) => (a.kind === 'group' ? a.members : [a]));
}

/** Parses exactly one mailbox (`Name <a@b>` or `a@b`); throws ERR_PARSE otherwise. */
export function parseMailbox(value: string): Mailbox {
  const list = parseAddressList(value);
  const only = list[0];
  if (list.length !== 1 || only?.kind !== 'mailbox') throw fail('expected exactly one mailbox');
  return only;
}

/** An RFC 5322 §3.2.3 atom, or an encoded word (which is one too). */
const ATOM = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+$/;

/** A display name as a phrase: atoms as they are, otherwise quoted, or encoded words. */
function formatPhrase(name: string, utf8: boolean): string {
  if (!utf8 && needsEncoding(name)) {
    // RFC 2047 §5 (3): in a phrase, what stays unencoded must be atoms (`é <x>` or `é, a` would
    // otherwise change the address list); when it is not, the whole name is encoded.
    const mixed = encodeUnstructured(name);
    return mixed.split(' ').every((w) => ATOM.test(w)) ? mixed : encodeWords(name);
  }
  // A raw name that looks like an encoded word would be decoded by readers; quoted, it is not.
  if (
    !looksEncoded(name) &&
    // eslint-disable-next-line no-control-regex
    /^[^\x00-\x20\x7f()<>[\]:;@\\,."]+(?: [^\x00-\x20\x7f()<>[\]:;@\\,."]+)*$/.test(name)
  )
    return name;
  return `"${name.replace(/(["\\])/g, '\\$1')}"`;
}

/**
 * A mailbox as header text: `Name <local@domain>` or `local@domain`. With `utf8` (RFC 6532,
 * SMTPUTF8 peers) non-ASCII names stay raw; otherwise they become encoded words.
 */
export function formatMailbox(mb: { name?: string; address: string }, utf8 = false): string {
  const name = mb.name ?? '';
  return name === '' ? mb.address : `${formatPhrase(name, utf8)} <${mb.address}>`;
}

/** An address list as header text, comma separated. */
export function formatAddressList(list: readonly (Mailbox | Group)[], utf8 = false): string {
  return list
    .map((a) =>
      a.kind === 'group'
        ? `${formatPhrase(a.name, utf8)}: ${a.members.map((m) => formatMailbox(m, utf8)).join(', ')};`
        : formatMailbox(a, utf8),
    )
    .join(', ');
}

const DOT_STRING =
  /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\uffff]+(?:\.[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\uffff]+)*$/u;
const QUOTED = /^"(?:[\x20\x21\x23-\x5b\x5d-\x7e\u0080-\uffff]|\\[\x20-\x7e])*"$/u;
const LABEL = /^(?:[A-Za-z0-9\u0080-\uffff](?:[A-Za-z0-9\u0080-\uffff-]*[A-Za-z0-9\u0080-\uffff])?)$/u;
const ADDRESS_LITERAL = /^\[(?:\d{1,3}(?:\.\d{1,3}){3}|IPv6:[0-9A-Fa-f:.]+)\]$/;

/**
 * True when `address` is an RFC 5321 §4.1.2 Mailbox (Dot-string or Quoted-string local part,
 * a domain or address literal), within the §4.5.3.1 size limits. UTF-8 is allowed (RFC 6531).
 */
export function isValidMailbox(address: string): boolean {
  const at = address.lastIndexOf('@');
  if (at <= 0) return false;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (Buffer.byteLength(local) > ADDRESS_LIMITS.localPartMaxOctets) return false;
  if (Buffer.byteLength(domain) > ADDRESS_LIMITS.domainMaxOctets) return false;
  if (!DOT_STRING.test(local) && !QUOTED.test(local)) return false;
  if (ADDRESS_LITERAL.test(domain)) return true;
  return domain
    .split('.')
    .every((l) => LABEL.test(l) && Buffer.byteLength(l) <= ADDRESS_LIMITS.labelMaxOctets);
}

/** The domain of an envelope address, lower-cased; '' for the null path. */
export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1).toLowerCase();
}
