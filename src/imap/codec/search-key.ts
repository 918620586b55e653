/**
 * The typed form of a SEARCH program (RFC 9051 §6.4.4, RFC 3501 §6.4.4, MODSEQ from RFC 7162
 * §3.1.5, OLDER/YOUNGER from RFC 5032): a tree the session evaluates against the store. The
 * header shorthands (FROM, TO, CC, BCC, SUBJECT) become `header` keys, flag keys carry the
 * flag, and NEW (RECENT UNSEEN) is expanded, so the evaluator has few cases.
 */
import type { ImapDate } from './date.js';
import type { SequenceSet } from './sequence-set.js';

/** One search key. */
export type SearchKey =
  | { readonly kind: 'all' }
  | { readonly kind: 'and'; readonly keys: readonly SearchKey[] }
  | { readonly kind: 'or'; readonly left: SearchKey; readonly right: SearchKey }
  | { readonly kind: 'not'; readonly key: SearchKey }
  /** A system flag (`\Seen`, …, `\Recent`) or keyword, set or not set. */
  | { readonly kind: 'flag'; readonly flag: string; readonly set: boolean }
  /** HEADER name value; FROM/TO/CC/BCC/SUBJECT with their field names. Empty value: the field exists. */
  | { readonly kind: 'header'; readonly field: string; readonly value: string }
  | { readonly kind: 'body'; readonly value: string }
  | { readonly kind: 'text'; readonly value: string }
  /** BEFORE/ON/SINCE (internal date) and SENTBEFORE/SENTON/SENTSINCE (Date: header). */
  | {
      readonly kind: 'date';
      readonly field: 'internal' | 'sent';
      readonly op: 'before' | 'on' | 'since';
      readonly date: ImapDate;
    }
  | { readonly kind: 'size'; readonly op: 'larger' | 'smaller'; readonly octets: number }
  /** RFC 5032: internal date at most (YOUNGER) or at least (OLDER) this many seconds ago. */
  | { readonly kind: 'age'; readonly op: 'older' | 'younger'; readonly seconds: number }
  | { readonly kind: 'sequence'; readonly set: SequenceSet }
  | { readonly kind: 'uid'; readonly set: SequenceSet }
  /** RFC 7162 §3.1.5; the entry name and type are accepted and ignored by most servers. */
  | {
      readonly kind: 'modseq';
      readonly modSeq: number;
      readonly entry: { readonly name: string; readonly type: 'priv' | 'shared' | 'all' } | null;
    };
