/**
 * Starting and stopping a server process under benchmark: spawn it (pinned to a core), send its
 * output to a log file, wait until a readiness check passes, and stop it later with SIGTERM then
 * SIGKILL. Only the process we started is ever signalled. A peer that exits or never becomes
 * ready is an error carrying the tail of its log.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { pinned } from './tools.js';
import { waitFor } from './wait.js';

/** What to run and how to know it is ready. */
export interface PeerSpec {
  /** Short name used in messages. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Core to pin the process to (`taskset -c`); undefined leaves it unpinned. */
  readonly core?: number;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** File that receives the process's stdout and stderr. */
  readonly logFile: string;
  /** Resolves true once the peer serves requests (a port probe or a real request). */
  readonly ready: () => Promise<boolean>;
  /** Default 15000 ms. */
  readonly readyTimeoutMs?: number;
  /** Other log files the peer writes itself (appended to error messages). */
  readonly extraLogs?: readonly string[];
}

/** A running peer. */
export interface Peer {
  readonly name: string;
  readonly pid: number;
  /** stdout/stderr plus the extra logs, for error messages. */
  log(): string;
  /** SIGTERM, then SIGKILL after `graceMs` (default 5000). Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

function readLog(files: readonly string[]): string {
  return files
    .map((f) => {
      try {
        return readFileSync(f, 'utf8');
      } catch {
        return '';
      }
    })
    .join('')
    .trim();
}

function tail(text: string, lines = 20): string {
  return text.split('\n').slice(-lines).join('\n');
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
}

/** Spawn the peer and resolve once `spec.ready()` passes. */
export async function startPeer(spec: PeerSpec): Promise<Peer> {
  const { command, args } = pinned(spec.core, spec.command, spec.args);
  const fd = openSync(spec.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(command, args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      stdio: ['ignore', fd, fd],
    });
  } finally {
    closeSync(fd);
  }
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));
  const logs = [spec.logFile, ...(spec.extraLogs ?? [])];
  let stopped = false;
  const peer: Peer = {
    name: spec.name,
    pid: child.pid ?? -1,
    log: () => readLog(logs),
    async stop(graceMs = 5000) {
      if (stopped) return;
      stopped = true;
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited(child);
      clearTimeout(timer);
    },
  };
  try {
    await waitFor(`${spec.name} start-up`, spec.ready, {
      timeoutMs: spec.readyTimeoutMs ?? 15_000,
      abort: () => {
        if (spawnError !== undefined) return `cannot run ${spec.command}: ${spawnError.message}`;
        if (child.exitCode !== null) return `exited with code ${child.exitCode}`;
        if (child.signalCode !== null) return `killed by ${child.signalCode}`;
        return undefined;
      },
    });
  } catch (err) {
    await sleep(50); // let the last log lines land
    await peer.stop(1000);
    const text = tail(peer.log());
    throw new Error(`${err instanceof Error ? err.message : String(err)}${text === '' ? '' : `\n${text}`}`, {
      cause: err,
    });
  }
  return peer;
}

/**
 * Sends `signal` to a peer that answers signals by printing a line to its log (the Outpost
 * runners: a heap figure, a cleared cache) and resolves with the first match of `line` (a regex
 * with the `m` flag, anchored per line) printed after the signal. Gives up after `timeoutMs`.
 */
export async function signalPeer(
  peer: Peer,
  signal: NodeJS.Signals,
  line: RegExp,
  timeoutMs = 5000,
): Promise<RegExpMatchArray> {
  const global = new RegExp(line.source, line.flags.includes('g') ? line.flags : `${line.flags}g`);
  const before = [...peer.log().matchAll(global)].length;
  process.kill(peer.pid, signal);
  for (const end = Date.now() + timeoutMs; Date.now() < end;) {
    await sleep(20);
    const all = [...peer.log().matchAll(global)];
    if (all.length > before) return all[all.length - 1] as RegExpMatchArray;
  }
  throw new Error(`${peer.name} did not answer ${signal} within ${String(timeoutMs)} ms`);
}
