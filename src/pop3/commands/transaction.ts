/**
 * TRANSACTION-state commands (RFC 1939 §5, §7; TOP and UIDL from §7 as RFC 2449 capabilities):
 * STAT, LIST, RETR, DELE, NOOP, RSET, TOP, UIDL. They read the session's maildrop snapshot and
 * the stored bytes; DELE only marks, the store changes in the UPDATE state (see `quitCommand`).
 * RETR and TOP send the stored bytes dot-stuffed in one write, without per-line string work.
 */
import {
  errLine,
  multiLine,
  multiLineMessage,
  okLine,
  parseLineCount,
  parseMessageNumber,
  topOfMessage,
} from '../codec.js';
import type { Maildrop } from '../maildrop.js';
import { transaction, type CommandInput, type Pop3SessionContext } from '../session-context.js';

/** Resolves a message-number argument; replies with the error and returns null when unusable. */
function messageArg(
  ctx: Pop3SessionContext,
  maildrop: Maildrop,
  arg: string,
): { n: number; uid: number; size: number } | null {
  const n = parseMessageNumber(arg);
  if (n === null) {
    ctx.reply(errLine(null, 'Invalid message number'));
    return null;
  }
  const found = maildrop.lookup(n);
  if (found.kind === 'none') {
    ctx.reply(errLine(null, 'No such message'));
    return null;
  }
  if (found.kind === 'deleted') {
    ctx.reply(errLine(null, `Message ${String(n)} already deleted`));
    return null;
  }
  return { n, uid: found.uid, size: found.size };
}

/** STAT: `+OK count octets` of the messages not marked deleted. */
export function statCommand(ctx: Pop3SessionContext): void {
  const { maildrop } = transaction(ctx);
  ctx.reply(okLine(`${String(maildrop.count)} ${String(maildrop.octets)}`));
}

/** LIST [n]: scan listings (`n size`). */
export function listCommand(ctx: Pop3SessionContext, cmd: CommandInput): void {
  const { maildrop } = transaction(ctx);
  const arg = cmd.args[0];
  if (arg !== undefined) {
    const m = messageArg(ctx, maildrop, arg);
    if (m) ctx.reply(okLine(`${String(m.n)} ${String(m.size)}`));
    return;
  }
  const lines: string[] = [];
  for (const n of maildrop.live()) lines.push(`${String(n)} ${String(maildrop.index.sizes[n - 1] ?? 0)}`);
  ctx.replyLines(
    multiLine(okLine(`${String(maildrop.count)} messages (${String(maildrop.octets)} octets)`), lines),
  );
}

/** UIDL [n]: unique-id listings (`n <uidvalidity>.<uid>`). */
export function uidlCommand(ctx: Pop3SessionContext, cmd: CommandInput): void {
  const { maildrop } = transaction(ctx);
  const arg = cmd.args[0];
  if (arg !== undefined) {
    const m = messageArg(ctx, maildrop, arg);
    if (m) ctx.reply(okLine(`${String(m.n)} ${maildrop.uidl(m.n)}`));
    return;
  }
  const lines: string[] = [];
  for (const n of maildrop.live()) lines.push(`${String(n)} ${maildrop.uidl(n)}`);
  ctx.replyLines(multiLine(okLine('Unique-ID listing follows'), lines));
}

function storeFailed(ctx: Pop3SessionContext, err: unknown): void {
  ctx.deps.logger.error({ err, session: ctx.conn.id }, 'pop3: cannot read message');
  ctx.reply(errLine('SYS/TEMP', 'Cannot read the message; try again later'));
}

function removedReply(n: number): string {
  return errLine(null, `Message ${String(n)} was removed by another client`);
}

/** Reads a message's bytes; replies with the error and returns null when it is gone. */
async function readStored(
  ctx: Pop3SessionContext,
  maildrop: Maildrop,
  n: number,
  uid: number,
): Promise<Buffer | null> {
  let bytes: Buffer | null;
  try {
    bytes = await ctx.deps.store.readMessage(maildrop.index.mailboxId, uid);
  } catch (err) {
    storeFailed(ctx, err);
    return null;
  }
  if (bytes === null) ctx.reply(removedReply(n));
  return bytes;
}

/**
 * RETR n: the whole message, dot-stuffed, in one write; then message n+1 is read ahead in idle
 * time, since clients download in order (src/pop3/read-ahead.ts).
 */
export async function retrCommand(ctx: Pop3SessionContext, cmd: CommandInput): Promise<void> {
  const { maildrop, reader } = transaction(ctx);
  const m = messageArg(ctx, maildrop, cmd.args[0] ?? '');
  if (!m) return;
  let retr;
  try {
    retr = await reader.retr(m.uid);
  } catch (err) {
    storeFailed(ctx, err);
    return;
  }
  if (retr === null) {
    ctx.reply(removedReply(m.n));
    return;
  }
  const next = maildrop.lookup(m.n + 1);
  if (next.kind === 'ok') reader.prefetch(next.uid, next.size);
  await ctx.conn.writeRaw(retr.wire, `${retr.status} <message ${String(m.n)}, then ".">`);
}

/** TOP n lines: the header, the blank line, and the first `lines` body lines. */
export async function topCommand(ctx: Pop3SessionContext, cmd: CommandInput): Promise<void> {
  const { maildrop } = transaction(ctx);
  const lines = parseLineCount(cmd.args[1] ?? '');
  if (lines === null) {
    ctx.reply(errLine(null, 'Invalid line count'));
    return;
  }
  const m = messageArg(ctx, maildrop, cmd.args[0] ?? '');
  if (!m) return;
  const bytes = await readStored(ctx, maildrop, m.n, m.uid);
  if (!bytes) return;
  const status = okLine('Top of message follows');
  await ctx.conn.writeRaw(
    multiLineMessage(status, topOfMessage(bytes, lines)),
    `${status} <header and ${String(lines)} lines of message ${String(m.n)}, then ".">`,
  );
}

/** DELE n: marks the message; it stays in the store until QUIT's UPDATE state. */
export function deleCommand(ctx: Pop3SessionContext, cmd: CommandInput): void {
  const { maildrop } = transaction(ctx);
  const m = messageArg(ctx, maildrop, cmd.args[0] ?? '');
  if (!m) return;
  maildrop.markDeleted(m.n);
  ctx.reply(okLine(`Message ${String(m.n)} deleted`));
}

/** RSET: unmarks every deletion. */
export function rsetCommand(ctx: Pop3SessionContext): void {
  const { maildrop } = transaction(ctx);
  maildrop.reset();
  ctx.reply(okLine(`Maildrop has ${String(maildrop.count)} messages (${String(maildrop.octets)} octets)`));
}

/** NOOP. */
export function noopCommand(ctx: Pop3SessionContext): void {
  ctx.reply(okLine(''));
}
