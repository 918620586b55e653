/**
 * COPY and MOVE for every mail-store backend: the backend's own copy and expunge steps run in
 * the order RFC 6851 asks (the copies, then, for a MOVE, the originals expunged in the same
 * write), with the events each records (append on the destination, then expunge on the source).
 */
import { messageChange, type EventMailbox } from './change-hub.js';
import type { ChangeOrigin, StoreChange } from './types.js';

/** A transfer's kind and the origin its events carry. */
export interface TransferHow {
  readonly move: boolean;
  readonly who: ChangeOrigin;
}

/** What a backend does for a transfer, inside its write. */
export interface TransferSteps<B extends EventMailbox> {
  /** Copies what exists of `uids`: `[source, destination]` UID pairs and the last MODSEQ given. */
  copy(from: B, uids: readonly number[], to: B): { pairs: [number, number][]; modSeq: number };
  /** Removes what exists of `uids`, with one new MODSEQ for the lot. */
  expunge(from: B, uids: readonly number[]): { uids: number[]; modSeq: number };
}

/** Copies `uids` of `from` to `to`, and for a MOVE expunges the originals; records the events
 *  in `changes` and returns the `[source, destination]` UID pairs. */
export function transferMessages<B extends EventMailbox>(
  from: B,
  uids: readonly number[],
  to: B,
  how: TransferHow,
  changes: StoreChange[],
  steps: TransferSteps<B>,
): [number, number][] {
  const { pairs, modSeq } = steps.copy(from, uids, to);
  if (pairs.length === 0) return pairs;
  changes.push(
    messageChange(
      'append',
      to,
      pairs.map(([, uid]) => uid),
      modSeq,
      how.who,
    ),
  );
  if (how.move) {
    const removed = steps.expunge(
      from,
      pairs.map(([uid]) => uid),
    );
    changes.push(messageChange('expunge', from, removed.uids, removed.modSeq, how.who));
  }
  return pairs;
}
