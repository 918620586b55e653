/**
 * The types the command table and its handlers share: a command of one name, the state a handler
 * of a row runs in, and the handler's signature.
 */
import type { CommandResult } from '../../../core/session/command-turn.js';
import type { Command, CommandName } from '../../codec/index.js';
import type { ImapSessionContext } from '../context.js';
import type { ImapReply } from '../reply.js';
import type { ImapState, ImapStateKind } from '../state.js';

/** The parsed command of name `N` (an intersection, so rows sharing one shape, like DELETE and
 *  SUBSCRIBE, narrow too). */
export type CommandOf<N extends CommandName> = Command & { readonly name: N };

/** The state a handler of a command valid in the states `K` runs in. */
export type StateIn<K extends ImapStateKind> = Extract<ImapState, { readonly kind: K }>;

/** A command handler: runs in one of its row's states and returns the reply (null: no one left). */
export type ImapHandler<N extends CommandName, K extends ImapStateKind> = (
  ctx: ImapSessionContext,
  cmd: CommandOf<N>,
  state: StateIn<K>,
) => CommandResult<ImapReply> | Promise<CommandResult<ImapReply>>;
