/**
 * IMAP flags as the store keeps them (RFC 9051 §2.3.2): the five storable system flags in their
 * canonical spelling (matched case-insensitively), and keywords (atoms, case preserved, compared
 * case-insensitively). `\Recent` is session state, not stored. A message's flags are one
 * space-separated, sorted, de-duplicated string column.
 */
import { ErrorCodes, OutpostError } from '../../core/errors.js';
import { STORE_LIMITS } from './limits.js';

const SYSTEM_FLAGS = ['\\Answered', '\\Deleted', '\\Draft', '\\Flagged', '\\Seen'] as const;
const SYSTEM_BY_KEY = new Map<string, string>(SYSTEM_FLAGS.map((f) => [f.toLowerCase(), f]));
// RFC 9051 §9 atom: any CHAR except atom-specials ( ) { SP CTL % * " \ ]
// eslint-disable-next-line no-control-regex
const KEYWORD = /^[^(){ \x00-\x1f\x7f%*"\\\]]+$/;

/** The canonical spelling of one flag; throws OutpostError PARSE for anything not storable. */
export function canonicalFlag(flag: string): string {
  if (flag.startsWith('\\')) {
    const system = SYSTEM_BY_KEY.get(flag.toLowerCase());
    if (system === undefined) throw new OutpostError(ErrorCodes.PARSE, 'unknown or non-storable system flag');
    return system;
  }
  if (flag.length === 0 || flag.length > STORE_LIMITS.keywordChars || !KEYWORD.test(flag)) {
    throw new OutpostError(ErrorCodes.PARSE, 'malformed keyword');
  }
  return flag;
}

/** Canonical, de-duplicated (case-insensitively), sorted flags. */
export function normalizeFlags(flags: readonly string[]): string[] {
  const byKey = new Map<string, string>();
  for (const f of flags) {
    const c = canonicalFlag(f);
    const key = c.toLowerCase();
    if (!byKey.has(key)) byKey.set(key, c);
  }
  if (byKey.size > STORE_LIMITS.flagsPerMessage) {
    throw new OutpostError(ErrorCodes.PARSE, `more than ${String(STORE_LIMITS.flagsPerMessage)} flags`);
  }
  return [...byKey.values()].sort();
}

/** Applies an IMAP STORE mode to the current flags. */
export function combineFlags(
  current: readonly string[],
  given: readonly string[],
  mode: 'replace' | 'add' | 'remove',
): string[] {
  if (mode === 'replace') return normalizeFlags(given);
  if (mode === 'add') return normalizeFlags([...current, ...given]);
  const drop = new Set(normalizeFlags(given).map((f) => f.toLowerCase()));
  return current.filter((f) => !drop.has(f.toLowerCase()));
}

/** The stored column form. */
export function flagsToColumn(flags: readonly string[]): string {
  return flags.join(' ');
}

/** Parses the stored column. */
export function flagsFromColumn(column: string): string[] {
  return column === '' ? [] : column.split(' ');
}

/** True when `\Seen` is among (canonical) flags. */
export function hasSeen(flags: readonly string[]): boolean {
  return flags.includes('\\Seen');
}
