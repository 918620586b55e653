/**
 * Secondary cache keys (RFC 9111 §4.1): a stored response with Vary only answers a request whose
 * nominated header fields match those of the request that fetched it; `Vary: *` matches nothing.
 * Values are compared after trimming and collapsing whitespace, as §4.1 allows.
 */
import type { HeaderSource } from './cache-control.js';

/** The field names a Vary value nominates (lowercased), or '*' . */
export function varyFields(vary: string | null): readonly string[] | '*' {
  if (vary === null) return [];
  const names = vary
    .split(',')
    .map((n) => n.trim().toLowerCase())
    .filter((n) => n.length > 0);
  return names.includes('*') ? '*' : names;
}

function normalise(value: string | null): string | null {
  return value === null ? null : value.trim().replace(/\s+/g, ' ');
}

/** What to keep of the fetching request: the nominated fields' values (null when absent). */
export function varyKey(vary: string | null, request: HeaderSource): [string, string | null][] {
  const names = varyFields(vary);
  if (names === '*') return [];
  return names.map((n) => [n, normalise(request.get(n))]);
}

/** True when a response stored with `vary` and `stored` (from varyKey) may answer `request`. */
export function varyMatches(
  vary: string | null,
  stored: readonly (readonly [string, string | null])[],
  request: HeaderSource,
): boolean {
  const names = varyFields(vary);
  if (names === '*') return false;
  const kept = new Map(stored);
  return names.every((n) => (kept.get(n) ?? null) === normalise(request.get(n)));
}
