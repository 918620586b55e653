/**
 * Virtual paths: what the client sees is a Unix path rooted at its home (`/` is the home). A
 * command's argument is resolved against the current directory in that virtual space, `.` and
 * `..` are folded there (so `..` at `/` stays at `/`, RFC 959 leaves paths to the server), and
 * the result is a normalized absolute virtual path. Mapping it to the disk and the symlink
 * checks happen in the server's filesystem layer. Pure.
 */
import { posix } from 'node:path';
import { FTP_LIMITS } from '../limits.js';

/** Resolves `arg` against `cwd` (both virtual); null when the path is unusable (NUL, too long). */
export function resolveVirtual(cwd: string, arg: string): string | null {
  if (arg.includes('\0')) return null;
  if (Buffer.byteLength(arg) > FTP_LIMITS.maxPathOctets) return null;
  const joined = arg.startsWith('/') ? arg : `${cwd}/${arg}`;
  const parts: string[] = [];
  for (const part of joined.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  const out = `/${parts.join('/')}`;
  return Buffer.byteLength(out) > FTP_LIMITS.maxPathOctets ? null : out;
}

/** The last component of a virtual path (`/` for the root). */
export function baseName(virtual: string): string {
  return virtual === '/' ? '/' : posix.basename(virtual);
}

/** The parent of a virtual path (`/` for the root). */
export function parentOf(virtual: string): string {
  return posix.dirname(virtual);
}

/**
 * Splits LIST/NLST arguments into `ls`-style options and a path: `-la dir` gives ['l','a'] and
 * `dir`. Only leading words that start with `-` are options (what vsftpd and pyftpdlib accept).
 */
export function splitListArgs(arg: string): { options: string; path: string } {
  let rest = arg.trim();
  let options = '';
  while (rest.startsWith('-')) {
    const space = rest.indexOf(' ');
    options += space === -1 ? rest.slice(1) : rest.slice(1, space);
    rest = space === -1 ? '' : rest.slice(space + 1).trimStart();
  }
  return { options, path: rest };
}
