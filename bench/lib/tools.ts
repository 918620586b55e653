/**
 * Finding external programs (peers and load tools) and pinning them to a CPU core. Debian puts
 * daemons in /usr/sbin, which a non-root PATH often lacks, so lookups also search the sbin
 * directories.
 */
import { accessSync, constants } from 'node:fs';
import { availableParallelism } from 'node:os';
import { delimiter, join } from 'node:path';

/** Absolute path of `name` on PATH or in an sbin directory, or undefined when absent. */
export function findCommand(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  for (const dir of dirs) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** Like `findCommand`, but a missing program is an error naming the package to install. */
export function requireCommand(name: string, debianPackage = name): string {
  const path = findCommand(name);
  if (path === undefined) {
    throw new Error(
      `${name} is not installed (apt-get install -y ${debianPackage}, or run bench/install-peers.sh)`,
    );
  }
  return path;
}

/** The core layout benchmarks use (PEERS.md): the server on one core, the load tool on another. */
export const SERVER_CORE = 0;
export const LOAD_CORE = 1;

/** True when pinning is possible: taskset exists and the machine has at least two cores. */
export function canPin(): boolean {
  return availableParallelism() >= 2 && findCommand('taskset') !== undefined;
}

/**
 * The command line that runs `command args` pinned to `core` with `taskset -c`. taskset execs the
 * program, so the child's pid is the program's own pid and signals reach it directly. Without
 * taskset or a second core the command runs unpinned.
 */
export function pinned(
  core: number | undefined,
  command: string,
  args: readonly string[],
): { readonly command: string; readonly args: string[] } {
  if (core === undefined || !canPin()) return { command, args: [...args] };
  return { command: findCommand('taskset') ?? 'taskset', args: ['-c', String(core), command, ...args] };
}
