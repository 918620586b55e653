/**
 * The writing methods on a site (called after authorizeWrite): PUT creates (201) or replaces
 * (204) a file, honouring If-Match / If-None-Match: * (RFC 9110 §13.1); DELETE removes a file;
 * POST to a directory saves the files of a multipart/form-data upload, or one file from an
 * urlencoded form's `filename` and `content` fields. Bodies are capped by `max_body_size`
 * (413), streamed to a temp file and renamed into place.
 */
import { mkdir, stat, unlink } from 'node:fs/promises';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { evaluatePreconditions } from './conditional.js';
import { createAtomicFile, syncDir, TEMP_PREFIX, type AtomicFile } from './atomic-file.js';
import { HTTP_LIMITS } from './limits.js';
import { MultipartError, MultipartParser, multipartBoundary } from './multipart.js';
import { joinUnderRoot, resolvesInside } from './paths.js';
import { sendJson, sendText } from './responses.js';
import type { Site } from './sites.js';
import { etagOf } from './static/file-cache.js';
import { writeHead, type HttpRequest, type HttpResponse } from './types.js';

/** A request body exceeded the limit. */
class BodyTooLarge extends Error {}

/** True when a file name from a client is acceptable (one segment, not hidden, no controls). */
export function isSafeFileName(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= 255 &&
    !name.startsWith('.') &&
    // eslint-disable-next-line no-control-regex
    !/[/\\\x00-\x1f\x7f]/.test(name) &&
    Buffer.byteLength(name) <= 255
  );
}

/** Where a write lands, checked against the site root; undefined when refused. */
async function target(site: Site, segments: readonly string[]): Promise<string | undefined> {
  if (segments.length === 0) return undefined;
  if (segments.some((s) => s.startsWith(TEMP_PREFIX))) return undefined;
  const path = joinUnderRoot(site.root, segments);
  if (!resolvesInside(site.root, path)) return undefined;
  const parent = dirname(path);
  await mkdir(parent, { recursive: true });
  // mkdir may have followed a symlinked ancestor: check again now that it exists.
  return resolvesInside(site.root, parent) ? path : undefined;
}

/** Streams the request body into `file`, enforcing `maxBytes`. */
async function pipeBody(req: HttpRequest, file: AtomicFile, maxBytes: number): Promise<void> {
  let total = 0;
  for await (const chunk of bodyChunks(req)) {
    total += chunk.length;
    if (total > maxBytes) throw new BodyTooLarge();
    if (!file.stream.write(chunk)) await once(file.stream, 'drain');
  }
}

/** 413, closing the connection so the unread body is not parsed as a request. */
export function sendTooLarge(res: HttpResponse): void {
  sendText(res, 413, false, undefined, { Connection: 'close' });
}

/** True when Content-Length announces more than `maxBytes`. */
export function declaredTooLarge(req: HttpRequest, maxBytes: number): boolean {
  const length = req.headers['content-length'];
  return length !== undefined && Number(length) > maxBytes;
}

/** PUT: 201 Created or 204 No Content. */
export async function handlePut(
  req: HttpRequest,
  res: HttpResponse,
  site: Site,
  segments: readonly string[],
  maxBytes: number,
): Promise<void> {
  const path = await target(site, segments);
  if (path === undefined) {
    sendText(res, 403, false);
    return;
  }
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory() === true) {
    sendText(res, 409, false, 'a directory exists at this path');
    return;
  }
  const pre = evaluatePreconditions(
    {
      ifMatch: req.headers['if-match'],
      ifNoneMatch: req.headers['if-none-match'],
      ifUnmodifiedSince: req.headers['if-unmodified-since'],
    },
    existing === undefined
      ? undefined
      : { etag: etagOf(existing), lastModifiedS: Math.floor(existing.mtimeMs / 1000) },
    false,
  );
  if (pre !== 'proceed') {
    sendText(res, 412, false);
    return;
  }
  const file = createAtomicFile(path);
  try {
    await pipeBody(req, file, maxBytes);
    await file.commit();
  } catch (err) {
    await file.abort();
    if (err instanceof BodyTooLarge) {
      sendTooLarge(res);
      return;
    }
    throw err;
  }
  site.cache.invalidate(path);
  const created = existing === undefined;
  const after = await stat(path);
  const headers = { ETag: etagOf(after) };
  if (created)
    sendText(res, 201, false, 'created', {
      ...headers,
      Location: `/${segments.map(encodeURIComponent).join('/')}`,
    });
  else {
    writeHead(res, 204, headers);
    res.end();
  }
}

/** DELETE: 204, 404 when absent, 409 for a directory. */
export async function handleDelete(
  res: HttpResponse,
  site: Site,
  segments: readonly string[],
): Promise<void> {
  const path = segments.length === 0 ? undefined : joinUnderRoot(site.root, segments);
  if (path === undefined || !resolvesInside(site.root, path)) {
    sendText(res, 403, false);
    return;
  }
  const st = await stat(path).catch(() => undefined);
  if (st === undefined) {
    sendText(res, 404, false);
    return;
  }
  if (st.isDirectory()) {
    sendText(res, 409, false, 'not deleting a directory');
    return;
  }
  await unlink(path);
  await syncDir(dirname(path));
  site.cache.invalidate(path);
  writeHead(res, 204);
  res.end();
}

/** POST to a directory: multipart/form-data files, or an urlencoded `filename` + `content`. */
export async function handlePost(
  req: HttpRequest,
  res: HttpResponse,
  site: Site,
  segments: readonly string[],
  maxBytes: number,
): Promise<void> {
  const dir = joinUnderRoot(site.root, segments);
  const st = await stat(dir).catch(() => undefined);
  if (st?.isDirectory() !== true || !resolvesInside(site.root, dir)) {
    sendText(res, 404, false, 'POST uploads go to an existing directory');
    return;
  }
  const type = req.headers['content-type'] ?? '';
  if (/^\s*application\/x-www-form-urlencoded/i.test(type)) {
    const form = await readForm(req, HTTP_LIMITS.maxFormBytes);
    if (form === undefined) {
      sendTooLarge(res);
      return;
    }
    const name = form.get('filename');
    if (name === null || !isSafeFileName(name)) {
      sendText(res, 400, false, 'the form needs a valid "filename" field');
      return;
    }
    const file = createAtomicFile(join(dir, name));
    file.stream.write(form.get('content') ?? '');
    await file.commit();
    site.cache.invalidate(file.target);
    sendJson(res, 201, false, { saved: [name] });
    return;
  }
  const boundary = multipartBoundary(type);
  if (boundary === undefined) {
    sendText(res, 415, false, 'expected multipart/form-data or application/x-www-form-urlencoded');
    return;
  }
  await saveMultipart(req, res, site, dir, boundary, maxBytes);
}

async function saveMultipart(
  req: HttpRequest,
  res: HttpResponse,
  site: Site,
  dir: string,
  boundary: string,
  maxBytes: number,
): Promise<void> {
  const saved: string[] = [];
  const open: AtomicFile[] = [];
  const toCommit: AtomicFile[] = [];
  let current: AtomicFile | undefined;
  const state = { badName: false };
  const parser = new MultipartParser(boundary, {
    onPart(part) {
      current = undefined;
      if (part.filename === undefined) return; // a plain field: ignored
      const name = part.filename.split(/[/\\]/).pop() ?? '';
      if (!isSafeFileName(name)) {
        state.badName = true;
        return;
      }
      current = createAtomicFile(join(dir, name));
      open.push(current);
    },
    onData(chunk) {
      current?.stream.write(chunk);
    },
    onPartEnd() {
      if (current) toCommit.push(current);
      current = undefined;
    },
  });
  let total = 0;
  try {
    for await (const chunk of bodyChunks(req)) {
      total += chunk.length;
      if (total > maxBytes) throw new BodyTooLarge();
      parser.write(chunk);
      if (state.badName) throw new MultipartError('unacceptable file name');
      if (current !== undefined && current.stream.writableNeedDrain) await once(current.stream, 'drain');
    }
    parser.end();
    for (const f of toCommit) {
      await f.commit();
      site.cache.invalidate(f.target);
      saved.push(f.target.slice(dir.length + 1));
    }
  } catch (err) {
    for (const f of open) await f.abort();
    if (err instanceof BodyTooLarge) {
      sendTooLarge(res);
      return;
    }
    if (err instanceof MultipartError) {
      sendText(res, 400, false, `bad multipart body: ${err.message}`);
      return;
    }
    throw err;
  }
  sendJson(res, 201, false, { saved });
}

/** Reads an urlencoded body of at most `maxBytes`; undefined when larger. */
export async function readForm(req: HttpRequest, maxBytes: number): Promise<URLSearchParams | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of bodyChunks(req)) {
    total += chunk.length;
    if (total > maxBytes) return undefined;
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** The body's chunks; leaving the loop early does not destroy the request, so a 413 can still go out. */
function bodyChunks(req: HttpRequest): AsyncIterable<Buffer> {
  return req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>;
}
