/**
 * Answering GET and HEAD for one file: content-coding negotiation (precompressed siblings or
 * on-the-fly), conditional requests (RFC 9110 §13.2.2 → 304 / 412), Range (§14: 206 single
 * range, multipart/byteranges for several, 416 with `Content-Range: bytes *\/len`, If-Range), and
 * the body from the cache with one `res.end(buffer)` or streamed from disk in large chunks.
 */
import { createReadStream } from 'node:fs';
import type { OutgoingHttpHeaders } from 'node:http';
import { evaluatePreconditions, ifRangeAllows, type Validators } from '../conditional.js';
import { negotiateEncoding } from '../encoding.js';
import { HTTP_LIMITS } from '../limits.js';
import { contentRange, multipartRanges, parseRange, unsatisfiedRange, type ByteRange } from '../range.js';
import { sendText } from '../responses.js';
import { header, writeHead, type HttpRequest, type HttpResponse } from '../types.js';
import { availableCodings, variantOf } from './compress.js';
import type { FileCache, FileEntry, Variant } from './file-cache.js';

/** Per-request extras decided by the caller (site config). */
export interface SendOptions {
  readonly head: boolean;
  readonly cacheControl: string | undefined;
}

/**
 * The fast path, synchronous: an unconditional GET/HEAD without Range of a cached file (and,
 * for types that vary, without Accept-Encoding) is answered with the precomputed headers and one
 * `res.end(buffer)`. Returns false when the request needs the full treatment.
 */
export function sendCached(
  res: HttpResponse,
  entry: FileEntry,
  request: { readonly conditional: boolean; readonly acceptEncoding: boolean },
  options: SendOptions,
): boolean {
  const varies = entry.compressible || entry.siblings.length > 0;
  if (
    entry.body === undefined ||
    request.conditional ||
    (varies && request.acceptEncoding) ||
    options.cacheControl !== undefined
  )
    return false;
  writeHead(res, 200, varies ? { ...entry.headers200, Vary: 'Accept-Encoding' } : entry.headers200);
  if (options.head) res.end();
  else res.end(entry.body);
  return true;
}

/** Sends `entry`; resolves once the response is handed to the socket. */
export async function sendFile(
  req: HttpRequest,
  res: HttpResponse,
  entry: FileEntry,
  cache: FileCache,
  options: SendOptions,
): Promise<void> {
  const h = req.headers;
  const request = {
    conditional:
      h.range !== undefined ||
      h['if-none-match'] !== undefined ||
      h['if-modified-since'] !== undefined ||
      h['if-match'] !== undefined ||
      h['if-unmodified-since'] !== undefined,
    acceptEncoding: h['accept-encoding'] !== undefined,
  };
  if (sendCached(res, entry, request, options)) return;
  const range = h.range;
  const varies = entry.compressible || entry.siblings.length > 0;

  // Ranges are served from the identity representation; otherwise negotiate a coding.
  let variant: Variant | undefined;
  if (range === undefined && varies) {
    const coding = negotiateEncoding(h['accept-encoding'], availableCodings(entry));
    if (coding !== undefined) variant = await variantOf(entry, coding, cache);
  }
  const validators: Validators = { etag: variant?.etag ?? entry.etag, lastModifiedS: entry.lastModifiedS };
  const common: OutgoingHttpHeaders = { ETag: validators.etag, 'Last-Modified': entry.lastModified };
  if (varies) common.Vary = 'Accept-Encoding';
  if (options.cacheControl !== undefined) common['Cache-Control'] = options.cacheControl;

  const outcome = evaluatePreconditions(
    {
      ifMatch: h['if-match'],
      ifNoneMatch: h['if-none-match'],
      ifModifiedSince: h['if-modified-since'],
      ifUnmodifiedSince: h['if-unmodified-since'],
    },
    validators,
    true,
  );
  if (outcome === 'not-modified') {
    writeHead(res, 304, common);
    res.end();
    return;
  }
  if (outcome === 'precondition-failed') {
    sendText(res, 412, options.head, undefined, common);
    return;
  }

  if (variant !== undefined) {
    const headers = {
      ...common,
      'Content-Type': entry.contentType,
      'Content-Encoding': variant.coding,
      'Content-Length': variant.size,
    };
    writeHead(res, 200, headers);
    if (options.head) res.end();
    else if (variant.body !== undefined) res.end(variant.body);
    else if (variant.path !== undefined) streamFile(res, variant.path, 0, variant.size - 1);
    else res.end();
    return;
  }

  common['Accept-Ranges'] = 'bytes';
  const parsed =
    range !== undefined &&
    (req.method === 'GET' || req.method === 'HEAD') &&
    ifRangeAllows(header(req, 'if-range'), validators)
      ? parseRange(range, entry.size)
      : ({ kind: 'ignore' } as const);
  if (parsed.kind === 'unsatisfiable') {
    sendText(res, 416, options.head, undefined, { ...common, 'Content-Range': unsatisfiedRange(entry.size) });
    return;
  }
  if (parsed.kind === 'ignore') {
    writeHead(res, 200, { ...common, 'Content-Type': entry.contentType, 'Content-Length': entry.size });
    if (options.head) res.end();
    else if (entry.body !== undefined) res.end(entry.body);
    else streamFile(res, entry.path, 0, entry.size - 1);
    return;
  }
  const [first] = parsed.ranges;
  if (parsed.ranges.length === 1 && first !== undefined) {
    writeHead(res, 206, {
      ...common,
      'Content-Type': entry.contentType,
      'Content-Range': contentRange(first, entry.size),
      'Content-Length': first.end - first.start + 1,
    });
    if (options.head) res.end();
    else sendSlice(res, entry, first, true);
    return;
  }
  const multi = multipartRanges(parsed.ranges, entry.size, entry.contentType);
  writeHead(res, 206, { ...common, 'Content-Type': multi.contentType, 'Content-Length': multi.length });
  if (options.head) {
    res.end();
    return;
  }
  for (const [i, r] of parsed.ranges.entries()) {
    res.write(multi.heads[i] ?? Buffer.alloc(0));
    if (entry.body !== undefined) res.write(entry.body.subarray(r.start, r.end + 1));
    else if (!(await writeSlice(res, entry.path, r))) return;
  }
  res.end(multi.tail);
}

function sendSlice(res: HttpResponse, entry: FileEntry, r: ByteRange, end: boolean): void {
  if (entry.body !== undefined) {
    const slice = entry.body.subarray(r.start, r.end + 1);
    if (end) res.end(slice);
    else res.write(slice);
  } else streamFile(res, entry.path, r.start, r.end);
}

/** Streams bytes start..end (inclusive) of a file into the response in large chunks. */
export function streamFile(res: HttpResponse, path: string, start: number, end: number): void {
  if (end < start) {
    res.end();
    return;
  }
  void writeSlice(res, path, { start, end }).then((ok) => {
    if (ok) res.end();
  });
}

/**
 * Pipes bytes r.start..r.end of a file into the response without ending it; resolves true when
 * they were all written, false when the file failed or the client went away (the file stream is
 * destroyed either way, so no descriptor outlives the response).
 */
function writeSlice(res: HttpResponse, path: string, r: ByteRange): Promise<boolean> {
  return new Promise((resolve) => {
    const stream = createReadStream(path, {
      start: r.start,
      end: r.end,
      highWaterMark: HTTP_LIMITS.streamChunkBytes,
    });
    const onClose = (): void => {
      stream.destroy();
      resolve(false);
    };
    res.once('close', onClose);
    stream.on('error', () => {
      res.removeListener('close', onClose);
      res.destroy();
      resolve(false);
    });
    stream.on('end', () => {
      res.removeListener('close', onClose);
      resolve(true);
    });
    stream.pipe(res, { end: false });
  });
}
