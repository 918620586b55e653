/**
 * Revalidation (RFC 9111 §4.3): the conditional request for a stored entry carries its entity
 * tag in If-None-Match and its Last-Modified in If-Modified-Since (RFC 9110 §13.1); a 304 then
 * confirms the stored body.
 */
import type { CacheEntry } from './entry.js';

/** True when the entry has a validator to revalidate with. */
export function hasValidator(entry: Pick<CacheEntry, 'etag' | 'lastModified'>): boolean {
  return entry.etag !== undefined || entry.lastModified !== undefined;
}

/** The conditional header fields for revalidating `entry` (RFC 9111 §4.3.1). */
export function conditionalHeaders(entry: Pick<CacheEntry, 'etag' | 'lastModified'>): Record<string, string> {
  const out: Record<string, string> = {};
  if (entry.etag !== undefined) out['If-None-Match'] = entry.etag;
  if (entry.lastModified !== undefined) out['If-Modified-Since'] = entry.lastModified;
  return out;
}
