/**
 * The loop of the micro-benchmarks (bench/dns-codec.ts, bench/dns-authority.ts): warm the
 * function up, call it in batches of 1,000 for `seconds`, print operations per second.
 */

/** Runs `fn` for `seconds` after a warm-up and prints `name` with its operations per second. */
export function microBench(name: string, seconds: number, fn: () => unknown, nameWidth = 52): void {
  for (let i = 0; i < 20000; i++) fn(); // warm-up
  let ops = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(seconds * 1e9));
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < 1000; i++) fn();
    ops += 1000;
    elapsed = process.hrtime.bigint() - start;
  }
  const perSec = (ops * 1e9) / Number(elapsed);
  console.log(`${name.padEnd(nameWidth)} ${Math.round(perSec).toLocaleString('en-US').padStart(12)} ops/s`);
}
