/**
 * Outbound queue defaults and caps, with where each comes from. `[smtp] queue_lifetime`,
 * `retry_initial` and `retry_max` (seconds) override the first three.
 */

/** Queue timing and concurrency. Times in milliseconds. */
export const QUEUE_LIMITS = {
  /** RFC 5321 §4.5.4.1: give up after at least 4-5 days; Postfix's maximal_queue_lifetime is 5d. */
  maxAgeMs: 5 * 24 * 3600_000,
  /** RFC 5321 §4.5.4.1: the retry interval SHOULD be at least 30 minutes; we start lower (1 min)
   *  and double, as Postfix does (minimal_backoff_time 300s, doubling), for quicker tests of a
   *  friend's server coming back. */
  retryInitialMs: 60_000,
  /** Longest wait between two attempts (Postfix: maximal_backoff_time 4000s). */
  retryMaxMs: 3600_000,
  /** How often the runner looks at the store even when nothing is due, so that `outpost queue
   *  flush` from another process is noticed within this time. */
  pollIntervalMs: 5_000,
  /** Queue entries delivered at the same time. */
  concurrency: 4,
  /** How long `close()` waits for deliveries in flight before cutting their connections. */
  closeGraceMs: 10_000,
} as const;

/**
 * The delay after the `attempt`-th attempt (1-based): `initial * 2^(attempt-1)`, at most `max`;
 * or, with an explicit `schedule`, its `attempt`-th entry (the last repeats).
 */
export function retryDelay(
  attempt: number,
  options: { schedule?: readonly number[]; initialMs?: number; maxMs?: number } = {},
): number {
  const n = Math.max(1, attempt);
  if (options.schedule && options.schedule.length > 0) {
    return options.schedule[Math.min(n, options.schedule.length) - 1] ?? 0;
  }
  const initial = options.initialMs ?? QUEUE_LIMITS.retryInitialMs;
  const max = options.maxMs ?? QUEUE_LIMITS.retryMaxMs;
  return Math.min(max, initial * 2 ** Math.min(n - 1, 30));
}
