/**
 * FETCH and UID FETCH (RFC 9051 §6.4.5): the macros ALL/FAST/FULL, every data item including
 * BODY[section]<partial>, BODY.PEEK, BINARY[part] and BINARY.SIZE (RFC 3516), MODSEQ, and the
 * CHANGEDSINCE / VANISHED modifiers (RFC 7162 §3.1.4, §3.2.6).
 */
import type { CommandBody, FetchItem, FetchSimpleName, Partial, Section } from '../command.js';
import { modSeq, sequenceSet } from '../grammar.js';
import { isAtomChar, type Reader } from '../reader.js';

const SIMPLE: readonly FetchSimpleName[] = [
  'FLAGS',
  'INTERNALDATE',
  'RFC822.SIZE',
  'ENVELOPE',
  'BODYSTRUCTURE',
  'BODY',
  'UID',
  'MODSEQ',
  'RFC822',
  'RFC822.HEADER',
  'RFC822.TEXT',
];

const MACROS: Readonly<Record<string, readonly FetchSimpleName[]>> = {
  ALL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE'],
  FAST: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE'],
  FULL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY'],
};

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

/** A fetch-att name: atom chars up to `[` or `<`. */
function itemName(r: Reader): string {
  return r.run((c) => isAtomChar(c) && c !== 0x5b && c !== 0x3c, 'a fetch item').toUpperCase();
}

/** `section-part`: nz-number *("." nz-number); reports whether a `.` then a text specifier follows. */
function sectionPart(r: Reader): { part: number[]; textFollows: boolean } {
  const part: number[] = [];
  while (isDigit(r.peek())) {
    part.push(r.nzNumber('a part number'));
    if (part.length > r.limits.maxNestingDepth) r.fail('section part number too deep');
    if (!r.eat(0x2e)) return { part, textFollows: false };
    if (!isDigit(r.peek())) return { part, textFollows: true };
  }
  return { part, textFollows: part.length === 0 };
}

/** `section` (RFC 9051 §9): `[` [part ["." text] / text] `]`. */
function section(r: Reader): Section {
  r.expect(0x5b, '[');
  if (r.eat(0x5d)) return { part: [], text: null, fields: [] };
  const { part, textFollows } = sectionPart(r);
  if (!textFollows) {
    r.expect(0x5d, '] after the section');
    return { part, text: null, fields: [] };
  }
  const word = r.run((c) => isAtomChar(c) && c !== 0x5b, 'a section text').toUpperCase();
  let text: Section['text'];
  let fields: string[] = [];
  if (word === 'HEADER' || word === 'TEXT') text = word;
  else if (word === 'MIME' && part.length > 0) text = 'MIME';
  else if (word === 'HEADER.FIELDS' || word === 'HEADER.FIELDS.NOT') {
    text = word;
    r.sp();
    // header-list: "(" header-fld-name *(SP header-fld-name) ")", names are astrings.
    fields = r.list(() => r.astring('a header field name').toUpperCase(), false, 'a header list');
    // eslint-disable-next-line no-control-regex
    if (fields.some((f) => /[\x00-\x20\x7f:]/.test(f))) r.fail('invalid header field name');
  } else {
    r.fail(`unknown section text ${word}`);
  }
  r.expect(0x5d, '] after the section');
  return { part, text, fields };
}

/** `section-binary`: `[` [section-part] `]`. */
function binarySection(r: Reader): number[] {
  r.expect(0x5b, '[');
  const part: number[] = [];
  while (isDigit(r.peek())) {
    part.push(r.nzNumber('a part number'));
    if (part.length > r.limits.maxNestingDepth) r.fail('section part number too deep');
    if (!r.eat(0x2e)) break;
  }
  r.expect(0x5d, '] after the binary section');
  return part;
}

/** `partial`: `<` number `.` nz-number `>`. */
function partial(r: Reader): Partial | null {
  if (!r.eat(0x3c)) return null;
  const offset = r.number('a partial offset');
  r.expect(0x2e, '. in the partial range');
  const length = r.nzNumber('a partial length');
  r.expect(0x3e, '> after the partial range');
  return { offset, length };
}

function fetchAtt(r: Reader): FetchItem {
  const name = itemName(r);
  if (r.peek() === 0x5b) {
    if (name === 'BODY' || name === 'BODY.PEEK') {
      const s = section(r);
      return { kind: 'BODY[]', peek: name === 'BODY.PEEK', section: s, partial: partial(r) };
    }
    if (name === 'BINARY' || name === 'BINARY.PEEK') {
      const part = binarySection(r);
      return { kind: 'BINARY[]', peek: name === 'BINARY.PEEK', part, partial: partial(r) };
    }
    if (name === 'BINARY.SIZE') return { kind: 'BINARY.SIZE', part: binarySection(r) };
    r.fail(`${name} takes no section`);
  }
  const simple = SIMPLE.find((s) => s === name);
  if (simple === undefined) r.fail(`unknown fetch item ${name}`);
  return { kind: simple };
}

/** FETCH / UID FETCH after the command name. */
export function parseFetch(r: Reader, uid: boolean): CommandBody {
  r.sp();
  const set = sequenceSet(r);
  r.sp();
  let items: FetchItem[];
  if (r.peek() === 0x28) {
    items = r.list(() => fetchAtt(r), false, 'a fetch item list');
  } else {
    // A macro, or one fetch-att. Peek at the word without consuming it.
    const macro = ['ALL', 'FAST', 'FULL'].find((m) => r.eatKeyword(m));
    items = macro === undefined ? [fetchAtt(r)] : (MACROS[macro] ?? []).map((kind) => ({ kind }));
  }
  const mods: { changedSince: number | null; vanished: boolean } = { changedSince: null, vanished: false };
  if (r.eat(0x20)) {
    r.list(() => {
      const word = r.keyword('a fetch modifier');
      if (word === 'CHANGEDSINCE' && mods.changedSince === null) {
        r.sp();
        mods.changedSince = modSeq(r, true);
      } else if (word === 'VANISHED' && !mods.vanished) {
        mods.vanished = true;
      } else {
        r.fail(`unknown or repeated fetch modifier ${word}`);
      }
      return word;
    });
  }
  r.end();
  // RFC 7162 §3.2.6: VANISHED only in UID FETCH, and only with CHANGEDSINCE.
  const { changedSince, vanished } = mods;
  if (vanished && (!uid || changedSince === null)) r.fail('VANISHED needs UID FETCH with CHANGEDSINCE');
  // RFC 7162 §3.1.4.1: CHANGEDSINCE implies MODSEQ in every FETCH response.
  if (changedSince !== null && !items.some((i) => i.kind === 'MODSEQ')) items.push({ kind: 'MODSEQ' });
  return { name: 'FETCH', uid, set, items, changedSince, vanished };
}
