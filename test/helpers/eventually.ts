/**
 * The one polling helper of the test suite: waits until a condition holds, for tests that can
 * only observe an outcome from outside (a file appearing, a mail landing in an INBOX, a peer
 * process serving a new serial). Tests that can wait for an event await the event instead.
 */

// Captured at load, before any test fakes the globals with node:test's mock.timers, so a test
// that fakes time for the code under test still polls in real time.
const realSetTimeout = globalThis.setTimeout;
const realNow = performance.now.bind(performance);

/** Options of `eventually`. */
export interface EventuallyOptions {
  /** Give up after this long, in milliseconds (default 10 s). */
  readonly timeoutMs?: number;
  /** Pause between checks, in milliseconds (default 20). */
  readonly intervalMs?: number;
  /** What is awaited, for the error message (a function to describe the state at the timeout). */
  readonly what?: string | (() => string);
}

/**
 * Calls `check` until it returns something other than false, null or undefined, and returns
 * that; throws (naming `what` and the last value) when `timeoutMs` passes first. A check that
 * throws fails at once (a peer process that exited, an assertion): return false for "not yet".
 */
export async function eventually<T>(
  check: () => T | Promise<T>,
  options: EventuallyOptions = {},
): Promise<Exclude<T, false | null | undefined>> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 20;
  const deadline = realNow() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== false && value !== null && value !== undefined) {
      return value as Exclude<T, false | null | undefined>;
    }
    if (realNow() >= deadline) {
      const what = typeof options.what === 'function' ? options.what() : (options.what ?? 'a condition');
      throw new Error(
        `timed out after ${String(timeoutMs)} ms waiting for ${what} (last: ${JSON.stringify(value)})`,
      );
    }
    await new Promise((resolve) => realSetTimeout(resolve, intervalMs));
  }
}
