/**
 * A temporary working directory per benchmark run: every peer's config, zone copy, query file and
 * log lives inside it, and it is removed when the run ends (kept with `keep`, for post-mortems).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temp directory and helpers to write into it. */
export interface TempDir {
  readonly dir: string;
  /** Absolute path of `name` inside the directory. */
  path(name: string): string;
  /** Write `text` to `name` inside the directory and return its absolute path. */
  write(name: string, text: string): string;
  /** Delete the directory (no-op when `keep` was set). */
  remove(): void;
}

/** Create `$TMPDIR/outpost-bench-<prefix>-XXXXXX`. */
export function makeTempDir(prefix: string, keep = false): TempDir {
  const dir = mkdtempSync(join(tmpdir(), `outpost-bench-${prefix}-`));
  return {
    dir,
    path: (name) => join(dir, name),
    write(name, text) {
      const file = join(dir, name);
      writeFileSync(file, text);
      return file;
    },
    remove() {
      if (!keep) rmSync(dir, { recursive: true, force: true });
    },
  };
}
