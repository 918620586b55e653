/**
 * The end of a mail transaction: DATA (RFC 5321 §4.1.1.4) and BDAT (RFC 3030) read the body
 * through data-reader.ts, turn a refused body into its reply, and hand an accepted one to the
 * `deliver` hook, whose reply (250 only after the durable commit) goes to the client. The
 * transaction is over either way: the session returns to `ready`.
 */
import { BareNewlineDetector, readChunk, readDotBody, type BodyResult } from './data-reader.js';
import { parseBdatArgs } from './command.js';
import { reply, type SmtpReply } from './reply.js';
import type { SmtpSession } from './session.js';
import { withoutTransaction, type Envelope } from './state.js';

// Reply text is printable US-ASCII (RFC 5321 §4.2 textstring): "section", never the sign.
const bareNewline = (): SmtpReply =>
  reply(550, '5.5.2', 'Message refused: bare CR or LF in the text (RFC 5321 section 2.3.8)');
const tooBig = (max: number): SmtpReply =>
  reply(552, '5.3.4', `Message size exceeds fixed limit of ${max} octets`);

/** DATA: 354, read to CRLF.CRLF, then deliver or refuse. */
export async function runData(s: SmtpSession): Promise<void> {
  const state = s.state;
  if (state.phase !== 'mail') return;
  if (state.envelope.recipients.length === 0) {
    s.error(reply(503, '5.5.1', 'Need RCPT command first'));
    return;
  }
  s.reply(reply(354, undefined, 'End data with <CR><LF>.<CR><LF>'));
  s.flush();
  const max = s.options.limits.maxMessageOctets;
  const body: BodyResult = await readDotBody(s.conn, max);
  s.state = withoutTransaction(state);
  switch (body.kind) {
    case 'end':
      s.finish();
      return;
    case 'timeout':
      s.end(reply(421, '4.4.2', `${s.options.hostname} Timeout while reading data`));
      return;
    case 'too-big':
      s.messageReply(tooBig(max));
      return;
    case 'bare-newline':
      s.messageReply(bareNewline());
      return;
    case 'line-too-long':
      s.messageReply(
        reply(500, '5.5.2', 'Message refused: line longer than 1000 octets (RFC 5321 section 4.5.3.1.6)'),
      );
      return;
    case 'ok':
      s.messageReply(await deliver(s, state.envelope, body.bytes));
  }
}

/** BDAT size [LAST]: read exactly `size` octets, always, even when the chunk is refused. */
export async function runBdat(s: SmtpSession, args: string): Promise<void> {
  const parsed = parseBdatArgs(args);
  if (parsed === null) {
    // Without a size we cannot know how much to skip: the peer is out of step, hang up.
    s.end(reply(501, '5.5.4', 'Syntax: BDAT size [LAST]; closing'));
    return;
  }
  const state = s.state;
  const max = s.options.limits.maxMessageOctets;
  const inTransaction =
    (state.phase === 'mail' && state.envelope.recipients.length > 0) || state.phase === 'chunking';
  const chunking = state.phase === 'chunking' ? state.chunking : { parts: [], octets: 0, problem: null };
  const octets = chunking.octets + parsed.size;
  const keep = inTransaction && chunking.problem === null && octets <= max;
  const read = await readChunk(s.conn, parsed.size, keep);
  if (read.kind === 'end') {
    s.finish();
    return;
  }
  if (read.kind === 'timeout') {
    s.end(reply(421, '4.4.2', `${s.options.hostname} Timeout while reading a chunk`));
    return;
  }
  if (state.phase !== 'mail' && state.phase !== 'chunking') {
    s.error(reply(503, '5.5.1', 'Need MAIL command first'));
    return;
  }
  if (!inTransaction) {
    s.error(reply(503, '5.5.1', 'Need RCPT command first'));
    return;
  }
  const problem = chunking.problem ?? (octets > max ? 'too-big' : null);
  const next = { parts: keep ? [...chunking.parts, ...read.bytes] : [], octets, problem };
  if (!parsed.last) {
    s.state = {
      phase: 'chunking',
      greeting: state.greeting,
      user: state.user,
      envelope: state.envelope,
      chunking: next,
    };
    s.reply(reply(250, '2.0.0', `${parsed.size} octets received`));
    return;
  }
  s.state = withoutTransaction(state);
  if (next.problem === 'too-big') {
    s.messageReply(tooBig(max));
    return;
  }
  const bytes = Buffer.concat(next.parts, octets);
  const detector = new BareNewlineDetector();
  detector.push(bytes);
  if (detector.finish()) {
    s.messageReply(bareNewline());
    return;
  }
  s.messageReply(await deliver(s, state.envelope, bytes));
}

async function deliver(s: SmtpSession, envelope: Envelope, body: Buffer): Promise<SmtpReply> {
  const now = s.options.now?.() ?? new Date();
  try {
    return await s.options.hooks.deliver({ envelope, body, session: s.info(), receivedAt: now });
  } catch (err) {
    s.options.logger.error({ err, session: s.conn.id }, 'smtp: delivery failed');
    return reply(451, '4.3.0', 'Local error in processing, try again later');
  }
}
