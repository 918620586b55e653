/**
 * Directory listings for LIST, NLST, MLSD and STAT <path>: the argument resolved from the current
 * directory, the entries read through the user's filesystem (UserFs.list, which leaves out
 * symlinks leading out of the home and is bounded by FTP_LIMITS.maxListEntries), and the text
 * the codec formats from them.
 */
import { formatListLine, formatMlsxLine, type ListEntry, type MlsxFact } from '../codec/listing.js';
import { resolveVirtual, splitListArgs } from '../codec/path.js';
import { FsError, type Listing } from '../server/user-fs.js';
import type { ReadyState } from './state.js';

/** Resolves a listing argument (`ls` options dropped when `parseOptions`) and lists it. */
export async function collect(
  ready: ReadyState,
  arg: string,
  options: { parseOptions: boolean },
): Promise<Listing & { virtual: string }> {
  const path = options.parseOptions ? splitListArgs(arg).path : arg.trim();
  const virtual = resolveVirtual(ready.cwd, path === '' ? '.' : path);
  if (virtual === null) throw new FsError('not-found', 'Invalid path');
  return { virtual, ...(await ready.fs.list(virtual)) };
}

/** LIST text (`ls -l` lines, CRLF-terminated). */
export function listText(entries: readonly ListEntry[], now: Date): string {
  return entries.map((e) => formatListLine(e, now) + '\r\n').join('');
}

/** NLST text: names only (for a directory argument, prefixed like `ls dir` does not). */
export function nlstText(entries: readonly ListEntry[]): string {
  return entries.map((e) => e.name + '\r\n').join('');
}

/** MLSD text: a `cdir` entry then one line per entry (RFC 3659 §7.2). */
export function mlsdText(
  facts: ReadonlySet<MlsxFact>,
  self: ListEntry,
  entries: readonly ListEntry[],
): string {
  const lines = [formatMlsxLine({ ...self, type: 'cdir' }, facts, '.')];
  for (const e of entries) lines.push(formatMlsxLine(e, facts));
  return lines.map((l) => l + '\r\n').join('');
}
