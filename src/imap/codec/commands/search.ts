/**
 * SEARCH and UID SEARCH (RFC 9051 §6.4.4, RFC 3501 §6.4.4): RETURN options (ESEARCH, RFC 4731;
 * SAVE, RFC 5182), CHARSET, and every search key including OR/NOT/groups, MODSEQ (RFC 7162
 * §3.1.5) and OLDER/YOUNGER (RFC 5032). Bounded: at most maxSearchKeys keys and maxSearchDepth
 * levels of NOT/OR/parentheses, so `NOT NOT NOT …` or 1000-deep groups cannot exhaust the stack.
 */
import type { CommandBody, SearchReturnOption } from '../command.js';
import { date, flag, modSeq, sequenceSet } from '../grammar.js';
import type { Reader } from '../reader.js';
import type { SearchKey } from '../search-key.js';

interface Budget {
  keys: number;
  depth: number;
}

const FLAG_KEYS: Readonly<Record<string, readonly [string, boolean]>> = {
  ANSWERED: ['\\Answered', true],
  UNANSWERED: ['\\Answered', false],
  DELETED: ['\\Deleted', true],
  UNDELETED: ['\\Deleted', false],
  DRAFT: ['\\Draft', true],
  UNDRAFT: ['\\Draft', false],
  FLAGGED: ['\\Flagged', true],
  UNFLAGGED: ['\\Flagged', false],
  SEEN: ['\\Seen', true],
  UNSEEN: ['\\Seen', false],
  RECENT: ['\\Recent', true],
  OLD: ['\\Recent', false],
};

const HEADER_KEYS: Readonly<Record<string, string>> = {
  FROM: 'FROM',
  TO: 'TO',
  CC: 'CC',
  BCC: 'BCC',
  SUBJECT: 'SUBJECT',
};

const DATE_KEYS: Readonly<Record<string, readonly ['internal' | 'sent', 'before' | 'on' | 'since']>> = {
  BEFORE: ['internal', 'before'],
  ON: ['internal', 'on'],
  SINCE: ['internal', 'since'],
  SENTBEFORE: ['sent', 'before'],
  SENTON: ['sent', 'on'],
  SENTSINCE: ['sent', 'since'],
};

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

function count(r: Reader, b: Budget): void {
  b.keys++;
  if (b.keys > r.limits.maxSearchKeys) r.fail('too many search keys');
}

function nested<T>(r: Reader, b: Budget, inner: () => T): T {
  b.depth++;
  if (b.depth > r.limits.maxSearchDepth) r.fail('search program too deeply nested');
  const v = inner();
  b.depth--;
  return v;
}

function searchKey(r: Reader, b: Budget): SearchKey {
  count(r, b);
  const c = r.peek();
  if (c === 0x28) {
    // A group: "(" search-key *(SP search-key) ")".
    const keys = nested(r, b, () => r.list(() => searchKey(r, b), false, 'a search group'));
    return keys.length === 1 && keys[0] ? keys[0] : { kind: 'and', keys };
  }
  if (isDigit(c) || c === 0x2a || c === 0x24) return { kind: 'sequence', set: sequenceSet(r) };
  const word = r.keyword('a search key');
  const flagKey = FLAG_KEYS[word];
  if (flagKey) return { kind: 'flag', flag: flagKey[0], set: flagKey[1] };
  const header = HEADER_KEYS[word];
  if (header !== undefined) {
    r.sp();
    return { kind: 'header', field: header, value: r.astring() };
  }
  const dateKey = DATE_KEYS[word];
  if (dateKey) {
    r.sp();
    return { kind: 'date', field: dateKey[0], op: dateKey[1], date: date(r) };
  }
  switch (word) {
    case 'ALL':
      return { kind: 'all' };
    case 'NEW':
      return {
        kind: 'and',
        keys: [
          { kind: 'flag', flag: '\\Recent', set: true },
          { kind: 'flag', flag: '\\Seen', set: false },
        ],
      };
    case 'KEYWORD':
    case 'UNKEYWORD': {
      r.sp();
      const keyword = flag(r);
      if (keyword.startsWith('\\')) r.fail(`${word} takes a keyword, not a system flag`);
      return { kind: 'flag', flag: keyword, set: word === 'KEYWORD' };
    }
    case 'HEADER': {
      r.sp();
      const field = r.astring('a header field name').toUpperCase();
      r.sp();
      return { kind: 'header', field, value: r.astring() };
    }
    case 'BODY':
    case 'TEXT':
      r.sp();
      return { kind: word === 'BODY' ? 'body' : 'text', value: r.astring() };
    case 'LARGER':
    case 'SMALLER':
      r.sp();
      return {
        kind: 'size',
        op: word === 'LARGER' ? 'larger' : 'smaller',
        octets: r.digits('a size', Number.MAX_SAFE_INTEGER),
      };
    case 'OLDER':
    case 'YOUNGER':
      r.sp();
      return {
        kind: 'age',
        op: word === 'OLDER' ? 'older' : 'younger',
        seconds: r.nzNumber('a number of seconds'),
      };
    case 'UID':
      r.sp();
      return { kind: 'uid', set: sequenceSet(r) };
    case 'NOT':
      r.sp();
      return { kind: 'not', key: nested(r, b, () => searchKey(r, b)) };
    case 'OR': {
      r.sp();
      return nested(r, b, () => {
        const left = searchKey(r, b);
        r.sp();
        const right = searchKey(r, b);
        return { kind: 'or', left, right } as const;
      });
    }
    case 'MODSEQ': {
      r.sp();
      // MODSEQ [entry-name SP entry-type-req SP] mod-sequence-valzer (RFC 7162 §3.1.5).
      let entry: { name: string; type: 'priv' | 'shared' | 'all' } | null = null;
      if (r.peek() === 0x22) {
        const name = r.quoted();
        r.sp();
        const type = r.keyword('an entry type').toLowerCase();
        if (type !== 'priv' && type !== 'shared' && type !== 'all') r.fail('invalid MODSEQ entry type');
        r.sp();
        entry = { name, type };
      }
      return { kind: 'modseq', modSeq: modSeq(r, true), entry };
    }
    default:
      return r.fail(`unknown search key ${word}`);
  }
}

const RETURN_OPTIONS: readonly SearchReturnOption[] = ['MIN', 'MAX', 'ALL', 'COUNT', 'SAVE'];

/** SEARCH / UID SEARCH after the command name. */
export function parseSearch(r: Reader, uid: boolean): CommandBody {
  r.sp();
  let returns: SearchReturnOption[] | null = null;
  if (r.eatKeyword('RETURN')) {
    r.sp();
    returns = r.list(
      () => {
        const word = r.keyword('a search return option');
        const opt = RETURN_OPTIONS.find((o) => o === word);
        if (opt === undefined) r.fail(`unknown search return option ${word}`);
        return opt;
      },
      true,
      'search return options',
    );
    r.sp();
  }
  let charset: string | null = null;
  if (r.eatKeyword('CHARSET')) {
    r.sp();
    charset = r.astring('a charset').toUpperCase();
    r.sp();
  }
  const budget: Budget = { keys: 0, depth: 0 };
  const keys = [searchKey(r, budget)];
  while (r.eat(0x20)) keys.push(searchKey(r, budget));
  r.end();
  const criteria: SearchKey = keys.length === 1 && keys[0] ? keys[0] : { kind: 'and', keys };
  return { name: 'SEARCH', uid, charset, criteria, returns };
}
