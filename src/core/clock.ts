/**
 * Time as a dependency. Components that wait (the line layer's timeouts, the queue runner's
 * backoff) take a `Clock` instead of calling `Date.now`/`setTimeout` themselves, so an embedder or
 * a test can drive time: tests pass nothing and fake the globals with node:test's `mock.timers`
 * (the system clock looks them up on every call), or pass a clock of their own.
 */

/** An armed timer, as returned by `Clock.setTimeout`; only ever passed back to `clearTimeout`. */
export type ClockTimer = object | number;

/** Where a component gets the time and its timers from. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * Calls `fn` once after `ms` milliseconds. The timer never keeps the process alive on its own
   * (like Node's `unref()`): a server's timeouts must not delay its exit.
   */
  setTimeout(fn: () => void, ms: number): ClockTimer;
  /** Cancels a timer from `setTimeout`; a timer that already fired or was cleared is ignored. */
  clearTimeout(timer: ClockTimer): void;
}

/**
 * The real clock. It reads `Date.now`, `setTimeout` and `clearTimeout` from the global scope at
 * each call rather than capturing them, so `mock.timers.enable({ apis: ['setTimeout', 'Date'] })`
 * in a test also moves every component built on the default clock.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const timer: ClockTimer = globalThis.setTimeout(fn, ms);
    // Real timers must not hold the event loop open; mocked ones (node:test) may lack unref.
    (timer as Partial<NodeJS.Timeout>).unref?.();
    return timer;
  },
  clearTimeout(timer) {
    globalThis.clearTimeout(timer as NodeJS.Timeout);
  },
};
