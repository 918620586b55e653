/**
 * A stored response (RFC 9111 §3) as every cache backend keeps it: the URL (primary key), status,
 * header fields, the validators for revalidation, the request and response times the age
 * calculation needs, and the Vary secondary key. Entries written before the times were kept read
 * back with them undefined; such an entry is never fresh and is always revalidated.
 */
import type { HeaderSource } from './cache-control.js';
import type { TimedResponse } from './freshness.js';
import { varyKey } from './vary.js';

/** What is kept for one URL. */
export interface CacheEntry {
  readonly url: string;
  readonly etag: string | undefined;
  readonly lastModified: string | undefined;
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
  /** When the request was sent (ms since the epoch). */
  readonly requestTime?: number | undefined;
  /** When the response's header section arrived (ms since the epoch). */
  readonly responseTime?: number | undefined;
  /** The fetching request's values of the fields Vary nominates. */
  readonly vary?: readonly (readonly [string, string | null])[] | undefined;
}

/** Header fields of an entry, looked up case-insensitively (several lines joined with ", "). */
export function entryHeaders(entry: Pick<CacheEntry, 'headers'>): HeaderSource {
  return {
    get: (name) => {
      const lower = name.toLowerCase();
      const values = entry.headers.filter(([k]) => k.toLowerCase() === lower).map(([, v]) => v);
      return values.length === 0 ? null : values.join(', ');
    },
  };
}

/** The freshness view of an entry; one without times counts as fetched at the epoch. */
export function timedEntry(entry: CacheEntry): TimedResponse {
  return {
    status: entry.status,
    headers: entryHeaders(entry),
    requestTime: entry.requestTime ?? 0,
    responseTime: entry.responseTime ?? 0,
  };
}

/** What a fetched response contributes to its entry. */
export interface FetchedResponse {
  readonly url: string;
  readonly status: number;
  readonly headers: Iterable<readonly [string, string]> & HeaderSource;
  readonly request: HeaderSource;
  readonly requestTime: number;
  readonly responseTime: number;
}

/** The entry to store for a fetched response. */
export function entryFor(fetched: FetchedResponse): CacheEntry {
  const headers = fetched.headers;
  return {
    url: fetched.url,
    etag: headers.get('etag') ?? undefined,
    lastModified: headers.get('last-modified') ?? undefined,
    status: fetched.status,
    headers: [...headers],
    requestTime: fetched.requestTime,
    responseTime: fetched.responseTime,
    vary: varyKey(headers.get('vary'), fetched.request),
  };
}
