/**
 * Sequence sets (RFC 9051 §9 `sequence-set`, §6.4.1 SEARCHRES `$` from RFC 5182): their typed
 * form, resolution against a mailbox's highest number (a client may write `4:2` or `*:1`, and
 * `*` means the largest number in use), membership, and the compact form servers write in
 * COPYUID, APPENDUID, VANISHED and ESEARCH ALL. Pure and bounded: a set is never expanded
 * into its members.
 */

/** A number of a sequence set: a positive integer or `*` (the largest in use). */
export type SeqNumber = number | '*';

/** `a:b` (or a single number when from equals to), as written: from may exceed to. */
export interface SeqRange {
  readonly from: SeqNumber;
  readonly to: SeqNumber;
}

/** A parsed sequence set: ranges, or `$`, the result saved by SEARCH RETURN (SAVE) (RFC 5182). */
export type SequenceSet =
  { readonly kind: 'ranges'; readonly ranges: readonly SeqRange[] } | { readonly kind: 'saved' };

/** An inclusive range of concrete numbers, low <= high. */
export interface NumberRange {
  readonly low: number;
  readonly high: number;
}

/**
 * The set's ranges with `*` replaced by `max` (the highest sequence number or UID in use), each
 * ordered low..high, sorted and merged. `n:*` with n above `max` still includes `max`, as RFC
 * 9051 §6.4.9 requires of UID ranges; in an empty mailbox a range with `*` resolves to nothing.
 * `saved` (`$`) is the session's to substitute before resolving.
 */
export function resolveRanges(ranges: readonly SeqRange[], max: number): NumberRange[] {
  const concrete: NumberRange[] = [];
  for (const r of ranges) {
    // In an empty mailbox `*` names no message, so a range reaching it names none either.
    if (max < 1 && (r.from === '*' || r.to === '*')) continue;
    const a = r.from === '*' ? max : r.from;
    const b = r.to === '*' ? max : r.to;
    const low = Math.min(a, b);
    const high = Math.max(a, b);
    if (high < 1) continue;
    concrete.push({ low: Math.max(low, 1), high });
  }
  concrete.sort((x, y) => x.low - y.low);
  const merged: NumberRange[] = [];
  for (const r of concrete) {
    const last = merged[merged.length - 1];
    if (last !== undefined && r.low <= last.high + 1) {
      if (r.high > last.high) merged[merged.length - 1] = { low: last.low, high: r.high };
    } else {
      merged.push(r);
    }
  }
  return merged;
}

/** True when `n` lies in the resolved ranges (binary search). */
export function inRanges(ranges: readonly NumberRange[], n: number): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const r = ranges[mid];
    if (r === undefined) return false;
    if (n < r.low) hi = mid - 1;
    else if (n > r.high) lo = mid + 1;
    else return true;
  }
  return false;
}

/**
 * The compact text of a list of numbers (any order, duplicates allowed): `1:3,7,9:10`. Empty
 * for an empty list (callers write no set then, as RFC 9051 forbids an empty sequence-set).
 */
export function formatNumberSet(numbers: Iterable<number>): string {
  const sorted = [...numbers].sort((a, b) => a - b);
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    const start = sorted[i] ?? 0;
    let end = start;
    i++;
    while (i < sorted.length && ((sorted[i] ?? 0) === end + 1 || sorted[i] === end)) {
      end = sorted[i] ?? end;
      i++;
    }
    parts.push(start === end ? String(start) : `${start}:${end}`);
  }
  return parts.join(',');
}

/** The compact text of resolved ranges (`resolveRanges`' form: sorted, disjoint): `1:3,7`. */
export function formatRanges(ranges: readonly NumberRange[]): string {
  return ranges.map((r) => (r.low === r.high ? String(r.low) : `${r.low}:${r.high}`)).join(',');
}

/** The wire text of a parsed set (for logs and round trips). */
export function formatSequenceSet(set: SequenceSet): string {
  if (set.kind === 'saved') return '$';
  return set.ranges
    .map((r) => (r.from === r.to ? String(r.from) : `${String(r.from)}:${String(r.to)}`))
    .join(',');
}
