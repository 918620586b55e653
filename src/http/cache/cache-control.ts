/**
 * Cache-Control parsing (RFC 9111 §5.2): a comma-separated list of directives, each a token with
 * an optional token or quoted-string argument right after `=` (no whitespace around it, as the
 * grammar says). Names are case-insensitive (lowercased here); a directive given twice keeps its
 * first value; malformed members (`max-age =5`) are skipped, not fatal.
 */

/** Directive name (lowercase) → argument (unquoted), or undefined for a bare directive. */
export type CacheDirectives = ReadonlyMap<string, string | undefined>;

/** The header fields a cache reads, as fetch's Headers (or a stored entry) gives them. */
export interface HeaderSource {
  get(name: string): string | null;
}

/**
 * Walks the comma-separated members of a field value: `member` is a sticky regex matching one
 * member with its trailing comma; a member it does not match is skipped up to the next comma.
 */
export function scanMembers(value: string, member: RegExp, visit: (match: RegExpExecArray) => void): void {
  let pos = 0;
  while (pos < value.length) {
    member.lastIndex = pos;
    const m = member.exec(value);
    if (m === null) {
      const comma = value.indexOf(',', pos);
      if (comma < 0) break;
      pos = comma + 1;
      continue;
    }
    pos = member.lastIndex;
    visit(m);
    if (m[0].length === 0) break;
  }
}

/** Parses a Cache-Control field value (all field lines joined with commas). */
export function parseCacheControl(value: string | null | undefined): CacheDirectives {
  const out = new Map<string, string | undefined>();
  if (value === null || value === undefined) return out;
  const re = /\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?:=(?:"((?:[^"\\]|\\.)*)"|([^,\s"]+)))?\s*(?:,|$)/gy;
  scanMembers(value, re, (m) => {
    const name = (m[1] ?? '').toLowerCase();
    const arg = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3];
    if (!out.has(name)) out.set(name, arg);
  });
  return out;
}

/**
 * A delta-seconds argument (RFC 9111 §1.2.2): a non-negative integer, saturating at 2^31; an
 * invalid argument gives undefined.
 */
export function deltaSeconds(arg: string | undefined): number | undefined {
  if (arg === undefined || !/^\d+$/.test(arg)) return undefined;
  return Math.min(Number(arg), 2 ** 31);
}

/**
 * The field names a qualified `private="…"` or `no-cache="…"` lists (RFC 9111 §5.2.2.4,
 * §5.2.2.7), lowercased; empty for the unqualified form.
 */
export function qualifiedFields(arg: string | undefined): readonly string[] {
  if (arg === undefined) return [];
  return arg
    .split(',')
    .map((n) => n.trim().toLowerCase())
    .filter((n) => n.length > 0);
}
