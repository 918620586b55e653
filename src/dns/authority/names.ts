/**
 * Allocation-light helpers over names in canonical presentation form (name.ts): labels are split
 * at unescaped dots only, so `\.` inside a label never counts. The answer engine uses these on
 * the hot path instead of parseName, which builds byte arrays; anything unusual falls back to
 * name.ts, which is exact but slower.
 */
import { MAX_LABEL_LENGTH, MAX_NAME_LENGTH } from '../limits.js';
import { nameKey } from '../name.js';

/**
 * Index just past the dot that ends the label starting at `i`, or `text.length` when the label is
 * the last one. Skips `\X` and `\DDD` escapes (RFC 1035 §5.1).
 */
export function nextLabel(text: string, i: number): number {
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x2e /* . */) return i + 1;
    if (c === 0x5c /* \ */) {
      const d = text.charCodeAt(i + 1);
      i += d >= 0x30 && d <= 0x39 ? 4 : 2;
    } else {
      i++;
    }
  }
  return n;
}

/**
 * Comparison key of a name as received (RFC 4343 §3). Names the decoder produced are canonical
 * (absolute, escapes only where needed, valid lengths), so one scan to confirm that plus
 * lower-casing is enough; anything else (no trailing dot, escapes, hand-built oddities) goes
 * through nameKey, which normalises it or throws ERR_PARSE when the name is not valid.
 */
export function queryKey(name: string): string {
  const n = name.length;
  if (n === 1 && name.charCodeAt(0) === 0x2e) return '.';
  if (n === 0 || n > MAX_NAME_LENGTH - 1 || name.charCodeAt(n - 1) !== 0x2e) return nameKey(name);
  let label = 0;
  for (let i = 0; i < n; i++) {
    const c = name.charCodeAt(i);
    if (c === 0x2e) {
      if (label === 0) return nameKey(name); // empty label: let nameKey reject it
      label = 0;
    } else if (c === 0x5c || ++label > MAX_LABEL_LENGTH) {
      return nameKey(name);
    }
  }
  return name.toLowerCase();
}

/** Key of the parent of `key` ("." for a top-level name); `undefined` for the root. */
export function parentKey(key: string): string | undefined {
  if (key === '.') return undefined;
  const next = nextLabel(key, 0);
  return next >= key.length ? '.' : key.slice(next);
}

/** Number of labels of a canonical absolute name (the root has 0). */
export function countLabels(text: string): number {
  if (text === '.' || text === '') return 0;
  let count = 0;
  let i = 0;
  while (i < text.length) {
    i = nextLabel(text, i);
    count++;
  }
  return count;
}

/** Index in `text` where its last `keep` labels start (`text.length` when keep is 0). */
export function suffixStart(text: string, keep: number): number {
  const total = countLabels(text);
  let i = 0;
  for (let skip = total - keep; skip > 0; skip--) i = nextLabel(text, i);
  return keep <= 0 ? text.length : i;
}
