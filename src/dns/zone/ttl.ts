/**
 * TTL and time-value text. Plain decimal seconds (RFC 1035 §5.1) or BIND-style unit sums such as
 * `1h30m` or `1W2D` (w, d, h, m, s; case-insensitive). Values above 2^31-1 are refused (RFC 2181
 * §8), so they never reach the wire.
 */
import { ErrorCodes, OutpostError } from '../../core/errors.js';
import { MAX_TTL } from '../limits.js';

const UNIT: Readonly<Record<string, number>> = { w: 604800, d: 86400, h: 3600, m: 60, s: 1 };

/** True when a token looks like a TTL (starts with a digit), which is how the parser tells it from a class or type. */
export function looksLikeTtl(text: string): boolean {
  const c = text.charCodeAt(0);
  return c >= 0x30 && c <= 0x39;
}

/** Parse a TTL/time value; throws ERR_PARSE for bad syntax or values above 2^31-1. */
export function parseTtl(text: string): number {
  let total = 0;
  if (/^[0-9]+$/.test(text)) {
    total = Number(text);
  } else {
    const re = /([0-9]+)([wdhmsWDHMS])/y;
    let pos = 0;
    while (pos < text.length) {
      re.lastIndex = pos;
      const m = re.exec(text);
      if (m === null) throw new OutpostError(ErrorCodes.PARSE, `invalid TTL "${text}"`);
      total += Number(m[1]) * (UNIT[(m[2] ?? 's').toLowerCase()] ?? 1);
      pos = re.lastIndex;
    }
  }
  if (!Number.isSafeInteger(total) || total > MAX_TTL) {
    throw new OutpostError(ErrorCodes.PARSE, `TTL "${text}" exceeds ${MAX_TTL} (RFC 2181 §8)`);
  }
  return total;
}
