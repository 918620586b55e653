/**
 * Handlers that work on names without a data connection: CWD/CDUP/PWD, MKD/RMD/DELE,
 * RNFR/RNTO (RFC 959 §4.1.3), SIZE/MDTM/MLST (RFC 3659 §3, §4, §7), MFMT (draft-somers-ftp-mfxx
 * §3) and SITE CHMOD. Every disk operation goes through the user's filesystem (UserFs), whose
 * errors the session maps to replies.
 */
import { formatMlsxLine, formatTimeVal, parseTimeVal } from '../codec/listing.js';
import { ftpReply as reply, quotePath, type FtpReply } from '../codec/reply.js';
import { baseName, resolveVirtual } from '../codec/path.js';
import { asciiSize } from '../server/transfer.js';
import { FTP_LIMITS } from '../limits.js';
import type { FtpSessionContext as Ctx, HandlerResult } from './context.js';
import type { ReadyState } from './state.js';

/** The virtual path `arg` names from the current directory, or the 553 refusal. */
export function target(ready: ReadyState, arg: string): string | FtpReply {
  return resolveVirtual(ready.cwd, arg) ?? reply(553, 'File name not allowed');
}

/** CWD. */
export async function cwd(_s: Ctx, ready: ReadyState, arg: string): Promise<HandlerResult> {
  const virtual = target(ready, arg);
  if (typeof virtual !== 'string') return virtual;
  const stats = await ready.fs.stat(virtual);
  if (!stats.isDirectory()) return reply(550, 'Not a directory');
  ready.cwd = virtual;
  return reply(250, 'Directory successfully changed');
}

/** CDUP. */
export function cdup(s: Ctx, ready: ReadyState): Promise<HandlerResult> {
  return cwd(s, ready, '..');
}

/** PWD. */
export function pwd(_s: Ctx, ready: ReadyState): HandlerResult {
  return reply(257, `${quotePath(ready.cwd)} is the current directory`);
}

/** MKD. */
export async function mkd(_s: Ctx, ready: ReadyState, arg: string): Promise<HandlerResult> {
  const virtual = target(ready, arg);
  if (typeof virtual !== 'string') return virtual;
  await ready.fs.mkdir(virtual);
  return reply(257, `${quotePath(virtual)} created`);
}

/** RMD (RFC 959: only empty directories). */
export async function rmd(_s: Ctx, ready: ReadyState, arg: string): Promise<HandlerResult> {
  const virtual = target(ready, arg);
  if (typeof virtual !== 'string') return virtual;
  if (virtual === '/') return reply(550, 'Permission denied');
  await ready.fs.rmdir(virtual);
  return reply(250, 'Directory removed');
}

/** DELE. */
export async function dele(_s: Ctx, ready: ReadyState, arg: string): Promise<HandlerResult> {
  const virtual = target(ready, arg);
  if (typeof virtual !== 'string') return virtual;
  await ready.fs.unlink(virtual);
  return reply(250, 'File deleted');
}

/** RNFR: remembers an existing source for the next RNTO. */
export async function rnfr(_s: Ctx, ready: ReadyState, arg: string): Promise<HandlerResult> {
  const virtual = target(ready, arg);
  if (typeof virtual !== 'string') return virtual;
  if (virtual === '/') return reply(550, 'Permission denied');
  await ready.fs.exists(virtual);
  ready.renameFrom = virtual;
  return reply(350, 'Ready for RNTO');
}

/** RNTO. */
export async function rnto(_s: Ctx, ready: ReadyState, arg: string): Promise<HandlerResult> {
  const virtual = target(ready, arg);
  if (typeof virtual !== 'string') return virtual;
  const from = ready.renameFrom;
  if (from === null) return reply(503, 'RNFR required first');
  ready.renameFrom = null;
  await ready.fs.rename(from, virtual);
  return reply(250, 'Rename successful');
}

/** SIZE (RFC 3659 §4): the size as it would be transferred in the current TYPE. */
export async function size(s: Ctx, ready: ReadyState, arg: string): Promise<HandlerResult> {
  const virtual = target(ready, arg);
  if (typeof virtual !== 'string') return virtual;
  const file = await ready.fs.openRead(virtual);
  try {
    if (s.settings.type === 'I') return reply(213, String(file.stats.size));
    if (file.stats.size > FTP_LIMITS.maxAsciiSizeScanOctets)
      return reply(550, 'SIZE not available in ASCII mode for large files; use TYPE I');
    return reply(213, String(await asciiSize(file.fd)));
  } finally {
    await file.close();
  }
}

/** MDTM (RFC 3659 §3). */
export async function mdtm(_s: Ctx, ready: ReadyState, arg: string): Promise<HandlerResult> {
  const virtual = target(ready, arg);
  if (typeof virtual !== 'string') return virtual;
  const stats = await ready.fs.stat(virtual);
  if (!stats.isFile()) return reply(550, 'Not a regular file');
  return reply(213, formatTimeVal(stats.mtime));
}

/** MFMT time-val pathname: sets a file's modification time (what mirroring clients use). */
export async function mfmt(_s: Ctx, ready: ReadyState, arg: string): Promise<HandlerResult> {
  const m = /^(\S+) (.+)$/.exec(arg);
  if (!m) return reply(501, 'Syntax: MFMT <sp> YYYYMMDDHHMMSS <sp> pathname');
  const when = parseTimeVal(m[1] ?? '');
  if (!when) return reply(501, 'Invalid time value: use YYYYMMDDHHMMSS in UTC');
  const virtual = target(ready, m[2] ?? '');
  if (typeof virtual !== 'string') return virtual;
  await ready.fs.setModified(virtual, when);
  return reply(213, `Modify=${formatTimeVal(when)}; ${virtual}`);
}

/** SITE CHMOD mode pathname: permission bits only (no setuid, setgid or sticky bit). */
export async function siteChmod(ready: ReadyState, arg: string): Promise<HandlerResult> {
  const m = /^([0-7]{1,4}) (.+)$/.exec(arg);
  if (!m) return reply(501, 'Syntax: SITE CHMOD <sp> octal-mode <sp> pathname');
  const mode = parseInt(m[1] ?? '', 8);
  if (mode > 0o777) return reply(550, 'Only permission bits (000-777) can be set');
  const virtual = target(ready, m[2] ?? '');
  if (typeof virtual !== 'string') return virtual;
  if (!ready.fs.permissions.write) return reply(550, 'Permission denied');
  await ready.fs.chmod(virtual, mode);
  return reply(200, 'SITE CHMOD command ok');
}

/** MLST (RFC 3659 §7.2): facts of one entry on the control connection. */
export async function mlst(s: Ctx, ready: ReadyState, arg: string): Promise<HandlerResult> {
  const virtual = target(ready, arg.trim() === '' ? '.' : arg);
  if (typeof virtual !== 'string') return virtual;
  const stats = await ready.fs.stat(virtual);
  const entry = ready.fs.entry(baseName(virtual), stats);
  return reply(250, [
    `Listing ${virtual}`,
    ` ${formatMlsxLine(entry, s.settings.mlstFacts, virtual)}`,
    'End',
  ]);
}
