/**
 * The SMTP command table: for each verb its allowed phases, argument rule, whether a submission
 * listener gates it behind TLS+AUTH, its HELP text, the EHLO keyword it contributes, and its
 * handler. The session's one gate (`checkCommand`, pure) enforces the table before any handler
 * runs; HELP and EHLO are generated from it. Each handler is typed by the phases its row lists
 * and gets that state as an argument. The handlers are in this directory, one file per group.
 */
import { guardState, type CommandResult } from '../../../core/session/command-turn.js';
import { SASL_MECHANISMS } from '../../../core/sasl.js';
import { reply, type SmtpReply } from '../codec/reply.js';
import type { SmtpSessionContext } from '../session-context.js';
import type { Phase, SessionState } from '../state.js';
import { authCommand, starttlsCommand } from './auth.js';
import { bdatCommand, dataCommand } from './data.js';
import { mailCommand, rcptCommand } from './envelope.js';
import {
  ehloCommand,
  heloCommand,
  helpCommand,
  noopCommand,
  quitCommand,
  rsetCommand,
  vrfyCommand,
} from './hello.js';

/** The state a handler of a command valid in the phases `P` runs in. */
export type StateIn<P extends Phase> = Extract<SessionState, { readonly phase: P }>;

/** A command handler: runs in one of its row's phases and returns the reply (null: no one left). */
export type SmtpHandler<P extends Phase = Phase> = (
  ctx: SmtpSessionContext,
  args: string,
  state: StateIn<P>,
) => CommandResult<SmtpReply> | Promise<CommandResult<SmtpReply>>;

/** One row of the table. */
export interface CommandSpec<P extends Phase = Phase> {
  readonly verb: string;
  readonly syntax: string;
  readonly help: string;
  readonly phases: readonly P[];
  readonly args: 'none' | 'optional' | 'required';
  /** On submission listeners: needs TLS (or allowed loopback) and, except AUTH itself, a login. */
  readonly gated: boolean;
  /** The EHLO keyword line this command adds now, or null. */
  readonly ehlo?: (ctx: SmtpSessionContext) => string | null;
  readonly run: SmtpHandler<P>;
}

/**
 * A row whose handler is typed by its phases. The gate already guarantees the phase; should
 * anything else call the handler in another one, it throws (the session answers `451 4.3.0`)
 * instead of returning silently.
 */
function row<P extends Phase>(spec: CommandSpec<P>): CommandSpec {
  const accepts = (state: SessionState): state is StateIn<P> =>
    (spec.phases as readonly Phase[]).includes(state.phase);
  const where = (state: SessionState): string => `the ${state.phase} phase`;
  return { ...spec, run: guardState(spec.verb, accepts, where, spec.run) };
}

const ANY = ['fresh', 'ready', 'mail', 'chunking'] as const;
const NOT_CHUNKING = ['fresh', 'ready', 'mail'] as const;

/** Extensions that are not commands (RFC 2920, 6152, 6531, 2034, 3461). */
const EXTENSIONS = ['PIPELINING', '8BITMIME', 'SMTPUTF8', 'ENHANCEDSTATUSCODES', 'DSN'];

const SPECS: CommandSpec[] = [
  row({
    verb: 'EHLO',
    syntax: 'EHLO hostname',
    help: 'extended hello (RFC 5321 section 4.1.1.1)',
    phases: NOT_CHUNKING,
    args: 'required',
    gated: false,
    run: ehloCommand,
  }),
  row({
    verb: 'HELO',
    syntax: 'HELO hostname',
    help: 'hello, without extensions',
    phases: NOT_CHUNKING,
    args: 'required',
    gated: false,
    run: heloCommand,
  }),
  row({
    verb: 'STARTTLS',
    syntax: 'STARTTLS',
    help: 'switch to TLS (RFC 3207)',
    phases: ['fresh', 'ready'],
    args: 'none',
    gated: false,
    ehlo: (ctx) => (ctx.startTlsOffered ? 'STARTTLS' : null),
    run: starttlsCommand,
  }),
  row({
    verb: 'AUTH',
    syntax: 'AUTH PLAIN|LOGIN [response]',
    help: 'log in (RFC 4954)',
    phases: ['ready'],
    args: 'required',
    gated: true,
    ehlo: (ctx) => (ctx.authOffered ? `AUTH ${SASL_MECHANISMS.join(' ')}` : null),
    run: authCommand,
  }),
  row({
    verb: 'MAIL',
    syntax: 'MAIL FROM:<address> [params]',
    help: 'start a transaction',
    phases: ['ready'],
    args: 'required',
    gated: true,
    ehlo: (ctx) => `SIZE ${String(ctx.options.limits.maxMessageOctets)}`,
    run: mailCommand,
  }),
  row({
    verb: 'RCPT',
    syntax: 'RCPT TO:<address> [params]',
    help: 'add a recipient',
    phases: ['mail'],
    args: 'required',
    gated: true,
    run: rcptCommand,
  }),
  row({
    verb: 'DATA',
    syntax: 'DATA',
    help: 'send the message, ended by a line with a single dot',
    phases: ['mail'],
    args: 'none',
    gated: true,
    run: dataCommand,
  }),
  row({
    verb: 'BDAT',
    syntax: 'BDAT size [LAST]',
    help: 'send a chunk of the message (RFC 3030)',
    phases: ['ready', 'mail', 'chunking'],
    args: 'required',
    gated: false,
    ehlo: () => 'CHUNKING',
    run: bdatCommand,
  }),
  row({
    verb: 'RSET',
    syntax: 'RSET',
    help: 'abort the transaction',
    phases: ANY,
    args: 'none',
    gated: false,
    run: rsetCommand,
  }),
  row({
    verb: 'VRFY',
    syntax: 'VRFY address',
    help: 'not answered (RFC 5321 section 3.5.3: 252)',
    phases: NOT_CHUNKING,
    args: 'required',
    gated: false,
    run: vrfyCommand,
  }),
  row({
    verb: 'NOOP',
    syntax: 'NOOP',
    help: 'do nothing',
    phases: ANY,
    args: 'optional',
    gated: false,
    run: noopCommand,
  }),
  row({
    verb: 'HELP',
    syntax: 'HELP',
    help: 'this list',
    phases: NOT_CHUNKING,
    args: 'optional',
    gated: false,
    ehlo: () => 'HELP',
    run: helpCommand,
  }),
  row({
    verb: 'QUIT',
    syntax: 'QUIT',
    help: 'close the connection',
    phases: ANY,
    args: 'none',
    gated: false,
    run: quitCommand,
  }),
];

/** The table, by verb. */
export const COMMANDS: ReadonlyMap<string, CommandSpec> = new Map(SPECS.map((c) => [c.verb, c]));

/** The EHLO keyword lines for `ctx` now: the extensions, then what each command contributes. */
export function ehloKeywords(ctx: SmtpSessionContext): string[] {
  const keywords = [...EXTENSIONS];
  for (const spec of COMMANDS.values()) {
    const k = spec.ehlo?.(ctx);
    if (k != null) keywords.push(k);
  }
  return keywords;
}

/** The HELP lines: one per command, syntax and purpose. */
export function helpLines(): string[] {
  return [...COMMANDS.values()].map((c) => `${c.syntax.padEnd(28)} ${c.help}`);
}

/** What the gate needs to know about the session besides the command. */
export interface GateInput {
  readonly state: SessionState;
  /** The listener is a submission kind: gated commands need TLS (or an allowed plaintext) and AUTH. */
  readonly submission: boolean;
  /** A password may be sent now (TLS, or plaintext where the login policy allows it). */
  readonly authOffered: boolean;
}

/** The gate's verdict: the command to run, or the reply refusing it (`close`: then hang up). */
export type GateResult =
  | { readonly ok: true; readonly command: CommandSpec; readonly args: string }
  | { readonly ok: false; readonly reply: SmtpReply; readonly close: boolean };

const HTTP_VERBS = new Set(['GET', 'POST', 'HEAD', 'PUT', 'CONNECT', 'OPTIONS', 'DELETE']);

/**
 * THE gate (STYLE.md #2), pure: known verb, argument rule, phase, and on submission listeners
 * TLS and a login. Nothing else decides whether a command may run. An HTTP request line on the
 * mail port before any greeting is refused with a hang-up (as nodemailer's smtp-server does).
 */
export function checkCommand(parsed: { verb: string; args: string }, input: GateInput): GateResult {
  const { verb, args } = parsed;
  const { state } = input;
  const spec = COMMANDS.get(verb);
  if (spec === undefined) {
    if (HTTP_VERBS.has(verb) && state.phase === 'fresh') {
      return { ok: false, reply: reply(554, '5.7.0', 'This is an SMTP server, not HTTP'), close: true };
    }
    return refuse(reply(500, '5.5.1', 'Command unrecognized'));
  }
  if (spec.args === 'none' && args !== '')
    return refuse(reply(501, '5.5.4', `${spec.verb} takes no arguments`));
  if (spec.args === 'required' && args === '') return refuse(reply(501, '5.5.4', `Syntax: ${spec.syntax}`));
  if (!spec.phases.includes(state.phase)) return refuse(sequenceError(spec, state));
  if (spec.gated && input.submission) {
    if (!input.authOffered) return refuse(reply(530, '5.7.0', 'Must issue a STARTTLS command first'));
    if (spec.verb !== 'AUTH' && state.user === null)
      return refuse(reply(530, '5.7.0', 'Authentication required'));
  }
  return { ok: true, command: spec, args };
}

function refuse(r: SmtpReply): GateResult {
  return { ok: false, reply: r, close: false };
}

function sequenceError(spec: CommandSpec, state: SessionState): SmtpReply {
  if (state.phase === 'fresh') return reply(503, '5.5.1', 'Send HELO/EHLO first');
  if (state.phase === 'chunking')
    return reply(503, '5.5.1', `${spec.verb} not allowed during BDAT; send BDAT or RSET`);
  if (state.phase === 'ready') return reply(503, '5.5.1', 'Need MAIL command first');
  return reply(503, '5.5.1', spec.verb === 'MAIL' ? 'Sender already specified' : 'Bad sequence of commands');
}
