/**
 * A Clock (src/core/clock.ts) that moves only when a test says so: `advance(ms)` runs every timer
 * that falls due on the way, in order, each at its own time. For components that take a Clock
 * (the line layer's timeouts, IMAP's IDLE keepalive) where node:test's `mock.timers` would also
 * freeze the test's own waits.
 */
import type { Clock, ClockTimer } from '../../src/core/clock.js';

interface Pending {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
}

/** A fake clock driven by `advance`. */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  readonly #timers = new Map<object, Pending>();

  constructor(start = Date.parse('2026-12-07T12:00:00Z')) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): ClockTimer {
    const timer = {};
    this.#timers.set(timer, { at: this.#now + Math.max(0, ms), seq: this.#seq++, fn });
    return timer;
  }

  clearTimeout(timer: ClockTimer): void {
    if (typeof timer === 'object') this.#timers.delete(timer);
  }

  /** Timers armed and not yet run. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `ms`, running each timer that falls due (timers they arm included). */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      let next: [object, Pending] | null = null;
      for (const entry of this.#timers) {
        const [, p] = entry;
        if (
          p.at <= end &&
          (next === null || p.at < next[1].at || (p.at === next[1].at && p.seq < next[1].seq))
        ) {
          next = entry;
        }
      }
      if (next === null) break;
      this.#timers.delete(next[0]);
      this.#now = next[1].at;
      next[1].fn();
    }
    this.#now = end;
  }
}
