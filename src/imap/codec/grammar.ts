/**
 * The composite pieces of RFC 9051 §9 that several commands share, read from a Reader:
 * sequence sets (with `*` and `$`), flags and flag lists, mailbox names (decoded from modified
 * UTF-7 or taken as UTF-8), LIST patterns, dates and date-times, mod-sequences, status items.
 */
import { parseDateText, parseDateTime, type ImapDate } from './date.js';
import { decodeMailboxName } from './mailbox-name.js';
import { isAtomChar, isListChar, type Reader } from './reader.js';
import type { SeqNumber, SeqRange, SequenceSet } from './sequence-set.js';
import type { StatusItem } from './command.js';

function seqNumber(r: Reader): SeqNumber {
  if (r.eat(0x2a)) return '*';
  return r.nzNumber('a sequence number');
}

/** `sequence-set` or `$` (RFC 5182), bounded by maxSequenceRanges. */
export function sequenceSet(r: Reader): SequenceSet {
  if (r.eat(0x24)) return { kind: 'saved' };
  const ranges: SeqRange[] = [];
  for (;;) {
    const from = seqNumber(r);
    const to = r.eat(0x3a) ? seqNumber(r) : from;
    ranges.push({ from, to });
    if (ranges.length > r.limits.maxSequenceRanges) r.fail('too many ranges in a sequence set');
    if (!r.eat(0x2c)) break;
  }
  return { kind: 'ranges', ranges };
}

const MAX_MODSEQ = 2n ** 63n - 1n;

/**
 * A `mod-sequence-value` (RFC 7162 §7): 1..2^63-1 (0 too where `mod-sequence-valzer` is
 * allowed). Values past 2^53 lose precision as numbers but keep their order against the
 * store's, which never grow that large, so "changed since" comparisons stay right.
 */
export function modSeq(r: Reader, allowZero = false): number {
  const text = r.run((c) => c >= 0x30 && c <= 0x39, 'a mod-sequence');
  if (text.length > 19 || BigInt(text) > MAX_MODSEQ) r.fail('mod-sequence is too large');
  const n = Number(text);
  if (n === 0 && !allowZero) r.fail('mod-sequence must not be zero');
  return n;
}

const SYSTEM_FLAGS = ['\\ANSWERED', '\\FLAGGED', '\\DELETED', '\\SEEN', '\\DRAFT'];

/**
 * A `flag` (RFC 9051 §9): a system flag in its canonical spelling (`\Seen`), a keyword atom,
 * or a `\`-extension flag. `\Recent` is refused unless `allowRecent` (clients may not set it).
 */
export function flag(r: Reader, opts: { allowRecent?: boolean } = {}): string {
  if (r.eat(0x5c)) {
    const name = r.atom('a flag name');
    const upper = `\\${name.toUpperCase()}`;
    if (SYSTEM_FLAGS.includes(upper) || (opts.allowRecent && upper === '\\RECENT')) {
      return `\\${name[0]?.toUpperCase() ?? ''}${name.slice(1).toLowerCase()}`;
    }
    if (upper === '\\RECENT') r.fail('\\Recent cannot be set by a client');
    return `\\${name}`;
  }
  return r.atom('a flag');
}

/** `flag-list`: `(` flags `)`, possibly empty. */
export function flagList(r: Reader): string[] {
  return r.list(() => flag(r), true, 'a flag list');
}

/** `mailbox`: an astring decoded for the store (see mailbox-name.ts). */
export function mailbox(r: Reader): string {
  const wire = r.astring('a mailbox name');
  const decoded = decodeMailboxName(wire, r.utf8Names);
  if (!decoded.ok) r.fail(decoded.reason);
  return decoded.name;
}

/** `list-mailbox` (LIST/LSUB pattern): list-chars or a string, decoded like a mailbox name. */
export function listMailbox(r: Reader): string {
  const c = r.peek();
  const wire =
    c === 0x22 || r.atLiteral() ? r.string('a mailbox pattern') : r.run(isListChar, 'a mailbox pattern');
  const decoded = decodeMailboxName(wire, r.utf8Names);
  if (!decoded.ok) r.fail(decoded.reason);
  // Only a whole-name INBOX is canonicalised by decodeMailboxName; patterns keep their case otherwise.
  return decoded.name;
}

/** `date` (SEARCH): `d-Mon-yyyy`, optionally quoted. */
export function date(r: Reader): ImapDate {
  const text = r.peek() === 0x22 ? r.quoted() : r.run((c) => isAtomChar(c), 'a date');
  const d = parseDateText(text);
  if (!d) r.fail('invalid date');
  return d;
}

/** `date-time` (APPEND): always quoted. */
export function dateTime(r: Reader): Date {
  if (r.peek() !== 0x22) r.fail('expected a quoted date-time');
  const d = parseDateTime(r.quoted());
  if (!d) r.fail('invalid date-time');
  return d;
}

const STATUS_ITEMS: readonly StatusItem[] = [
  'MESSAGES',
  'UIDNEXT',
  'UIDVALIDITY',
  'UNSEEN',
  'DELETED',
  'SIZE',
  'RECENT',
  'HIGHESTMODSEQ',
  'APPENDLIMIT',
];

/** `"(" status-att *(SP status-att) ")"` (STATUS, LIST RETURN (STATUS …)). */
export function statusItems(r: Reader): StatusItem[] {
  return r.list(() => {
    const name = r.keyword('a status item');
    const item = STATUS_ITEMS.find((s) => s === name);
    if (item === undefined) r.fail(`unknown status item ${name}`);
    return item;
  });
}
