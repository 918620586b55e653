/**
 * Commands valid in both AUTHORIZATION and TRANSACTION: CAPA (RFC 2449 §5) and QUIT (RFC 1939
 * §6). QUIT from TRANSACTION is the only way into the UPDATE state, where the marked deletions
 * are applied with one `store.expunge`; any other way out of TRANSACTION applies nothing. Both
 * ways out flag the messages RETR sent \Seen (src/pop3/seen.ts).
 */
import { err, listing, ok, okLine, type Pop3Reply } from '../codec/reply.js';
import type { Pop3SessionContext } from '../session-context.js';
import { flagRetrievedSeen } from '../seen.js';
import type { AuthorizationState, TransactionState } from '../state.js';

/** CAPA: the capability list for the current state. */
export function capaCommand(ctx: Pop3SessionContext): Pop3Reply {
  return listing(okLine('Capability list follows'), ctx.capabilities());
}

/** QUIT: goodbye from AUTHORIZATION; UPDATE (apply deletions, unlock) from TRANSACTION. */
export async function quitCommand(
  ctx: Pop3SessionContext,
  _cmd: unknown,
  state: AuthorizationState | TransactionState,
): Promise<Pop3Reply> {
  ctx.end();
  if (state.kind !== 'transaction') return ok(`${ctx.deps.hostname} POP3 server signing off`);
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
    return ok(`${ctx.deps.hostname} POP3 server signing off (${String(left)} messages left)`);
  } catch (error) {
    ctx.deps.logger.error({ err: error, user: state.user, session: ctx.conn.id }, 'pop3: expunge failed');
    return err('SYS/TEMP', 'Some deleted messages not removed');
  } finally {
    await flagRetrievedSeen(ctx.deps.store, maildrop, {
      logger: ctx.deps.logger,
      user: state.user,
      session: ctx.conn.id,
    });
    state.release();
  }
}
