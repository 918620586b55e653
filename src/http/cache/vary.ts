/**
 * Secondary cache keys (RFC 9111 §4.1): a stored response with Vary only answers a request whose
 * nominated header fields match those of the request that fetched it; `Vary: *` matches nothing.
 * Values are normalised as §4.1 allows: several field lines combined, whitespace around list
 * members dropped and inner runs collapsed, and for fields whose members are case-insensitive
 * and unordered (Accept-Language, Accept-Encoding, Accept-Charset) members lowercased and sorted.
 */
import type { HeaderSource } from './cache-control.js';

/** Fields whose list members compare without case or order. */
const UNORDERED: ReadonlySet<string> = new Set(['accept-language', 'accept-encoding', 'accept-charset']);

/** The field names a Vary value nominates (lowercased), or '*' . */
export function varyFields(vary: string | null): readonly string[] | '*' {
  if (vary === null) return [];
  const names = vary
    .split(',')
    .map((n) => n.trim().toLowerCase())
    .filter((n) => n.length > 0);
  return names.includes('*') ? '*' : [...new Set(names)];
}

/** A nominated field's value as compared (null when absent). */
export function normaliseVaryValue(name: string, value: string | null): string | null {
  if (value === null) return null;
  let members = value
    .split(',')
    .map((m) => m.trim().replace(/\s+/g, ' '))
    .filter((m) => m.length > 0);
  if (UNORDERED.has(name)) members = members.map((m) => m.toLowerCase().replace(/\s*;\s*/g, ';')).sort();
  return members.join(',');
}

/** What to keep of the fetching request: the nominated fields' values (null when absent). */
export function varyKey(vary: string | null, request: HeaderSource): [string, string | null][] {
  const names = varyFields(vary);
  if (names === '*') return [];
  return names.map((n) => [n, normaliseVaryValue(n, request.get(n))]);
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
  return names.every((n) => (kept.get(n) ?? null) === normaliseVaryValue(n, request.get(n)));
}
