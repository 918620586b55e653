/**
 * Mailbox management (RFC 9051 §6.3): CREATE (with RFC 6154 USE), DELETE, RENAME, SUBSCRIBE,
 * UNSUBSCRIBE, NAMESPACE and STATUS. Every operation names the logged-in user's mailboxes only:
 * the user comes from the state, never from the command.
 */
import type { SpecialUse } from '../../../mail/index.js';
import { namespaceResponse, statusResponse, type StatusItem } from '../../codec/index.js';
import type { ImapSessionContext } from '../context.js';
import { no, ok, type ImapReply } from '../reply.js';
import type { AuthenticatedState, SelectedState } from '../state.js';
import { storeCall } from './store-errors.js';
import type { CommandOf } from './types.js';

type LoggedIn = AuthenticatedState | SelectedState;

const SPECIAL_USES: readonly SpecialUse[] = ['\\Sent', '\\Drafts', '\\Trash', '\\Junk', '\\Archive'];

/** A trailing separator only declares the intent to create children (RFC 9051 §6.3.4). */
function withoutTrailingSeparator(name: string): string {
  return name.endsWith('/') ? name.slice(0, -1) : name;
}

/** CREATE name [(USE (attrs))]. */
export function createCommand(ctx: ImapSessionContext, cmd: CommandOf<'CREATE'>, state: LoggedIn) {
  return storeCall(cmd.tag, async () => {
    let specialUse: SpecialUse | undefined;
    for (const attr of cmd.use ?? []) {
      const use = SPECIAL_USES.find((u) => u.toLowerCase() === attr.toLowerCase());
      if (use === undefined || specialUse !== undefined) {
        return no(cmd.tag, 'Unsupported special-use attribute', { code: 'USEATTR' });
      }
      specialUse = use;
    }
    await ctx.deps.store.createMailbox(state.user, withoutTrailingSeparator(cmd.mailbox), {
      origin: ctx.origin,
      ...(specialUse === undefined ? {} : { specialUse }),
    });
    return ok(cmd.tag, 'CREATE completed');
  });
}

/** DELETE name (INBOX cannot be deleted; children stay, RFC 9051 §6.3.5). */
export function deleteCommand(ctx: ImapSessionContext, cmd: CommandOf<'DELETE'>, state: LoggedIn) {
  return storeCall(cmd.tag, async () => {
    if (state.kind === 'selected' && state.mailbox.name === cmd.mailbox) {
      state.mailbox.close();
      ctx.state = { kind: 'authenticated', user: state.user };
    }
    await ctx.deps.store.deleteMailbox(state.user, cmd.mailbox, { origin: ctx.origin });
    return ok(cmd.tag, 'DELETE completed');
  });
}

/** RENAME from to (children follow; INBOX's messages move, RFC 9051 §6.3.6). */
export function renameCommand(ctx: ImapSessionContext, cmd: CommandOf<'RENAME'>, state: LoggedIn) {
  return storeCall(cmd.tag, async () => {
    await ctx.deps.store.renameMailbox(state.user, cmd.from, withoutTrailingSeparator(cmd.to), {
      origin: ctx.origin,
    });
    return ok(cmd.tag, 'RENAME completed');
  });
}

/** SUBSCRIBE / UNSUBSCRIBE name (the name need not exist, RFC 9051 §6.3.7). */
export function subscribeCommand(
  ctx: ImapSessionContext,
  cmd: CommandOf<'SUBSCRIBE' | 'UNSUBSCRIBE'>,
  state: LoggedIn,
) {
  return storeCall(cmd.tag, async () => {
    await ctx.deps.store.setSubscribed(state.user, cmd.mailbox, cmd.name === 'SUBSCRIBE', {
      origin: ctx.origin,
    });
    return ok(cmd.tag, `${cmd.name} completed`);
  });
}

/** NAMESPACE (RFC 2342): one personal namespace, `""` with `/`. */
export function namespaceCommand(_ctx: ImapSessionContext, cmd: CommandOf<'NAMESPACE'>): ImapReply {
  return ok(cmd.tag, 'NAMESPACE completed', null, [namespaceResponse()]);
}

/** The values of STATUS items for one mailbox (also LIST RETURN (STATUS …), RFC 5819). */
export async function statusValues(
  ctx: ImapSessionContext,
  user: string,
  name: string,
  items: readonly StatusItem[],
): Promise<[StatusItem, number][] | null> {
  const { store } = ctx.deps;
  const info = await store.getMailbox(user, name);
  if (info === null) return null;
  const needsList = items.includes('DELETED') || items.includes('SIZE');
  const messages = needsList ? await store.listMessages(info.id) : [];
  return items.map((item): [StatusItem, number] => {
    switch (item) {
      case 'MESSAGES':
        return [item, info.messages];
      case 'UIDNEXT':
        return [item, info.uidNext];
      case 'UIDVALIDITY':
        return [item, info.uidValidity];
      case 'UNSEEN':
        return [item, info.unseen];
      case 'DELETED':
        return [item, messages.filter((m) => m.flags.includes('\\Deleted')).length];
      case 'SIZE':
        return [item, messages.reduce((n, m) => n + m.size, 0)];
      case 'RECENT':
        return [item, 0];
      case 'HIGHESTMODSEQ':
        return [item, info.highestModSeq];
      case 'APPENDLIMIT':
        return [item, ctx.deps.maxMessageSize];
    }
  });
}

/** STATUS name (items). */
export function statusCommand(ctx: ImapSessionContext, cmd: CommandOf<'STATUS'>, state: LoggedIn) {
  return storeCall(cmd.tag, async () => {
    const values = await statusValues(ctx, state.user, cmd.mailbox, cmd.items);
    if (values === null) return no(cmd.tag, 'No such mailbox', { code: 'NONEXISTENT' });
    // RFC 7162 §3.1: STATUS (HIGHESTMODSEQ) is a CONDSTORE enabling command.
    if (cmd.items.includes('HIGHESTMODSEQ')) ctx.enable('CONDSTORE');
    return ok(cmd.tag, 'STATUS completed', null, [statusResponse(cmd.mailbox, values, ctx.utf8)]);
  });
}
