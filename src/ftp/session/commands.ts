/**
 * The FTP command table (pyftpdlib's proto_cmds is the model): for every verb, the states it may
 * run in, whether it takes an argument, the permission it needs, whether it may run while a
 * transfer is in progress, its HELP syntax and its FEAT line, and its handler, typed by the state
 * it runs in (logged-in commands get the ready state). The one gate, `checkCommand`, is a pure
 * function of the parsed line and the session's state; HELP and FEAT are generated from the table
 * (through the session context, so the handlers do not import this file).
 */
import type { FtpPermissions } from '../server/user-fs.js';
import type { ParsedCommand } from '../codec/command.js';
import { ftpReply, type FtpReply } from '../codec/reply.js';
import type { CommandInfo, FtpSessionContext, HandlerResult } from './context.js';
import type { ReadyState, StateKind } from './state.js';
import * as auth from './handlers-auth.js';
import * as data from './handlers-data.js';
import * as files from './handlers-files.js';
import * as info from './handlers-info.js';

/** A handler of a command that runs only after login: it gets the logged-in state. */
export type ReadyHandler = (
  ctx: FtpSessionContext,
  ready: ReadyState,
  arg: string,
) => HandlerResult | Promise<HandlerResult>;

/** A handler of a command that may run before login. */
export type AnyStateHandler = (ctx: FtpSessionContext, arg: string) => HandlerResult | Promise<HandlerResult>;

/** What every row says besides its states and handler. */
interface CommandBase extends CommandInfo {
  readonly arg: 'none' | 'required' | 'optional';
  readonly perm?: keyof FtpPermissions;
  /** May run while a transfer is in progress (ABOR, STAT, NOOP). */
  readonly duringTransfer?: boolean;
  /** Refused until TLS is active when the configuration requires TLS (USER, PASS). */
  readonly tlsGate?: boolean;
  /** Refused after EPSV ALL (RFC 2428 §4). */
  readonly epsvAllBlocked?: boolean;
}

/** One command of the table: logged-in only (`when: 'ready'`), or the states it may run in. */
export type CommandSpec =
  | (CommandBase & { readonly when: 'ready'; readonly handler: ReadyHandler })
  | (CommandBase & { readonly when: readonly StateKind[]; readonly handler: AnyStateHandler });

const ANY: readonly StateKind[] = ['login', 'password', 'ready'];

const TABLE: readonly CommandSpec[] = [
  // Access control (RFC 959 §4.1.1)
  {
    verb: 'USER',
    help: 'USER <sp> username',
    when: ['login', 'password'],
    arg: 'required',
    tlsGate: true,
    handler: auth.user,
  },
  {
    verb: 'PASS',
    help: 'PASS <sp> password',
    when: ['password'],
    arg: 'optional',
    tlsGate: true,
    handler: auth.pass,
  },
  { verb: 'ACCT', help: 'ACCT <sp> account-information', when: ANY, arg: 'required', handler: auth.acct },
  { verb: 'CWD', help: 'CWD <sp> pathname', when: 'ready', arg: 'required', handler: files.cwd },
  {
    verb: 'CDUP',
    help: 'CDUP (go to the parent directory)',
    when: 'ready',
    arg: 'none',
    handler: files.cdup,
  },
  { verb: 'XCUP', help: 'XCUP (obsolete CDUP)', when: 'ready', arg: 'none', handler: files.cdup },
  {
    verb: 'SMNT',
    help: 'SMNT <sp> pathname (not implemented)',
    when: 'ready',
    arg: 'required',
    handler: info.notImplemented,
  },
  { verb: 'REIN', help: 'REIN (log out, keep the connection)', when: ANY, arg: 'none', handler: auth.rein },
  { verb: 'QUIT', help: 'QUIT (close the connection)', when: ANY, arg: 'none', handler: auth.quit },
  // Transfer parameters (§4.1.2)
  {
    verb: 'PORT',
    help: 'PORT <sp> h1,h2,h3,h4,p1,p2',
    when: 'ready',
    arg: 'required',
    epsvAllBlocked: true,
    handler: data.port,
  },
  {
    verb: 'EPRT',
    help: 'EPRT <sp> |proto|addr|port|',
    when: 'ready',
    arg: 'required',
    epsvAllBlocked: true,
    feat: 'EPRT',
    handler: data.eprt,
  },
  {
    verb: 'PASV',
    help: 'PASV (set server in passive mode)',
    when: 'ready',
    arg: 'none',
    epsvAllBlocked: true,
    handler: data.pasv,
  },
  {
    verb: 'EPSV',
    help: 'EPSV [<sp> proto | ALL]',
    when: 'ready',
    arg: 'optional',
    feat: 'EPSV',
    handler: data.epsv,
  },
  { verb: 'TYPE', help: 'TYPE <sp> A | I | L 8', when: 'ready', arg: 'required', handler: data.type },
  { verb: 'STRU', help: 'STRU <sp> F', when: 'ready', arg: 'required', handler: data.stru },
  { verb: 'MODE', help: 'MODE <sp> S', when: 'ready', arg: 'required', handler: data.mode },
  // Service commands (§4.1.3)
  {
    verb: 'RETR',
    help: 'RETR <sp> pathname',
    when: 'ready',
    arg: 'required',
    perm: 'read',
    handler: data.retr,
  },
  {
    verb: 'STOR',
    help: 'STOR <sp> pathname',
    when: 'ready',
    arg: 'required',
    perm: 'write',
    handler: data.stor,
  },
  {
    verb: 'STOU',
    help: 'STOU [<sp> pathname] (store under a unique name)',
    when: 'ready',
    arg: 'optional',
    perm: 'write',
    handler: data.stou,
  },
  {
    verb: 'APPE',
    help: 'APPE <sp> pathname',
    when: 'ready',
    arg: 'required',
    perm: 'write',
    handler: data.appe,
  },
  { verb: 'ALLO', help: 'ALLO <sp> size (not needed)', when: 'ready', arg: 'required', handler: data.allo },
  {
    verb: 'REST',
    help: 'REST <sp> offset',
    when: 'ready',
    arg: 'required',
    feat: 'REST STREAM',
    handler: data.rest,
  },
  {
    verb: 'RNFR',
    help: 'RNFR <sp> pathname',
    when: 'ready',
    arg: 'required',
    perm: 'write',
    handler: files.rnfr,
  },
  {
    verb: 'RNTO',
    help: 'RNTO <sp> pathname',
    when: 'ready',
    arg: 'required',
    perm: 'write',
    handler: files.rnto,
  },
  {
    verb: 'ABOR',
    help: 'ABOR (abort the running transfer)',
    when: ANY,
    arg: 'none',
    duringTransfer: true,
    handler: data.abor,
  },
  {
    verb: 'DELE',
    help: 'DELE <sp> pathname',
    when: 'ready',
    arg: 'required',
    perm: 'delete',
    handler: files.dele,
  },
  {
    verb: 'RMD',
    help: 'RMD <sp> pathname',
    when: 'ready',
    arg: 'required',
    perm: 'delete',
    handler: files.rmd,
  },
  {
    verb: 'XRMD',
    help: 'XRMD <sp> pathname (obsolete RMD)',
    when: 'ready',
    arg: 'required',
    perm: 'delete',
    handler: files.rmd,
  },
  {
    verb: 'MKD',
    help: 'MKD <sp> pathname',
    when: 'ready',
    arg: 'required',
    perm: 'write',
    handler: files.mkd,
  },
  {
    verb: 'XMKD',
    help: 'XMKD <sp> pathname (obsolete MKD)',
    when: 'ready',
    arg: 'required',
    perm: 'write',
    handler: files.mkd,
  },
  { verb: 'PWD', help: 'PWD (print the working directory)', when: 'ready', arg: 'none', handler: files.pwd },
  { verb: 'XPWD', help: 'XPWD (obsolete PWD)', when: 'ready', arg: 'none', handler: files.pwd },
  {
    verb: 'LIST',
    help: 'LIST [<sp> pathname]',
    when: 'ready',
    arg: 'optional',
    perm: 'read',
    handler: data.list,
  },
  {
    verb: 'NLST',
    help: 'NLST [<sp> pathname]',
    when: 'ready',
    arg: 'optional',
    perm: 'read',
    handler: data.nlst,
  },
  { verb: 'SITE', help: 'SITE <sp> HELP | CHMOD', when: ANY, arg: 'required', handler: info.site },
  { verb: 'SYST', help: 'SYST (system type)', when: ANY, arg: 'none', handler: info.syst },
  {
    verb: 'STAT',
    help: 'STAT [<sp> pathname]',
    when: ANY,
    arg: 'optional',
    duringTransfer: true,
    handler: info.stat,
  },
  { verb: 'HELP', help: 'HELP [<sp> command]', when: ANY, arg: 'optional', handler: info.help },
  { verb: 'NOOP', help: 'NOOP', when: ANY, arg: 'none', duringTransfer: true, handler: info.noop },
  // Extensions
  { verb: 'FEAT', help: 'FEAT (list extensions, RFC 2389)', when: ANY, arg: 'none', handler: info.feat },
  {
    verb: 'OPTS',
    help: 'OPTS <sp> UTF8 ON | MLST facts',
    when: ANY,
    arg: 'required',
    feat: 'UTF8',
    handler: info.opts,
  },
  {
    verb: 'SIZE',
    help: 'SIZE <sp> pathname (RFC 3659)',
    when: 'ready',
    arg: 'required',
    perm: 'read',
    feat: 'SIZE',
    handler: files.size,
  },
  {
    verb: 'MDTM',
    help: 'MDTM <sp> pathname (RFC 3659)',
    when: 'ready',
    arg: 'required',
    perm: 'read',
    feat: 'MDTM',
    handler: files.mdtm,
  },
  {
    verb: 'MFMT',
    help: 'MFMT <sp> YYYYMMDDHHMMSS <sp> pathname (set modification time)',
    when: 'ready',
    arg: 'required',
    perm: 'write',
    feat: 'MFMT',
    handler: files.mfmt,
  },
  {
    verb: 'MLST',
    help: 'MLST [<sp> pathname] (RFC 3659)',
    when: 'ready',
    arg: 'optional',
    perm: 'read',
    handler: files.mlst,
  },
  {
    verb: 'MLSD',
    help: 'MLSD [<sp> pathname] (RFC 3659)',
    when: 'ready',
    arg: 'optional',
    perm: 'read',
    handler: data.mlsd,
  },
  {
    verb: 'AUTH',
    help: 'AUTH <sp> TLS (RFC 4217)',
    when: ['login'],
    arg: 'required',
    feat: 'AUTH TLS',
    handler: auth.authTls,
  },
  {
    verb: 'PBSZ',
    help: 'PBSZ <sp> 0 (RFC 4217)',
    when: ANY,
    arg: 'required',
    feat: 'PBSZ',
    handler: auth.pbsz,
  },
  {
    verb: 'PROT',
    help: 'PROT <sp> C | P (RFC 4217)',
    when: ANY,
    arg: 'required',
    feat: 'PROT',
    handler: auth.prot,
  },
  {
    verb: 'HOST',
    help: 'HOST <sp> hostname (RFC 7151)',
    when: ['login'],
    arg: 'required',
    feat: 'HOST',
    handler: auth.host,
  },
];

/** The table by verb, in table order (HELP lists it so). */
export const COMMANDS: ReadonlyMap<string, CommandSpec> = new Map(TABLE.map((c) => [c.verb, c]));

/** What the gate needs to know of the session besides the command (see checkCommand). */
export interface GateState {
  readonly kind: StateKind;
  /** The login policy requires TLS and the control connection is still plain. */
  readonly tlsRequired: boolean;
  /** The logged-in user's permissions (null before login). */
  readonly permissions: FtpPermissions | null;
  /** EPSV ALL was sent (RFC 2428 §4). */
  readonly epsvAll: boolean;
}

/** The gate's verdict: the command to run with its argument, or the refusal to send. */
export type GateResult =
  | { readonly ok: true; readonly spec: CommandSpec; readonly arg: string }
  | { readonly ok: false; readonly reply: FtpReply };

/**
 * True when `parsed` names a known command that must wait for a running transfer's final reply
 * (everything but ABOR, STAT and NOOP; RFC 959 §5.4 lets a server queue commands meanwhile).
 * Unknown and malformed lines are refused at once.
 */
export function waitsForTransfer(parsed: ParsedCommand): boolean {
  if (!parsed.ok) return false;
  const spec = COMMANDS.get(parsed.verb);
  return spec !== undefined && spec.duringTransfer !== true;
}

/**
 * The one gate (STYLE.md #2), pure: a parsed line, a known verb, the state it may run in (530
 * before login for logged-in commands, 503 out of sequence), its argument rule, the TLS policy,
 * the user's permission, and EPSV ALL. Nothing else decides whether a handler runs.
 */
export function checkCommand(parsed: ParsedCommand, state: GateState): GateResult {
  if (!parsed.ok) {
    return {
      ok: false,
      reply: ftpReply(
        500,
        parsed.reason === 'empty' ? 'Empty command' : 'Syntax error, command unrecognized',
      ),
    };
  }
  const spec = COMMANDS.get(parsed.verb);
  if (!spec) return { ok: false, reply: ftpReply(500, `Unknown command ${parsed.verb.slice(0, 4)}`) };
  const refuse = (code: number, text: string): GateResult => ({ ok: false, reply: ftpReply(code, text) });
  if (spec.when === 'ready') {
    if (state.kind !== 'ready') return refuse(530, 'Please login with USER and PASS');
  } else if (!spec.when.includes(state.kind)) {
    return refuse(503, 'Bad sequence of commands');
  }
  const arg = parsed.arg;
  if (spec.arg === 'required' && arg.trim() === '') return refuse(501, `Syntax: ${spec.help}`);
  if (spec.arg === 'none' && arg.trim() !== '') return refuse(501, `Syntax: ${spec.help}`);
  if (spec.tlsGate === true && state.tlsRequired) {
    return refuse(530, 'TLS required: use AUTH TLS before logging in');
  }
  if (spec.perm !== undefined && state.permissions !== null && !state.permissions[spec.perm]) {
    return refuse(550, 'Permission denied');
  }
  if (spec.epsvAllBlocked === true && state.epsvAll) {
    return refuse(503, 'EPSV ALL in effect: only EPSV may set up data connections');
  }
  return { ok: true, spec, arg };
}
