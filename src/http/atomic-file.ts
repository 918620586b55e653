/**
 * Writing an uploaded file so that a failed or aborted upload leaves nothing half-written: the
 * bytes go to a hidden temp file in the target's directory, are fsynced, then renamed over the
 * target (atomic within one file system) and the directory is fsynced, so an acknowledged upload
 * is on disk.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { finished } from 'node:stream/promises';

/** Prefix of temp files (hidden from listings, refused as upload names). */
export const TEMP_PREFIX = '.outpost-upload-';

/** A file being written. */
export interface AtomicFile {
  readonly stream: WriteStream;
  readonly target: string;
  /** Flushes, fsyncs and renames into place. */
  commit(): Promise<void>;
  /** Removes the temp file (idempotent). */
  abort(): Promise<void>;
}

/** Opens a temp file next to `target`. */
export function createAtomicFile(target: string): AtomicFile {
  const temp = join(
    dirname(target),
    `${TEMP_PREFIX}${randomBytes(8).toString('hex')}-${basename(target).slice(0, 40)}`,
  );
  const stream = createWriteStream(temp, { flags: 'wx', mode: 0o644 });
  let aborted = false;
  return {
    stream,
    target,
    async commit() {
      stream.end();
      await finished(stream);
      const fh = await open(temp, 'r');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(temp, target);
      await syncDir(dirname(target));
    },
    async abort() {
      if (aborted) return;
      aborted = true;
      // The stream opens its file asynchronously and, destroyed before that, still creates it
      // and closes it afterwards: remove the temp file only once the stream has closed.
      const closed = new Promise<void>((resolve) => {
        if (stream.closed) resolve();
        else stream.once('close', resolve);
      });
      stream.destroy();
      await closed;
      await rm(temp, { force: true });
    },
  };
}

/** fsync a directory so a rename or unlink in it is durable. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } catch {
    // Some file systems refuse fsync on directories; the rename is still atomic.
  } finally {
    await fh.close();
  }
}
