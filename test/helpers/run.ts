/**
 * Runs a peer program (curl, lftp, python3, fetchmail, swaks…) asynchronously, so the in-process
 * server under test keeps serving, with a time limit. A program that cannot start rejects
 * (ENOENT): the test fails, it never skips.
 */
import { spawn } from 'node:child_process';

/** Exit code (null when killed), the exact stdout bytes, stderr as text. */
export interface RunResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

export interface RunOptions {
  /** Fed to stdin, which is then closed. */
  input?: string | Buffer;
  /** Merged over this process's environment. */
  env?: NodeJS.ProcessEnv;
  /** Default 60 s; past it the program is killed and the promise rejects. */
  timeoutMs?: number;
  cwd?: string;
}

/** Runs `command args` and resolves when it exits. */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`${command} did not finish within ${options.timeoutMs ?? 60_000} ms; stderr: ${stderr}`),
      );
    }, options.timeoutMs ?? 60_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`${command} could not start (peer missing?): ${err.message}`, { cause: err }));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** `run` with stdout decoded as UTF-8. */
export async function runText(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const r = await run(command, args, options);
  return { ...r, stdout: r.stdout.toString('utf8') };
}
