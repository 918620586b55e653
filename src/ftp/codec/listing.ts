/**
 * Directory listings: LIST lines in the `ls -l` shape every client parses (RFC 959 leaves LIST's
 * format open; clients such as curl, lftp and basic-ftp parse the Unix one), NLST names, and the
 * machine-readable MLST/MLSD facts of RFC 3659 §7 (type, size, modify, perm, unique) with the
 * timestamp format of §2.3. Pure functions over a plain entry; the server fills entries from
 * fs.Stats, the client parses them back.
 */

/** What a listing needs to know about one directory entry. */
export interface ListEntry {
  readonly name: string;
  readonly type: 'file' | 'dir' | 'cdir' | 'pdir' | 'link' | 'other';
  readonly size: number;
  readonly mtime: Date;
  /** Unix mode bits (permissions only are used). */
  readonly mode: number;
  /** Device and inode, for MLSx `unique`. */
  readonly dev: number;
  readonly ino: number;
  /** MLSx `perm` letters (RFC 3659 §7.5.5) for this user. */
  readonly perm: string;
}

/** MLSx facts a server offers, in FEAT order; `*` marks the ones on by default. */
export const MLSX_FACTS = ['type', 'size', 'modify', 'perm', 'unique'] as const;
export type MlsxFact = (typeof MLSX_FACTS)[number];

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const SIX_MONTHS_MS = 182 * 24 * 3600 * 1000;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function modeString(entry: ListEntry): string {
  const kind =
    entry.type === 'dir' || entry.type === 'cdir' || entry.type === 'pdir'
      ? 'd'
      : entry.type === 'link'
        ? 'l'
        : '-';
  let out = kind;
  const bits = 'rwxrwxrwx';
  for (let i = 0; i < 9; i++) out += (entry.mode & (1 << (8 - i))) !== 0 ? bits.charAt(i) : '-';
  return out;
}

/** One `ls -l` style line (UTC; the year replaces the time beyond six months, as ls does). */
export function formatListLine(entry: ListEntry, now: Date, owner = 'ftp', group = 'ftp'): string {
  const t = entry.mtime;
  const recent = Math.abs(now.getTime() - t.getTime()) < SIX_MONTHS_MS;
  const when = recent ? `${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}` : ` ${t.getUTCFullYear()}`;
  const date = `${MONTHS[t.getUTCMonth()] ?? 'Jan'} ${String(t.getUTCDate()).padStart(2, ' ')} ${when}`;
  const links = entry.type === 'file' ? 1 : 2;
  return `${modeString(entry)} ${String(links).padStart(3)} ${owner.padEnd(8)} ${group.padEnd(8)} ${String(entry.size).padStart(12)} ${date} ${entry.name}`;
}

/** RFC 3659 §2.3 time-val: `YYYYMMDDHHMMSS` in UTC, with `.sss` when `millis`. */
export function formatTimeVal(date: Date, millis = false): string {
  const base = `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`;
  return millis ? `${base}.${pad(date.getUTCMilliseconds(), 3)}` : base;
}

/** Parses a time-val (`YYYYMMDDHHMMSS[.sss]`, UTC) or null. */
export function parseTimeVal(text: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{1,3}))?$/.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, ms] = m;
  const date = new Date(
    Date.UTC(
      Number(y),
      Number(mo) - 1,
      Number(d),
      Number(h),
      Number(mi),
      Number(s),
      Number((ms ?? '0').padEnd(3, '0')),
    ),
  );
  if (Number.isNaN(date.getTime())) return null;
  // Date.UTC rolls 20261340 over into the next year; a real time-val names itself exactly.
  return formatTimeVal(date) === `${y}${mo}${d}${h}${mi}${s}` ? date : null;
}

/** One MLSx entry line: `fact=value;...; name` (RFC 3659 §7.2), with the selected facts. */
export function formatMlsxLine(entry: ListEntry, facts: ReadonlySet<MlsxFact>, name = entry.name): string {
  let out = '';
  for (const fact of MLSX_FACTS) {
    if (!facts.has(fact)) continue;
    switch (fact) {
      case 'type':
        out += `type=${entry.type === 'link' || entry.type === 'other' ? 'OS.unix=' + (entry.type === 'link' ? 'symlink' : 'other') : entry.type};`;
        break;
      case 'size':
        if (entry.type === 'file') out += `size=${entry.size};`;
        break;
      case 'modify':
        out += `modify=${formatTimeVal(entry.mtime)};`;
        break;
      case 'perm':
        out += `perm=${entry.perm};`;
        break;
      case 'unique':
        out += `unique=${entry.dev.toString(16)}U${entry.ino.toString(16)};`;
        break;
    }
  }
  return `${out} ${name}`;
}

/** The FEAT line for MLST: every fact, `*` after the enabled ones (RFC 3659 §7.8). */
export function mlstFeature(enabled: ReadonlySet<MlsxFact>): string {
  return `MLST ${MLSX_FACTS.map((f) => `${f}${enabled.has(f) ? '*' : ''};`).join('')}`;
}

/** Parses `OPTS MLST fact;fact;` into the supported subset (RFC 3659 §7.9). */
export function parseMlstOpts(arg: string): Set<MlsxFact> {
  const wanted = arg
    .toLowerCase()
    .split(';')
    .map((s) => s.trim());
  return new Set(MLSX_FACTS.filter((f) => wanted.includes(f)));
}

/** A parsed MLSx line (client side): facts by lower-case name, and the name. */
export interface MlsxParsed {
  readonly name: string;
  readonly facts: Readonly<Record<string, string>>;
}

/** Parses one MLSx line; null when malformed. */
export function parseMlsxLine(line: string): MlsxParsed | null {
  const space = line.indexOf(' ');
  if (space === -1) return null;
  const facts: Record<string, string> = {};
  for (const part of line.slice(0, space).split(';')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) return null;
    facts[part.slice(0, eq).toLowerCase()] = part.slice(eq + 1);
  }
  return { name: line.slice(space + 1), facts };
}

/** A parsed `ls -l` line (client side). */
export interface UnixListParsed {
  readonly name: string;
  readonly type: 'file' | 'dir' | 'link' | 'other';
  readonly size: number;
  readonly mode: string;
  readonly date: string;
}

/** Parses a Unix `ls -l` LIST line; null for lines such as `total 12`. */
export function parseUnixListLine(line: string): UnixListParsed | null {
  const m =
    /^([-dlcbps])([-rwxsStT]{9})\S*\s+\d+\s+\S+\s+\S+\s+(\d+)\s+([A-Z][a-z]{2}\s+\d{1,2}\s+(?:\d{1,2}:\d{2}|\d{4}))\s(.+)$/.exec(
      line,
    );
  if (!m) return null;
  const kind = m[1];
  let name = m[5] ?? '';
  if (kind === 'l') name = name.split(' -> ')[0] ?? name;
  return {
    name,
    type: kind === '-' ? 'file' : kind === 'd' ? 'dir' : kind === 'l' ? 'link' : 'other',
    size: Number(m[3]),
    mode: `${kind ?? ''}${m[2] ?? ''}`,
    date: m[4] ?? '',
  };
}
