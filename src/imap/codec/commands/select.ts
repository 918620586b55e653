/**
 * SELECT and EXAMINE (RFC 9051 §6.3.2, §6.3.3) with the CONDSTORE parameter (RFC 7162 §3.1.8)
 * and QRESYNC's (uidvalidity modseq [known-uids] [(seq-match-data)]) (RFC 7162 §3.2.5).
 */
import type { CommandBody, QresyncParams } from '../command.js';
import { mailbox, modSeq, sequenceSet } from '../grammar.js';
import type { Reader } from '../reader.js';

function qresync(r: Reader): QresyncParams {
  r.expect(0x28, '( after QRESYNC');
  r.enter();
  const uidValidity = r.nzNumber('a UIDVALIDITY');
  r.sp();
  const seq = modSeq(r);
  let knownUids: QresyncParams['knownUids'] = null;
  let seqMatch: QresyncParams['seqMatch'] = null;
  while (r.eat(0x20)) {
    if (r.peek() === 0x28) {
      if (seqMatch !== null) r.fail('repeated QRESYNC sequence match data');
      r.expect(0x28, '(');
      r.enter();
      const seqs = sequenceSet(r);
      r.sp();
      const uids = sequenceSet(r);
      r.expect(0x29, ') after the sequence match data');
      r.leave();
      seqMatch = { seqs, uids };
    } else {
      if (knownUids !== null || seqMatch !== null) r.fail('unexpected QRESYNC parameter');
      knownUids = sequenceSet(r);
    }
  }
  r.expect(0x29, ') after the QRESYNC parameters');
  r.leave();
  return { uidValidity, modSeq: seq, knownUids, seqMatch };
}

/** SELECT / EXAMINE after the command name. */
export function parseSelect(r: Reader, name: 'SELECT' | 'EXAMINE'): CommandBody {
  r.sp();
  const box = mailbox(r);
  const params: { condstore: boolean; qresync: QresyncParams | null } = { condstore: false, qresync: null };
  if (r.eat(0x20)) {
    r.list(() => {
      const word = r.keyword('a select parameter');
      if (word === 'CONDSTORE' && !params.condstore) params.condstore = true;
      else if (word === 'QRESYNC' && params.qresync === null) {
        r.sp();
        params.qresync = qresync(r);
      } else r.fail(`unknown or repeated select parameter ${word}`);
      return word;
    });
  }
  r.end();
  return { name, mailbox: box, ...params };
}
