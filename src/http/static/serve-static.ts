/**
 * GET and HEAD on a site: maps the decoded path into the root, redirects a directory without its
 * trailing slash, serves index.html / index.htm, a listing when enabled, or the file itself.
 */
import { join } from 'node:path';
import { joinUnderRoot } from '../paths.js';
import { encodeSegment, sendHtml, sendText } from '../responses.js';
import { cacheControlFor, type Site } from '../sites.js';
import type { FastHeaders, HttpRequest, HttpResponse } from '../types.js';
import { listingHtml } from './listing.js';
import { sendCached, sendFile } from './send-file.js';
import { parseRequestPath } from '../paths.js';
import { HTTP_LIMITS } from '../limits.js';

/** Index files tried in a directory, in order. */
export const INDEX_FILES = ['index.html', 'index.htm'] as const;

/** Serves a GET/HEAD for already-checked path `segments`. */
export async function serveStatic(
  req: HttpRequest,
  res: HttpResponse,
  site: Site,
  segments: readonly string[],
  urlPath: string,
  head: boolean,
): Promise<void> {
  const path = joinUnderRoot(site.root, segments);
  let look = site.cache.lookup(path);
  if (look.kind === 'directory') {
    if (!urlPath.endsWith('/')) {
      // RFC 9110 §15.4.2: a directory's canonical URL ends with '/', so relative links work.
      const location = `/${segments.map(encodeSegment).join('/')}/`;
      sendText(res, 301, head, `see ${location}`, { Location: location });
      return;
    }
    for (const name of INDEX_FILES) {
      const index = site.cache.lookup(join(path, name));
      if (index.kind === 'file') {
        look = index;
        break;
      }
    }
    if (look.kind === 'directory') {
      if (site.listing) sendHtml(res, 200, head, listingHtml(path, urlPath));
      else sendText(res, 404, head);
      return;
    }
  }
  if (look.kind === 'forbidden') {
    sendText(res, 403, head);
    return;
  }
  if (look.kind !== 'file') {
    sendText(res, 404, head);
    return;
  }
  await sendFile(req, res, look.entry, site.cache, { head, cacheControl: cacheControlFor(site, urlPath) });
}

/** Most request targets remembered per site for the fast path. */
const FAST_TARGETS_MAX = 10_000;
const fastTargets = new WeakMap<Site, Map<string, string>>();

/**
 * Tries to answer a GET/HEAD synchronously: the target (no query) maps to a file path through a
 * per-site memo of already-checked targets, the file is cached and the request unconditional.
 * Returns false to fall back to the full handler; `reserved` targets (login pages) never match.
 */
export function serveFast(
  headers: FastHeaders,
  res: HttpResponse,
  site: Site,
  target: string,
  head: boolean,
  reserved: (urlPath: string) => boolean,
): boolean {
  if (site.cacheControl.length > 0 || target.length > HTTP_LIMITS.maxUrlOctets) return false;
  let memo = fastTargets.get(site);
  if (memo === undefined) {
    memo = new Map();
    fastTargets.set(site, memo);
  }
  let path = memo.get(target);
  if (path === undefined) {
    if (target.includes('?') || target.endsWith('/')) return false;
    const parsed = parseRequestPath(target);
    if (!parsed.ok || reserved(parsed.urlPath)) return false;
    path = joinUnderRoot(site.root, parsed.segments);
    if (memo.size >= FAST_TARGETS_MAX) memo.clear();
    memo.set(target, path);
  }
  const look = site.cache.lookup(path);
  return look.kind === 'file' && sendCached(res, look.entry, headers, { head, cacheControl: undefined });
}
