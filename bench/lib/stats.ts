/**
 * Summary statistics for benchmark samples. Benchmarks report the median of several alternated
 * rounds because one slow round (another process waking up on the shared machine) moves the mean
 * but not the median.
 */

/** The median of `values` (mean of the two middle values for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const hi = sorted[mid] ?? Number.NaN;
  if (sorted.length % 2 === 1) return hi;
  const lo = sorted[mid - 1] ?? Number.NaN;
  return (lo + hi) / 2;
}

/** Smallest and largest value, or NaN for both when empty. */
export function range(values: readonly number[]): { readonly min: number; readonly max: number } {
  if (values.length === 0) return { min: Number.NaN, max: Number.NaN };
  return { min: Math.min(...values), max: Math.max(...values) };
}
