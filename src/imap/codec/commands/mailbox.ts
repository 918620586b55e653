/**
 * The mailbox management commands (RFC 9051 §6.3): CREATE (with RFC 6154's USE attributes),
 * DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE and STATUS.
 */
import type { CommandBody } from '../command.js';
import { flag, mailbox, statusItems } from '../grammar.js';
import type { Reader } from '../reader.js';

/** CREATE after the command name: `CREATE mailbox [(USE (\Sent …))]` (RFC 6154 §3). */
export function parseCreate(r: Reader): CommandBody {
  r.sp();
  const box = mailbox(r);
  let use: string[] | null = null;
  if (r.eat(0x20)) {
    r.list(() => {
      if (r.keyword('a CREATE parameter') !== 'USE' || use !== null)
        r.fail('unknown or repeated CREATE parameter');
      r.sp();
      const attrs = r.list(() => flag(r), true, 'special-use attributes');
      if (attrs.some((a) => !a.startsWith('\\'))) r.fail('special-use attributes start with a backslash');
      use = attrs;
      return attrs;
    });
  }
  r.end();
  return { name: 'CREATE', mailbox: box, use };
}

/** DELETE, SUBSCRIBE and UNSUBSCRIBE after the command name. */
export function parseOneMailbox(r: Reader, name: 'DELETE' | 'SUBSCRIBE' | 'UNSUBSCRIBE'): CommandBody {
  r.sp();
  const box = mailbox(r);
  r.end();
  return { name, mailbox: box };
}

/** RENAME after the command name. */
export function parseRename(r: Reader): CommandBody {
  r.sp();
  const from = mailbox(r);
  r.sp();
  const to = mailbox(r);
  r.end();
  return { name: 'RENAME', from, to };
}

/** STATUS after the command name. */
export function parseStatus(r: Reader): CommandBody {
  r.sp();
  const box = mailbox(r);
  r.sp();
  const items = statusItems(r);
  r.end();
  return { name: 'STATUS', mailbox: box, items };
}
