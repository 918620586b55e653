/**
 * The result model every benchmark produces: one entry per server (its samples from the
 * alternated rounds, their median, or why it did not run), ratios between servers, and targets
 * (a ratio that should reach a threshold). Benchmarks never assert: a missed target is reported,
 * never thrown.
 */
import type { MachineInfo } from './machine.js';
import type { RoundOutcome } from './rounds.js';
import { median, range } from './stats.js';

/** One server's outcome. */
export interface SubjectResult {
  readonly name: string;
  /** Human description, e.g. "NSD 4.6.1". */
  readonly label: string;
  /** `not available`: could not be started or does not answer correctly; `failed`: broke mid-run. */
  readonly status: 'ok' | 'not available' | 'failed';
  readonly reason?: string;
  /** One figure per round, in round order. */
  readonly samples: readonly number[];
  readonly median: number | null;
  readonly min: number | null;
  readonly max: number | null;
  /** The load tool's full per-round results. */
  readonly details: readonly unknown[];
}

/**
 * numerator / denominator of two servers' medians, plus the ratio inside each round: both servers
 * measured minutes apart under the same background load, so the per-round figures show how much
 * of the spread is the machine rather than the servers.
 */
export interface Ratio {
  readonly numerator: string;
  readonly denominator: string;
  /** Ratio of the medians; null when either side has no figure. */
  readonly value: number | null;
  /** numerator/denominator within each round both completed. */
  readonly perRound: readonly number[];
  /** Median of `perRound`; null when empty. */
  readonly perRoundMedian: number | null;
}

/** A ratio that should reach `atLeast`. */
export interface Target extends Ratio {
  readonly description: string;
  readonly atLeast: number;
  /** null when the ratio could not be computed. */
  readonly met: boolean | null;
}

/** A complete benchmark result, as written to bench/results/*.json. */
export interface BenchReport {
  readonly bench: string;
  readonly title: string;
  /** Unit of the figures, e.g. "queries/s". Higher is better. */
  readonly unit: string;
  /** Name of the reference server ratios in the table are taken against. */
  readonly reference: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly machine: MachineInfo;
  readonly loadAvgAfter: readonly number[];
  readonly pinned: boolean;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly subjects: readonly SubjectResult[];
  readonly ratios: readonly Ratio[];
  readonly targets: readonly Target[];
}

/** Build a SubjectResult from the samples a run collected. */
export function subjectResult(
  name: string,
  label: string,
  samples: readonly number[],
  details: readonly unknown[],
  failure?: { readonly status: 'not available' | 'failed'; readonly reason: string },
): SubjectResult {
  const ok = samples.length > 0;
  const { min, max } = range(samples);
  return {
    name,
    label,
    status: failure?.status ?? (ok ? 'ok' : 'not available'),
    ...(failure === undefined ? {} : { reason: failure.reason }),
    samples,
    median: ok ? median(samples) : null,
    min: ok ? min : null,
    max: ok ? max : null,
    details,
  };
}

/**
 * One subject's result from what `alternate` collected: 'not available' (with the reason) when
 * it never started, 'failed' when no round succeeded, otherwise its samples (or `value` of each
 * round's detail, for benches whose figure is computed from the tool's output).
 */
export function outcomeResult<D>(
  name: string,
  label: string,
  outcome: RoundOutcome<D> | undefined,
  unavailableReason?: string,
  value?: (detail: D) => number,
): SubjectResult {
  if (unavailableReason !== undefined)
    return subjectResult(name, label, [], [], { status: 'not available', reason: unavailableReason });
  if (outcome?.error !== undefined && outcome.samples.length === 0)
    return subjectResult(name, label, [], outcome.details, { status: 'failed', reason: outcome.error });
  const details = outcome?.details ?? [];
  return subjectResult(name, label, value ? details.map(value) : (outcome?.samples ?? []), details);
}

/** `outcomeResult` of every subject of `names`, in that order. */
export function outcomeResults<D>(
  names: readonly { name: string; label: string }[],
  outcomes: Map<string, RoundOutcome<D>>,
  unavailable: Map<string, string>,
  value?: (detail: D) => number,
): SubjectResult[] {
  return names.map(({ name, label }) =>
    outcomeResult(name, label, outcomes.get(name), unavailable.get(name), value),
  );
}

/** The ratio of two subjects' medians (null when either is missing or the denominator is 0). */
export function ratioOf(subjects: readonly SubjectResult[], numerator: string, denominator: string): Ratio {
  const top = subjects.find((s) => s.name === numerator);
  const bottom = subjects.find((s) => s.name === denominator);
  const a = top?.median ?? null;
  const b = bottom?.median ?? null;
  const perRound: number[] = [];
  const rounds = Math.min(top?.samples.length ?? 0, bottom?.samples.length ?? 0);
  for (let i = 0; i < rounds; i++) {
    const x = top?.samples[i];
    const y = bottom?.samples[i];
    if (x !== undefined && y !== undefined && y !== 0) perRound.push(x / y);
  }
  return {
    numerator,
    denominator,
    value: a === null || b === null || b === 0 ? null : a / b,
    perRound,
    perRoundMedian: perRound.length === 0 ? null : median(perRound),
  };
}

/** A target: `numerator / denominator >= atLeast`. */
export function targetOf(
  subjects: readonly SubjectResult[],
  description: string,
  numerator: string,
  denominator: string,
  atLeast: number,
): Target {
  const r = ratioOf(subjects, numerator, denominator);
  return { ...r, description, atLeast, met: r.value === null ? null : r.value >= atLeast };
}
