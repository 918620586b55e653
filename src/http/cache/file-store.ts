/**
 * A cache store in a directory: one JSON file with the entry and one body file per URL, both
 * named by a SHA-256 of the URL and each written to a temp file then renamed, so a reader never
 * sees half an entry. `outpost http --cache DIR` uses it; the format is the one that command has
 * always written (the times and Vary key are optional additions).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CacheEntry } from './entry.js';
import type { CacheStore, StoredResponse } from './store.js';

function key(url: string): string {
  return createHash('sha256').update(url).digest('hex');
}

/** A directory of cached responses (created with mode 0700 on the first write). */
export class FileCacheStore implements CacheStore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  get(url: string): StoredResponse | undefined {
    const base = join(this.dir, key(url));
    try {
      const entry = JSON.parse(readFileSync(`${base}.json`, 'utf8')) as CacheEntry;
      if (entry.url !== url) return undefined;
      return { entry, body: readFileSync(`${base}.body`) };
    } catch {
      return undefined;
    }
  }

  put(entry: CacheEntry, body: Buffer): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const base = join(this.dir, key(entry.url));
    writeFileSync(`${base}.body.tmp`, body);
    renameSync(`${base}.body.tmp`, `${base}.body`);
    writeFileSync(`${base}.json.tmp`, JSON.stringify(entry));
    renameSync(`${base}.json.tmp`, `${base}.json`);
  }
}
