/**
 * A user's filesystem view: virtual paths (see codec/path.ts) mapped under one root directory,
 * with every mapping checked by realpath so that a symlink inside the root that points outside it
 * is refused, for reading, listing, writing and deleting alike. Creation checks the real parent
 * and refuses when the target itself is a symlink leading out. Errors are FsError with a kind the
 * session maps to 550/553. (A racing local user who swaps a directory for a symlink between the
 * check and the open is out of scope: homes belong to the FTP server.)
 */
import { lstat, realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import type { ListEntry } from '../codec/listing.js';

/** What may a user do (issue 7: read / write / delete). */
export interface FtpPermissions {
  readonly read: boolean;
  readonly write: boolean;
  readonly delete: boolean;
}

/** Why a filesystem operation was refused. */
export type FsErrorKind =
  'not-found' | 'denied' | 'exists' | 'not-dir' | 'is-dir' | 'not-empty' | 'bad-name' | 'no-space' | 'io';

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
  async existing(virtual: string): Promise<string> {
    let real: string;
    try {
      real = await realpath(this.#join(virtual));
    } catch (err) {
      throw fsErrorOf(err);
    }
    if (!this.#inside(real)) throw new FsError('denied', 'Permission denied (outside the home directory)');
    return real;
  }

  /**
   * The real path where a new entry (or an overwritten file) named by `virtual` goes: its parent
   * must resolve inside the root, and an existing symlink there must resolve inside too.
   */
  async creatable(virtual: string): Promise<string> {
    if (virtual === '/') throw new FsError('denied', 'Permission denied');
    const parent = await this.existing(dirname(virtual));
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

  /** stat of an existing entry (after the confinement check). */
  async stat(virtual: string): Promise<{ real: string; stats: Stats }> {
    const real = await this.existing(virtual);
    try {
      return { real, stats: await stat(real) };
    } catch (err) {
      throw fsErrorOf(err);
    }
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
