/**
 * Polling helpers for start-up: wait until a readiness check passes, giving up early when the
 * process being waited for has already died, so a broken peer fails in milliseconds, not at the
 * timeout.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** How `waitFor` polls. */
export interface WaitOptions {
  /** Give up after this many milliseconds. */
  readonly timeoutMs: number;
  /** Pause between checks; default 100 ms. */
  readonly intervalMs?: number;
  /** Returns a reason to stop waiting (e.g. "exited with code 1"), or undefined to go on. */
  readonly abort?: () => string | undefined;
}

/**
 * Resolve once `check()` returns true; throw when `abort()` gives a reason or the time runs out.
 * A check that throws counts as "not yet".
 */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  options: WaitOptions,
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const reason = options.abort?.();
    if (reason !== undefined) throw new Error(`${what}: ${reason}`);
    let ok: boolean;
    try {
      ok = await check();
    } catch {
      ok = false;
    }
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${options.timeoutMs} ms`);
    await sleep(options.intervalMs ?? 100);
  }
}
