/**
 * Handlers that work on names without a data connection: CWD/CDUP/PWD, MKD/RMD/DELE,
 * RNFR/RNTO (RFC 959 §4.1.3), SIZE/MDTM/MLST (RFC 3659 §3, §4, §7), MFMT (draft-somers-ftp-mfxx
 * §3) and SITE CHMOD.
 */
import { chmod, mkdir, rename, rmdir, unlink, utimes } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { AsciiSizeCounter } from '../codec/ascii.js';
import { formatMlsxLine, formatTimeVal, parseTimeVal } from '../codec/listing.js';
import { quotePath } from '../codec/reply.js';
import { baseName, resolveVirtual } from '../codec/path.js';
import { fsErrorOf } from '../server/user-fs.js';
import { FTP_LIMITS } from '../limits.js';
import type { FtpSession } from './session.js';
import { Reply } from './outcome.js';
import type { HandlerResult } from './commands.js';

/** The logged-in state and the virtual path of `arg`, or a 501/550 refusal. */
export function target(
  s: FtpSession,
  arg: string,
): { ready: NonNullable<FtpSession['ready']>; virtual: string } | Reply {
  const ready = s.ready;
  if (!ready) return new Reply(530, 'Please login with USER and PASS');
  const virtual = resolveVirtual(ready.cwd, arg);
  if (virtual === null) return new Reply(553, 'File name not allowed');
  return { ready, virtual };
}

/** CWD. */
export async function cwd(s: FtpSession, arg: string): Promise<HandlerResult> {
  const t = target(s, arg);
  if (t instanceof Reply) return t;
  const { stats } = await t.ready.fs.stat(t.virtual);
  if (!stats.isDirectory()) return new Reply(550, 'Not a directory');
  t.ready.cwd = t.virtual;
  return new Reply(250, 'Directory successfully changed');
}

/** CDUP. */
export function cdup(s: FtpSession): Promise<HandlerResult> {
  return cwd(s, '..');
}

/** PWD. */
export function pwd(s: FtpSession): HandlerResult {
  return new Reply(257, `${quotePath(s.ready?.cwd ?? '/')} is the current directory`);
}

/** MKD. */
export async function mkd(s: FtpSession, arg: string): Promise<HandlerResult> {
  const t = target(s, arg);
  if (t instanceof Reply) return t;
  const real = await t.ready.fs.creatable(t.virtual);
  try {
    await mkdir(real, { mode: 0o755 });
  } catch (err) {
    throw fsErrorOf(err);
  }
  return new Reply(257, `${quotePath(t.virtual)} created`);
}

/** RMD (RFC 959: only empty directories). */
export async function rmd(s: FtpSession, arg: string): Promise<HandlerResult> {
  const t = target(s, arg);
  if (t instanceof Reply) return t;
  if (t.virtual === '/') return new Reply(550, 'Permission denied');
  const { real, stats } = await t.ready.fs.stat(t.virtual);
  if (!stats.isDirectory()) return new Reply(550, 'Not a directory');
  if (real === t.ready.fs.root) return new Reply(550, 'Permission denied');
  try {
    await rmdir(real);
  } catch (err) {
    throw fsErrorOf(err);
  }
  return new Reply(250, 'Directory removed');
}

/** DELE. */
export async function dele(s: FtpSession, arg: string): Promise<HandlerResult> {
  const t = target(s, arg);
  if (t instanceof Reply) return t;
  const { real, stats } = await t.ready.fs.stat(t.virtual);
  if (stats.isDirectory()) return new Reply(550, 'Is a directory (use RMD)');
  try {
    await unlink(real);
  } catch (err) {
    throw fsErrorOf(err);
  }
  return new Reply(250, 'File deleted');
}

/** RNFR: remembers an existing source for the next RNTO. */
export async function rnfr(s: FtpSession, arg: string): Promise<HandlerResult> {
  const t = target(s, arg);
  if (t instanceof Reply) return t;
  if (t.virtual === '/') return new Reply(550, 'Permission denied');
  await t.ready.fs.existing(t.virtual);
  t.ready.renameFrom = t.virtual;
  return new Reply(350, 'Ready for RNTO');
}

/** RNTO. */
export async function rnto(s: FtpSession, arg: string): Promise<HandlerResult> {
  const t = target(s, arg);
  if (t instanceof Reply) return t;
  const from = t.ready.renameFrom;
  if (from === null) return new Reply(503, 'RNFR required first');
  t.ready.renameFrom = null;
  const src = await t.ready.fs.existing(from);
  const dst = await t.ready.fs.creatable(t.virtual);
  if (src === t.ready.fs.root) return new Reply(550, 'Permission denied');
  try {
    await rename(src, dst);
  } catch (err) {
    throw fsErrorOf(err);
  }
  return new Reply(250, 'Rename successful');
}

async function asciiSize(real: string): Promise<number> {
  const counter = new AsciiSizeCounter();
  for await (const chunk of createReadStream(real, { highWaterMark: FTP_LIMITS.transferChunkOctets }))
    counter.push(chunk as Buffer);
  return counter.size;
}

/** SIZE (RFC 3659 §4): the size as it would be transferred in the current TYPE. */
export async function size(s: FtpSession, arg: string): Promise<HandlerResult> {
  const t = target(s, arg);
  if (t instanceof Reply) return t;
  const { real, stats } = await t.ready.fs.stat(t.virtual);
  if (!stats.isFile()) return new Reply(550, 'Not a regular file');
  if (s.settings.type === 'I') return new Reply(213, String(stats.size));
  if (stats.size > FTP_LIMITS.maxAsciiSizeScanOctets)
    return new Reply(550, 'SIZE not available in ASCII mode for large files; use TYPE I');
  return new Reply(213, String(await asciiSize(real)));
}

/** MDTM (RFC 3659 §3). */
export async function mdtm(s: FtpSession, arg: string): Promise<HandlerResult> {
  const t = target(s, arg);
  if (t instanceof Reply) return t;
  const { stats } = await t.ready.fs.stat(t.virtual);
  if (!stats.isFile()) return new Reply(550, 'Not a regular file');
  return new Reply(213, formatTimeVal(stats.mtime));
}

/** MFMT time-val pathname: sets a file's modification time (what mirroring clients use). */
export async function mfmt(s: FtpSession, arg: string): Promise<HandlerResult> {
  const m = /^(\S+) (.+)$/.exec(arg);
  if (!m) return new Reply(501, 'Syntax: MFMT <sp> YYYYMMDDHHMMSS <sp> pathname');
  const when = parseTimeVal(m[1] ?? '');
  if (!when) return new Reply(501, 'Invalid time value: use YYYYMMDDHHMMSS in UTC');
  const t = target(s, m[2] ?? '');
  if (t instanceof Reply) return t;
  const { real, stats } = await t.ready.fs.stat(t.virtual);
  if (!stats.isFile()) return new Reply(550, 'Not a regular file');
  try {
    await utimes(real, stats.atime, when);
  } catch (err) {
    throw fsErrorOf(err);
  }
  return new Reply(213, `Modify=${formatTimeVal(when)}; ${t.virtual}`);
}

/** SITE CHMOD mode pathname: permission bits only (no setuid, setgid or sticky bit). */
export async function siteChmod(s: FtpSession, arg: string): Promise<HandlerResult> {
  const m = /^([0-7]{1,4}) (.+)$/.exec(arg);
  if (!m) return new Reply(501, 'Syntax: SITE CHMOD <sp> octal-mode <sp> pathname');
  const mode = parseInt(m[1] ?? '', 8);
  if (mode > 0o777) return new Reply(550, 'Only permission bits (000-777) can be set');
  const t = target(s, m[2] ?? '');
  if (t instanceof Reply) return t;
  if (!t.ready.fs.permissions.write) return new Reply(550, 'Permission denied');
  const real = await t.ready.fs.existing(t.virtual);
  try {
    await chmod(real, mode);
  } catch (err) {
    throw fsErrorOf(err);
  }
  return new Reply(200, 'SITE CHMOD command ok');
}

/** MLST (RFC 3659 §7.2): facts of one entry on the control connection. */
export async function mlst(s: FtpSession, arg: string): Promise<HandlerResult> {
  const t = target(s, arg.trim() === '' ? '.' : arg);
  if (t instanceof Reply) return t;
  const { stats } = await t.ready.fs.stat(t.virtual);
  const entry = t.ready.fs.entry(baseName(t.virtual), stats);
  return new Reply(250, [
    `Listing ${t.virtual}`,
    ` ${formatMlsxLine(entry, s.settings.mlstFacts, t.virtual)}`,
    'End',
  ]);
}
