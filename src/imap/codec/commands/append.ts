/**
 * APPEND (RFC 9051 §6.3.12): mailbox, optional flag list, optional date-time, then the message
 * as a literal or a literal8 (`~{n}`, RFC 3516 §4.4). The message literal is the one literal
 * allowed to be as large as the APPEND limit (APPENDLIMIT, RFC 7889): the reader's
 * NeedLiteral('message') tells the parser which limit applies. MULTIAPPEND is not supported.
 */
import type { CommandBody } from '../command.js';
import { dateTime, flagList, mailbox } from '../grammar.js';
import type { Reader } from '../reader.js';

/** APPEND after the command name. */
export function parseAppend(r: Reader): CommandBody {
  r.sp();
  const box = mailbox(r);
  r.sp();
  let flags: string[] = [];
  if (r.peek() === 0x28) {
    flags = flagList(r);
    r.sp();
  }
  let date: Date | null = null;
  if (r.peek() === 0x22) {
    date = dateTime(r);
    r.sp();
  }
  if (!r.atLiteral()) r.fail('expected the message as a literal');
  const binary = r.literalIsBinary();
  const message = r.literal('message');
  r.end();
  return { name: 'APPEND', mailbox: box, flags, date, message, binary };
}
