/**
 * Does a reply answer our query? The anti-spoofing gate of the stub client (RFC 5452 §9.1): a
 * reply is ours only when QR is set, the ID and opcode are ours, and its question is our
 * question (same type and class; the name equal ignoring ASCII case per RFC 4343, or octet for
 * octet when we randomised the case, draft-vixie-dnsext-dns0x20). Replies that fail are ignored
 * on UDP, where anyone can send us datagrams, and are errors on TCP. A reply with no question
 * is accepted only for an error rcode: servers answer FORMERR/NOTIMP/REFUSED that way, and
 * such a reply cannot poison anything.
 */
import { randomInt } from 'node:crypto';
import { Rcode } from '../constants.js';
import { namesEqual } from '../name.js';
import type { Message } from '../types.js';

/** How strictly to compare the reply's question name with ours. */
export interface MatchOptions {
  /** Require the exact case we sent (set when the query name's case was randomised). */
  readonly exactCase?: boolean;
  /**
   * Require the question even in error replies (the recursive resolver: a question-less
   * datagram that happens to carry our id must not end the wait, TuDoor 2024).
   */
  readonly requireQuestion?: boolean;
}

/** Why `reply` does not answer `query`, or `undefined` when it does. */
export function replyMismatch(
  query: Message,
  reply: Message,
  options: MatchOptions = {},
): string | undefined {
  const h = reply.header;
  if (!h.qr) return 'QR bit clear (not a response)';
  if (h.id !== query.header.id) return `id ${h.id}, expected ${query.header.id}`;
  if (h.opcode !== query.header.opcode) return `opcode ${h.opcode}, expected ${query.header.opcode}`;
  const ours = query.questions[0];
  if (ours === undefined) return undefined;
  const theirs = reply.questions[0];
  if (theirs === undefined) {
    if (options.requireQuestion === true) return 'no question section';
    return h.rcode === Rcode.NOERROR ? 'no question section in a NOERROR reply' : undefined;
  }
  if (reply.questions.length !== 1) return `${reply.questions.length} questions, expected 1`;
  const sameName =
    options.exactCase === true ? theirs.name === ours.name : namesEqual(theirs.name, ours.name);
  if (!sameName) return `question name ${theirs.name}, expected ${ours.name}`;
  if (theirs.type !== ours.type || theirs.class !== ours.class) {
    return `question type/class ${theirs.type}/${theirs.class}, expected ${ours.type}/${ours.class}`;
  }
  return undefined;
}

/**
 * Randomise the case of the ASCII letters of `name` (DNS 0x20): an off-path attacker must then
 * also guess the case pattern. Escapes (`\065`) are left alone. `coin` defaults to crypto randomness.
 */
export function randomizeCase(name: string, coin: () => boolean = () => randomInt(2) === 1): string {
  let out = '';
  let escaped = false;
  for (const ch of name) {
    if (escaped) {
      out += ch;
      escaped = false;
    } else if (ch === '\\') {
      out += ch;
      escaped = true;
    } else if (/[a-zA-Z]/.test(ch)) {
      out += coin() ? ch.toLowerCase() : ch.toUpperCase();
    } else {
      out += ch;
    }
  }
  return out;
}
