/**
 * The storage contract of the HTTP cache: entries with their bodies by URL. The RFC 9111 rules
 * (storable.ts, freshness.ts, vary.ts, validators.ts) never touch storage, so the CLI's directory
 * (file-store.ts) and the caching proxy's store are backends of the same logic.
 */
import type { CacheEntry } from './entry.js';

/** An entry with its body. */
export interface StoredResponse {
  readonly entry: CacheEntry;
  readonly body: Buffer;
}

/** Where a cache keeps its responses. */
export interface CacheStore {
  /** The stored response for `url`, or undefined (a damaged entry reads as absent). */
  get(url: string): StoredResponse | undefined;
  /** Stores (or replaces) the response for `entry.url`. */
  put(entry: CacheEntry, body: Buffer): void;
}
