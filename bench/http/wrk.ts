/**
 * Running wrk pinned to the load core and reading its summary: requests per second, transfer
 * rate, and the error counters (non-2xx answers, socket errors) that make a figure suspect.
 */
import { runLoad } from '../lib/load.js';
import { LOAD_CORE, requireCommand } from '../lib/tools.js';

/** wrk's summary of one run. */
export interface WrkResult {
  readonly requestsPerSec: number;
  readonly bytesPerSec: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly socketErrors: number;
}

const UNITS: Readonly<Record<string, number>> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };

/** Parses wrk's text output. */
export function parseWrk(text: string): WrkResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(text);
  if (!rps) throw new Error(`cannot read wrk output:\n${text}`);
  const transfer = /Transfer\/sec:\s+([\d.]+)(B|KB|MB|GB)/.exec(text);
  const total = /(\d+) requests in/.exec(text);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(text);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  return {
    requestsPerSec: Number(rps[1]),
    bytesPerSec: transfer ? Number(transfer[1]) * (UNITS[transfer[2] ?? 'B'] ?? 1) : 0,
    requests: Number(total?.[1] ?? 0),
    non2xx: Number(non2xx?.[1] ?? 0),
    socketErrors: sock ? sock.slice(1).reduce((n, v) => n + Number(v), 0) : 0,
  };
}

/** `wrk -t2 -c64 -dNs URL` (or `loadArgs` instead of -t/-c) on the load core. */
export async function runWrk(
  url: string,
  durationS: number,
  loadArgs: readonly string[] = ['-t2', '-c64'],
): Promise<WrkResult> {
  const out = await runLoad({
    command: requireCommand('wrk'),
    args: [...loadArgs, `-d${durationS}s`, url],
    core: LOAD_CORE,
    timeoutMs: (durationS + 30) * 1000,
  });
  return parseWrk(out.stdout);
}
