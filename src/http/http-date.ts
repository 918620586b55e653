/**
 * HTTP-date (RFC 9110 §5.6.7), strictly: IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), and the
 * obsolete RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37 1994`)
 * forms a recipient must accept. Names are matched case-insensitively; anything else (other time
 * zones, missing comma, doubled spaces, one-digit hours) is not a date, so an Expires such as
 * `Thu, 18 Aug 2050 02:01:18 UTC` reads as invalid (already expired) as §5.3 of RFC 9111 asks.
 */

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY = '(?:mon|tue|wed|thu|fri|sat|sun)';
const DAY_L = '(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)';
const MONTH = '(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)';
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
const IMF = new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`, 'i');
const RFC850 = new RegExp(`^${DAY_L}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`, 'i');
const ASCTIME = new RegExp(`^${DAY} ${MONTH} ((?:\\d{2})|(?: \\d)) ${TIME} (\\d{4})$`, 'i');

function build(
  year: number,
  month: string,
  day: string,
  hh: string,
  mm: string,
  ss: string,
): number | undefined {
  const m = MONTHS.indexOf(month.toLowerCase());
  const d = Number(day.trim());
  const h = Number(hh);
  const mi = Number(mm);
  const s = Number(ss);
  if (m < 0 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined;
  const ms = Date.UTC(year, m, d, h, mi, Math.min(s, 59));
  // Reject days past the month's end (31 Feb) instead of rolling over.
  return new Date(ms).getUTCDate() === d ? ms : undefined;
}

/**
 * An HTTP-date in ms since the epoch, or undefined when `value` is not one. `now` places an
 * RFC 850 two-digit year: one that would be more than 50 years in the future is in the past
 * century (§5.6.7).
 */
export function parseHttpDateMs(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined || value.length > 40) return undefined;
  const v = value.trim();
  let m = IMF.exec(v);
  if (m) return build(Number(m[3]), m[2] ?? '', m[1] ?? '', m[4] ?? '', m[5] ?? '', m[6] ?? '');
  m = RFC850.exec(v);
  if (m) {
    const yy = Number(m[3]);
    const thisYear = new Date(now).getUTCFullYear();
    let year = Math.floor(thisYear / 100) * 100 + yy;
    if (year > thisYear + 50) year -= 100;
    return build(year, m[2] ?? '', m[1] ?? '', m[4] ?? '', m[5] ?? '', m[6] ?? '');
  }
  m = ASCTIME.exec(v);
  if (m) return build(Number(m[6]), m[1] ?? '', m[2] ?? '', m[3] ?? '', m[4] ?? '', m[5] ?? '');
  return undefined;
}
