/**
 * The foreground life of `outpost serve` and `outpost world`: keep the process up even when no
 * listener holds the event loop open, and on SIGINT/SIGTERM (or a fatal error) log why, drain
 * through `stop` within the connection drain time, and exit (close-with-grace).
 */
import closeWithGrace from 'close-with-grace';
import type { Logger } from 'pino';
import { CONNECTION_LIMITS } from '../core/limits.js';

export function runUntilSignal(
  logger: Logger,
  stop: () => Promise<void>,
  options: { readonly skip?: readonly 'SIGHUP'[] } = {},
): void {
  const keepAlive = setInterval(() => undefined, 1 << 30);
  closeWithGrace(
    {
      delay: CONNECTION_LIMITS.drainTimeoutMs + 5000,
      ...(options.skip === undefined ? {} : { skip: [...options.skip] }),
      logger: {
        error: (message: unknown) => {
          logger.error(message);
        },
      },
    },
    async ({ signal, err }) => {
      if (err) logger.error({ err }, 'fatal error, shutting down');
      else logger.info({ signal }, 'shutting down');
      clearInterval(keepAlive);
      await stop();
    },
  );
}
