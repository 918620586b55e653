/**
 * IDLE (RFC 2177, RFC 9051 §6.3.13): `+ idling`, then, until the client sends DONE, the
 * selected mailbox's changes as they happen (the store's change events interrupt the command
 * read) and `* OK Still here` every IMAP_LIMITS.idleKeepaliveMs (NAT keepalive), timed on the
 * connection's clock like its timeouts (so tests drive both with one fake clock). The line
 * layer's idle timeout (30 minutes once logged in; interrupts are not client activity) ends an
 * IDLE the client forgot, no sooner than RFC 2177 allows.
 */
import type { ClockTimer } from '../../../core/clock.js';
import { continuation, isIdleDone, statusLine } from '../../codec/index.js';
import { IMAP_LIMITS } from '../../limits.js';
import type { ImapSessionContext } from '../context.js';
import { bad, ok, type ImapReply } from '../reply.js';
import type { AuthenticatedState, SelectedState } from '../state.js';
import type { CommandOf } from './types.js';

/** IDLE … DONE. */
export async function idleCommand(
  ctx: ImapSessionContext,
  cmd: CommandOf<'IDLE'>,
  state: AuthenticatedState | SelectedState,
): Promise<ImapReply | null> {
  const { conn } = ctx;
  const mailbox = state.kind === 'selected' ? state.mailbox : null;
  if (mailbox) conn.writeLines(await mailbox.updates(true));
  conn.writeLine(continuation('idling'));
  const { clock } = conn;
  const every = ctx.idleKeepaliveMs ?? IMAP_LIMITS.idleKeepaliveMs;
  const arm = (): ClockTimer =>
    clock.setTimeout(() => {
      conn.interrupt('keepalive');
      keepalive = arm();
    }, every);
  let keepalive = arm();
  try {
    for (;;) {
      const read = await conn.readLine({ command: true, interruptible: true });
      switch (read.kind) {
        case 'interrupted':
          if (read.reason === 'keepalive') conn.writeLine(statusLine(null, 'OK', 'Still here'));
          if (mailbox) conn.writeLines(await mailbox.updates(true));
          continue;
        case 'line':
          return isIdleDone(read.raw) ? ok(cmd.tag, 'IDLE terminated') : bad(cmd.tag, 'Expected DONE');
        case 'timeout':
          conn.writeLine(statusLine(null, 'BYE', 'Idle for too long'));
          ctx.end();
          return null;
        case 'shutdown':
          conn.writeLine(statusLine(null, 'BYE', 'Server shutting down', { code: 'UNAVAILABLE' }));
          ctx.end();
          return null;
        case 'end':
        case 'overflow':
          ctx.end();
          return null;
      }
    }
  } finally {
    clock.clearTimeout(keepalive);
  }
}
