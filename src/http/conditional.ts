/**
 * Conditional requests (RFC 9110 §13): evaluates If-Match, If-Unmodified-Since, If-None-Match
 * and If-Modified-Since against a representation's strong ETag and Last-Modified, in the order of
 * §13.2.2, and If-Range (§13.1.5) for range requests. Pure: no I/O, dates as epoch seconds.
 */
import { parseHttpDateMs } from './http-date.js';

/** The request header fields that make a request conditional. */
export interface Preconditions {
  readonly ifMatch?: string | undefined;
  readonly ifNoneMatch?: string | undefined;
  readonly ifModifiedSince?: string | undefined;
  readonly ifUnmodifiedSince?: string | undefined;
}

/** The selected representation's validators. */
export interface Validators {
  /** Strong entity-tag including quotes, e.g. `"5f-1a2b"`. */
  readonly etag: string;
  /** Last modification, in whole seconds since the epoch (HTTP dates have 1 s resolution). */
  readonly lastModifiedS: number;
}

/** What to do: go on with the method, answer 304, or answer 412. */
export type ConditionalOutcome = 'proceed' | 'not-modified' | 'precondition-failed';

/** Splits an entity-tag list (`"a", W/"b"`); `*` comes back as ['*']. */
export function parseEtagList(value: string): string[] {
  const trimmed = value.trim();
  if (trimmed === '*') return ['*'];
  const out: string[] = [];
  const re = /\s*(W\/)?("[\x21\x23-\x7e\x80-\xff]*")\s*(?:,|$)/gy;
  let m: RegExpExecArray | null;
  while (re.lastIndex < trimmed.length && (m = re.exec(trimmed)) !== null) {
    out.push(`${m[1] ?? ''}${m[2] ?? ''}`);
  }
  return out;
}

function opaque(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag;
}

/** RFC 9110 §8.8.3.2 strong comparison: neither weak, same opaque tag. */
export function strongMatch(a: string, b: string): boolean {
  return !a.startsWith('W/') && !b.startsWith('W/') && a === b;
}

/** RFC 9110 §8.8.3.2 weak comparison: same opaque tag, weakness ignored. */
export function weakMatch(a: string, b: string): boolean {
  return opaque(a) === opaque(b);
}

/** Parses an HTTP-date (RFC 9110 §5.6.7) to epoch seconds; undefined when invalid. */
export function parseHttpDate(value: string): number | undefined {
  const ms = parseHttpDateMs(value);
  return ms === undefined ? undefined : Math.floor(ms / 1000);
}

/**
 * RFC 9110 §13.2.2: evaluates the preconditions of a GET/HEAD (`safe` true) or of a state-changing
 * method. `exists` false means there is no current representation (e.g. PUT creating a file).
 */
export function evaluatePreconditions(
  p: Preconditions,
  v: Validators | undefined,
  safe: boolean,
): ConditionalOutcome {
  // Step 1: If-Match.
  if (p.ifMatch !== undefined) {
    const tags = parseEtagList(p.ifMatch);
    const ok = v !== undefined && tags.some((t) => t === '*' || strongMatch(t, v.etag));
    if (!ok) return 'precondition-failed';
  } else if (p.ifUnmodifiedSince !== undefined && v !== undefined) {
    // Step 2: If-Unmodified-Since, only without If-Match; an invalid date is ignored.
    const since = parseHttpDate(p.ifUnmodifiedSince);
    if (since !== undefined && v.lastModifiedS > since) return 'precondition-failed';
  }
  // Step 3: If-None-Match.
  if (p.ifNoneMatch !== undefined) {
    const tags = parseEtagList(p.ifNoneMatch);
    const matched = v !== undefined && tags.some((t) => t === '*' || weakMatch(t, v.etag));
    if (matched) return safe ? 'not-modified' : 'precondition-failed';
  } else if (safe && p.ifModifiedSince !== undefined && v !== undefined) {
    // Step 4: If-Modified-Since, GET/HEAD only, only without If-None-Match.
    const since = parseHttpDate(p.ifModifiedSince);
    if (since !== undefined && v.lastModifiedS <= since) return 'not-modified';
  }
  return 'proceed';
}

/**
 * RFC 9110 §13.1.5 If-Range: true when the Range header may be honoured. An entity-tag must
 * match strongly; a date must equal Last-Modified exactly.
 */
export function ifRangeAllows(ifRange: string | undefined, v: Validators): boolean {
  if (ifRange === undefined) return true;
  const value = ifRange.trim();
  if (value.startsWith('"') || value.startsWith('W/')) return strongMatch(value, v.etag);
  const date = parseHttpDate(value);
  return date !== undefined && date === v.lastModifiedS;
}
