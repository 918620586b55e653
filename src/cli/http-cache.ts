/**
 * The `outpost http --cache DIR` store: one JSON file of validators and headers plus one body
 * file per URL (named by a SHA-256 of the URL), so the next GET can be made conditional
 * (If-None-Match / If-Modified-Since, RFC 9110 §13.1) and a 304 answered from the stored body.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HTTP_LIMITS } from '../http/limits.js';

/** What is kept for one URL. */
export interface CacheEntry {
  readonly url: string;
  readonly etag: string | undefined;
  readonly lastModified: string | undefined;
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
}

function key(url: string): string {
  return createHash('sha256').update(url).digest('hex');
}

/** A directory of cached responses. */
export class HttpCache {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** The entry and body for `url`, or undefined. */
  get(url: string): { entry: CacheEntry; body: Buffer } | undefined {
    const base = join(this.dir, key(url));
    try {
      const entry = JSON.parse(readFileSync(`${base}.json`, 'utf8')) as CacheEntry;
      if (entry.url !== url) return undefined;
      return { entry, body: readFileSync(`${base}.body`) };
    } catch {
      return undefined;
    }
  }

  /** Stores a 200 response with validators; false when it is not cacheable. */
  put(url: string, status: number, headers: Headers, body: Buffer): boolean {
    const etag = headers.get('etag') ?? undefined;
    const lastModified = headers.get('last-modified') ?? undefined;
    const cacheControl = headers.get('cache-control') ?? '';
    if (status !== 200 || (etag === undefined && lastModified === undefined)) return false;
    if (/(^|,)\s*no-store\b/i.test(cacheControl) || body.length > HTTP_LIMITS.clientCacheMaxBytes)
      return false;
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const base = join(this.dir, key(url));
    const entry: CacheEntry = { url, etag, lastModified, status, headers: [...headers.entries()] };
    writeFileSync(`${base}.body.tmp`, body);
    renameSync(`${base}.body.tmp`, `${base}.body`);
    writeFileSync(`${base}.json.tmp`, JSON.stringify(entry));
    renameSync(`${base}.json.tmp`, `${base}.json`);
    return true;
  }
}

/** The conditional headers for a cached entry. */
export function conditionalHeaders(entry: CacheEntry): Record<string, string> {
  const out: Record<string, string> = {};
  if (entry.etag !== undefined) out['If-None-Match'] = entry.etag;
  if (entry.lastModified !== undefined) out['If-Modified-Since'] = entry.lastModified;
  return out;
}
