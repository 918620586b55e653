/**
 * Temporary directories for tests, removed when the test process exits (the runner gives each
 * test file its own process), so a run leaves nothing behind in the temp directory, failed
 * tests included.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

function removeAll(): void {
  for (const dir of made) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // A tree a test made unreadable stays; nothing else to do at exit.
    }
  }
}

/** A new directory `<tmpdir>/<prefix>XXXXXX`, removed at process exit. */
export function tempDir(prefix: string): string {
  if (made.length === 0) process.once('exit', removeAll);
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
