/**
 * The transfer progress bar of `outpost ftp` (cli-progress): bytes, rate and ETA on stderr, only
 * when stderr is a terminal and the transfer is long enough to be worth one.
 */
import cliProgress from 'cli-progress';

/** Transfers smaller than this get no bar, in octets. */
export const PROGRESS_MIN_OCTETS = 1024 * 1024;

/** A progress reporter: `update(bytes)` then `stop()`. */
export interface Progress {
  update(bytes: number): void;
  stop(): void;
}

function human(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i] ?? 'B'}`;
}

/** A bar for `label` of `total` octets (undefined: unknown), or a no-op off a terminal. */
export function startProgress(
  label: string,
  total: number | undefined,
  stream: NodeJS.WriteStream = process.stderr,
): Progress {
  if (!stream.isTTY || (total !== undefined && total < PROGRESS_MIN_OCTETS)) {
    return { update: () => undefined, stop: () => undefined };
  }
  const started = Date.now();
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `${label} [{bar}] {percentage}% {done}/{size} {rate}/s ETA {eta_formatted}`,
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const size = total ?? 0;
  bar.start(size, 0, { done: human(0), size: total === undefined ? '?' : human(size), rate: human(0) });
  return {
    update(bytes: number): void {
      const secs = Math.max((Date.now() - started) / 1000, 0.001);
      if (total === undefined) bar.setTotal(Math.max(bytes, 1));
      bar.update(bytes, { done: human(bytes), rate: human(bytes / secs) });
    },
    stop(): void {
      bar.stop();
    },
  };
}

export { human as formatBytes };
