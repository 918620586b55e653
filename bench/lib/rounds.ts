/**
 * Alternating measurements: every round measures each server once, in the same order (A, B, C,
 * A, B, C…), so slow drift on a shared machine (thermal, other people's jobs) spreads over all
 * servers instead of landing on whichever ran last. A server whose measurement throws is dropped
 * from later rounds and reported as failed; the others go on.
 */

/** A server taking part in the rounds. */
export interface RoundSubject<D> {
  readonly name: string;
  /** Load the server once and return its figure plus the tool's full result. */
  readonly measure: (durationS: number) => Promise<{ readonly value: number; readonly detail: D }>;
}

/** Everything one subject produced over the rounds. */
export interface RoundOutcome<D> {
  readonly samples: number[];
  readonly details: D[];
  /** Set when a measurement threw; the subject then sat out the remaining rounds. */
  error?: string;
}

/** Progress callback: one line per measurement. */
export type RoundLog = (line: string) => void;

/**
 * Run `warmupS` seconds of unrecorded load on each subject (when > 0), then `rounds` rounds of
 * `durationS` seconds each. Returns the outcomes keyed by subject name.
 */
export async function alternate<D>(
  subjects: readonly RoundSubject<D>[],
  options: { readonly rounds: number; readonly durationS: number; readonly warmupS: number },
  log: RoundLog,
  format: (value: number) => string,
): Promise<Map<string, RoundOutcome<D>>> {
  const out = new Map<string, RoundOutcome<D>>(subjects.map((s) => [s.name, { samples: [], details: [] }]));
  const run = async (s: RoundSubject<D>, durationS: number, label: string): Promise<void> => {
    const o = out.get(s.name)!;
    if (o.error !== undefined) return;
    try {
      const { value, detail } = await s.measure(durationS);
      if (label !== 'warm-up') {
        o.samples.push(value);
        o.details.push(detail);
      }
      log(`  ${label.padEnd(9)} ${s.name.padEnd(12)} ${format(value)}`);
    } catch (err) {
      o.error = err instanceof Error ? err.message : String(err);
      log(`  ${label.padEnd(9)} ${s.name.padEnd(12)} FAILED: ${o.error.split('\n')[0] ?? ''}`);
    }
  };
  if (options.warmupS > 0) for (const s of subjects) await run(s, options.warmupS, 'warm-up');
  for (let round = 1; round <= options.rounds; round++) {
    for (const s of subjects) await run(s, options.durationS, `round ${round}`);
  }
  return out;
}

/** Records why a server could not be started (it sits out every round) and says so in the log. */
export function markUnavailable(
  unavailable: Map<string, string>,
  name: string,
  err: unknown,
  log: RoundLog,
  width: number,
): void {
  const reason = err instanceof Error ? err.message : String(err);
  unavailable.set(name, reason);
  log(`  ${name.padEnd(width)} NOT AVAILABLE: ${reason.split('\n').join('\n      ')}`);
}
