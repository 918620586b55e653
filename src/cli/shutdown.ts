/**
 * Graceful shutdown for `outpost serve`: the first SIGINT/SIGTERM drains the suite within a
 * bounded time, then exits 0; a fatal error drains and exits 1. A second signal forces exit 1,
 * except within the first second: `npm start` forwards the terminal's Ctrl-C to its child, so the
 * same keypress arrives twice and must not turn a clean stop into a forced one. (close-with-grace
 * exits on any second signal, which is why this small piece is our own.)
 */

export interface ShutdownOptions {
  /** Drains and closes everything. */
  close: (reason: { signal?: NodeJS.Signals; err?: unknown }) => Promise<void>;
  /** After this many ms of draining the process exits 1 anyway. */
  forceAfterMs: number;
  /** Where to say what happened. */
  log: (message: string, err?: unknown) => void;
  /** A repeated signal within this window counts as the same one. */
  duplicateWindowMs?: number;
}

/** Installs the handlers; returns a function that removes them (tests). */
export function installShutdown(options: ShutdownOptions): () => void {
  let firstAt = 0;
  const duplicateMs = options.duplicateWindowMs ?? 1000;

  const run = (reason: { signal?: NodeJS.Signals; err?: unknown }, exitCode: number): void => {
    if (firstAt !== 0) {
      if (reason.signal !== undefined && Date.now() - firstAt < duplicateMs) return;
      options.log(
        reason.signal !== undefined
          ? `second ${reason.signal}: exiting now`
          : 'second fatal error: exiting now',
        reason.err,
      );
      process.exit(1);
    }
    firstAt = Date.now();
    const timer = setTimeout(() => {
      options.log(`shutdown took longer than ${options.forceAfterMs} ms: exiting`);
      process.exit(1);
    }, options.forceAfterMs);
    timer.unref();
    options
      .close(reason)
      .then(() => {
        process.exit(exitCode);
      })
      .catch((err: unknown) => {
        options.log('error during shutdown', err);
        process.exit(1);
      });
  };

  const onSignal = (signal: NodeJS.Signals): void => {
    run({ signal }, 0);
  };
  const onFatal = (err: unknown): void => {
    run({ err }, 1);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('uncaughtException', onFatal);
  process.on('unhandledRejection', onFatal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('uncaughtException', onFatal);
    process.off('unhandledRejection', onFatal);
  };
}
