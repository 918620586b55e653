/**
 * The commands that act on a set of messages besides FETCH, STORE and SEARCH: COPY and MOVE
 * (RFC 9051 §6.4.7, RFC 6851), their UID forms, EXPUNGE and UID EXPUNGE (RFC 4315 §2.1).
 */
import type { CommandBody } from '../command.js';
import { mailbox, sequenceSet } from '../grammar.js';
import type { Reader } from '../reader.js';

/** COPY / MOVE (and UID COPY / UID MOVE) after the command name. */
export function parseCopyMove(r: Reader, name: 'COPY' | 'MOVE', uid: boolean): CommandBody {
  r.sp();
  const set = sequenceSet(r);
  r.sp();
  const box = mailbox(r);
  r.end();
  return { name, uid, set, mailbox: box };
}

/** EXPUNGE (no arguments) or UID EXPUNGE sequence-set. */
export function parseExpunge(r: Reader, uid: boolean): CommandBody {
  if (!uid) {
    r.end();
    return { name: 'EXPUNGE', uids: null };
  }
  r.sp();
  const uids = sequenceSet(r);
  r.end();
  return { name: 'EXPUNGE', uids };
}
