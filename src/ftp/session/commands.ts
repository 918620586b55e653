/**
 * The FTP command table (pyftpdlib's proto_cmds is the model): for every verb, the states it may
 * run in, whether it takes an argument, the permission it needs, whether it may run while a
 * transfer is in progress, its HELP syntax and its FEAT line. The session's one gate
 * (FtpSession.isAllowed) enforces it; HELP and FEAT are generated from it.
 */
import type { FtpPermissions } from '../server/user-fs.js';
import type { FtpSession } from './session.js';
import type { Reply } from './outcome.js';
import type { StateKind } from './state.js';
import * as auth from './handlers-auth.js';
import * as data from './handlers-data.js';
import * as files from './handlers-files.js';
import * as info from './handlers-info.js';

/** A handler's result: a reply to send, or nothing (it replied itself or a transfer will). */
export type HandlerResult = Reply | null | undefined;

/** One command of the table. */
export interface CommandSpec {
  readonly verb: string;
  /** HELP syntax, e.g. `RETR <sp> pathname`. */
  readonly help: string;
  readonly states: readonly StateKind[];
  readonly arg: 'none' | 'required' | 'optional';
  readonly perm?: keyof FtpPermissions;
  /** FEAT line (RFC 2389), when the command is an extension worth announcing. */
  readonly feat?: string;
  /** May run while a transfer is in progress (ABOR, STAT, NOOP). */
  readonly duringTransfer?: boolean;
  /** Refused until TLS is active when the configuration requires TLS (USER, PASS). */
  readonly tlsGate?: boolean;
  /** Refused after EPSV ALL (RFC 2428 §4). */
  readonly epsvAllBlocked?: boolean;
  readonly handler: (session: FtpSession, arg: string) => HandlerResult | Promise<HandlerResult>;
}

const ANY: readonly StateKind[] = ['login', 'password', 'ready'];
const READY: readonly StateKind[] = ['ready'];

const TABLE: readonly CommandSpec[] = [
  // Access control (RFC 959 §4.1.1)
  {
    verb: 'USER',
    help: 'USER <sp> username',
    states: ['login', 'password'],
    arg: 'required',
    tlsGate: true,
    handler: auth.user,
  },
  {
    verb: 'PASS',
    help: 'PASS <sp> password',
    states: ['password'],
    arg: 'optional',
    tlsGate: true,
    handler: auth.pass,
  },
  { verb: 'ACCT', help: 'ACCT <sp> account-information', states: ANY, arg: 'required', handler: auth.acct },
  { verb: 'CWD', help: 'CWD <sp> pathname', states: READY, arg: 'required', handler: files.cwd },
  {
    verb: 'CDUP',
    help: 'CDUP (go to the parent directory)',
    states: READY,
    arg: 'none',
    handler: files.cdup,
  },
  { verb: 'XCUP', help: 'XCUP (obsolete CDUP)', states: READY, arg: 'none', handler: files.cdup },
  {
    verb: 'SMNT',
    help: 'SMNT <sp> pathname (not implemented)',
    states: READY,
    arg: 'required',
    handler: info.notImplemented,
  },
  { verb: 'REIN', help: 'REIN (log out, keep the connection)', states: ANY, arg: 'none', handler: auth.rein },
  { verb: 'QUIT', help: 'QUIT (close the connection)', states: ANY, arg: 'none', handler: auth.quit },
  // Transfer parameters (§4.1.2)
  {
    verb: 'PORT',
    help: 'PORT <sp> h1,h2,h3,h4,p1,p2',
    states: READY,
    arg: 'required',
    epsvAllBlocked: true,
    handler: data.port,
  },
  {
    verb: 'EPRT',
    help: 'EPRT <sp> |proto|addr|port|',
    states: READY,
    arg: 'required',
    epsvAllBlocked: true,
    feat: 'EPRT',
    handler: data.eprt,
  },
  {
    verb: 'PASV',
    help: 'PASV (set server in passive mode)',
    states: READY,
    arg: 'none',
    epsvAllBlocked: true,
    handler: data.pasv,
  },
  {
    verb: 'EPSV',
    help: 'EPSV [<sp> proto | ALL]',
    states: READY,
    arg: 'optional',
    feat: 'EPSV',
    handler: data.epsv,
  },
  { verb: 'TYPE', help: 'TYPE <sp> A | I | L 8', states: READY, arg: 'required', handler: data.type },
  { verb: 'STRU', help: 'STRU <sp> F', states: READY, arg: 'required', handler: data.stru },
  { verb: 'MODE', help: 'MODE <sp> S', states: READY, arg: 'required', handler: data.mode },
  // Service commands (§4.1.3)
  {
    verb: 'RETR',
    help: 'RETR <sp> pathname',
    states: READY,
    arg: 'required',
    perm: 'read',
    handler: data.retr,
  },
  {
    verb: 'STOR',
    help: 'STOR <sp> pathname',
    states: READY,
    arg: 'required',
    perm: 'write',
    handler: data.stor,
  },
  {
    verb: 'STOU',
    help: 'STOU [<sp> pathname] (store under a unique name)',
    states: READY,
    arg: 'optional',
    perm: 'write',
    handler: data.stou,
  },
  {
    verb: 'APPE',
    help: 'APPE <sp> pathname',
    states: READY,
    arg: 'required',
    perm: 'write',
    handler: data.appe,
  },
  { verb: 'ALLO', help: 'ALLO <sp> size (not needed)', states: READY, arg: 'required', handler: data.allo },
  {
    verb: 'REST',
    help: 'REST <sp> offset',
    states: READY,
    arg: 'required',
    feat: 'REST STREAM',
    handler: data.rest,
  },
  {
    verb: 'RNFR',
    help: 'RNFR <sp> pathname',
    states: READY,
    arg: 'required',
    perm: 'write',
    handler: files.rnfr,
  },
  {
    verb: 'RNTO',
    help: 'RNTO <sp> pathname',
    states: READY,
    arg: 'required',
    perm: 'write',
    handler: files.rnto,
  },
  {
    verb: 'ABOR',
    help: 'ABOR (abort the running transfer)',
    states: ANY,
    arg: 'none',
    duringTransfer: true,
    handler: data.abor,
  },
  {
    verb: 'DELE',
    help: 'DELE <sp> pathname',
    states: READY,
    arg: 'required',
    perm: 'delete',
    handler: files.dele,
  },
  {
    verb: 'RMD',
    help: 'RMD <sp> pathname',
    states: READY,
    arg: 'required',
    perm: 'delete',
    handler: files.rmd,
  },
  {
    verb: 'XRMD',
    help: 'XRMD <sp> pathname (obsolete RMD)',
    states: READY,
    arg: 'required',
    perm: 'delete',
    handler: files.rmd,
  },
  {
    verb: 'MKD',
    help: 'MKD <sp> pathname',
    states: READY,
    arg: 'required',
    perm: 'write',
    handler: files.mkd,
  },
  {
    verb: 'XMKD',
    help: 'XMKD <sp> pathname (obsolete MKD)',
    states: READY,
    arg: 'required',
    perm: 'write',
    handler: files.mkd,
  },
  { verb: 'PWD', help: 'PWD (print the working directory)', states: READY, arg: 'none', handler: files.pwd },
  { verb: 'XPWD', help: 'XPWD (obsolete PWD)', states: READY, arg: 'none', handler: files.pwd },
  {
    verb: 'LIST',
    help: 'LIST [<sp> pathname]',
    states: READY,
    arg: 'optional',
    perm: 'read',
    handler: data.list,
  },
  {
    verb: 'NLST',
    help: 'NLST [<sp> pathname]',
    states: READY,
    arg: 'optional',
    perm: 'read',
    handler: data.nlst,
  },
  { verb: 'SITE', help: 'SITE <sp> HELP | CHMOD', states: ANY, arg: 'required', handler: info.site },
  { verb: 'SYST', help: 'SYST (system type)', states: ANY, arg: 'none', handler: info.syst },
  {
    verb: 'STAT',
    help: 'STAT [<sp> pathname]',
    states: ANY,
    arg: 'optional',
    duringTransfer: true,
    handler: info.stat,
  },
  { verb: 'HELP', help: 'HELP [<sp> command]', states: ANY, arg: 'optional', handler: info.help },
  { verb: 'NOOP', help: 'NOOP', states: ANY, arg: 'none', duringTransfer: true, handler: info.noop },
  // Extensions
  { verb: 'FEAT', help: 'FEAT (list extensions, RFC 2389)', states: ANY, arg: 'none', handler: info.feat },
  {
    verb: 'OPTS',
    help: 'OPTS <sp> UTF8 ON | MLST facts',
    states: ANY,
    arg: 'required',
    feat: 'UTF8',
    handler: info.opts,
  },
  {
    verb: 'SIZE',
    help: 'SIZE <sp> pathname (RFC 3659)',
    states: READY,
    arg: 'required',
    perm: 'read',
    feat: 'SIZE',
    handler: files.size,
  },
  {
    verb: 'MDTM',
    help: 'MDTM <sp> pathname (RFC 3659)',
    states: READY,
    arg: 'required',
    perm: 'read',
    feat: 'MDTM',
    handler: files.mdtm,
  },
  {
    verb: 'MFMT',
    help: 'MFMT <sp> YYYYMMDDHHMMSS <sp> pathname (set modification time)',
    states: READY,
    arg: 'required',
    perm: 'write',
    feat: 'MFMT',
    handler: files.mfmt,
  },
  {
    verb: 'MLST',
    help: 'MLST [<sp> pathname] (RFC 3659)',
    states: READY,
    arg: 'optional',
    perm: 'read',
    handler: files.mlst,
  },
  {
    verb: 'MLSD',
    help: 'MLSD [<sp> pathname] (RFC 3659)',
    states: READY,
    arg: 'optional',
    perm: 'read',
    handler: data.mlsd,
  },
  {
    verb: 'AUTH',
    help: 'AUTH <sp> TLS (RFC 4217)',
    states: ['login'],
    arg: 'required',
    feat: 'AUTH TLS',
    handler: auth.authTls,
  },
  {
    verb: 'PBSZ',
    help: 'PBSZ <sp> 0 (RFC 4217)',
    states: ANY,
    arg: 'required',
    feat: 'PBSZ',
    handler: auth.pbsz,
  },
  {
    verb: 'PROT',
    help: 'PROT <sp> C | P (RFC 4217)',
    states: ANY,
    arg: 'required',
    feat: 'PROT',
    handler: auth.prot,
  },
  {
    verb: 'HOST',
    help: 'HOST <sp> hostname (RFC 7151)',
    states: ['login'],
    arg: 'required',
    feat: 'HOST',
    handler: auth.host,
  },
];

/** The table by verb. */
export const COMMANDS: ReadonlyMap<string, CommandSpec> = new Map(TABLE.map((c) => [c.verb, c]));
