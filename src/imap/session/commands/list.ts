/**
 * LIST (RFC 9051 §6.3.9 with RFC 5258's extended form: selection options SUBSCRIBED,
 * RECURSIVEMATCH and SPECIAL-USE, return options SUBSCRIBED, CHILDREN, SPECIAL-USE and, RFC
 * 5819, STATUS) and LSUB (RFC 3501 §6.3.9). The hierarchy comes from the user's mailbox names
 * with `/`: a name that has children but no mailbox of its own is `\Noselect` (RFC 9051 §6.3.5);
 * subscribed names without a mailbox are `\NonExistent` (RFC 5258 §3.4). Special-use attributes
 * are always returned (RFC 6154 §2 allows it), and so are `\HasChildren`/`\HasNoChildren`.
 */
import { listResponse, statusResponse, type ListEntry } from '../../codec/index.js';
import type { ImapSessionContext } from '../context.js';
import { ok, type ImapReply } from '../reply.js';
import type { AuthenticatedState, SelectedState } from '../state.js';
import { statusValues } from './mailboxes.js';
import type { CommandOf } from './types.js';

const SEPARATOR = '/';

type LoggedIn = AuthenticatedState | SelectedState;

/** A LIST pattern as a matcher: `*` matches anything, `%` anything but the separator. */
export function patternMatcher(pattern: string): (name: string) => boolean {
  let source = '';
  for (const ch of pattern) {
    if (ch === '*') source += '.*';
    else if (ch === '%') source += '[^/]*';
    else source += ch.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  const exact = new RegExp(`^${source}$`, 's');
  // INBOX is case-insensitive (RFC 9051 §5.1), in patterns too.
  const inbox = new RegExp(`^${source}$`, 'is');
  return (name) =>
    exact.test(name) ||
    ((name === 'INBOX' || name.startsWith('INBOX/')) && inbox.test(name) && /^inbox/i.test(pattern));
}

/** One name of the user's hierarchy. */
interface Node {
  readonly name: string;
  /** A mailbox exists under this name (else it is only a superior level of others). */
  readonly exists: boolean;
  readonly specialUse: string | null;
  subscribed: boolean;
  hasChildren: boolean;
  /** Some name below it is subscribed (RECURSIVEMATCH CHILDINFO). */
  subscribedChild: boolean;
}

/** Every name of the user's hierarchy: mailboxes, their superior levels, subscribed names. */
async function hierarchy(ctx: ImapSessionContext, user: string): Promise<Map<string, Node>> {
  const { store } = ctx.deps;
  const [mailboxes, subscriptions] = await Promise.all([
    store.listMailboxes(user),
    store.listSubscriptions(user),
  ]);
  const nodes = new Map<string, Node>();
  const add = (name: string, exists: boolean, specialUse: string | null): Node => {
    let node = nodes.get(name);
    if (node === undefined || (exists && !node.exists)) {
      node = {
        name,
        exists,
        specialUse,
        subscribed: node?.subscribed ?? false,
        hasChildren: node?.hasChildren ?? false,
        subscribedChild: node?.subscribedChild ?? false,
      };
      nodes.set(name, node);
    }
    return node;
  };
  for (const m of mailboxes) add(m.name, true, m.specialUse === '\\Inbox' ? null : m.specialUse);
  for (const name of [...nodes.keys()]) {
    const levels = name.split(SEPARATOR);
    for (let i = 1; i < levels.length; i++)
      add(levels.slice(0, i).join(SEPARATOR), false, null).hasChildren = true;
  }
  for (const name of subscriptions) {
    const node = nodes.get(name) ?? add(name, false, null);
    node.subscribed = true;
    const levels = name.split(SEPARATOR);
    for (let i = 1; i < levels.length; i++) {
      const parent = nodes.get(levels.slice(0, i).join(SEPARATOR));
      if (parent) parent.subscribedChild = true;
    }
  }
  return nodes;
}

/** The attributes of a node for LIST. */
function attributes(node: Node, withSubscribed: boolean): string[] {
  const out: string[] = [];
  if (!node.exists) out.push(node.hasChildren ? '\\Noselect' : '\\NonExistent');
  out.push(node.hasChildren ? '\\HasChildren' : '\\HasNoChildren');
  if (withSubscribed && node.subscribed) out.push('\\Subscribed');
  if (node.specialUse !== null) out.push(node.specialUse);
  return out;
}

/** LIST reference patterns, plain or extended. */
export async function listCommand(
  ctx: ImapSessionContext,
  cmd: CommandOf<'LIST'>,
  state: LoggedIn,
): Promise<ImapReply> {
  // RFC 9051 §6.3.9: an empty pattern asks for the delimiter and the root.
  if (!cmd.extended && cmd.patterns.length === 1 && cmd.patterns[0] === '') {
    return ok(cmd.tag, 'LIST completed', null, [
      listResponse({ attributes: ['\\Noselect'], delimiter: SEPARATOR, name: '' }, ctx.utf8),
    ]);
  }
  const nodes = await hierarchy(ctx, state.user);
  const matchers = cmd.patterns.map((p) => patternMatcher(cmd.reference + p));
  const onlySubscribed = cmd.select.includes('SUBSCRIBED');
  const onlySpecialUse = cmd.select.includes('SPECIAL-USE');
  const recursive = cmd.select.includes('RECURSIVEMATCH');
  const withSubscribed = cmd.returns.subscribed || onlySubscribed;
  const lines: string[] = [];
  for (const node of [...nodes.values()].sort((a, b) => compareNames(a.name, b.name))) {
    if (!matchers.some((m) => m(node.name))) continue;
    const childInfo = recursive && node.subscribedChild && !node.subscribed ? ['SUBSCRIBED'] : [];
    if (onlySubscribed && !node.subscribed && childInfo.length === 0) continue;
    if (!onlySubscribed && !node.exists && !node.hasChildren) continue;
    if (onlySpecialUse && node.specialUse === null) continue;
    const entry: ListEntry = {
      attributes: attributes(node, withSubscribed),
      delimiter: SEPARATOR,
      name: node.name,
      ...(childInfo.length ? { childInfo } : {}),
    };
    lines.push(listResponse(entry, ctx.utf8));
    if (cmd.returns.status !== null && node.exists) {
      const values = await statusValues(ctx, state.user, node.name, cmd.returns.status);
      if (values !== null) lines.push(statusResponse(node.name, values, ctx.utf8));
    }
  }
  return ok(cmd.tag, 'LIST completed', null, lines);
}

/** LSUB reference pattern (RFC 3501 §6.3.9): subscribed names; `\Noselect` for missing ones. */
export async function lsubCommand(
  ctx: ImapSessionContext,
  cmd: CommandOf<'LSUB'>,
  state: LoggedIn,
): Promise<ImapReply> {
  const nodes = await hierarchy(ctx, state.user);
  const matches = patternMatcher(cmd.reference + cmd.pattern);
  const lines: string[] = [];
  for (const node of [...nodes.values()].sort((a, b) => compareNames(a.name, b.name))) {
    if (!node.subscribed || !matches(node.name)) continue;
    const entry: ListEntry = {
      attributes: node.exists ? [] : ['\\Noselect'],
      delimiter: SEPARATOR,
      name: node.name,
    };
    lines.push(listResponse(entry, ctx.utf8, 'LSUB'));
  }
  return ok(cmd.tag, 'LSUB completed', null, lines);
}

/** INBOX first, then by name. */
function compareNames(a: string, b: string): number {
  if (a === 'INBOX') return -1;
  if (b === 'INBOX') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
