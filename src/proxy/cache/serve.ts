/**
 * The answer a stored response gives one request: its fields with a current `Age` and the body's
 * own Content-Length; a 304 when the request's If-None-Match (weak comparison) or, without it,
 * If-Modified-Since says the client's copy is current (RFC 9110 §13.2.2, RFC 9111 §4.3.2); a 206
 * (one range, or multipart/byteranges) or 416 for a Range on a complete 200 (RFC 9110 §14, with
 * If-Range); no body for HEAD. Bodies come from memory or as ranges of the stored file.
 */
import { Readable } from 'node:stream';
import {
  contentRange,
  ifRangeAllows,
  multipartRanges,
  parseHttpDateMs,
  parseRange,
  type ByteRange,
  type HeaderSource,
} from '../../http/index.js';
import type { ServedBody, ServedResponse } from './contract.js';
import type { ObjectStore, StoredObject } from './store.js';

/** Fields never copied from the stored ones into an answer (they are set here). */
const REPLACED = new Set(['age', 'content-length']);
/** Statuses that never carry a body (or Content-Length of one). */
const BODYLESS = new Set([204, 304]);

/** The opaque part of an entity-tag, quotes and weakness dropped (lenient about missing quotes). */
function opaqueTag(tag: string): string {
  const t = tag.trim().replace(/^w\//i, '');
  return t.startsWith('"') && t.endsWith('"') && t.length >= 2 ? t.slice(1, -1) : t;
}

/** True when If-None-Match `value` names `etag` or is `*` (weak comparison). */
function noneMatchHits(value: string, etag: string | null): boolean {
  if (value.trim() === '*') return true;
  if (etag === null) return false;
  const wanted = opaqueTag(etag);
  return value.split(',').some((t) => t.trim().length > 0 && opaqueTag(t) === wanted);
}

/** True when the client's conditional GET/HEAD is answered by 304 from `object`. */
export function notModified(object: StoredObject, stored: HeaderSource, request: HeaderSource): boolean {
  if (object.meta.status < 200 || object.meta.status >= 300) return false;
  const inm = request.get('if-none-match');
  if (inm !== null) return noneMatchHits(inm, stored.get('etag'));
  const ims = parseHttpDateMs(request.get('if-modified-since'));
  if (ims === undefined) return false;
  const modified =
    parseHttpDateMs(stored.get('last-modified')) ??
    parseHttpDateMs(stored.get('date')) ??
    object.meta.responseTime;
  return modified <= ims;
}

function bodyOf(store: ObjectStore, object: StoredObject, range: ByteRange | undefined): ServedBody {
  const start = range?.start ?? 0;
  const end = range?.end ?? object.meta.size - 1;
  if (end < start) return { kind: 'none' };
  if (object.memory !== undefined) return { kind: 'buffer', data: object.memory.subarray(start, end + 1) };
  return { kind: 'stream', open: store.bodyReader(object, start, end) };
}

function multipartBody(
  store: ObjectStore,
  object: StoredObject,
  ranges: readonly ByteRange[],
  type: string,
): { body: ServedBody; length: number; contentType: string } {
  const framing = multipartRanges(ranges, object.meta.size, type);
  const parts = ranges.map((r) => bodyOf(store, object, r));
  async function* generate(): AsyncGenerator<Buffer> {
    for (const [i, part] of parts.entries()) {
      yield framing.heads[i] ?? Buffer.alloc(0);
      if (part.kind === 'buffer') yield part.data;
      else if (part.kind === 'stream') for await (const chunk of part.open()) yield chunk as Buffer;
    }
    yield framing.tail;
  }
  return {
    body: { kind: 'stream', open: () => Readable.from(generate()) },
    length: framing.length,
    contentType: framing.contentType,
  };
}

/** What answering takes besides the object. */
export interface ServeOptions {
  readonly method: string;
  readonly request: HeaderSource;
  /** The stored response's fields, looked up case-insensitively. */
  readonly stored: HeaderSource;
  /** Its current age in seconds. */
  readonly age: number;
}

/** The answer `object` gives a request. */
export function serve(store: ObjectStore, object: StoredObject, options: ServeOptions): ServedResponse {
  const { meta } = object;
  const base: [string, string][] = meta.headers
    .filter(([k]) => !REPLACED.has(k.toLowerCase()))
    .map(([k, v]) => [k, v]);
  base.push(['Age', String(Math.max(0, Math.min(options.age, 2 ** 31)))]);
  const head = options.method === 'HEAD';
  if (options.method === 'GET' || head) {
    if (notModified(object, options.stored, options.request))
      return { status: 304, headers: base, body: { kind: 'none' }, length: 0 };
  }
  if (BODYLESS.has(meta.status))
    return { status: meta.status, headers: base, body: { kind: 'none' }, length: 0 };
  const rangeHeader = options.request.get('range');
  if (options.method === 'GET' && meta.status === 200 && rangeHeader !== null) {
    const etag = options.stored.get('etag');
    const lastModified = parseHttpDateMs(options.stored.get('last-modified'));
    const ifRange = options.request.get('if-range') ?? undefined;
    const allowed =
      ifRange === undefined ||
      ifRangeAllows(ifRange, {
        etag: etag ?? '',
        lastModifiedS: lastModified === undefined ? Number.NaN : Math.floor(lastModified / 1000),
      });
    const parsed = allowed ? parseRange(rangeHeader, meta.size) : ({ kind: 'ignore' } as const);
    if (parsed.kind !== 'ignore')
      base.splice(0, base.length, ...base.filter(([k]) => k.toLowerCase() !== 'content-range'));
    if (parsed.kind === 'unsatisfiable') {
      base.push(['Content-Range', `bytes */${String(meta.size)}`], ['Content-Length', '0']);
      return { status: 416, headers: base, body: { kind: 'none' }, length: 0 };
    }
    if (parsed.kind === 'ranges') {
      const [only] = parsed.ranges;
      if (parsed.ranges.length === 1 && only !== undefined) {
        const length = only.end - only.start + 1;
        base.push(['Content-Range', contentRange(only, meta.size)], ['Content-Length', String(length)]);
        return { status: 206, headers: base, body: bodyOf(store, object, only), length };
      }
      const type = options.stored.get('content-type') ?? 'application/octet-stream';
      const multi = multipartBody(store, object, parsed.ranges, type);
      const headers = base.filter(([k]) => k.toLowerCase() !== 'content-type');
      headers.push(['Content-Type', multi.contentType], ['Content-Length', String(multi.length)]);
      return { status: 206, headers, body: multi.body, length: multi.length };
    }
  }
  base.push(['Content-Length', String(meta.size)]);
  if (head || meta.size === 0)
    return { status: meta.status, headers: base, body: { kind: 'none' }, length: 0 };
  return { status: meta.status, headers: base, body: bodyOf(store, object, undefined), length: meta.size };
}
