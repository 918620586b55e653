/**
 * The command-line options every benchmark shares: `--duration S` (seconds of load per
 * measurement), `--rounds N` (alternation rounds; the median is reported), `--warmup S` (unrecorded
 * load per server before round 1), `--only a,b` (a subset of the servers), `--load-args "…"`
 * (the load tool's concurrency flags, replacing the bench's defaults) and `--keep` (leave the temp
 * directory for inspection).
 */
import { parseArgs } from 'node:util';

/** Parsed shared options. */
export interface BenchArgs {
  readonly durationS: number;
  readonly rounds: number;
  readonly warmupS: number;
  /** Server names to run; undefined means all. */
  readonly only: readonly string[] | undefined;
  /** Replacement for the load tool's concurrency flags; undefined keeps the bench's defaults. */
  readonly loadArgs: readonly string[] | undefined;
  readonly keep: boolean;
  readonly help: boolean;
}

/** Defaults a benchmark picks for itself. */
export interface BenchDefaults {
  readonly durationS: number;
  readonly rounds: number;
  readonly warmupS: number;
}

/** Usage text for the shared options. */
export function usage(bench: string, servers: readonly string[], d: BenchDefaults): string {
  return [
    `usage: npm run bench -- ${bench} [options]   (or: npx tsx bench/${bench}.ts [options])`,
    `  --duration S   seconds of load per measurement (default ${d.durationS})`,
    `  --rounds N     rounds; servers alternate within each round, the median is reported (default ${d.rounds})`,
    `  --warmup S     unrecorded load per server before the first round (default ${d.warmupS})`,
    `  --only a,b     run only these servers: ${servers.join(', ')}`,
    '  --load-args "…" the load tool\'s concurrency flags instead of the defaults (e.g. "-c 8 -T 2 -q 500")',
    '  --keep         keep the temp directory (configs, logs, query file)',
  ].join('\n');
}

function positive(name: string, text: string | undefined, fallback: number, allowZero = false): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0))
    throw new Error(`--${name}: expected a number, got "${text}"`);
  return n;
}

/** Parse `argv` (without node and script). Unknown options are errors. */
export function parseBenchArgs(
  argv: readonly string[],
  d: BenchDefaults,
  servers: readonly string[],
): BenchArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      duration: { type: 'string' },
      rounds: { type: 'string' },
      warmup: { type: 'string' },
      only: { type: 'string' },
      'load-args': { type: 'string' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const only = values.only
    ?.split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const name of only ?? []) {
    if (!servers.includes(name))
      throw new Error(`--only: unknown server "${name}" (known: ${servers.join(', ')})`);
  }
  return {
    durationS: positive('duration', values.duration, d.durationS),
    rounds: Math.round(positive('rounds', values.rounds, d.rounds)),
    warmupS: positive('warmup', values.warmup, d.warmupS, true),
    only,
    loadArgs: values['load-args']?.split(/\s+/).filter((s) => s !== ''),
    keep: values.keep,
    help: values.help,
  };
}
