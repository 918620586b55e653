/**
 * The end of a mail transaction: DATA (RFC 5321 §4.1.1.4) and BDAT (RFC 3030) read the body
 * through data-reader.ts, turn a refused body into its reply, and hand an accepted one to the
 * `deliver` hook, whose reply (250 only after the durable commit) goes to the client. The
 * transaction is over either way: the session returns to `ready`.
 */
import { parseBdatArgs } from '../codec/command.js';
import { localError, reply, type SmtpReply } from '../codec/reply.js';
import { BareNewlineDetector, readChunk, readDotBody, type BodyResult } from '../data-reader.js';
import type { SmtpSessionContext } from '../session-context.js';
import { withoutTransaction, type Envelope, type SessionState } from '../state.js';

// Reply text is printable US-ASCII (RFC 5321 §4.2 textstring): "section", never the sign.
const bareNewline = (): SmtpReply =>
  reply(550, '5.5.2', 'Message refused: bare CR or LF in the text (RFC 5321 section 2.3.8)');
const tooBig = (max: number): SmtpReply =>
  reply(552, '5.3.4', `Message size exceeds fixed limit of ${String(max)} octets`);

/** DATA: 354, read to CRLF.CRLF, then deliver or refuse. */
export async function dataCommand(
  ctx: SmtpSessionContext,
  _args: string,
  state: Extract<SessionState, { phase: 'mail' }>,
): Promise<SmtpReply | null> {
  if (state.envelope.recipients.length === 0)
    return ctx.error(reply(503, '5.5.1', 'Need RCPT command first'));
  ctx.send(reply(354, undefined, 'End data with <CR><LF>.<CR><LF>'));
  const max = ctx.options.limits.maxMessageOctets;
  const body: BodyResult = await readDotBody(ctx.conn, max);
  ctx.state = withoutTransaction(state);
  switch (body.kind) {
    case 'end':
      ctx.finish();
      return null;
    case 'timeout':
      return ctx.close(reply(421, '4.4.2', `${ctx.options.hostname} Timeout while reading data`));
    case 'too-big':
      return ctx.messageReply(tooBig(max));
    case 'bare-newline':
      return ctx.messageReply(bareNewline());
    case 'line-too-long':
      return ctx.messageReply(
        reply(500, '5.5.2', 'Message refused: line longer than 1000 octets (RFC 5321 section 4.5.3.1.6)'),
      );
    case 'ok':
      return ctx.messageReply(await deliver(ctx, state.envelope, body.bytes));
  }
}

/** BDAT size [LAST]: read exactly `size` octets, always, even when the chunk is refused. */
export async function bdatCommand(
  ctx: SmtpSessionContext,
  args: string,
  state: Extract<SessionState, { phase: 'ready' | 'mail' | 'chunking' }>,
): Promise<SmtpReply | null> {
  const parsed = parseBdatArgs(args);
  if (parsed === null) {
    // Without a size we cannot know how much to skip: the peer is out of step, hang up.
    return ctx.close(reply(501, '5.5.4', 'Syntax: BDAT size [LAST]; closing'));
  }
  const max = ctx.options.limits.maxMessageOctets;
  const inTransaction =
    (state.phase === 'mail' && state.envelope.recipients.length > 0) || state.phase === 'chunking';
  const chunking = state.phase === 'chunking' ? state.chunking : { parts: [], octets: 0, problem: null };
  const octets = chunking.octets + parsed.size;
  const keep = inTransaction && chunking.problem === null && octets <= max;
  const read = await readChunk(ctx.conn, parsed.size, keep);
  if (read.kind === 'end') {
    ctx.finish();
    return null;
  }
  if (read.kind === 'timeout') {
    return ctx.close(reply(421, '4.4.2', `${ctx.options.hostname} Timeout while reading a chunk`));
  }
  if (state.phase === 'ready') return ctx.error(reply(503, '5.5.1', 'Need MAIL command first'));
  if (!inTransaction) return ctx.error(reply(503, '5.5.1', 'Need RCPT command first'));
  const problem = chunking.problem ?? (octets > max ? 'too-big' : null);
  const next = { parts: keep ? [...chunking.parts, ...read.bytes] : [], octets, problem };
  if (!parsed.last) {
    ctx.state = {
      phase: 'chunking',
      greeting: state.greeting,
      user: state.user,
      envelope: state.envelope,
      chunking: next,
    };
    return reply(250, '2.0.0', `${String(parsed.size)} octets received`);
  }
  ctx.state = withoutTransaction(state);
  if (next.problem === 'too-big') return ctx.messageReply(tooBig(max));
  const bytes = Buffer.concat(next.parts, octets);
  const detector = new BareNewlineDetector();
  detector.push(bytes);
  if (detector.finish()) return ctx.messageReply(bareNewline());
  return ctx.messageReply(await deliver(ctx, state.envelope, bytes));
}

/** The deliver hook's reply; a hook that throws is logged and answered 451 (the message counts
 *  as rejected, and the transaction is over). */
async function deliver(ctx: SmtpSessionContext, envelope: Envelope, body: Buffer): Promise<SmtpReply> {
  const now = ctx.options.now?.() ?? new Date();
  try {
    return await ctx.options.hooks.deliver({ envelope, body, session: ctx.info(), receivedAt: now });
  } catch (err) {
    ctx.options.logger.error({ err, session: ctx.conn.id }, 'smtp: delivery failed');
    return localError();
  }
}
