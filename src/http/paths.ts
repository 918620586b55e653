/**
 * Confining request paths to a site root. The request target's path is decoded exactly once
 * (RFC 3986 §2.4: decoding twice is how `%252e%252e` becomes `..`), then refused when it holds a
 * `..` or `.` segment, a NUL, a backslash or an encoded slash (`%2f`, which would let a segment
 * hide a separator), and finally the real path on disk (symlinks resolved) must still lie inside
 * the root's real path, so a symlink in the site cannot lead out of it.
 */
import { realpathSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';

/** The outcome of mapping a URL path to the file system. */
export type PathResult =
  | { readonly ok: true; readonly segments: readonly string[]; readonly urlPath: string }
  | { readonly ok: false; readonly status: 400 | 403; readonly reason: string };

const ENCODED_SEPARATOR = /%(?:2f|5c|00)/i;

/**
 * Decodes and checks the path part of a request target (`/a/b%20c.txt?x` → ['a', 'b c.txt']).
 * A trailing slash is kept in `urlPath` (directory requests). Never touches the disk.
 */
export function parseRequestPath(target: string): PathResult {
  const q = target.indexOf('?');
  const raw = q === -1 ? target : target.slice(0, q);
  if (!raw.startsWith('/')) return { ok: false, status: 400, reason: 'target is not an absolute path' };
  if (ENCODED_SEPARATOR.test(raw)) return { ok: false, status: 400, reason: 'encoded separator or NUL' };
  let decoded: string;
  try {
    decoded = raw.includes('%') ? decodeURIComponent(raw) : raw;
  } catch {
    return { ok: false, status: 400, reason: 'malformed percent-encoding' };
  }
  if (decoded.includes('\0') || decoded.includes('\\')) {
    return { ok: false, status: 400, reason: 'NUL or backslash in path' };
  }
  const segments: string[] = [];
  for (const segment of decoded.split('/')) {
    if (segment === '') continue;
    if (segment === '..' || segment === '.') return { ok: false, status: 403, reason: 'dot segment' };
    segments.push(segment);
  }
  return { ok: true, segments, urlPath: decoded };
}

/** The file-system path of `segments` under `root` (no disk access). */
export function joinUnderRoot(root: string, segments: readonly string[]): string {
  return segments.length === 0 ? root : join(root, ...segments);
}

/** True when `child` is `parent` or lies inside it (both absolute, normalised). */
export function isInside(parent: string, child: string): boolean {
  return child === parent || child.startsWith(parent.endsWith(sep) ? parent : parent + sep);
}

/**
 * True when `path` (which may not exist yet) resolves inside `rootReal` (the root's realpath):
 * the deepest existing ancestor's realpath is checked, so symlinked directories or files that
 * point out of the root are refused for reads and writes alike.
 */
export function resolvesInside(rootReal: string, path: string): boolean {
  let probe = path;
  for (;;) {
    try {
      return isInside(rootReal, realpathSync.native(probe));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return false;
      const parent = dirname(probe);
      if (parent === probe) return false;
      probe = parent;
    }
  }
}
