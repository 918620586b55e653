/**
 * RFC 5322 §3.3 date-time: formatting for Date: headers (and DSN Arrival-Date), and a tolerant
 * parser that also reads the obsolete forms of §4.3 (two-digit years, alphabetic zones).
 */

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/**
 * `Sat, 21 Nov 2026 16:09:42 +0000`. `offsetMinutes` is the zone to express the time in (east of
 * UTC positive); default 0. RFC 5322 §3.3: the zone is `+hhmm`/`-hhmm`.
 */
export function formatDate(date: Date, offsetMinutes = 0): string {
  const t = new Date(date.getTime() + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return (
    `${DAYS[t.getUTCDay()] ?? ''}, ${String(t.getUTCDate())} ${MONTHS[t.getUTCMonth()] ?? ''} ` +
    `${String(t.getUTCFullYear())} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:` +
    `${pad(t.getUTCSeconds())} ${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
  );
}

/** RFC 5322 §4.3 obsolete zones. Military zones are ambiguous (§4.3) and read as +0000. */
const OBS_ZONES: Record<string, number> = {
  UT: 0,
  GMT: 0,
  EST: -300,
  EDT: -240,
  CST: -360,
  CDT: -300,
  MST: -420,
  MDT: -360,
  PST: -480,
  PDT: -420,
};

/** Parses an RFC 5322 date-time (comments and obsolete forms tolerated); null when unreadable. */
export function parseDate(text: string): Date | null {
  const s = text
    .replace(/\([^()]*\)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const m =
    /^(?:[A-Za-z]{3} ?, ?)?(\d{1,2}) ([A-Za-z]{3}) (\d{2,4}) (\d{1,2}) ?: ?(\d{2})(?: ?: ?(\d{2}))?(?: ([+-]\d{4}|[A-Za-z]{1,5}))?$/.exec(
      s,
    );
  if (!m) return null;
  const month = MONTHS.findIndex((x) => x.toLowerCase() === (m[2] ?? '').toLowerCase());
  if (month < 0) return null;
  let year = Number(m[3]);
  // RFC 5322 §4.3: two-digit years 00-49 are 2000-2049, 50-99 are 1950-1999; three digits add 1900.
  if ((m[3] ?? '').length === 2) year += year < 50 ? 2000 : 1900;
  else if ((m[3] ?? '').length === 3) year += 1900;
  const zone = m[7] ?? '+0000';
  let offset: number;
  if (/^[+-]\d{4}$/.test(zone)) {
    const mins = Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5));
    offset = zone.startsWith('-') ? -mins : mins;
  } else {
    offset = OBS_ZONES[zone.toUpperCase()] ?? 0;
  }
  const day = Number(m[1]);
  const hh = Number(m[4]);
  const mm = Number(m[5]);
  const ss = Number(m[6] ?? '0');
  if (day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60) return null;
  const utc = Date.UTC(year, month, day, hh, mm, Math.min(ss, 59)) - offset * 60_000;
  return Number.isFinite(utc) ? new Date(utc) : null;
}
