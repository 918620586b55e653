/**
 * Where the proxy's cache keeps responses: every stored response is two files in one directory,
 * `<id>.body` (written to a temp file while it streams in, renamed when complete) and `<id>.meta`
 * (JSON: URL, status, header fields, times, Vary key; written last, so a response without a
 * complete body never has one). Small bodies are also kept in memory and answered from there;
 * large ones are streamed from their file, never held whole. Bytes are bounded by `maxBytes`,
 * least recently used out first; several Vary variants may share a URL. At open the index is
 * rebuilt from the `.meta` files; damaged or half-written ones (and orphan bodies) are removed.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

/** Bodies up to this many bytes are kept in memory as well as on disk. */
export const MEMORY_OBJECT_MAX = 256 * 1024;
/** The memory tier's total, at most (and at most the cache's own size). */
export const MEMORY_TIER_MAX = 64 * 1024 * 1024;
/** Bytes charged for an object besides its body and header fields (index, files). */
const OVERHEAD = 256;
/** Largest `.meta` file read back at open. */
const META_MAX = 1024 * 1024;
/** How long a served file body stays readable after its object is removed, if never opened. */
const HOLD_MS = 30_000;

/** What is kept of one stored response besides its body. */
export interface StoredMeta {
  readonly url: string;
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
  readonly requestTime: number;
  readonly responseTime: number;
  /** The fetching request's normalised values of the fields the response's Vary nominates. */
  readonly vary: readonly (readonly [string, string | null])[];
  /** Body bytes. */
  readonly size: number;
}

/** One stored response (a variant of its URL). */
export interface StoredObject {
  readonly id: string;
  meta: StoredMeta;
  /** The body, when it is in the memory tier. */
  memory: Buffer | undefined;
  /** Bytes charged against the cache's size. */
  readonly bytes: number;
  /** Open readers and holds of its body file. */
  readers: number;
  /** Removed from the index; the body file goes once nobody reads it. */
  removed: boolean;
}

function headerBytes(meta: StoredMeta): number {
  let n = meta.url.length + OVERHEAD;
  for (const [k, v] of meta.headers) n += k.length + v.length + 4;
  return n;
}

function validMeta(value: unknown): value is StoredMeta {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  const pairs = (x: unknown, nullable: boolean): boolean =>
    Array.isArray(x) &&
    x.every(
      (p) =>
        Array.isArray(p) &&
        p.length === 2 &&
        typeof p[0] === 'string' &&
        (typeof p[1] === 'string' || (nullable && p[1] === null)),
    );
  return (
    typeof m.url === 'string' &&
    Number.isInteger(m.status) &&
    typeof m.requestTime === 'number' &&
    typeof m.responseTime === 'number' &&
    Number.isSafeInteger(m.size) &&
    (m.size as number) >= 0 &&
    pairs(m.headers, false) &&
    pairs(m.vary, true)
  );
}

/** The objects of one cache directory. */
export class ObjectStore {
  readonly dir: string;
  readonly maxBytes: number;
  private readonly memoryMax: number;
  private readonly byUrl = new Map<string, StoredObject[]>();
  /** Every object, least recently used first. */
  private readonly lru = new Map<string, StoredObject>();
  /** Objects with a body in memory, least recently used first. */
  private readonly memoryLru = new Map<string, StoredObject>();
  private totalBytes = 0;
  private memoryTotal = 0;
  private readonly pending = new Set<Promise<unknown>>();
  /** Removal sequence numbers: a write begun before its URL was removed is not committed. */
  private sequence = 0;
  private readonly removedAt = new Map<string, number>();
  private writers = 0;

  private constructor(dir: string, maxBytes: number) {
    this.dir = dir;
    this.maxBytes = Math.max(0, Math.floor(maxBytes));
    this.memoryMax = Math.min(MEMORY_TIER_MAX, this.maxBytes);
  }

  /** Opens (creating) `dir` and rebuilds the index from what it holds. */
  static async open(dir: string, maxBytes: number): Promise<ObjectStore> {
    const store = new ObjectStore(dir, maxBytes);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await store.rebuild();
    return store;
  }

  /** Bytes stored (bodies, fields and overhead). */
  get bytes(): number {
    return this.totalBytes;
  }

  /** Body bytes held in memory. */
  get memoryBytes(): number {
    return this.memoryTotal;
  }

  /** Number of stored objects. */
  get count(): number {
    return this.lru.size;
  }

  private async rebuild(): Promise<void> {
    const names = await readdir(this.dir);
    const bodies = new Set(names.filter((n) => n.endsWith('.body')).map((n) => n.slice(0, -5)));
    const found: StoredObject[] = [];
    for (const name of names) {
      if (name.endsWith('.tmp')) {
        await unlink(join(this.dir, name)).catch(() => undefined);
        continue;
      }
      if (!name.endsWith('.meta')) continue;
      const id = name.slice(0, -5);
      const object = await this.readObject(id, bodies.has(id));
      bodies.delete(id);
      if (object === undefined) {
        await this.unlinkFiles(id);
        continue;
      }
      found.push(object);
    }
    for (const orphan of bodies) await unlink(this.bodyPath(orphan)).catch(() => undefined);
    found.sort((a, b) => a.meta.responseTime - b.meta.responseTime);
    for (const object of found) this.index(object);
    this.evict(undefined);
  }

  private async readObject(id: string, hasBody: boolean): Promise<StoredObject | undefined> {
    if (!/^[0-9a-f]{32}$/.test(id) || !hasBody) return undefined;
    try {
      const metaStat = await stat(this.metaPath(id));
      if (metaStat.size > META_MAX) return undefined;
      const meta: unknown = JSON.parse(await readFile(this.metaPath(id), 'utf8'));
      if (!validMeta(meta)) return undefined;
      const bodyStat = await stat(this.bodyPath(id));
      if (bodyStat.size !== meta.size) return undefined;
      return {
        id,
        meta,
        memory: undefined,
        bytes: meta.size + headerBytes(meta),
        readers: 0,
        removed: false,
      };
    } catch {
      return undefined;
    }
  }

  private metaPath(id: string): string {
    return join(this.dir, `${id}.meta`);
  }

  private bodyPath(id: string): string {
    return join(this.dir, `${id}.body`);
  }

  private async unlinkFiles(id: string): Promise<void> {
    await unlink(this.metaPath(id)).catch(() => undefined);
    await unlink(this.bodyPath(id)).catch(() => undefined);
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p)).catch(() => undefined);
    return p;
  }

  private index(object: StoredObject): void {
    const list = this.byUrl.get(object.meta.url);
    if (list === undefined) this.byUrl.set(object.meta.url, [object]);
    else list.push(object);
    this.lru.set(object.id, object);
    this.totalBytes += object.bytes;
  }

  /** The stored variants of `url`, most recent response first. */
  variants(url: string): readonly StoredObject[] {
    const list = this.byUrl.get(url);
    if (list === undefined) return [];
    return [...list].sort((a, b) => b.meta.responseTime - a.meta.responseTime);
  }

  /** The object with `id`, if still stored. */
  get(id: string): StoredObject | undefined {
    return this.lru.get(id);
  }

  /** Marks `object` used (most recent in the LRU order). */
  touch(object: StoredObject): void {
    if (object.removed) return;
    this.lru.delete(object.id);
    this.lru.set(object.id, object);
    if (object.memory !== undefined) {
      this.memoryLru.delete(object.id);
      this.memoryLru.set(object.id, object);
    }
  }

  /** Loads a small object's body into memory (after a restart); false when it cannot. */
  async loadMemory(object: StoredObject): Promise<boolean> {
    if (object.memory !== undefined) return true;
    if (object.meta.size > MEMORY_OBJECT_MAX || object.meta.size > this.memoryMax) return false;
    try {
      const body = await readFile(this.bodyPath(object.id));
      if (body.length !== object.meta.size || object.removed) return false;
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a concurrent load may have set it during the await
      if (object.memory === undefined) this.keepInMemory(object, body);
      return true;
    } catch {
      return false;
    }
  }

  private keepInMemory(object: StoredObject, body: Buffer): void {
    if (body.length > MEMORY_OBJECT_MAX || body.length > this.memoryMax) return;
    object.memory = body;
    this.memoryTotal += body.length;
    this.memoryLru.set(object.id, object);
    for (const [id, old] of this.memoryLru) {
      if (this.memoryTotal <= this.memoryMax) break;
      if (old.memory !== undefined) this.memoryTotal -= old.memory.length;
      old.memory = undefined;
      this.memoryLru.delete(id);
    }
  }

  /**
   * A stream of `object`'s body bytes `start`..`end` (inclusive) from its file. The object's
   * file is held from this call until the stream closes (or HOLD_MS if it is never read).
   */
  bodyReader(object: StoredObject, start: number, end: number): () => Readable {
    object.readers++;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      object.readers--;
      if (object.removed && object.readers === 0)
        void this.track(unlink(this.bodyPath(object.id)).catch(() => undefined));
    };
    const timer = setTimeout(release, HOLD_MS);
    timer.unref();
    let opened = false;
    return () => {
      const stream = createReadStream(this.bodyPath(object.id), { start, end });
      if (!opened) {
        opened = true;
        clearTimeout(timer);
        stream.once('close', release);
      }
      return stream;
    };
  }

  /** Removes `object` from the index and its files (the body once no reader holds it). */
  remove(object: StoredObject): void {
    if (object.removed) return;
    object.removed = true;
    this.lru.delete(object.id);
    if (object.memory !== undefined) {
      this.memoryTotal -= object.memory.length;
      this.memoryLru.delete(object.id);
      object.memory = undefined;
    }
    this.totalBytes -= object.bytes;
    const list = this.byUrl.get(object.meta.url);
    if (list !== undefined) {
      const rest = list.filter((o) => o !== object);
      if (rest.length === 0) this.byUrl.delete(object.meta.url);
      else this.byUrl.set(object.meta.url, rest);
    }
    void this.track(unlink(this.metaPath(object.id)).catch(() => undefined));
    if (object.readers === 0) void this.track(unlink(this.bodyPath(object.id)).catch(() => undefined));
  }

  /** Removes every variant of `url`; true when there was one. */
  removeUrl(url: string): boolean {
    if (this.writers > 0) this.removedAt.set(url, ++this.sequence);
    const list = this.byUrl.get(url);
    if (list === undefined) return false;
    for (const object of [...list]) this.remove(object);
    return true;
  }

  /** Replaces `object`'s metadata (a 304's update), in memory now and on disk atomically. */
  updateMeta(object: StoredObject, meta: StoredMeta): void {
    if (object.removed) return;
    object.meta = meta;
    void this.track(this.writeMeta(object.id, meta).catch(() => undefined));
  }

  private async writeMeta(id: string, meta: StoredMeta): Promise<void> {
    const tmp = join(this.dir, `${id}.${randomBytes(6).toString('hex')}.meta.tmp`);
    await writeFile(tmp, JSON.stringify(meta), { mode: 0o600 });
    await rename(tmp, this.metaPath(id));
  }

  /**
   * Starts storing a response with `meta` (its `size` is filled in at the end). `replaces` picks
   * the variants the new one supersedes when it completes; `expectedSize` (a Content-Length)
   * must then match what was written.
   */
  begin(
    meta: Omit<StoredMeta, 'size'>,
    replaces: (old: StoredObject) => boolean,
    expectedSize: number | undefined,
  ): Writer | undefined {
    if (expectedSize !== undefined && expectedSize > this.maxBytes) return undefined;
    this.writers++;
    return new Writer(this, meta, replaces, expectedSize, this.sequence);
  }

  /** A Writer is done (stored or not). */
  writerDone(): void {
    this.writers--;
    if (this.writers === 0) this.removedAt.clear();
  }

  /** Called by a Writer whose body is complete and renamed: indexes the object, evicting others. */
  async commit(
    id: string,
    meta: StoredMeta,
    body: Buffer | undefined,
    replaces: (old: StoredObject) => boolean,
    begunAt: number,
  ): Promise<boolean> {
    // Invalidated or purged while it streamed in: the response is already out of date.
    if ((this.removedAt.get(meta.url) ?? -1) > begunAt) return false;
    const object: StoredObject = {
      id,
      meta,
      memory: undefined,
      bytes: meta.size + headerBytes(meta),
      readers: 0,
      removed: false,
    };
    if (object.bytes > this.maxBytes) return false;
    await this.writeMeta(id, meta);
    if ((this.removedAt.get(meta.url) ?? -1) > begunAt) {
      await unlink(this.metaPath(id)).catch(() => undefined);
      return false;
    }
    for (const old of this.byUrl.get(meta.url) ?? []) if (replaces(old)) this.remove(old);
    this.index(object);
    if (body !== undefined) this.keepInMemory(object, body);
    this.evict(object);
    return !object.removed;
  }

  /** Evicts least recently used objects until the total fits (`keep` goes last). */
  private evict(keep: StoredObject | undefined): void {
    for (const object of this.lru.values()) {
      if (this.totalBytes <= this.maxBytes) return;
      if (object !== keep) this.remove(object);
    }
    if (this.totalBytes > this.maxBytes && keep !== undefined) this.remove(keep);
  }

  /** A fresh temp path for a body being written, and where it goes when complete. */
  paths(): { id: string; tmp: string; body: string } {
    const id = randomBytes(16).toString('hex');
    return { id, tmp: join(this.dir, `${id}.body.tmp`), body: this.bodyPath(id) };
  }

  /** Waits for file operations in flight. */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}

/** Streams one response body to a temp file (and to memory while small), then commits it. */
export class Writer {
  private readonly store: ObjectStore;
  private readonly meta: Omit<StoredMeta, 'size'>;
  private readonly replaces: (old: StoredObject) => boolean;
  private readonly expectedSize: number | undefined;
  private readonly id: string;
  private readonly tmp: string;
  private readonly final: string;
  private readonly out: WriteStream;
  private readonly begunAt: number;
  private chunks: Buffer[] | undefined = [];
  private written = 0;
  private failed = false;
  private done = false;

  constructor(
    store: ObjectStore,
    meta: Omit<StoredMeta, 'size'>,
    replaces: (old: StoredObject) => boolean,
    expectedSize: number | undefined,
    begunAt: number,
  ) {
    this.begunAt = begunAt;
    this.store = store;
    this.meta = meta;
    this.replaces = replaces;
    this.expectedSize = expectedSize;
    const p = store.paths();
    this.id = p.id;
    this.tmp = p.tmp;
    this.final = p.body;
    this.out = createWriteStream(this.tmp, { flags: 'wx', mode: 0o600 });
    this.out.on('error', () => {
      this.failed = true;
    });
  }

  /** Appends a chunk; false asks the caller to wait for `drained()`. */
  write(chunk: Buffer): boolean {
    if (this.failed || this.done) return true;
    this.written += chunk.length;
    if (
      this.written > this.store.maxBytes ||
      (this.expectedSize !== undefined && this.written > this.expectedSize)
    ) {
      this.abort();
      return true;
    }
    if (this.chunks !== undefined) {
      if (this.written <= MEMORY_OBJECT_MAX) this.chunks.push(chunk);
      else this.chunks = undefined;
    }
    return this.out.write(chunk);
  }

  /** Resolves when the file stream can take more (or has failed). */
  drained(): Promise<void> {
    if (this.failed || this.done || !this.out.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = (): void => {
        this.out.off('drain', finish);
        this.out.off('close', finish);
        this.out.off('error', finish);
        resolve();
      };
      this.out.on('drain', finish);
      this.out.on('close', finish);
      this.out.on('error', finish);
    });
  }

  /** The body is complete: stores it; resolves false when it was dropped. */
  async end(): Promise<boolean> {
    if (this.done) return false;
    this.done = true;
    try {
      return await this.finish();
    } finally {
      this.store.writerDone();
    }
  }

  private async finish(): Promise<boolean> {
    if (this.failed || (this.expectedSize !== undefined && this.written !== this.expectedSize)) {
      this.discard();
      return false;
    }
    try {
      await new Promise<void>((resolve, reject) => {
        this.out.once('error', reject);
        this.out.end(resolve);
      });
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the stream's error event may set it during the await
      if (this.failed) throw new Error('write failed');
      await rename(this.tmp, this.final);
    } catch {
      this.discard();
      return false;
    }
    const body = this.chunks === undefined ? undefined : Buffer.concat(this.chunks, this.written);
    try {
      const stored = await this.store.commit(
        this.id,
        { ...this.meta, size: this.written },
        body,
        this.replaces,
        this.begunAt,
      );
      if (!stored) await unlink(this.final).catch(() => undefined);
      return stored;
    } catch {
      await unlink(this.final).catch(() => undefined);
      return false;
    }
  }

  /** The body is incomplete: nothing is stored. */
  abort(): void {
    if (this.done) return;
    this.failed = true;
    this.done = true;
    this.store.writerDone();
    this.discard();
  }

  private discard(): void {
    this.chunks = undefined;
    const remove = (): void => void unlink(this.tmp).catch(() => undefined);
    if (this.out.closed) remove();
    else this.out.once('close', remove);
    this.out.destroy();
  }
}
