/**
 * Serial number arithmetic (RFC 1982) for the 32-bit SOA SERIAL (RFC 1035 §3.3.13): serials wrap
 * around, so "newer" is a comparison on a circle, not on integers. Two serials exactly 2^31 apart
 * are incomparable (RFC 1982 §3.2): neither is greater, and a secondary must not transfer on them.
 */

const HALF = 2 ** 31;
const MOD = 2 ** 32;

function check(serial: number): number {
  if (!Number.isInteger(serial) || serial < 0 || serial >= MOD) {
    throw new RangeError(`SOA serial ${serial} is not a 32-bit unsigned integer`);
  }
  return serial;
}

/**
 * True when serial `a` is greater than `b` under RFC 1982 §3.2: `(a > b and a - b < 2^31)` or
 * `(a < b and b - a > 2^31)`. Throws RangeError for values outside 0..2^32-1.
 */
export function serialGreater(a: number, b: number): boolean {
  check(a);
  check(b);
  return (a > b && a - b < HALF) || (a < b && b - a > HALF);
}

/**
 * Compare two serials: -1, 0 or 1, or `undefined` when they are incomparable (exactly 2^31
 * apart, RFC 1982 §3.2).
 */
export function serialCompare(a: number, b: number): -1 | 0 | 1 | undefined {
  if (check(a) === check(b)) return 0;
  if (serialGreater(a, b)) return 1;
  if (serialGreater(b, a)) return -1;
  return undefined;
}

/**
 * `serial + n` modulo 2^32 (RFC 1982 §3.1); `n` must be in 0..2^31-1, the largest addition the
 * RFC defines.
 */
export function serialAdd(serial: number, n: number): number {
  check(serial);
  if (!Number.isInteger(n) || n < 0 || n >= HALF) throw new RangeError(`cannot add ${n} to a serial`);
  return (serial + n) % MOD;
}
