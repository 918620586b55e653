/**
 * Selecting a mailbox (RFC 9051 §6.3.2, §6.3.3) and leaving it: SELECT, EXAMINE, CLOSE (which
 * expunges \Deleted messages of a read-write mailbox, silently, §6.4.1) and UNSELECT (which does
 * not, RFC 3691). A SELECT while a mailbox is selected closes it first (`* OK [CLOSED]`), and a
 * failed SELECT leaves the session authenticated (§6.3.2). Every SELECT says `[HIGHESTMODSEQ n]`
 * (RFC 7162 §3.1.2.1); `(CONDSTORE)` enables CONDSTORE and `(QRESYNC (…))`, after ENABLE
 * QRESYNC, adds what changed since the client's MODSEQ (qresync.ts).
 */
import { existsResponse, flagsResponse, statusLine } from '../../codec/index.js';
import type { ImapSessionContext } from '../context.js';
import { bad, no, ok, type ImapReply } from '../reply.js';
import { SelectedMailbox } from '../selected-mailbox.js';
import type { AuthenticatedState, SelectedState } from '../state.js';
import { qresyncSelect } from './qresync.js';
import { storeCall } from './store-errors.js';
import type { CommandOf } from './types.js';

/** The system flags (RFC 9051 §2.3.2) a client may store. */
export const SYSTEM_FLAGS = ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft'] as const;

/** SELECT / EXAMINE mailbox. */
export async function selectCommand(
  ctx: ImapSessionContext,
  cmd: CommandOf<'SELECT' | 'EXAMINE'>,
  state: AuthenticatedState | SelectedState,
): Promise<ImapReply> {
  // RFC 7162 §3.2.5: QRESYNC without ENABLE QRESYNC is a client error; nothing is closed.
  if (cmd.qresync !== null && !ctx.enabled.has('QRESYNC')) {
    return bad(cmd.tag, 'QRESYNC needs ENABLE QRESYNC first');
  }
  if (cmd.condstore) ctx.enable('CONDSTORE');
  const untagged: string[] = [];
  if (state.kind === 'selected') {
    state.mailbox.close();
    ctx.state = { kind: 'authenticated', user: state.user };
    // RFC 9051 §6.3.2 (and RFC 7162 §3.2.11): the old mailbox is closed from here on.
    untagged.push(statusLine(null, 'OK', 'Previous mailbox closed', { code: 'CLOSED' }));
  }
  const user = state.user;
  const reply = await storeCall(cmd.tag, async () => {
    const info = await ctx.deps.store.getMailbox(user, cmd.mailbox);
    if (info === null) return no(cmd.tag, 'No such mailbox', { code: 'NONEXISTENT' });
    const readOnly = cmd.name === 'EXAMINE';
    const mailbox = await SelectedMailbox.open(
      ctx.deps.store,
      info,
      readOnly,
      () => {
        ctx.mailboxChanged();
      },
      ctx.enabled,
    );
    ctx.state = { kind: 'selected', user, mailbox };
    const flags = [...SYSTEM_FLAGS, ...info.keywords];
    untagged.push(
      existsResponse(mailbox.exists),
      flagsResponse(flags),
      statusLine(null, 'OK', readOnly ? 'No permanent flags permitted' : 'Flags permitted', {
        code: 'PERMANENTFLAGS',
        flags: readOnly ? [] : [...flags, '\\*'],
      }),
      statusLine(null, 'OK', 'UIDs valid', { code: 'UIDVALIDITY', value: info.uidValidity }),
      statusLine(null, 'OK', 'Predicted next UID', { code: 'UIDNEXT', value: info.uidNext }),
      // Read before the listing, so the client has seen every change up to it.
      statusLine(null, 'OK', 'Highest', { code: 'HIGHESTMODSEQ', value: info.highestModSeq }),
    );
    if (!ctx.enabled.has('IMAP4rev2')) {
      // RFC 3501 §6.3.1: RECENT (always 0 here: Outpost keeps no \Recent) and the first unseen.
      untagged.push('* 0 RECENT');
      const firstUnseen = mailbox.messages.findIndex((m) => !m.flags.includes('\\Seen'));
      if (firstUnseen >= 0) {
        untagged.push(statusLine(null, 'OK', 'First unseen', { code: 'UNSEEN', value: firstUnseen + 1 }));
      }
    }
    if (cmd.qresync !== null) untagged.push(...(await qresyncSelect(ctx.deps.store, mailbox, cmd.qresync)));
    return ok(cmd.tag, `${cmd.name} completed`, { code: readOnly ? 'READ-ONLY' : 'READ-WRITE' });
  });
  return { ...reply, untagged: [...untagged, ...reply.untagged] };
}

/** CLOSE: expunge \Deleted (read-write only), no untagged EXPUNGE, back to authenticated. */
export async function closeCommand(
  ctx: ImapSessionContext,
  cmd: CommandOf<'CLOSE'>,
  state: SelectedState,
): Promise<ImapReply> {
  const { mailbox } = state;
  if (!mailbox.readOnly && !mailbox.gone) {
    const now = await ctx.deps.store.listMessages(mailbox.id);
    const deleted = now.filter((m) => m.flags.includes('\\Deleted')).map((m) => m.uid);
    if (deleted.length > 0) {
      await ctx.deps.store.expunge(mailbox.id, deleted, { origin: ctx.origin });
    }
  }
  mailbox.close();
  ctx.state = { kind: 'authenticated', user: state.user };
  return ok(cmd.tag, 'CLOSE completed');
}

/** UNSELECT (RFC 3691): leave without expunging. */
export function unselectCommand(
  ctx: ImapSessionContext,
  cmd: CommandOf<'UNSELECT'>,
  state: SelectedState,
): ImapReply {
  state.mailbox.close();
  ctx.state = { kind: 'authenticated', user: state.user };
  return ok(cmd.tag, 'UNSELECT completed');
}
