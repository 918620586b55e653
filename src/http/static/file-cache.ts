/**
 * The in-memory cache of hot files for one site root. Each lookup stats the file (one syscall)
 * and reuses the cached entry when size, mtime and inode are unchanged, so an edited file is
 * served fresh on the very next request; small files keep their bytes, so a hit is answered with
 * one `res.end(buffer)` and headers computed once. Entries also remember precompressed siblings
 * (`.br`, `.gz`) and on-the-fly compressed variants. Total cached bytes are bounded; the oldest
 * entries go first. Confinement (realpath inside the root) is checked whenever an entry is built,
 * i.e. whenever the file (or what a symlink points to) changes.
 */
import { readFileSync, statSync, type Stats } from 'node:fs';
import { contentType as mimeContentType } from 'mime-types';
import type { Validators } from '../conditional.js';
import { CODING_SUFFIX, isCompressible, type Coding } from '../encoding.js';
import { HTTP_LIMITS } from '../limits.js';
import { resolvesInside } from '../paths.js';

/** A precompressed or compressed-on-the-fly variant of a file. */
export interface Variant {
  readonly coding: Coding;
  /** The sibling file (precompressed) or undefined when compressed in memory. */
  readonly path: string | undefined;
  readonly size: number;
  body: Buffer | undefined;
  readonly etag: string;
}

/** A regular file as the static handler sees it. */
export interface FileEntry extends Validators {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
  readonly contentType: string;
  readonly lastModified: string;
  readonly compressible: boolean;
  /** The bytes, when the file is small enough to cache. */
  readonly body: Buffer | undefined;
  /** Precompressed siblings found when the entry was built. */
  readonly siblings: readonly Variant[];
  /** Variants compressed in memory, by coding (a promise while compressing). */
  readonly compressed: Map<Coding, Promise<Variant | undefined>>;
  /** The validation epoch in which the file was last stat'ed (see `currentEpoch`). */
  validatedEpoch: number;
  /** Bytes of variants added after the entry was built (accounted in the cache total). */
  extraBytes: number;
  /** Headers of a plain 200, computed once (Cache-Control and Vary are added per request). */
  readonly headers200: Readonly<Record<string, string | number>>;
}

/** What a path is on disk. */
export type Lookup =
  | { readonly kind: 'file'; readonly entry: FileEntry }
  | { readonly kind: 'directory' }
  | { readonly kind: 'missing' }
  | { readonly kind: 'forbidden' };

const MISSING: Lookup = { kind: 'missing' };
const DIRECTORY: Lookup = { kind: 'directory' };
const FORBIDDEN: Lookup = { kind: 'forbidden' };

/** Content-Type for a file name, with a charset for text (mime-types' default). */
export function contentTypeOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return mimeContentType(path.slice(slash + 1)) || 'application/octet-stream';
}

/** Strong ETag from size, mtime and inode (changes whenever the bytes can have changed). */
export function etagOf(st: { size: number; mtimeMs: number; ino: number }): string {
  return `"${st.size.toString(16)}-${Math.floor(st.mtimeMs * 1000).toString(16)}-${st.ino.toString(16)}"`;
}

let epoch = 0;
let epochEnding = false;

/**
 * The validation epoch: one turn of the event loop. Requests handled in the same turn arrived
 * together, so one stat per file serves all of them; the epoch ends in the check phase right
 * after (setImmediate), so any request read in a later turn, i.e. after any change the client
 * could have waited for, stats the file again.
 */
export function currentEpoch(): number {
  if (!epochEnding) {
    epochEnding = true;
    setImmediate(() => {
      epoch++;
      epochEnding = false;
    });
  }
  return epoch;
}

/** Files of one root, cached by path. */
export class FileCache {
  readonly rootReal: string;
  readonly #entries = new Map<string, FileEntry>();
  #bytes = 0;
  readonly #maxBytes: number;

  constructor(rootReal: string, maxBytes: number = HTTP_LIMITS.cacheMaxTotalBytes) {
    this.rootReal = rootReal;
    this.#maxBytes = maxBytes;
  }

  /** Bytes held now (bodies and variants). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Stats `path` (at most once per validation epoch) and returns the (possibly cached) entry. */
  lookup(path: string): Lookup {
    const hot = this.#entries.get(path);
    const epoch = currentEpoch();
    if (hot !== undefined && hot.validatedEpoch === epoch) return { kind: 'file', entry: hot };
    let st: Stats | undefined;
    try {
      st = statSync(path, { throwIfNoEntry: false });
    } catch {
      return MISSING; // ENOTDIR, ENAMETOOLONG, EACCES…
    }
    if (st === undefined) {
      this.#drop(path);
      return MISSING;
    }
    if (st.isDirectory()) return resolvesInside(this.rootReal, path) ? DIRECTORY : FORBIDDEN;
    if (!st.isFile()) return FORBIDDEN;
    const cached = this.#entries.get(path);
    if (
      cached !== undefined &&
      cached.size === st.size &&
      cached.mtimeMs === st.mtimeMs &&
      cached.ino === st.ino
    ) {
      cached.validatedEpoch = epoch;
      return { kind: 'file', entry: cached };
    }
    this.#drop(path);
    if (!resolvesInside(this.rootReal, path)) return FORBIDDEN;
    const entry = this.#build(path, st);
    if (entry === undefined) return MISSING;
    return { kind: 'file', entry };
  }

  /** Forgets one path (after a PUT or DELETE). */
  invalidate(path: string): void {
    this.#drop(path);
  }

  /** Records bytes added to an entry later (a compressed variant). */
  account(entry: FileEntry, bytes: number): void {
    if (this.#entries.get(entry.path) === entry) {
      entry.extraBytes += bytes;
      this.#bytes += bytes;
      this.#evict();
    }
  }

  #build(path: string, st: Stats): FileEntry | undefined {
    let body: Buffer | undefined;
    if (st.size <= HTTP_LIMITS.cacheMaxFileBytes) {
      try {
        body = readFileSync(path);
      } catch {
        return undefined;
      }
      // The file changed between stat and read: serve what we read, but do not cache it.
      if (body.length !== st.size) return undefined;
    }
    const contentType = contentTypeOf(path);
    const etag = etagOf(st);
    const lastModifiedS = Math.floor(st.mtimeMs / 1000);
    const lastModified = new Date(lastModifiedS * 1000).toUTCString();
    const compressible = isCompressible(contentType);
    const entry: FileEntry = {
      path,
      size: st.size,
      mtimeMs: st.mtimeMs,
      ino: st.ino,
      etag,
      lastModifiedS,
      lastModified,
      contentType,
      compressible,
      body,
      siblings: this.#siblings(path, etag),
      compressed: new Map(),
      validatedEpoch: currentEpoch(),
      extraBytes: 0,
      headers200: {
        'Content-Type': contentType,
        'Content-Length': st.size,
        ETag: etag,
        'Last-Modified': lastModified,
        'Accept-Ranges': 'bytes',
      },
    };
    if (body !== undefined) {
      this.#entries.set(path, entry);
      this.#bytes += body.length;
      this.#evict();
    }
    return entry;
  }

  #siblings(path: string, etag: string): Variant[] {
    const out: Variant[] = [];
    for (const coding of ['br', 'gzip'] as const) {
      const sibling = path + CODING_SUFFIX[coding];
      let st: Stats | undefined;
      try {
        st = statSync(sibling, { throwIfNoEntry: false });
      } catch {
        continue;
      }
      if (st === undefined || !st.isFile() || !resolvesInside(this.rootReal, sibling)) continue;
      out.push({
        coding,
        path: sibling,
        size: st.size,
        body: undefined,
        etag: `${etag.slice(0, -1)}-${coding}"`,
      });
    }
    return out;
  }

  #drop(path: string): void {
    const entry = this.#entries.get(path);
    if (entry === undefined) return;
    this.#entries.delete(path);
    this.#bytes -= sizeOf(entry);
  }

  #evict(): void {
    for (const [path] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) return;
      this.#drop(path);
    }
  }
}

function sizeOf(entry: FileEntry): number {
  return (entry.body?.length ?? 0) + entry.extraBytes;
}
