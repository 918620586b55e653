/**
 * A user's filesystem: every operation the FTP session performs on disk (stat, list, open for
 * reading or writing, mkdir, rmdir, unlink, rename, chmod, set the modification time), on virtual
 * paths (see codec/path.ts) mapped under one root directory. Every mapping is checked by realpath
 * so that a symlink inside the root that points outside it is refused, for reading, listing,
 * writing and deleting alike; creation checks the real parent and refuses when the target itself
 * is a symlink leading out. Operations do not check first and act second: they act (open with the
 * flags that say what must hold, mkdir, unlink…) and map the error, and whatever must be true of a
 * file is checked on the opened descriptor, so nothing can change between a check and its use.
 * Errors are FsError with a kind the session maps to 550/553/452/451. (A racing local user who
 * swaps a directory of the path for a symlink after realpath is out of scope: homes belong to the
 * FTP server.)
 */
import { close, constants, fstat, futimes, open, type Stats } from 'node:fs';
import { chmod, lstat, mkdir, readdir, realpath, rename, rmdir, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import { promisify } from 'node:util';
import type { ListEntry } from '../codec/listing.js';
import { baseName } from '../codec/path.js';
import { FTP_LIMITS } from '../limits.js';

// Numeric descriptors, not FileHandle: the transfer streams use them with autoClose off, and a
// FileHandle stream then keeps the handle referenced so that FileHandle.close() never resolves.
const openFd = promisify(open);
const closeFd = promisify(close);
const fstatFd = promisify(fstat);
const futimesFd = promisify(futimes);

/** What may a user do (issue 7: read / write / delete). */
export interface FtpPermissions {
  readonly read: boolean;
  readonly write: boolean;
  readonly delete: boolean;
}

/** Why a filesystem operation was refused. */
export type FsErrorKind =
  | 'not-found'
  | 'denied'
  | 'exists'
  | 'not-dir'
  | 'is-dir'
  | 'not-file'
  | 'not-empty'
  | 'bad-name'
  | 'no-space'
  | 'io';

/** A refused or failed filesystem operation. */
export class FsError extends Error {
  readonly kind: FsErrorKind;

  constructor(kind: FsErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FsError';
    this.kind = kind;
  }
}

/** Maps a Node errno error to an FsError. */
export function fsErrorOf(err: unknown): FsError {
  if (err instanceof FsError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return new FsError('not-found', 'No such file or directory', { cause: err });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new FsError('denied', 'Permission denied', { cause: err });
    case 'EEXIST':
      return new FsError('exists', 'File exists', { cause: err });
    case 'ENOTDIR':
      return new FsError('not-dir', 'Not a directory', { cause: err });
    case 'EISDIR':
      return new FsError('is-dir', 'Is a directory', { cause: err });
    case 'ENOTEMPTY':
      return new FsError('not-empty', 'Directory not empty', { cause: err });
    case 'ENAMETOOLONG':
      return new FsError('bad-name', 'File name too long', { cause: err });
    case 'ENOSPC':
    case 'EDQUOT':
      return new FsError('no-space', 'Insufficient storage space', { cause: err });
    default:
      return new FsError('io', 'Local error', { cause: err });
  }
}

/** How an upload opens its file (the session's STOR, APPE, STOU and REST + STOR). */
export type WriteMode = 'truncate' | 'append' | 'offset' | 'exclusive';

/**
 * An open regular file: its descriptor for the transfer, and its stats when opened. `close` is
 * idempotent, so every path that may own the file can call it.
 */
export interface OpenFile {
  readonly fd: number;
  readonly stats: Stats;
  close(): Promise<void>;
}

/** A directory listing or a single entry (LIST of a file lists the file). */
export interface Listing {
  readonly isDir: boolean;
  /** The entry itself (MLSD's `cdir`, MLST, LIST of a file). */
  readonly self: ListEntry;
  /** Its entries, sorted by name (just `self` when it is no directory). */
  readonly entries: ListEntry[];
}

// O_NONBLOCK: opening a FIFO someone placed in a home returns at once instead of hanging the
// session; the descriptor's fstat then refuses it. Regular files ignore the flag.
const READ_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;
const WRITE_FLAGS: Record<WriteMode, number> = {
  // No O_TRUNC: the upload truncates once its data connection is open, so a failed data
  // connection leaves an existing file as it was.
  truncate: constants.O_WRONLY | constants.O_CREAT | constants.O_NONBLOCK,
  append: constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | constants.O_NONBLOCK,
  // REST + STOR overwrites an existing file from the offset; it does not create one.
  offset: constants.O_WRONLY | constants.O_NONBLOCK,
  exclusive: constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NONBLOCK,
};

/** Runs `op`, turning a Node errno error into an FsError. */
async function mapped<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    throw fsErrorOf(err);
  }
}

/** Opens `real` with `flags`; the result must be a regular file (else FsError not-file). */
async function openRegular(real: string, flags: number): Promise<OpenFile> {
  const fd = await mapped(() => openFd(real, flags, 0o644));
  let stats: Stats;
  try {
    stats = await fstatFd(fd);
  } catch (err) {
    await closeFd(fd);
    throw fsErrorOf(err);
  }
  if (!stats.isFile()) {
    await closeFd(fd);
    throw new FsError('not-file', 'Not a regular file');
  }
  let closing: Promise<void> | null = null;
  return {
    fd,
    stats,
    close: () => (closing ??= closeFd(fd)),
  };
}

/** One user's confined view of the disk. */
export class UserFs {
  /** Real path of the root (symlinks in the configured root itself resolved once). */
  readonly root: string;
  readonly permissions: FtpPermissions;

  private constructor(root: string, permissions: FtpPermissions) {
    this.root = root;
    this.permissions = permissions;
  }

  /** Opens a root that must exist and be a directory. */
  static async open(root: string, permissions: FtpPermissions): Promise<UserFs> {
    const real = await realpath(root);
    if (!(await stat(real)).isDirectory()) throw new FsError('not-dir', 'home is not a directory');
    return new UserFs(real, permissions);
  }

  #inside(real: string): boolean {
    return real === this.root || real.startsWith(this.root.endsWith(sep) ? this.root : this.root + sep);
  }

  #join(virtual: string): string {
    return virtual === '/' ? this.root : join(this.root, virtual);
  }

  /** The real path of an existing entry; refused when it resolves outside the root. */
  async #existing(virtual: string): Promise<string> {
    const real = await mapped(() => realpath(this.#join(virtual)));
    if (!this.#inside(real)) throw new FsError('denied', 'Permission denied (outside the home directory)');
    return real;
  }

  /**
   * The real path where a new entry (or an overwritten file) named by `virtual` goes: its parent
   * must resolve inside the root, and an existing symlink there must resolve inside too.
   */
  async #creatable(virtual: string): Promise<string> {
    if (virtual === '/') throw new FsError('denied', 'Permission denied');
    const parent = await this.#existing(dirname(virtual));
    const target = join(parent, basename(virtual));
    let link: Stats | null = null;
    try {
      link = await lstat(target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw fsErrorOf(err);
    }
    if (link?.isSymbolicLink() === true) {
      let real: string;
      try {
        real = await realpath(target);
      } catch {
        throw new FsError('denied', 'Permission denied (dangling symbolic link)');
      }
      if (!this.#inside(real)) throw new FsError('denied', 'Permission denied (outside the home directory)');
      return real;
    }
    return target;
  }

  /** An existing entry that is not the root itself (which may not be removed or renamed). */
  async #removable(virtual: string): Promise<string> {
    const real = await this.#existing(virtual);
    if (real === this.root) throw new FsError('denied', 'Permission denied');
    return real;
  }

  /** stat of an existing entry (following links that stay inside). */
  async stat(virtual: string): Promise<Stats> {
    const real = await this.#existing(virtual);
    return mapped(() => stat(real));
  }

  /** Opens an existing regular file for reading (RETR, SIZE). */
  async openRead(virtual: string): Promise<OpenFile> {
    return openRegular(await this.#existing(virtual), READ_FLAGS);
  }

  /**
   * Opens a regular file for an upload: `truncate` and `append` create it, `exclusive` only
   * creates it (FsError exists otherwise, STOU), `offset` only opens an existing one (REST).
   */
  async openWrite(virtual: string, mode: WriteMode): Promise<OpenFile> {
    return openRegular(await this.#creatable(virtual), WRITE_FLAGS[mode]);
  }

  /** Sets an existing regular file's modification time (MFMT), keeping its access time. */
  async setModified(virtual: string, when: Date): Promise<void> {
    const file = await this.openRead(virtual);
    try {
      await mapped(() => futimesFd(file.fd, file.stats.atime, when));
    } finally {
      await file.close();
    }
  }

  /** Creates a directory (MKD). */
  async mkdir(virtual: string): Promise<void> {
    const real = await this.#creatable(virtual);
    await mapped(() => mkdir(real, { mode: 0o755 }));
  }

  /** Removes an empty directory (RMD); never the root. */
  async rmdir(virtual: string): Promise<void> {
    const real = await this.#removable(virtual);
    await mapped(() => rmdir(real));
  }

  /** Removes a file (DELE); a directory is refused (RMD removes those). */
  async unlink(virtual: string): Promise<void> {
    const real = await this.#existing(virtual);
    try {
      await unlink(real);
    } catch (err) {
      // Linux answers EISDIR, BSD and macOS EPERM for a directory.
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EISDIR' || (code === 'EPERM' && (await stat(real).catch(() => null))?.isDirectory()))
        throw new FsError('is-dir', 'Is a directory (use RMD)', { cause: err });
      throw fsErrorOf(err);
    }
  }

  /** Renames an existing entry (RNTO); never the root. */
  async rename(from: string, to: string): Promise<void> {
    const src = await this.#removable(from);
    const dst = await this.#creatable(to);
    await mapped(() => rename(src, dst));
  }

  /** Checks that an entry exists (RNFR), so a bad source is refused before RNTO. */
  async exists(virtual: string): Promise<void> {
    await this.#existing(virtual);
  }

  /** Sets an existing entry's permission bits (SITE CHMOD). */
  async chmod(virtual: string, mode: number): Promise<void> {
    const real = await this.#existing(virtual);
    await mapped(() => chmod(real, mode));
  }

  /**
   * Lists `virtual`: a directory's entries (at most FTP_LIMITS.maxListEntries; symlinks that
   * lead out of the home are left out, links inside are shown as what they point to), or the
   * entry itself when it is no directory.
   */
  async list(virtual: string): Promise<Listing> {
    const real = await this.#existing(virtual);
    const stats = await mapped(() => stat(real));
    const self = this.entry(baseName(virtual), stats);
    if (!stats.isDirectory()) return { isDir: false, self, entries: [self] };
    return { isDir: true, self, entries: await this.#readEntries(real) };
  }

  async #readEntries(real: string): Promise<ListEntry[]> {
    const dirents = await mapped(() => readdir(real, { withFileTypes: true }));
    const out: ListEntry[] = [];
    for (const d of dirents.slice(0, FTP_LIMITS.maxListEntries)) {
      const path = join(real, d.name);
      let stats: Stats;
      try {
        if (d.isSymbolicLink() && !this.#inside(await realpath(path))) continue;
        stats = await stat(path);
      } catch {
        continue; // gone meanwhile, or a dangling link: not listed
      }
      out.push(this.entry(d.name, stats));
    }
    out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return out;
  }

  /** MLSx `perm` letters for an entry (RFC 3659 §7.5.5) under this user's permissions. */
  permFacts(isDir: boolean): string {
    const p = this.permissions;
    let out = '';
    if (isDir) {
      if (p.write) out += 'c';
      if (p.delete) out += 'd';
      out += 'e';
      if (p.write) out += 'f';
      if (p.read) out += 'l';
      if (p.write) out += 'mp';
    } else {
      if (p.write) out += 'a';
      if (p.delete) out += 'd';
      if (p.write) out += 'f';
      if (p.read) out += 'r';
      if (p.write) out += 'w';
    }
    return out;
  }

  /** A listing entry for `name` with its stats. */
  entry(name: string, stats: Stats, type?: ListEntry['type']): ListEntry {
    const isDir = stats.isDirectory();
    return {
      name,
      type: type ?? (isDir ? 'dir' : stats.isFile() ? 'file' : stats.isSymbolicLink() ? 'link' : 'other'),
      size: isDir ? 0 : stats.size,
      mtime: stats.mtime,
      mode: stats.mode,
      dev: stats.dev,
      ino: stats.ino,
      perm: this.permFacts(isDir),
    };
  }
}
