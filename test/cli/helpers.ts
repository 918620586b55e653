/**
 * Runs the real `outpost` executable (bin/outpost, which needs the build in dist/) the way a user
 * does, from a chosen working directory, and collects its exit code and output.
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

/** The repository root and the executable. */
export const root = resolve(import.meta.dirname, '../..');
export const bin = join(root, 'bin/outpost');

/** What one run of the command printed and returned. */
export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `outpost ARGS` to completion (stdin given or empty); cwd defaults to the repository. */
export function outpost(
  args: readonly string[],
  options: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {},
): CliResult {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: options.cwd ?? root,
    encoding: 'utf8',
    input: options.input ?? '',
    env: { ...process.env, ...options.env },
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
