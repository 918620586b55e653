/**
 * Running a load tool (dnsperf, wrk, h2load, smtp-source…) to completion, pinned to the load
 * core, and collecting its output for a tool-specific parser. A tool that fails or overruns its
 * time limit is an error with the output attached.
 */
import { spawn } from 'node:child_process';
import { pinned } from './tools.js';

/** One run of a load tool. */
export interface LoadRun {
  readonly command: string;
  readonly args: readonly string[];
  /** Core for `taskset -c`; undefined runs unpinned. */
  readonly core?: number;
  /** Kill the tool after this long (its own duration plus slack). */
  readonly timeoutMs: number;
}

/** What the tool printed. */
export interface LoadOutput {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number | null;
}

/** Run the tool and resolve with its output; rejects on a non-zero exit or a timeout. */
export function runLoad(run: LoadRun): Promise<LoadOutput> {
  const { command, args } = pinned(run.core, run.command, run.args);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, run.timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${run.command}: ${err.message}`, { cause: err }));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) {
        resolve({ stdout, stderr, code });
        return;
      }
      const why = signal === null ? `exit code ${code}` : `signal ${signal}`;
      reject(new Error(`${run.command} failed (${why}):\n${stderr}${stdout}`.trim()));
    });
  });
}
