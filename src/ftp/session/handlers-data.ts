/**
 * Handlers that set up or use a data connection: PORT/EPRT (checked against bounce attacks,
 * RFC 2577 §3), PASV/EPSV (RFC 959 §4.1.2, RFC 2428 §3), TYPE/STRU/MODE/REST/ALLO, the
 * transfers RETR/STOR/STOU/APPE, the listings LIST/NLST/MLSD, and ABOR.
 */
import { lstat } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  formatEpsvReply,
  formatPasvReply,
  parseEprtArg,
  parseEpsvArg,
  parsePortArg,
  sameHost,
  toIPv4,
} from '../codec/address.js';
import { resolveVirtual } from '../codec/path.js';
import { FTP_LIMITS } from '../limits.js';
import { receiveFile, sendFile, sendText } from '../server/transfer.js';
import type { FtpSession } from './session.js';
import { Reply } from './outcome.js';
import type { HandlerResult } from './commands.js';
import { target } from './handlers-files.js';
import { collect, listText, mlsdText, nlstText } from './listings.js';

/** Refuses data addresses that are not the client's own IP or that name a privileged port. */
function checkActive(s: FtpSession, host: string, port: number): Reply | null {
  if (!sameHost(host, s.conn.remoteAddress)) {
    return new Reply(504, "Refused: data connections only go to the control connection's address");
  }
  if (port < FTP_LIMITS.minActivePort) return new Reply(504, 'Refused: privileged data port');
  return null;
}

/** PORT h1,h2,h3,h4,p1,p2. */
export function port(s: FtpSession, arg: string): HandlerResult {
  const hp = parsePortArg(arg);
  if (!hp) return new Reply(501, 'Syntax: PORT h1,h2,h3,h4,p1,p2');
  const refused = checkActive(s, hp.host, hp.port);
  if (refused) return refused;
  s.setData({ kind: 'active', host: s.conn.remoteAddress, port: hp.port });
  return new Reply(200, 'PORT command successful');
}

/** EPRT |af|addr|port| (RFC 2428 §2). */
export function eprt(s: FtpSession, arg: string): HandlerResult {
  const hp = parseEprtArg(arg);
  if (!hp) return new Reply(501, 'Syntax: EPRT |proto|address|port|');
  if ('unsupported' in hp) return new Reply(522, 'Network protocol not supported, use (1,2)');
  const refused = checkActive(s, hp.host, hp.port);
  if (refused) return refused;
  s.setData({ kind: 'active', host: s.conn.remoteAddress, port: hp.port });
  return new Reply(200, 'EPRT command successful');
}

/** PASV: 227 with the advertised IPv4 address. */
export async function pasv(s: FtpSession): Promise<HandlerResult> {
  const advertised = s.options.passiveAddress ?? toIPv4(s.conn.localAddress);
  if (advertised === null) return new Reply(425, 'PASV needs IPv4; use EPSV');
  let listener;
  try {
    listener = await s.openPassive();
  } catch {
    return new Reply(425, "Can't open passive connection");
  }
  const text = formatPasvReply(advertised, listener.port);
  if (text === null) {
    listener.close();
    return new Reply(425, "Can't open passive connection");
  }
  s.setData({ kind: 'passive', listener });
  return new Reply(227, text);
}

/** EPSV [1|2|ALL]: 229 with the port only (RFC 2428 §3). */
export async function epsv(s: FtpSession, arg: string): Promise<HandlerResult> {
  const parsed = parseEpsvArg(arg);
  if (parsed === null) return new Reply(501, 'Syntax: EPSV [<sp> 1 | 2 | ALL]');
  if (parsed === 'unsupported') return new Reply(522, 'Network protocol not supported, use (1,2)');
  if (parsed === 'all') {
    s.settings.epsvAll = true;
    return new Reply(200, 'EPSV ALL ok');
  }
  let listener;
  try {
    listener = await s.openPassive();
  } catch {
    return new Reply(425, "Can't open passive connection");
  }
  s.setData({ kind: 'passive', listener });
  return new Reply(229, formatEpsvReply(listener.port));
}

/** TYPE A [N] | I | L 8 (RFC 959 §3.1.1). */
export function type(s: FtpSession, arg: string): HandlerResult {
  const t = arg.trim().toUpperCase().replace(/\s+/g, ' ');
  if (t === 'A' || t === 'A N') {
    s.settings.type = 'A';
    return new Reply(200, 'Switching to ASCII mode');
  }
  if (t === 'I' || t === 'L 8' || t === 'L8') {
    s.settings.type = 'I';
    return new Reply(200, 'Switching to Binary mode');
  }
  if (/^(A [TC]|E( [NTC])?|L \d+)$/.test(t)) return new Reply(504, 'Type not supported');
  return new Reply(501, 'Syntax: TYPE <sp> A | I | L 8');
}

/** STRU F only. */
export function stru(_s: FtpSession, arg: string): HandlerResult {
  const v = arg.trim().toUpperCase();
  if (v === 'F') return new Reply(200, 'Structure set to F');
  if (v === 'R' || v === 'P') return new Reply(504, 'Only STRU F is supported');
  return new Reply(501, 'Syntax: STRU <sp> F');
}

/** MODE S only. */
export function mode(_s: FtpSession, arg: string): HandlerResult {
  const v = arg.trim().toUpperCase();
  if (v === 'S') return new Reply(200, 'Mode set to S');
  if (v === 'B' || v === 'C') return new Reply(504, 'Only MODE S is supported');
  return new Reply(501, 'Syntax: MODE <sp> S');
}

/** ALLO: storage needs no reservation here. */
export function allo(): HandlerResult {
  return new Reply(202, 'ALLO not needed');
}

/** REST offset (RFC 3659 §5, STREAM mode): applies to the next RETR/STOR/APPE. */
export function rest(s: FtpSession, arg: string): HandlerResult {
  const v = arg.trim();
  if (!/^\d{1,15}$/.test(v)) return new Reply(501, 'Syntax: REST <sp> byte-offset');
  const ready = s.ready;
  if (ready) ready.restart = Number(v);
  return new Reply(350, `Restarting at ${v}. Send STORE or RETRIEVE`);
}

function modeName(s: FtpSession): string {
  return s.settings.type === 'I' ? 'BINARY' : 'ASCII';
}

/** RETR: from the REST offset, converted in TYPE A. */
export async function retr(s: FtpSession, arg: string): Promise<HandlerResult> {
  const t = target(s, arg);
  if (t instanceof Reply) return t;
  const { real, stats } = await t.ready.fs.stat(t.virtual);
  if (!stats.isFile()) return new Reply(550, 'Not a plain file');
  const offset = t.ready.restart;
  t.ready.restart = 0;
  if (offset > stats.size) return new Reply(554, 'Restart offset beyond the end of the file');
  const ascii = s.settings.type === 'A';
  return s.startTransfer(
    'RETR',
    t.virtual,
    `Opening ${modeName(s)} mode data connection for ${basename(t.virtual)} (${stats.size} bytes)`,
    async (socket, transfer) => {
      await sendFile(socket, real, { offset, ascii, signal: transfer.controller.signal, progress: transfer });
      return undefined;
    },
  );
}

async function store(s: FtpSession, arg: string, how: 'stor' | 'appe' | 'stou'): Promise<HandlerResult> {
  const t = target(s, arg);
  if (t instanceof Reply) return t;
  let virtual = t.virtual;
  if (how === 'stou') {
    const unique = await uniqueName(s, arg.trim() === '' ? 'file' : arg.trim());
    if (unique === null) return new Reply(553, 'Could not find a unique file name');
    virtual = unique;
  }
  const real = await t.ready.fs.creatable(virtual);
  const existing = await lstat(real).catch(() => null);
  if (existing?.isDirectory() === true) return new Reply(550, 'Is a directory');
  const offset = t.ready.restart;
  t.ready.restart = 0;
  const mode = how === 'appe' ? 'append' : how === 'stou' ? 'exclusive' : offset > 0 ? 'offset' : 'truncate';
  if (mode === 'offset' && (existing === null || offset > existing.size)) {
    return new Reply(554, 'Restart offset beyond the end of the file');
  }
  const ascii = s.settings.type === 'A';
  const name = basename(virtual);
  const opening =
    how === 'stou' ? `FILE: ${name}` : `Opening ${modeName(s)} mode data connection for ${name}`;
  return s.startTransfer(
    how.toUpperCase(),
    virtual,
    opening,
    async (socket, transfer, bulk) => {
      await receiveFile(socket, real, {
        mode,
        offset,
        ascii,
        signal: transfer.controller.signal,
        progress: transfer,
        fsync: s.options.fsync !== false,
        bulk,
      });
      return how === 'stou' ? `Transfer complete (unique file name: ${name})` : undefined;
    },
    { bulkReads: !ascii },
  );
}

async function uniqueName(s: FtpSession, base: string): Promise<string | null> {
  const ready = s.ready;
  if (!ready) return null;
  for (let i = 0; i < FTP_LIMITS.stouAttempts; i++) {
    const candidate = resolveVirtual(ready.cwd, i === 0 ? base : `${base}.${i}`);
    if (candidate === null) return null;
    const real = await ready.fs.creatable(candidate);
    if ((await lstat(real).catch(() => null)) === null) return candidate;
  }
  return null;
}

/** STOR (REST then overwrites from the offset). */
export function stor(s: FtpSession, arg: string): Promise<HandlerResult> {
  return store(s, arg, 'stor');
}

/** APPE. */
export function appe(s: FtpSession, arg: string): Promise<HandlerResult> {
  return store(s, arg, 'appe');
}

/** STOU: a name that does not exist yet, announced in the 150 reply (RFC 1123 §4.1.2.9). */
export function stou(s: FtpSession, arg: string): Promise<HandlerResult> {
  return store(s, arg, 'stou');
}

/** LIST [-options] [path]. */
export async function list(s: FtpSession, arg: string): Promise<HandlerResult> {
  const { virtual, entries } = await collect(s, arg, { parseOptions: true });
  const text = listText(entries, s.now());
  return s.startTransfer('LIST', virtual, 'Here comes the directory listing', async (socket, transfer) => {
    await sendText(socket, text, transfer.controller.signal, transfer);
    return 'Directory send OK';
  });
}

/** NLST [path]: names only. */
export async function nlst(s: FtpSession, arg: string): Promise<HandlerResult> {
  const { virtual, entries, isDir } = await collect(s, arg, { parseOptions: true });
  const text = isDir ? nlstText(entries) : `${arg.trim()}\r\n`;
  return s.startTransfer('NLST', virtual, 'Here comes the name list', async (socket, transfer) => {
    await sendText(socket, text, transfer.controller.signal, transfer);
    return 'Directory send OK';
  });
}

/** MLSD [dir] (RFC 3659 §7). */
export async function mlsd(s: FtpSession, arg: string): Promise<HandlerResult> {
  const { virtual, entries, isDir, self } = await collect(s, arg, { parseOptions: false });
  if (!isDir) return new Reply(501, 'Not a directory');
  const text = mlsdText(s, self, entries);
  return s.startTransfer('MLSD', virtual, 'Here comes the MLSD listing', async (socket, transfer) => {
    await sendText(socket, text, transfer.controller.signal, transfer);
    return 'MLSD complete';
  });
}

/** ABOR: 426 from the aborted transfer, then 226 (RFC 959 §4.1.3); 225 when nothing ran. */
export async function abor(s: FtpSession): Promise<HandlerResult> {
  const aborted = await s.abortTransfer();
  return aborted ? new Reply(226, 'ABOR successful') : new Reply(225, 'No transfer to abort');
}
