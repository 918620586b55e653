/**
 * STORE and UID STORE (RFC 9051 §6.4.6): `FLAGS`, `+FLAGS`, `-FLAGS`, each optionally
 * `.SILENT`, with a flag list or bare flags, and the UNCHANGEDSINCE modifier (RFC 7162 §3.1.3).
 */
import type { CommandBody } from '../command.js';
import { flag, flagList, modSeq, sequenceSet } from '../grammar.js';
import type { Reader } from '../reader.js';

/** STORE / UID STORE after the command name. */
export function parseStore(r: Reader, uid: boolean): CommandBody {
  r.sp();
  const set = sequenceSet(r);
  r.sp();
  let unchangedSince: number | null = null;
  if (r.peek() === 0x28) {
    const values = r.list(() => {
      if (r.keyword('a store modifier') !== 'UNCHANGEDSINCE') r.fail('unknown store modifier');
      r.sp();
      return modSeq(r, true);
    });
    const [value] = values;
    if (value === undefined || values.length > 1) r.fail('repeated store modifier');
    unchangedSince = value;
    r.sp();
  }
  const operation = r.eat(0x2b) ? 'add' : r.eat(0x2d) ? 'remove' : 'replace';
  const item = r.keyword('FLAGS');
  if (item !== 'FLAGS' && item !== 'FLAGS.SILENT') r.fail('expected FLAGS or FLAGS.SILENT');
  r.sp();
  let flags: string[];
  if (r.peek() === 0x28) {
    flags = flagList(r);
  } else {
    flags = [flag(r)];
    while (r.eat(0x20)) {
      flags.push(flag(r));
      if (flags.length > r.limits.maxListItems) r.fail('too many flags');
    }
  }
  r.end();
  return { name: 'STORE', uid, set, unchangedSince, operation, silent: item === 'FLAGS.SILENT', flags };
}
