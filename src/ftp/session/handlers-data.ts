/**
 * Handlers that set up or use a data connection: PORT/EPRT (checked against bounce attacks,
 * RFC 2577 §3), PASV/EPSV (RFC 959 §4.1.2, RFC 2428 §3), TYPE/STRU/MODE/REST/ALLO, the
 * transfers RETR/STOR/STOU/APPE, the listings LIST/NLST/MLSD, and ABOR. Files are opened through
 * the user's filesystem before the transfer starts (a refusal is the reply to the command, before
 * any 150), and the transfer runner closes them; the data connection is the session's DataChannel.
 */
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
import { ftpReply as reply, type FtpReply } from '../codec/reply.js';
import { FTP_LIMITS } from '../limits.js';
import { receiveFile, sendFile, sendText } from '../server/transfer.js';
import { FsError, type OpenFile, type WriteMode } from '../server/user-fs.js';
import type { FtpSessionContext as Ctx, HandlerResult, TransferRequest } from './context.js';
import type { ReadyState } from './state.js';
import { target } from './handlers-files.js';
import { collect, listText, mlsdText, nlstText } from './listings.js';

/** Refuses data addresses that are not the client's own IP or that name a privileged port. */
function checkActive(s: Ctx, host: string, port: number): FtpReply | null {
  if (!sameHost(host, s.conn.remoteAddress)) {
    return reply(504, "Refused: data connections only go to the control connection's address");
  }
  if (port < FTP_LIMITS.minActivePort) return reply(504, 'Refused: privileged data port');
  return null;
}

/** PORT h1,h2,h3,h4,p1,p2. */
export function port(s: Ctx, _ready: ReadyState, arg: string): HandlerResult {
  const hp = parsePortArg(arg);
  if (!hp) return reply(501, 'Syntax: PORT h1,h2,h3,h4,p1,p2');
  const refused = checkActive(s, hp.host, hp.port);
  if (refused) return refused;
  s.data.target(s.conn.remoteAddress, hp.port);
  return reply(200, 'PORT command successful');
}

/** EPRT |af|addr|port| (RFC 2428 §2). */
export function eprt(s: Ctx, _ready: ReadyState, arg: string): HandlerResult {
  const hp = parseEprtArg(arg);
  if (!hp) return reply(501, 'Syntax: EPRT |proto|address|port|');
  if ('unsupported' in hp) return reply(522, 'Network protocol not supported, use (1,2)');
  const refused = checkActive(s, hp.host, hp.port);
  if (refused) return refused;
  s.data.target(s.conn.remoteAddress, hp.port);
  return reply(200, 'EPRT command successful');
}

/** PASV: 227 with the advertised IPv4 address. */
export async function pasv(s: Ctx): Promise<HandlerResult> {
  const advertised = s.options.passiveAddress ?? toIPv4(s.conn.localAddress);
  if (advertised === null) return reply(425, 'PASV needs IPv4; use EPSV');
  let port;
  try {
    port = await s.data.listen();
  } catch {
    return reply(425, "Can't open passive connection");
  }
  const text = formatPasvReply(advertised, port);
  if (text === null) {
    s.data.reset();
    return reply(425, "Can't open passive connection");
  }
  return reply(227, text);
}

/** EPSV [1|2|ALL]: 229 with the port only (RFC 2428 §3). */
export async function epsv(s: Ctx, _ready: ReadyState, arg: string): Promise<HandlerResult> {
  const parsed = parseEpsvArg(arg);
  if (parsed === null) return reply(501, 'Syntax: EPSV [<sp> 1 | 2 | ALL]');
  if (parsed === 'unsupported') return reply(522, 'Network protocol not supported, use (1,2)');
  if (parsed === 'all') {
    s.settings.epsvAll = true;
    return reply(200, 'EPSV ALL ok');
  }
  let port;
  try {
    port = await s.data.listen();
  } catch {
    return reply(425, "Can't open passive connection");
  }
  return reply(229, formatEpsvReply(port));
}

/** TYPE A [N] | I | L 8 (RFC 959 §3.1.1). */
export function type(s: Ctx, _ready: ReadyState, arg: string): HandlerResult {
  const t = arg.trim().toUpperCase().replace(/\s+/g, ' ');
  if (t === 'A' || t === 'A N') {
    s.settings.type = 'A';
    return reply(200, 'Switching to ASCII mode');
  }
  if (t === 'I' || t === 'L 8' || t === 'L8') {
    s.settings.type = 'I';
    return reply(200, 'Switching to Binary mode');
  }
  if (/^(A [TC]|E( [NTC])?|L \d+)$/.test(t)) return reply(504, 'Type not supported');
  return reply(501, 'Syntax: TYPE <sp> A | I | L 8');
}

/** STRU F only. */
export function stru(_s: Ctx, _ready: ReadyState, arg: string): HandlerResult {
  const v = arg.trim().toUpperCase();
  if (v === 'F') return reply(200, 'Structure set to F');
  if (v === 'R' || v === 'P') return reply(504, 'Only STRU F is supported');
  return reply(501, 'Syntax: STRU <sp> F');
}

/** MODE S only. */
export function mode(_s: Ctx, _ready: ReadyState, arg: string): HandlerResult {
  const v = arg.trim().toUpperCase();
  if (v === 'S') return reply(200, 'Mode set to S');
  if (v === 'B' || v === 'C') return reply(504, 'Only MODE S is supported');
  return reply(501, 'Syntax: MODE <sp> S');
}

/** ALLO: storage needs no reservation here. */
export function allo(): HandlerResult {
  return reply(202, 'ALLO not needed');
}

/** REST offset (RFC 3659 §5, STREAM mode): applies to the next RETR/STOR/APPE. */
export function rest(_s: Ctx, ready: ReadyState, arg: string): HandlerResult {
  const v = arg.trim();
  if (!/^\d{1,15}$/.test(v)) return reply(501, 'Syntax: REST <sp> byte-offset');
  ready.restart = Number(v);
  return reply(350, `Restarting at ${v}. Send STORE or RETRIEVE`);
}

function modeName(s: Ctx): string {
  return s.settings.type === 'I' ? 'BINARY' : 'ASCII';
}

/** RETR: from the REST offset, converted in TYPE A. */
export async function retr(s: Ctx, ready: ReadyState, arg: string): Promise<HandlerResult> {
  const virtual = target(ready, arg);
  if (typeof virtual !== 'string') return virtual;
  const file = await ready.fs.openRead(virtual);
  const offset = ready.restart;
  ready.restart = 0;
  if (offset > file.stats.size) {
    await file.close();
    return reply(554, 'Restart offset beyond the end of the file');
  }
  const ascii = s.settings.type === 'A';
  return transferFile(s, file, {
    verb: 'RETR',
    path: virtual,
    opening: `Opening ${modeName(s)} mode data connection for ${basename(virtual)} (${file.stats.size} bytes)`,
    body: async (data, transfer) => {
      await sendFile(data.stream, file.fd, {
        offset,
        ascii,
        signal: transfer.controller.signal,
        progress: transfer,
      });
      return undefined;
    },
  });
}

/** Starts a transfer that owns `file` (closed when it ends, or now when it cannot start). */
async function transferFile(
  s: Ctx,
  file: OpenFile,
  transfer: Omit<TransferRequest, 'release'>,
): Promise<HandlerResult> {
  const refused = s.startTransfer({ ...transfer, release: () => file.close() });
  if (refused !== null) await file.close();
  return refused;
}

/** STOU's file: the first free name of `base`, `base.1`, `base.2`… created exclusively. */
async function createUnique(
  ready: ReadyState,
  base: string,
): Promise<{ virtual: string; file: OpenFile } | null> {
  for (let i = 0; i < FTP_LIMITS.stouAttempts; i++) {
    const virtual = resolveVirtual(ready.cwd, i === 0 ? base : `${base}.${String(i)}`);
    if (virtual === null) return null;
    try {
      return { virtual, file: await ready.fs.openWrite(virtual, 'exclusive') };
    } catch (err) {
      if (!(err instanceof FsError && err.kind === 'exists')) throw err;
    }
  }
  return null;
}

/** Opens the target of STOR/APPE (REST + STOR: an existing file at least `offset` long). */
async function openUpload(
  ready: ReadyState,
  virtual: string,
  mode: WriteMode,
  offset: number,
): Promise<OpenFile | FtpReply> {
  const beyond = reply(554, 'Restart offset beyond the end of the file');
  let file: OpenFile;
  try {
    file = await ready.fs.openWrite(virtual, mode);
  } catch (err) {
    if (mode === 'offset' && err instanceof FsError && err.kind === 'not-found') return beyond;
    throw err;
  }
  if (mode === 'offset' && offset > file.stats.size) {
    await file.close();
    return beyond;
  }
  return file;
}

async function store(
  s: Ctx,
  ready: ReadyState,
  arg: string,
  how: 'stor' | 'appe' | 'stou',
): Promise<HandlerResult> {
  // REST stays set when the file cannot be opened, as when no transfer ran.
  const offset = ready.restart;
  let virtual: string;
  let file: OpenFile;
  let mode: WriteMode;
  if (how === 'stou') {
    const unique = await createUnique(ready, arg.trim() === '' ? 'file' : arg.trim());
    if (unique === null) return reply(553, 'Could not find a unique file name');
    ({ virtual, file } = unique);
    ready.restart = 0;
    mode = 'exclusive';
  } else {
    const resolved = target(ready, arg);
    if (typeof resolved !== 'string') return resolved;
    virtual = resolved;
    mode = how === 'appe' ? 'append' : offset > 0 ? 'offset' : 'truncate';
    const opened = await openUpload(ready, virtual, mode, offset);
    ready.restart = 0;
    if (!('fd' in opened)) return opened;
    file = opened;
  }
  const ascii = s.settings.type === 'A';
  const name = basename(virtual);
  return transferFile(s, file, {
    verb: how.toUpperCase(),
    path: virtual,
    opening: how === 'stou' ? `FILE: ${name}` : `Opening ${modeName(s)} mode data connection for ${name}`,
    body: async (data, transfer) => {
      await receiveFile(data.stream, file.fd, {
        mode,
        offset,
        ascii,
        signal: transfer.controller.signal,
        progress: transfer,
        fsync: s.options.fsync !== false,
        bulk: data.bulk,
      });
      return how === 'stou' ? `Transfer complete (unique file name: ${name})` : undefined;
    },
    bulkReads: !ascii,
  });
}

/** STOR (REST then overwrites from the offset). */
export function stor(s: Ctx, ready: ReadyState, arg: string): Promise<HandlerResult> {
  return store(s, ready, arg, 'stor');
}

/** APPE. */
export function appe(s: Ctx, ready: ReadyState, arg: string): Promise<HandlerResult> {
  return store(s, ready, arg, 'appe');
}

/** STOU: a name that does not exist yet, announced in the 150 reply (RFC 1123 §4.1.2.9). */
export function stou(s: Ctx, ready: ReadyState, arg: string): Promise<HandlerResult> {
  return store(s, ready, arg, 'stou');
}

/** LIST [-options] [path]. */
export async function list(s: Ctx, ready: ReadyState, arg: string): Promise<HandlerResult> {
  const { virtual, entries } = await collect(ready, arg, { parseOptions: true });
  return sendListing(s, 'LIST', virtual, listText(entries, s.now()), 'Here comes the directory listing');
}

/** Starts a transfer of listing text. */
function sendListing(s: Ctx, verb: string, path: string, text: string, opening: string): HandlerResult {
  return s.startTransfer({
    verb,
    path,
    opening,
    body: async (data, transfer) => {
      await sendText(data.stream, text, transfer.controller.signal, transfer);
      return verb === 'MLSD' ? 'MLSD complete' : 'Directory send OK';
    },
  });
}

/** NLST [path]: names only. */
export async function nlst(s: Ctx, ready: ReadyState, arg: string): Promise<HandlerResult> {
  const { virtual, entries, isDir } = await collect(ready, arg, { parseOptions: true });
  const text = isDir ? nlstText(entries) : `${arg.trim()}\r\n`;
  return sendListing(s, 'NLST', virtual, text, 'Here comes the name list');
}

/** MLSD [dir] (RFC 3659 §7). */
export async function mlsd(s: Ctx, ready: ReadyState, arg: string): Promise<HandlerResult> {
  const { virtual, entries, isDir, self } = await collect(ready, arg, { parseOptions: false });
  if (!isDir) return reply(501, 'Not a directory');
  const text = mlsdText(s.settings.mlstFacts, self, entries);
  return sendListing(s, 'MLSD', virtual, text, 'Here comes the MLSD listing');
}

/** ABOR: 426 from the aborted transfer, then 226 (RFC 959 §4.1.3); 225 when nothing ran. */
export async function abor(s: Ctx): Promise<HandlerResult> {
  const aborted = await s.abortTransfer();
  return aborted ? reply(226, 'ABOR successful') : reply(225, 'No transfer to abort');
}
