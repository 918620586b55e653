/**
 * Building directory listings for LIST, NLST, MLSD and STAT <path>: reads a directory through the
 * user's confined filesystem (symlinks that lead out of the home are left out, links inside are
 * shown as what they point to) and formats it with the codec. Bounded by
 * FTP_LIMITS.maxListEntries.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join } from 'node:path';
import { formatListLine, formatMlsxLine, type ListEntry } from '../codec/listing.js';
import { baseName, resolveVirtual, splitListArgs } from '../codec/path.js';
import { FsError, fsErrorOf, type UserFs } from '../server/user-fs.js';
import { FTP_LIMITS } from '../limits.js';
import type { FtpSession } from './session.js';

/** One entry and its name as it appears in the listing. */
interface Listed {
  readonly entry: ListEntry;
}

async function readEntries(fs: UserFs, real: string): Promise<ListEntry[]> {
  let dirents;
  try {
    dirents = await readdir(real, { withFileTypes: true });
  } catch (err) {
    throw fsErrorOf(err);
  }
  const out: ListEntry[] = [];
  for (const d of dirents.slice(0, FTP_LIMITS.maxListEntries)) {
    const path = join(real, d.name);
    let stats: Stats;
    try {
      if (d.isSymbolicLink()) {
        const target = await realpath(path);
        if (target !== fs.root && !target.startsWith(fs.root + '/')) continue;
      }
      stats = await stat(path);
    } catch {
      continue;
    }
    out.push(fs.entry(d.name, stats));
  }
  out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return out;
}

/** Resolves a listing argument: the virtual path, whether it is a directory, and its entries. */
export async function collect(
  s: FtpSession,
  arg: string,
  options: { parseOptions: boolean },
): Promise<{ virtual: string; isDir: boolean; entries: ListEntry[]; self: ListEntry }> {
  const ready = s.ready;
  if (!ready) throw new FsError('denied', 'Not logged in');
  const path = options.parseOptions ? splitListArgs(arg).path : arg.trim();
  const virtual = resolveVirtual(ready.cwd, path === '' ? '.' : path);
  if (virtual === null) throw new FsError('not-found', 'Invalid path');
  const { real, stats } = await ready.fs.stat(virtual);
  const self = ready.fs.entry(baseName(virtual), stats);
  if (!stats.isDirectory()) return { virtual, isDir: false, entries: [self], self };
  return { virtual, isDir: true, entries: await readEntries(ready.fs, real), self };
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
export function mlsdText(s: FtpSession, self: ListEntry, entries: readonly ListEntry[]): string {
  const facts = s.settings.mlstFacts;
  const lines = [formatMlsxLine({ ...self, type: 'cdir' }, facts, '.')];
  for (const e of entries) lines.push(formatMlsxLine(e, facts));
  return lines.map((l) => l + '\r\n').join('');
}

export type { Listed };
