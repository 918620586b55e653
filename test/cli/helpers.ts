/**
 * Runs the real `outpost` executable (bin/outpost, which needs the build in dist/) the way a user
 * does, from a chosen working directory, and collects its exit code and output.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
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

/** A running `outpost serve` and what it printed so far. */
export interface RunningServe {
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** The table's address of `service`'s first row with TLS `tls` (`starttls`, `implicit`…). */
  port(service: string, tls?: string): number;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

/** Starts `outpost serve ARGS` in `cwd` and waits for its table ("Press Ctrl-C to stop."). */
export async function startServe(
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<RunningServe> {
  const child = spawn(process.execPath, [bin, 'serve', ...args], {
    cwd: options.cwd,
    env: { ...process.env, OUTPOST_DATA: '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = once(child, 'exit');
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  while (!stdout.includes('Press Ctrl-C to stop.')) {
    if (child.exitCode !== null) throw new Error(`serve exited ${String(child.exitCode)}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    port(service, tls) {
      const row = new RegExp(`^ +${service} +tcp +[^ ]+:(\\d+) +${tls ?? '\\S+'}$`, 'm').exec(stdout);
      if (!row) throw new Error(`no ${service} row in:\n${stdout}`);
      return Number(row[1]);
    },
    stop,
  };
}
