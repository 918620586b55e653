/**
 * LIST (RFC 9051 §6.3.9 with RFC 5258's extended form: selection options, several patterns,
 * RETURN options including STATUS from RFC 5819 and SPECIAL-USE from RFC 6154) and LSUB
 * (RFC 3501 §6.3.9, rev1 only).
 */
import type { CommandBody, ListSelectOption, StatusItem } from '../command.js';
import { listMailbox, mailbox, statusItems } from '../grammar.js';
import type { Reader } from '../reader.js';

const SELECT_OPTIONS: readonly ListSelectOption[] = ['SUBSCRIBED', 'REMOTE', 'RECURSIVEMATCH', 'SPECIAL-USE'];

/** LIST after the command name. */
export function parseList(r: Reader): CommandBody {
  r.sp();
  let extended = false;
  let select: ListSelectOption[] = [];
  if (r.peek() === 0x28) {
    extended = true;
    select = r.list(
      () => {
        const word = r.keyword('a LIST selection option');
        const opt = SELECT_OPTIONS.find((o) => o === word);
        if (opt === undefined) r.fail(`unknown LIST selection option ${word}`);
        return opt;
      },
      true,
      'LIST selection options',
    );
    r.sp();
    // RFC 5258 §3.1: RECURSIVEMATCH alone (or only with REMOTE) is a syntax error.
    if (select.includes('RECURSIVEMATCH') && !select.some((o) => o !== 'RECURSIVEMATCH' && o !== 'REMOTE')) {
      r.fail('RECURSIVEMATCH needs another selection option');
    }
  }
  const reference = mailbox(r);
  r.sp();
  let patterns: string[];
  if (r.peek() === 0x28) {
    extended = true;
    patterns = r.list(() => listMailbox(r), false, 'a pattern list');
  } else {
    patterns = [listMailbox(r)];
  }
  const returns = {
    subscribed: false,
    children: false,
    specialUse: false,
    status: null as StatusItem[] | null,
  };
  if (r.eat(0x20)) {
    if (!r.eatKeyword('RETURN')) r.fail('expected RETURN');
    extended = true;
    r.sp();
    r.list(
      () => {
        const word = r.keyword('a LIST return option');
        if (word === 'SUBSCRIBED') returns.subscribed = true;
        else if (word === 'CHILDREN') returns.children = true;
        else if (word === 'SPECIAL-USE') returns.specialUse = true;
        else if (word === 'STATUS' && returns.status === null) {
          r.sp();
          returns.status = statusItems(r);
        } else r.fail(`unknown or repeated LIST return option ${word}`);
        return word;
      },
      true,
      'LIST return options',
    );
  }
  r.end();
  return { name: 'LIST', reference, patterns, select, returns, extended };
}

/** LSUB after the command name. */
export function parseLsub(r: Reader): CommandBody {
  r.sp();
  const reference = mailbox(r);
  r.sp();
  const pattern = listMailbox(r);
  r.end();
  return { name: 'LSUB', reference, pattern };
}
