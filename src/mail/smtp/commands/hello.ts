/**
 * The commands that are not part of a transaction or a login: EHLO and HELO (RFC 5321 §4.1.1.1,
 * which also reset any transaction), RSET, VRFY (answered 252, §3.5.3), NOOP, HELP and QUIT.
 */
import { reply, type SmtpReply } from '../codec/reply.js';
import { SMTP_LIMITS } from '../limits.js';
import type { SmtpSessionContext } from '../session-context.js';
import { withoutTransaction, type SessionState } from '../state.js';

// A HELO/EHLO argument: a domain or an address literal; leniently any printable token.
const HELO_ARG = new RegExp(`^[\\x21-\\x7e]{1,${String(SMTP_LIMITS.heloArgOctets)}}$`);

function greet(ctx: SmtpSessionContext, args: string, esmtp: boolean): SmtpReply {
  const name = args.split(' ')[0] ?? '';
  if (!HELO_ARG.test(name))
    return ctx.error(reply(501, '5.5.4', `Syntax: ${esmtp ? 'EHLO' : 'HELO'} hostname`));
  // RFC 5321 §4.1.4: EHLO/HELO also resets any transaction.
  ctx.state = { phase: 'ready', greeting: { name, esmtp }, user: ctx.state.user };
  const first = `${ctx.options.hostname} Hello ${name} [${ctx.conn.remoteAddress}]`;
  if (!esmtp) return reply(250, undefined, first);
  return reply(250, undefined, first, ...ctx.ehloKeywords());
}

/** EHLO hostname: the greeting and the extensions offered now. */
export function ehloCommand(ctx: SmtpSessionContext, args: string): SmtpReply {
  return greet(ctx, args, true);
}

/** HELO hostname: the greeting, no extensions. */
export function heloCommand(ctx: SmtpSessionContext, args: string): SmtpReply {
  return greet(ctx, args, false);
}

/** RSET: drops the transaction, keeps the greeting and the login. */
export function rsetCommand(ctx: SmtpSessionContext, _args: string, state: SessionState): SmtpReply {
  ctx.state = withoutTransaction(state);
  return reply(250, '2.0.0', 'Reset OK');
}

/** VRFY: never says whether a user exists (RFC 5321 §3.5.3 allows 252). */
export function vrfyCommand(): SmtpReply {
  return reply(252, '2.5.0', 'Cannot VRFY user, but will accept message and attempt delivery');
}

/** NOOP. */
export function noopCommand(): SmtpReply {
  return reply(250, '2.0.0', 'OK');
}

/** HELP: the command table. */
export function helpCommand(ctx: SmtpSessionContext): SmtpReply {
  return reply(214, '2.0.0', 'Commands:', ...ctx.helpLines(), 'End of HELP');
}

/** QUIT: 221, then the session ends. */
export function quitCommand(ctx: SmtpSessionContext): SmtpReply {
  return ctx.close(reply(221, '2.0.0', `${ctx.options.hostname} Bye`));
}
