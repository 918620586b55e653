/**
 * Commands valid in every state (RFC 9051 §6.1): CAPABILITY, NOOP, LOGOUT, and ID (RFC 2971);
 * ENABLE (RFC 5161, with CONDSTORE and QRESYNC of RFC 7162), valid once authenticated.
 */
import { capabilityResponse, enabledResponse, idResponse } from '../../codec/index.js';
import type { Enableable, ImapSessionContext } from '../context.js';
import { ok } from '../reply.js';
import type { CommandOf } from './types.js';

/** CAPABILITY (RFC 9051 §6.1.1). */
export function capabilityCommand(ctx: ImapSessionContext, cmd: CommandOf<'CAPABILITY'>) {
  return ok(cmd.tag, 'CAPABILITY completed', null, [capabilityResponse(ctx.capabilities())]);
}

/** NOOP (RFC 9051 §6.1.2): the session adds the untagged updates it owes. */
export function noopCommand(_ctx: ImapSessionContext, cmd: CommandOf<'NOOP' | 'CHECK'>) {
  return ok(cmd.tag, `${cmd.name} completed`);
}

/** LOGOUT (RFC 9051 §6.1.3): `* BYE`, then the tagged OK, then the connection closes. */
export function logoutCommand(ctx: ImapSessionContext, cmd: CommandOf<'LOGOUT'>) {
  ctx.state = { kind: 'logout' };
  ctx.end();
  return ok(cmd.tag, 'LOGOUT completed', null, ['* BYE Logging out']);
}

/** What ID tells about the server (RFC 2971 §3.3 field names). */
const SERVER_ID: readonly (readonly [string, string])[] = [
  ['name', 'Outpost'],
  ['vendor', 'Outpost'],
];

/** ID (RFC 2971): the client's fields are only logged; ours are sent back. */
export function idCommand(ctx: ImapSessionContext, cmd: CommandOf<'ID'>) {
  if (cmd.params !== null) {
    ctx.deps.logger.debug({ session: ctx.conn.id, id: Object.fromEntries(cmd.params) }, 'imap: client ID');
  }
  return ok(cmd.tag, 'ID completed', null, [idResponse(SERVER_ID)]);
}

/** The capabilities ENABLE accepts (RFC 5161 §3.1: others are ignored). */
const ENABLEABLE: ReadonlyMap<string, Enableable> = new Map([
  ['IMAP4REV2', 'IMAP4rev2'],
  ['UTF8=ACCEPT', 'UTF8=ACCEPT'],
  ['CONDSTORE', 'CONDSTORE'],
  ['QRESYNC', 'QRESYNC'],
]);

/**
 * ENABLE (RFC 5161): `* ENABLED` lists what this command newly turned on, of what it named
 * (ENABLE QRESYNC turns CONDSTORE on too but answers `* ENABLED QRESYNC`, RFC 7162 §3.2.3).
 */
export function enableCommand(ctx: ImapSessionContext, cmd: CommandOf<'ENABLE'>) {
  const before = new Set(ctx.enabled);
  const turnedOn: string[] = [];
  for (const name of cmd.capabilities) {
    const extension = ENABLEABLE.get(name.toUpperCase());
    if (extension === undefined || before.has(extension) || turnedOn.includes(extension)) continue;
    ctx.enable(extension);
    turnedOn.push(extension);
  }
  return ok(cmd.tag, 'ENABLE completed', null, [enabledResponse(turnedOn)]);
}
