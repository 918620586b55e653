/**
 * The envelope of a transaction: MAIL FROM (RFC 5321 §4.1.1.2, SIZE per RFC 1870, SMTPUTF8 per
 * RFC 6531) and RCPT TO (§4.1.1.3), with the sender and relay rules of policy.ts.
 */
import { parseMailArgs, parseRcptArgs } from '../codec/command.js';
import { reply, type SmtpReply } from '../codec/reply.js';
import { checkSubmissionSender, decideRecipient } from '../policy.js';
import type { SmtpSessionContext } from '../session-context.js';
import type { SessionState } from '../state.js';

/** MAIL FROM:<path> [params]: starts a transaction. */
export function mailCommand(
  ctx: SmtpSessionContext,
  args: string,
  state: Extract<SessionState, { phase: 'ready' }>,
): SmtpReply {
  const parsed = parseMailArgs(args);
  if (!parsed.ok) return ctx.error(parsed.reply);
  const { path, params } = parsed.value;
  const max = ctx.options.limits.maxMessageOctets;
  if (params.size !== undefined && params.size > max) {
    return reply(552, '5.3.4', `Message size exceeds fixed limit of ${String(max)} octets`);
  }
  if ((params.smtputf8 || (path.kind === 'mailbox' && path.mailbox.utf8)) && !state.greeting.esmtp) {
    return ctx.error(reply(553, '5.6.7', 'SMTPUTF8 needs EHLO'));
  }
  if (path.kind === 'mailbox' && path.mailbox.utf8 && !params.smtputf8) {
    return ctx.error(reply(553, '5.6.7', 'Non-ASCII address without SMTPUTF8'));
  }
  if (path.kind === 'mailbox' && path.sourceRoute.length > 0) {
    return ctx.error(reply(553, '5.1.7', 'Source routes are not accepted'));
  }
  if (state.user !== null || ctx.isSubmission) {
    const refusal = checkSubmissionSender(path, state.user ?? '');
    if (refusal !== null) return ctx.error(refusal);
  }
  const mailFrom = path.kind === 'mailbox' ? path.mailbox.address : '';
  ctx.state = { ...state, phase: 'mail', envelope: { mailFrom, params, recipients: [] } };
  return reply(250, '2.1.0', 'Sender OK');
}

/** RCPT TO:<path> [params]: adds a recipient (once, however often it is given). */
export async function rcptCommand(
  ctx: SmtpSessionContext,
  args: string,
  state: Extract<SessionState, { phase: 'mail' }>,
): Promise<SmtpReply> {
  const parsed = parseRcptArgs(args);
  if (!parsed.ok) return ctx.error(parsed.reply);
  const { path, params } = parsed.value;
  if (path.kind === 'mailbox' && path.mailbox.utf8 && !state.envelope.params.smtputf8) {
    return ctx.error(reply(553, '5.6.7', 'Non-ASCII address without SMTPUTF8'));
  }
  const recipients = state.envelope.recipients;
  if (recipients.length >= ctx.options.limits.maxRecipients) {
    // RFC 5321 §4.5.3.1.10: 452 for too many recipients.
    return reply(452, '4.5.3', 'Too many recipients');
  }
  const verdict = await decideRecipient(path, { authenticated: state.user !== null }, ctx.options.hooks);
  if (!verdict.ok) return ctx.error(verdict.reply);
  if (!recipients.some((r) => r.address.toLowerCase() === verdict.address.toLowerCase())) {
    const next = [...recipients, { address: verdict.address, route: verdict.route, params }];
    ctx.state = { ...state, envelope: { ...state.envelope, recipients: next } };
  }
  return reply(250, '2.1.5', 'Recipient OK');
}
