/**
 * The POP3 command table: for each keyword the states it is valid in, its argument rule, its
 * help text, the CAPA tag it contributes, and its handler. The session's one gate (`checkCommand`,
 * pure) enforces states and arguments before any handler runs; CAPA is generated from the same
 * table. Each handler is typed by the states its row lists and gets that state as an argument.
 */
import { guardState, type CommandResult } from '../../core/session/command-turn.js';
import type { ParsedCommand } from '../codec/command.js';
import { errLine, type Pop3Reply } from '../codec/reply.js';
import { POP3_LIMITS } from '../limits.js';
import type { CommandInput, Pop3SessionContext } from '../session-context.js';
import { stateName, type Pop3State, type Pop3StateKind } from '../state.js';
import { capaCommand, quitCommand } from './any-state.js';
import { SASL_MECHANISMS } from '../../core/sasl.js';
import { authCommand, passCommand, stlsCommand, userCommand } from './authorization.js';
import {
  deleCommand,
  listCommand,
  noopCommand,
  retrCommand,
  rsetCommand,
  statCommand,
  topCommand,
  uidlCommand,
} from './transaction.js';

/** How many arguments a command takes, and how long each may be; `rest` takes the whole line. */
export type ArgRule =
  { readonly min: number; readonly max: number; readonly maxOctets: number } | { readonly rest: true };

/** The state a handler of a command valid in the states `K` runs in. */
export type StateIn<K extends Pop3StateKind> = Extract<Pop3State, { readonly kind: K }>;

/** A command handler: runs in one of its row's states and returns the reply (null: no one left). */
export type Pop3Handler<K extends Pop3StateKind = Pop3StateKind> = (
  ctx: Pop3SessionContext,
  cmd: CommandInput,
  state: StateIn<K>,
) => CommandResult<Pop3Reply> | Promise<CommandResult<Pop3Reply>>;

/** One row of the table. */
export interface Pop3Command<K extends Pop3StateKind = Pop3StateKind> {
  readonly verb: string;
  readonly states: readonly K[];
  readonly args: ArgRule;
  readonly help: string;
  /** The CAPA line this command contributes in this session, or null (RFC 2449 §6). */
  readonly capability?: (ctx: Pop3SessionContext) => string | null;
  readonly run: Pop3Handler<K>;
}

/**
 * A row whose handler is typed by its states. The gate already guarantees the state; should
 * anything else call the handler in another state, it throws (the session's error boundary
 * answers `[SYS/TEMP]`) instead of running on the wrong data or doing nothing.
 */
function row<K extends Pop3StateKind>(spec: Pop3Command<K>): Pop3Command {
  const accepts = (state: Pop3State): state is StateIn<K> =>
    (spec.states as readonly Pop3StateKind[]).includes(state.kind);
  const where = (state: Pop3State): string => `the ${stateName(state.kind)} state`;
  return { ...spec, run: guardState(spec.verb, accepts, where, spec.run) };
}

const NUMBER_ARG = POP3_LIMITS.maxArgOctets;
const ADDRESS_ARG = POP3_LIMITS.userArgOctets;
const SASL_ARG = POP3_LIMITS.saslArgOctets;

const AUTH = ['authorization'] as const;
const TRANSACTION = ['transaction'] as const;
const BOTH = ['authorization', 'transaction'] as const;

const whenAuthorizing = (tag: string) => (ctx: Pop3SessionContext) =>
  ctx.state.kind === 'authorization' && ctx.plaintextAuthAllowed() ? tag : null;

/** Every command the server knows, in CAPA order. */
export const COMMANDS: readonly Pop3Command[] = [
  row({
    verb: 'CAPA',
    states: BOTH,
    args: { min: 0, max: 0, maxOctets: 0 },
    help: 'list capabilities (RFC 2449)',
    run: capaCommand,
  }),
  row({
    verb: 'TOP',
    states: TRANSACTION,
    args: { min: 2, max: 2, maxOctets: NUMBER_ARG },
    help: 'TOP msg n: header and first n body lines',
    capability: () => 'TOP',
    run: topCommand,
  }),
  row({
    verb: 'UIDL',
    states: TRANSACTION,
    args: { min: 0, max: 1, maxOctets: NUMBER_ARG },
    help: 'UIDL [msg]: unique ids (<uidvalidity>.<uid>)',
    capability: () => 'UIDL',
    run: uidlCommand,
  }),
  row({
    verb: 'USER',
    states: AUTH,
    args: { min: 1, max: 1, maxOctets: ADDRESS_ARG },
    help: 'USER address',
    capability: whenAuthorizing('USER'),
    run: userCommand,
  }),
  row({
    verb: 'PASS',
    states: AUTH,
    args: { rest: true },
    help: 'PASS password (after USER)',
    run: passCommand,
  }),
  row({
    verb: 'AUTH',
    states: AUTH,
    args: { min: 0, max: 2, maxOctets: SASL_ARG },
    help: 'AUTH PLAIN [initial-response] (RFC 5034)',
    capability: whenAuthorizing(`SASL ${SASL_MECHANISMS.join(' ')}`),
    run: authCommand,
  }),
  row({
    verb: 'STLS',
    states: AUTH,
    args: { min: 0, max: 0, maxOctets: 0 },
    help: 'start TLS (RFC 2595)',
    capability: (ctx) => (ctx.state.kind === 'authorization' && ctx.tlsOffered() ? 'STLS' : null),
    run: stlsCommand,
  }),
  row({
    verb: 'STAT',
    states: TRANSACTION,
    args: { min: 0, max: 0, maxOctets: 0 },
    help: 'count and octets',
    run: statCommand,
  }),
  row({
    verb: 'LIST',
    states: TRANSACTION,
    args: { min: 0, max: 1, maxOctets: NUMBER_ARG },
    help: 'LIST [msg]: sizes',
    run: listCommand,
  }),
  row({
    verb: 'RETR',
    states: TRANSACTION,
    args: { min: 1, max: 1, maxOctets: NUMBER_ARG },
    help: 'RETR msg',
    run: retrCommand,
  }),
  row({
    verb: 'DELE',
    states: TRANSACTION,
    args: { min: 1, max: 1, maxOctets: NUMBER_ARG },
    help: 'DELE msg: mark deleted',
    run: deleCommand,
  }),
  row({
    verb: 'RSET',
    states: TRANSACTION,
    args: { min: 0, max: 0, maxOctets: 0 },
    help: 'unmark deletions',
    run: rsetCommand,
  }),
  row({
    verb: 'NOOP',
    states: TRANSACTION,
    args: { min: 0, max: 0, maxOctets: 0 },
    help: 'do nothing',
    run: noopCommand,
  }),
  row({
    verb: 'QUIT',
    states: BOTH,
    args: { min: 0, max: 0, maxOctets: 0 },
    help: 'end; apply deletions',
    run: quitCommand,
  }),
];

const BY_VERB = new Map(COMMANDS.map((c) => [c.verb, c]));

/** Capabilities that do not depend on a command's presence (RFC 2449 §6). */
export const STATIC_CAPABILITIES = [
  'RESP-CODES',
  'AUTH-RESP-CODE',
  'PIPELINING',
  'IMPLEMENTATION Outpost',
] as const;

/** The CAPA lines for `ctx`'s current state. */
export function capabilityLines(ctx: Pop3SessionContext): string[] {
  const out: string[] = [];
  for (const c of COMMANDS) {
    const tag = c.capability?.(ctx);
    if (tag !== undefined && tag !== null) out.push(tag);
  }
  out.push(...STATIC_CAPABILITIES);
  return out;
}

/** The gate's verdict: the command to run, or the error line to send. */
export type GateResult =
  | { readonly ok: true; readonly command: Pop3Command; readonly input: CommandInput }
  | { readonly ok: false; readonly reply: string };

/**
 * The one gate (STYLE.md #2): known keyword, valid in `state`, arguments per the table.
 * Nothing else decides whether a command may run.
 */
export function checkCommand(parsed: ParsedCommand, state: Pop3StateKind): GateResult {
  if (!parsed.ok) return { ok: false, reply: errLine(null, parsed.reason) };
  const command = BY_VERB.get(parsed.verb);
  if (command === undefined) return { ok: false, reply: errLine(null, 'Unknown command') };
  if (!command.states.includes(state)) {
    return {
      ok: false,
      reply: errLine(null, `${command.verb} is not valid in the ${stateName(state)} state`),
    };
  }
  const rule = command.args;
  if ('rest' in rule) {
    if (parsed.rest === '') return { ok: false, reply: errLine(null, `${command.verb} needs an argument`) };
  } else {
    if (parsed.args.includes('')) {
      return { ok: false, reply: errLine(null, 'Arguments are separated by one space') };
    }
    const n = parsed.args.length;
    if (n < rule.min) return { ok: false, reply: errLine(null, `${command.verb}: missing argument`) };
    if (n > rule.max) return { ok: false, reply: errLine(null, `${command.verb}: too many arguments`) };
    if (parsed.args.some((a) => Buffer.byteLength(a) > rule.maxOctets)) {
      return { ok: false, reply: errLine(null, `${command.verb}: argument too long`) };
    }
  }
  return { ok: true, command, input: { verb: parsed.verb, args: parsed.args, rest: parsed.rest } };
}
