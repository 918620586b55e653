/**
 * Message commands other than FETCH: APPEND (RFC 9051 §6.3.12, with RFC 4315 APPENDUID and the
 * APPENDLIMIT of RFC 7889, whose literal over the limit the parser refuses before it is sent),
 * STORE / UID STORE (§6.4.6, RFC 7162 UNCHANGEDSINCE with [MODIFIED], UID and MODSEQ in its
 * FETCH responses once CONDSTORE is enabled) and EXPUNGE / UID EXPUNGE (§6.4.3, RFC 4315; with
 * `[HIGHESTMODSEQ n]` for CONDSTORE clients), COPY and MOVE (RFC 6851) with COPYUID. Untagged
 * EXPUNGE (or VANISHED) and EXISTS for these come from the session's change tracking at the end
 * of the command, like everyone else's changes.
 */
import { ErrorCodes, OutpostError } from '../../../core/errors.js';
import { flagsFetchResponse, statusLine } from '../../codec/index.js';
import type { ImapSessionContext } from '../context.js';
import { bad, mailboxGone, no, ok, type ImapReply } from '../reply.js';
import type { AuthenticatedState, SelectedState } from '../state.js';
import { storeCall } from './store-errors.js';
import type { CommandOf } from './types.js';

/** APPEND mailbox [flags] [date] literal. */
export function appendCommand(
  ctx: ImapSessionContext,
  cmd: CommandOf<'APPEND'>,
  state: AuthenticatedState | SelectedState,
) {
  return storeCall(cmd.tag, async () => {
    const { store } = ctx.deps;
    const info = await store.getMailbox(state.user, cmd.mailbox);
    // RFC 9051 §6.3.12: TRYCREATE tells the client a CREATE would help.
    if (info === null) return no(cmd.tag, 'No such mailbox', { code: 'TRYCREATE' });
    if (cmd.message.length > ctx.deps.maxMessageSize) {
      return no(cmd.tag, 'Message too large', { code: 'TOOBIG' });
    }
    try {
      const stored = await store.append(info.id, cmd.message, {
        flags: cmd.flags,
        ...(cmd.date === null ? {} : { internalDate: cmd.date }),
        origin: ctx.origin,
      });
      if (state.kind === 'selected' && state.mailbox.id === info.id) state.mailbox.markChanged();
      return ok(cmd.tag, 'APPEND completed', {
        code: 'APPENDUID',
        uidValidity: info.uidValidity,
        uids: [stored.uid],
      });
    } catch (err) {
      if (err instanceof OutpostError && err.code === ErrorCodes.PARSE) return bad(cmd.tag, 'Invalid flag');
      throw err;
    }
  });
}

/** STORE / UID STORE set [(UNCHANGEDSINCE n)] [+-]FLAGS[.SILENT] (flags). */
export async function storeCommand(
  ctx: ImapSessionContext,
  cmd: CommandOf<'STORE'>,
  state: SelectedState,
): Promise<ImapReply> {
  const { mailbox } = state;
  if (mailbox.gone) return mailboxGone(cmd.tag, !cmd.uid);
  if (mailbox.readOnly)
    return { ...no(cmd.tag, 'Mailbox is read-only', { code: 'READ-ONLY' }), noExpunge: !cmd.uid };
  // RFC 7162 §3.1: UNCHANGEDSINCE is a CONDSTORE enabling command.
  if (cmd.unchangedSince !== null) ctx.enable('CONDSTORE');
  const condstore = ctx.enabled.has('CONDSTORE');
  const picked = mailbox.pick(cmd.set, cmd.uid);
  const modified: number[] = [];
  let targets = picked;
  if (cmd.unchangedSince !== null) {
    // Against the store's MODSEQ, not the one this session was last told of (§3.1.3).
    const since = await ctx.deps.store.changedSince(mailbox.id, cmd.unchangedSince);
    const failed = new Set(since.map((m) => m.uid));
    targets = picked.filter((p) => !failed.has(p.message.uid));
    for (const p of picked) if (failed.has(p.message.uid)) modified.push(cmd.uid ? p.message.uid : p.seq);
  }
  const before = new Map(targets.map((p) => [p.message.uid, p.message.modSeq]));
  const changed = targets.length
    ? await ctx.deps.store.setFlags(
        mailbox.id,
        targets.map((p) => p.message.uid),
        cmd.flags,
        cmd.operation,
        { origin: ctx.origin },
      )
    : [];
  mailbox.learn(changed);
  const untagged: string[] = [];
  const byUid = new Map(changed.map((m) => [m.uid, m]));
  for (const p of targets) {
    const m = byUid.get(p.message.uid);
    if (m === undefined) continue;
    if (!cmd.silent) untagged.push(flagsFetchResponse(p.seq, m.uid, m.flags, condstore ? m.modSeq : null));
    // RFC 7162 §3.1.3: .SILENT still tells a CONDSTORE client the new MODSEQ of what changed.
    else if (condstore && m.modSeq !== before.get(m.uid)) {
      untagged.push(flagsFetchResponse(p.seq, m.uid, null, m.modSeq));
    }
  }
  const code = modified.length ? { code: 'MODIFIED' as const, set: modified } : null;
  return { ...ok(cmd.tag, 'STORE completed', code, untagged), noExpunge: !cmd.uid };
}

/** EXPUNGE, or UID EXPUNGE set: removes \Deleted messages (only those in the set for UID EXPUNGE). */
export async function expungeCommand(
  ctx: ImapSessionContext,
  cmd: CommandOf<'EXPUNGE'>,
  state: SelectedState,
): Promise<ImapReply> {
  const { mailbox } = state;
  if (mailbox.gone) return mailboxGone(cmd.tag);
  if (mailbox.readOnly) return no(cmd.tag, 'Mailbox is read-only', { code: 'READ-ONLY' });
  const now = await ctx.deps.store.listMessages(mailbox.id);
  const inSet = cmd.uids === null ? null : new Set(mailbox.pick(cmd.uids, true).map((p) => p.message.uid));
  const uids = now
    .filter((m) => m.flags.includes('\\Deleted') && (inSet === null || inSet.has(m.uid)))
    .map((m) => m.uid);
  if (uids.length) {
    await ctx.deps.store.expunge(mailbox.id, uids, { origin: ctx.origin });
    mailbox.markChanged();
  }
  if (!ctx.enabled.has('CONDSTORE')) return ok(cmd.tag, 'EXPUNGE completed');
  // RFC 7162 §3.2.7: the mailbox's HIGHESTMODSEQ after the expunge. Read before the session
  // lists the mailbox for its updates (forced here), so the client is told of all it covers.
  const info = await ctx.deps.store.getMailboxById(mailbox.id);
  mailbox.markChanged();
  if (info === null) return ok(cmd.tag, 'EXPUNGE completed');
  return ok(cmd.tag, 'EXPUNGE completed', { code: 'HIGHESTMODSEQ', value: info.highestModSeq });
}

/**
 * COPY / MOVE (RFC 6851) and their UID forms: `[COPYUID v source dest]` (RFC 4315); a missing
 * destination is `NO [TRYCREATE]`. MOVE is atomic in the store and sends its COPYUID untagged
 * before the EXPUNGE responses (RFC 6851 §4.3), which come from the change tracking.
 */
export async function copyCommand(
  ctx: ImapSessionContext,
  cmd: CommandOf<'COPY' | 'MOVE'>,
  state: SelectedState,
): Promise<ImapReply> {
  const { mailbox } = state;
  if (mailbox.gone) return mailboxGone(cmd.tag);
  if (cmd.name === 'MOVE' && mailbox.readOnly) {
    return no(cmd.tag, 'Mailbox is read-only', { code: 'READ-ONLY' });
  }
  return storeCall(cmd.tag, async () => {
    const { store } = ctx.deps;
    const dest = await store.getMailbox(state.user, cmd.mailbox);
    if (dest === null) return no(cmd.tag, 'No such mailbox', { code: 'TRYCREATE' });
    const uids = mailbox.pick(cmd.set, cmd.uid).map((p) => p.message.uid);
    if (uids.length === 0) return ok(cmd.tag, `${cmd.name} completed`);
    const pairs =
      cmd.name === 'MOVE'
        ? await store.move(mailbox.id, uids, dest.id, { origin: ctx.origin })
        : await store.copy(mailbox.id, uids, dest.id, { origin: ctx.origin });
    mailbox.markChanged();
    if (pairs.length === 0) return ok(cmd.tag, `${cmd.name} completed`);
    const code = {
      code: 'COPYUID' as const,
      uidValidity: dest.uidValidity,
      sourceUids: pairs.map(([s]) => s),
      destinationUids: pairs.map(([, d]) => d),
    };
    if (cmd.name === 'COPY') return ok(cmd.tag, 'COPY completed', code);
    return ok(cmd.tag, 'MOVE completed', null, [statusLine(null, 'OK', 'Moved', code)]);
  });
}
