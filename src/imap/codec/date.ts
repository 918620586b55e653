/**
 * IMAP dates (RFC 9051 §9): `date` (SEARCH BEFORE/ON/SINCE: `1-Feb-1994`, optionally quoted)
 * and `date-time` (APPEND, INTERNALDATE: `"17-Jul-1996 02:44:25 -0700"`), parsed strictly
 * (real calendar dates, zones within ±99:59) and written in the fixed form servers send.
 */

/** A calendar date (SEARCH BEFORE/ON/SINCE): no time and no zone. */
export interface ImapDate {
  readonly year: number;
  /** 1–12. */
  readonly month: number;
  readonly day: number;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function calendarDate(dayText: string, monthText: string, yearText: string): ImapDate | null {
  const month = MONTHS.indexOf(monthText.toUpperCase()) + 1;
  const day = Number(dayText);
  const year = Number(yearText);
  if (month === 0 || year < 1 || day < 1 || day > daysIn(year, month)) return null;
  return { year, month, day };
}

/** `date-text` (`d-Mon-yyyy`, one or two day digits); null when it is not a real date. */
export function parseDateText(text: string): ImapDate | null {
  const m = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/.exec(text);
  if (!m) return null;
  return calendarDate(m[1] ?? '', m[2] ?? '', m[3] ?? '');
}

/**
 * The inside of a `date-time` (without its quotes): `dd-Mon-yyyy hh:mm:ss +zzzz`, where the
 * day is two digits or a space and a digit. Null when malformed or not a real time.
 */
export function parseDateTime(text: string): Date | null {
  const m = /^([ \d]\d)-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(text);
  if (!m) return null;
  const date = calendarDate((m[1] ?? '').trim(), m[2] ?? '', m[3] ?? '');
  const [hh, mm, ss, zh, zm] = [m[4], m[5], m[6], m[8], m[9]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  if (!date || hh > 23 || mm > 59 || ss > 60 || zm > 59) return null;
  const offsetMinutes = (m[7] === '-' ? -1 : 1) * (zh * 60 + zm);
  const utc =
    Date.UTC(date.year, date.month - 1, date.day, hh, mm, Math.min(ss, 59)) - offsetMinutes * 60_000;
  return new Date(utc);
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** The `date-time` of an instant in UTC, quotes included: `"07-Dec-2026 17:13:25 +0000"`. */
export function formatDateTime(date: Date): string {
  const day = pad2(date.getUTCDate());
  const month = MONTH_NAMES[date.getUTCMonth()] ?? 'Jan';
  const time = `${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())}:${pad2(date.getUTCSeconds())}`;
  return `"${day}-${month}-${String(date.getUTCFullYear()).padStart(4, '0')} ${time} +0000"`;
}

/** A `date` as the server writes it: `7-Dec-2026`. */
export function formatDate(date: ImapDate): string {
  return `${date.day}-${MONTH_NAMES[date.month - 1] ?? 'Jan'}-${date.year}`;
}
