/**
 * Commands valid in both AUTHORIZATION and TRANSACTION: CAPA (RFC 2449 §5) and QUIT (RFC 1939
 * §6). QUIT from TRANSACTION is the only way into the UPDATE state, where the marked deletions
 * are applied with one `store.expunge`; any other way out of TRANSACTION applies nothing.
 */
import { errLine, multiLine, okLine } from '../codec.js';
import type { Pop3SessionContext } from '../session-context.js';

/** CAPA: the capability list for the current state. */
export function capaCommand(ctx: Pop3SessionContext): void {
  ctx.replyLines(multiLine(okLine('Capability list follows'), ctx.capabilities()));
}

/** QUIT: goodbye from AUTHORIZATION; UPDATE (apply deletions, unlock) from TRANSACTION. */
export async function quitCommand(ctx: Pop3SessionContext): Promise<void> {
  const { state } = ctx;
  ctx.end();
  if (state.kind !== 'transaction') {
    ctx.reply(okLine(`${ctx.deps.hostname} POP3 server signing off`));
    return;
  }
  state.reader.cancel();
  ctx.state = { kind: 'update', user: state.user };
  const { maildrop } = state;
  const uids = maildrop.deletedUids();
  try {
    const removed =
      uids.length === 0
        ? []
        : await ctx.deps.store.expunge(maildrop.index.mailboxId, uids, { origin: `pop3-${ctx.conn.id}` });
    const left = maildrop.index.uids.length - uids.length;
    if (removed.length < uids.length) {
      // Another client (IMAP) expunged some first: they are gone, which is what was asked.
      ctx.deps.logger.debug(
        { user: state.user, asked: uids.length, removed: removed.length },
        'pop3: some already expunged',
      );
    }
    ctx.reply(okLine(`${ctx.deps.hostname} POP3 server signing off (${String(left)} messages left)`));
  } catch (err) {
    ctx.deps.logger.error({ err, user: state.user, session: ctx.conn.id }, 'pop3: expunge failed');
    ctx.reply(errLine('SYS/TEMP', 'Some deleted messages not removed'));
  } finally {
    state.release();
  }
}
