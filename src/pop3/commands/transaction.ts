/**
 * TRANSACTION-state commands (RFC 1939 §5, §7; TOP and UIDL from §7 as RFC 2449 capabilities):
 * STAT, LIST, RETR, DELE, NOOP, RSET, TOP, UIDL. They read the session's maildrop snapshot and
 * the stored bytes; DELE only marks, the store changes in the UPDATE state (see `quitCommand`).
 * RETR and TOP return the stored bytes dot-stuffed as a streamed reply, without per-line string
 * work. Each handler gets the TRANSACTION state from the gate.
 */
import { multiLineMessage, topOfMessage } from '../codec/message.js';
import { parseLineCount, parseMessageNumber } from '../codec/command.js';
import { err, listing, ok, okLine, type Pop3Reply } from '../codec/reply.js';
import type { Maildrop } from '../maildrop.js';
import type { CommandInput, Pop3SessionContext } from '../session-context.js';
import type { TransactionState } from '../state.js';

/** A message-number argument resolved against the maildrop, or the reply refusing it. */
type MessageArg = { readonly n: number; readonly uid: number; readonly size: number } | Pop3Reply;

function messageArg(maildrop: Maildrop, arg: string): MessageArg {
  const n = parseMessageNumber(arg);
  if (n === null) return err(null, 'Invalid message number');
  const found = maildrop.lookup(n);
  if (found.kind === 'none') return err(null, 'No such message');
  if (found.kind === 'deleted') return err(null, `Message ${String(n)} already deleted`);
  return { n, uid: found.uid, size: found.size };
}

function refused(m: MessageArg): m is Pop3Reply {
  return 'kind' in m;
}

/** STAT: `+OK count octets` of the messages not marked deleted. */
export function statCommand(
  _ctx: Pop3SessionContext,
  _cmd: CommandInput,
  state: TransactionState,
): Pop3Reply {
  const { maildrop } = state;
  return ok(`${String(maildrop.count)} ${String(maildrop.octets)}`);
}

/** LIST [n]: scan listings (`n size`). */
export function listCommand(_ctx: Pop3SessionContext, cmd: CommandInput, state: TransactionState): Pop3Reply {
  const { maildrop } = state;
  const arg = cmd.args[0];
  if (arg !== undefined) {
    const m = messageArg(maildrop, arg);
    return refused(m) ? m : ok(`${String(m.n)} ${String(m.size)}`);
  }
  const lines: string[] = [];
  for (const n of maildrop.live()) lines.push(`${String(n)} ${String(maildrop.index.sizes[n - 1] ?? 0)}`);
  return listing(okLine(`${String(maildrop.count)} messages (${String(maildrop.octets)} octets)`), lines);
}

/** UIDL [n]: unique-id listings (`n <uidvalidity>.<uid>`). */
export function uidlCommand(_ctx: Pop3SessionContext, cmd: CommandInput, state: TransactionState): Pop3Reply {
  const { maildrop } = state;
  const arg = cmd.args[0];
  if (arg !== undefined) {
    const m = messageArg(maildrop, arg);
    return refused(m) ? m : ok(`${String(m.n)} ${maildrop.uidl(m.n)}`);
  }
  const lines: string[] = [];
  for (const n of maildrop.live()) lines.push(`${String(n)} ${maildrop.uidl(n)}`);
  return listing(okLine('Unique-ID listing follows'), lines);
}

function storeFailed(ctx: Pop3SessionContext, error: unknown): Pop3Reply {
  ctx.deps.logger.error({ err: error, session: ctx.conn.id }, 'pop3: cannot read message');
  return err('SYS/TEMP', 'Cannot read the message; try again later');
}

function removedReply(n: number): Pop3Reply {
  return err(null, `Message ${String(n)} was removed by another client`);
}

/** A whole response already in wire form (status line, dot-stuffed body, terminator) as a reply. */
function wireReply(status: string, wire: Buffer, note: string): Pop3Reply {
  return { kind: 'message', status, write: (w) => w.writeRaw(wire, note) };
}

/**
 * RETR n: the whole message, dot-stuffed, in one write; then message n+1 is read ahead in idle
 * time, since clients download in order (src/pop3/read-ahead.ts).
 */
export async function retrCommand(
  ctx: Pop3SessionContext,
  cmd: CommandInput,
  state: TransactionState,
): Promise<Pop3Reply> {
  const { maildrop, reader } = state;
  const m = messageArg(maildrop, cmd.args[0] ?? '');
  if (refused(m)) return m;
  let retr;
  try {
    retr = await reader.retr(m.uid);
  } catch (error) {
    return storeFailed(ctx, error);
  }
  if (retr === null) return removedReply(m.n);
  maildrop.markRetrieved(m.n);
  const next = maildrop.lookup(m.n + 1);
  if (next.kind === 'ok') reader.prefetch(next.uid, next.size);
  return wireReply(retr.status, retr.wire, `${retr.status} <message ${String(m.n)}, then ".">`);
}

/** TOP n lines: the header, the blank line, and the first `lines` body lines. */
export async function topCommand(
  ctx: Pop3SessionContext,
  cmd: CommandInput,
  state: TransactionState,
): Promise<Pop3Reply> {
  const { maildrop } = state;
  const lines = parseLineCount(cmd.args[1] ?? '');
  if (lines === null) return err(null, 'Invalid line count');
  const m = messageArg(maildrop, cmd.args[0] ?? '');
  if (refused(m)) return m;
  let bytes: Buffer | null;
  try {
    bytes = await ctx.deps.store.readMessage(maildrop.index.mailboxId, m.uid);
  } catch (error) {
    return storeFailed(ctx, error);
  }
  if (bytes === null) return removedReply(m.n);
  const status = okLine('Top of message follows');
  return wireReply(
    status,
    multiLineMessage(status, topOfMessage(bytes, lines)),
    `${status} <header and ${String(lines)} lines of message ${String(m.n)}, then ".">`,
  );
}

/** DELE n: marks the message; it stays in the store until QUIT's UPDATE state. */
export function deleCommand(_ctx: Pop3SessionContext, cmd: CommandInput, state: TransactionState): Pop3Reply {
  const m = messageArg(state.maildrop, cmd.args[0] ?? '');
  if (refused(m)) return m;
  state.maildrop.markDeleted(m.n);
  return ok(`Message ${String(m.n)} deleted`);
}

/** RSET: unmarks every deletion. */
export function rsetCommand(
  _ctx: Pop3SessionContext,
  _cmd: CommandInput,
  state: TransactionState,
): Pop3Reply {
  const { maildrop } = state;
  maildrop.reset();
  return ok(`Maildrop has ${String(maildrop.count)} messages (${String(maildrop.octets)} octets)`);
}

/** NOOP. */
export function noopCommand(): Pop3Reply {
  return ok('');
}
