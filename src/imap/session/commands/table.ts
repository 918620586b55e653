/**
 * The IMAP command table: for each command the states it is valid in, the capabilities it
 * contributes to CAPABILITY in the current session, and its handler. The session's one gate
 * (`checkCommand`, pure) enforces the states before any handler runs; CAPABILITY is generated
 * from the same table, so a command the server does not implement is never advertised (the
 * codec parses more commands than this table lists; the others are answered `BAD`).
 */
import { SASL_MECHANISMS } from '../../../core/sasl.js';
import { guardState } from '../../../core/session/command-turn.js';
import { statusLine, type Command, type CommandName } from '../../codec/index.js';
import type { ImapSessionContext } from '../context.js';
import { stateName, type ImapState, type ImapStateKind } from '../state.js';
import { capabilityCommand, enableCommand, idCommand, logoutCommand, noopCommand } from './any-state.js';
import { authenticateCommand, loginCommand, starttlsCommand, unauthenticateCommand } from './auth.js';
import { fetchCommand } from './fetch.js';
import { idleCommand } from './idle.js';
import { listCommand, lsubCommand } from './list.js';
import { appendCommand, copyCommand, expungeCommand, storeCommand } from './messages.js';
import {
  createCommand,
  deleteCommand,
  namespaceCommand,
  renameCommand,
  statusCommand,
  subscribeCommand,
} from './mailboxes.js';
import { searchCommand } from './search.js';
import { closeCommand, selectCommand, unselectCommand } from './select.js';
import { compressCommand } from './compress.js';
import type { CommandOf, ImapHandler, StateIn } from './types.js';

/** One row of the table. */
export interface ImapCommand {
  readonly names: readonly CommandName[];
  readonly states: readonly ImapStateKind[];
  /** The CAPABILITY atoms this command contributes in this session (none when absent). */
  readonly capability?: (ctx: ImapSessionContext) => readonly string[];
  readonly run: ImapHandler<CommandName, ImapStateKind>;
}

/**
 * A row whose handler is typed by its command names and states. The gate already guarantees
 * both; should anything else call the handler otherwise, it throws (the session's error
 * boundary answers `NO [SERVERBUG]`) instead of running on the wrong data.
 */
function row<N extends CommandName, K extends ImapStateKind>(spec: {
  readonly names: readonly N[];
  readonly states: readonly K[];
  readonly capability?: (ctx: ImapSessionContext) => readonly string[];
  readonly run: ImapHandler<N, K>;
}): ImapCommand {
  const accepts = (state: ImapState): state is StateIn<K> =>
    (spec.states as readonly ImapStateKind[]).includes(state.kind);
  const where = (state: ImapState): string => `the ${stateName(state.kind)} state`;
  const isName = (cmd: Command): cmd is CommandOf<N> =>
    (spec.names as readonly CommandName[]).includes(cmd.name);
  const guarded = guardState(spec.names.join('/'), accepts, where, spec.run);
  return {
    ...spec,
    run: (ctx, cmd, state) => {
      if (!isName(cmd)) throw new Error(`${cmd.name} run by the row of ${spec.names.join('/')}`);
      return guarded(ctx, cmd, state);
    },
  };
}

const ANY = ['not-authenticated', 'authenticated', 'selected', 'logout'] as const;
const NOT_AUTHENTICATED = ['not-authenticated'] as const;
const AUTHENTICATED = ['authenticated'] as const;
const LOGGED_IN = ['authenticated', 'selected'] as const;
const SELECTED = ['selected'] as const;

const none: readonly string[] = [];
const beforeLogin = (ctx: ImapSessionContext): boolean => ctx.state.kind === 'not-authenticated';

/** Every command the server implements, in CAPABILITY order. */
export const COMMANDS: readonly ImapCommand[] = [
  row({ names: ['CAPABILITY'], states: ANY, run: capabilityCommand }),
  row({ names: ['NOOP'], states: ANY, run: noopCommand }),
  row({ names: ['LOGOUT'], states: ANY, run: logoutCommand }),
  row({
    names: ['STARTTLS'],
    states: NOT_AUTHENTICATED,
    capability: (ctx) => (beforeLogin(ctx) && ctx.tlsOffered() ? ['STARTTLS'] : none),
    run: starttlsCommand,
  }),
  row({
    names: ['LOGIN'],
    states: NOT_AUTHENTICATED,
    // RFC 9051 §6.2.3: LOGINDISABLED when LOGIN would be refused.
    capability: (ctx) => (beforeLogin(ctx) && !ctx.plaintextAuthAllowed() ? ['LOGINDISABLED'] : none),
    run: loginCommand,
  }),
  row({
    names: ['AUTHENTICATE'],
    states: NOT_AUTHENTICATED,
    capability: (ctx) =>
      beforeLogin(ctx) && ctx.plaintextAuthAllowed()
        ? [...SASL_MECHANISMS.map((m) => `AUTH=${m}`), 'SASL-IR']
        : none,
    run: authenticateCommand,
  }),
  row({ names: ['ENABLE'], states: AUTHENTICATED, capability: () => ['ENABLE'], run: enableCommand }),
  // RFC 8437 §3: advertised once logged in, where it is valid.
  row({
    names: ['UNAUTHENTICATE'],
    states: LOGGED_IN,
    capability: (ctx) => (beforeLogin(ctx) ? none : ['UNAUTHENTICATE']),
    run: unauthenticateCommand,
  }),
  row({ names: ['ID'], states: ANY, capability: () => ['ID'], run: idCommand }),
  row({
    names: ['SELECT', 'EXAMINE'],
    states: LOGGED_IN,
    // RFC 7162: MODSEQ, CHANGEDSINCE, UNCHANGEDSINCE and SELECT's parameters live in their handlers.
    capability: () => ['CONDSTORE', 'QRESYNC'],
    run: selectCommand,
  }),
  row({ names: ['CREATE'], states: LOGGED_IN, capability: () => ['CREATE-SPECIAL-USE'], run: createCommand }),
  row({ names: ['DELETE'], states: LOGGED_IN, run: deleteCommand }),
  row({ names: ['RENAME'], states: LOGGED_IN, run: renameCommand }),
  row({ names: ['SUBSCRIBE', 'UNSUBSCRIBE'], states: LOGGED_IN, run: subscribeCommand }),
  row({
    names: ['LIST'],
    states: LOGGED_IN,
    capability: () => ['LIST-EXTENDED', 'LIST-STATUS', 'SPECIAL-USE'],
    run: listCommand,
  }),
  row({ names: ['LSUB'], states: LOGGED_IN, run: lsubCommand }),
  row({ names: ['NAMESPACE'], states: LOGGED_IN, capability: () => ['NAMESPACE'], run: namespaceCommand }),
  row({ names: ['STATUS'], states: LOGGED_IN, capability: () => ['STATUS=SIZE'], run: statusCommand }),
  row({ names: ['CLOSE'], states: SELECTED, run: closeCommand }),
  row({ names: ['UNSELECT'], states: SELECTED, capability: () => ['UNSELECT'], run: unselectCommand }),
  row({ names: ['CHECK'], states: SELECTED, run: noopCommand }),
  row({
    names: ['APPEND'],
    states: LOGGED_IN,
    capability: (ctx) => [`APPENDLIMIT=${String(ctx.deps.maxMessageSize)}`],
    run: appendCommand,
  }),
  row({ names: ['EXPUNGE'], states: SELECTED, capability: () => ['UIDPLUS'], run: expungeCommand }),
  row({ names: ['STORE'], states: SELECTED, run: storeCommand }),
  // RFC 3516: BINARY covers FETCH BINARY and APPEND's literal8 (the parser takes `~{n}` there).
  row({ names: ['FETCH'], states: SELECTED, capability: () => ['BINARY'], run: fetchCommand }),
  row({
    names: ['SEARCH'],
    states: SELECTED,
    capability: () => ['ESEARCH', 'SEARCHRES'],
    run: searchCommand,
  }),
  row({ names: ['IDLE'], states: LOGGED_IN, capability: () => ['IDLE'], run: idleCommand }),
  row({ names: ['COPY', 'MOVE'], states: SELECTED, capability: () => ['MOVE'], run: copyCommand }),
  // RFC 4978: after login, until it is on.
  row({
    names: ['COMPRESS'],
    states: LOGGED_IN,
    capability: (ctx) => (beforeLogin(ctx) || ctx.conn.compressed ? none : ['COMPRESS=DEFLATE']),
    run: compressCommand,
  }),
];

const BY_NAME = new Map<CommandName, ImapCommand>(COMMANDS.flatMap((c) => c.names.map((n) => [n, c])));

/** Capabilities that do not depend on a command's presence. */
export const STATIC_CAPABILITIES = ['LITERAL+', 'UTF8=ACCEPT'] as const;

/** The CAPABILITY atoms for `ctx`'s current state (RFC 9051 §7.2.2). */
export function capabilityList(ctx: ImapSessionContext): string[] {
  const out = ['IMAP4rev1', 'IMAP4rev2'];
  for (const c of COMMANDS) out.push(...(c.capability?.(ctx) ?? none));
  out.push(...STATIC_CAPABILITIES);
  return out;
}

/** The gate's verdict: the row to run, or the status line to send. */
export type GateResult =
  { readonly ok: true; readonly command: ImapCommand } | { readonly ok: false; readonly line: string };

/**
 * The one gate (STYLE.md #2): a command this server implements, valid in `state`. The parser
 * has already checked the syntax. Nothing else decides whether a command may run.
 */
export function checkCommand(cmd: Command, state: ImapStateKind): GateResult {
  const command = BY_NAME.get(cmd.name);
  if (command === undefined) {
    return { ok: false, line: statusLine(cmd.tag, 'BAD', `${cmd.name} is not supported`) };
  }
  if (!command.states.includes(state)) {
    const why =
      state === 'not-authenticated'
        ? `${cmd.name} needs a login first`
        : `${cmd.name} is not valid in the ${stateName(state)} state`;
    return { ok: false, line: statusLine(cmd.tag, 'BAD', why) };
  }
  return { ok: true, command };
}
