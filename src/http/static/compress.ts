/**
 * Compressed variants of a file for `Accept-Encoding` (RFC 9110 §8.4.1): a precompressed sibling
 * (`file.br`, `file.gz`) when present, else, for compressible types of moderate size, the file
 * compressed in memory with node:zlib (asynchronously, once) and kept in the file's cache entry.
 */
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';
import type { Coding } from '../encoding.js';
import { HTTP_LIMITS } from '../limits.js';
import type { FileCache, FileEntry, Variant } from './file-cache.js';

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/** The codings a file can be sent in (siblings, or on-the-fly when worthwhile). */
export function availableCodings(entry: FileEntry): Coding[] {
  const out = entry.siblings.map((s) => s.coding);
  if (
    entry.compressible &&
    entry.size >= HTTP_LIMITS.compressMinBytes &&
    entry.size <= HTTP_LIMITS.compressMaxBytes
  ) {
    for (const c of ['br', 'gzip'] as const) if (!out.includes(c)) out.push(c);
  }
  return out;
}

/** The variant in `coding`, reading or compressing it on first use; undefined when unavailable. */
export function variantOf(entry: FileEntry, coding: Coding, cache: FileCache): Promise<Variant | undefined> {
  const sibling = entry.siblings.find((s) => s.coding === coding);
  if (sibling !== undefined) {
    if (
      sibling.body !== undefined ||
      sibling.path === undefined ||
      sibling.size > HTTP_LIMITS.cacheMaxFileBytes
    )
      return Promise.resolve(sibling);
    const path = sibling.path;
    return readFile(path).then(
      (body) => {
        sibling.body = body;
        cache.account(entry, body.length);
        return sibling;
      },
      () => undefined,
    );
  }
  let pending = entry.compressed.get(coding);
  if (pending === undefined) {
    pending = compress(entry, coding, cache);
    entry.compressed.set(coding, pending);
  }
  return pending;
}

async function compress(entry: FileEntry, coding: Coding, cache: FileCache): Promise<Variant | undefined> {
  if (!entry.compressible || entry.size > HTTP_LIMITS.compressMaxBytes) return undefined;
  try {
    const input = entry.body ?? (await readFile(entry.path));
    const body =
      coding === 'br'
        ? await brotliAsync(input, {
            params: {
              // Quality 5 compresses almost as well as 11 at a small fraction of the CPU.
              [zlibConstants.BROTLI_PARAM_QUALITY]: 5,
              [zlibConstants.BROTLI_PARAM_SIZE_HINT]: input.length,
            },
          })
        : await gzipAsync(input, { level: 6 });
    cache.account(entry, body.length);
    return {
      coding,
      path: undefined,
      size: body.length,
      body,
      etag: `${entry.etag.slice(0, -1)}-${coding}"`,
    };
  } catch {
    return undefined;
  }
}
