/**
 * QRESYNC's answers about the past (RFC 7162 §3.2): which of a client's known UIDs vanished
 * since its MODSEQ (`* VANISHED (EARLIER) …`, for SELECT/EXAMINE (QRESYNC …) and UID FETCH
 * (CHANGEDSINCE n VANISHED)), and the `FETCH (UID FLAGS MODSEQ)` of what changed since then.
 * The store's expunge log answers exactly while it reaches back to the MODSEQ; past its floor the
 * answer is the superset §3.2.10.1 allows (every UID of the known set below the mailbox's
 * UIDNEXT that is not in it), narrowed by the client's sequence match data (§3.2.5.2). Sets stay
 * ranges throughout: a known-uids set of 1:4294967295 is never expanded.
 */
import type { MailStore } from '../../../mail/index.js';
import {
  flagsFetchResponse,
  inRanges,
  resolveRanges,
  vanishedRangesResponse,
  vanishedResponse,
  type NumberRange,
  type QresyncParams,
  type SequenceSet,
} from '../../codec/index.js';
import type { SelectedMailbox } from '../selected-mailbox.js';

/** The resolved ranges of a UID set (`*`: the highest UID the client may know); `$` names none. */
export function uidRanges(set: SequenceSet | null, mailbox: SelectedMailbox): NumberRange[] {
  const max = Math.max(mailbox.uidBound - 1, mailbox.messages[mailbox.messages.length - 1]?.uid ?? 0);
  if (set === null) return max > 0 ? [{ low: 1, high: max }] : [];
  if (set.kind !== 'ranges') return [];
  return resolveRanges(set.ranges, max);
}

/**
 * `* VANISHED (EARLIER) …` for the UIDs in `known` expunged since `modSeq`, or null. UIDs the
 * session still holds (expunged, not yet reported) are left to its own `* VANISHED`.
 */
export async function vanishedEarlier(
  store: MailStore,
  mailbox: SelectedMailbox,
  modSeq: number,
  known: readonly NumberRange[],
  seqMatch: QresyncParams['seqMatch'] = null,
): Promise<string | null> {
  if (known.length === 0) return null;
  const logged = await store.expungedSince(mailbox.id, modSeq);
  if (logged !== null) {
    return vanishedResponse(
      logged.filter((uid) => inRanges(known, uid) && !mailbox.has(uid)),
      true,
    );
  }
  const above = seqMatch === null ? 0 : matchedUid(mailbox, seqMatch);
  return vanishedRangesResponse(gaps(mailbox, known, above), true);
}

/**
 * The highest UID of the client's sequence match data (§3.2.5.2) whose sequence number still
 * names it, before the first pair that does not: every message below it is still there, so
 * nothing below it vanished. Walks at most one pair past the known messages.
 */
function matchedUid(mailbox: SelectedMailbox, seqMatch: NonNullable<QresyncParams['seqMatch']>): number {
  const { messages } = mailbox;
  if (seqMatch.seqs.kind !== 'ranges' || seqMatch.uids.kind !== 'ranges') return 0;
  const seqs = members(resolveRanges(seqMatch.seqs.ranges, messages.length));
  const uids = members(uidRanges(seqMatch.uids, mailbox));
  let matched = 0;
  for (;;) {
    const seq = seqs.next();
    const uid = uids.next();
    if (seq.done === true || uid.done === true) return matched;
    if (messages[seq.value - 1]?.uid !== uid.value) return matched;
    matched = uid.value;
  }
}

/** The members of resolved ranges, ascending, one at a time. */
function* members(ranges: readonly NumberRange[]): Generator<number> {
  for (const r of ranges) for (let n = r.low; n <= r.high; n++) yield n;
}

/**
 * The UIDs of `known` above `above` and below the mailbox's UID bound that the session does not
 * hold, as ranges: one pass over the known messages (ascending UIDs) per range.
 */
function gaps(mailbox: SelectedMailbox, known: readonly NumberRange[], above: number): NumberRange[] {
  const held = mailbox.messages;
  const out: NumberRange[] = [];
  let i = 0;
  for (const r of known) {
    const high = Math.min(r.high, mailbox.uidBound - 1);
    let low = Math.max(r.low, above + 1);
    while (low <= high) {
      while (i < held.length && (held[i]?.uid ?? 0) < low) i++;
      const next = held[i]?.uid ?? Infinity;
      if (next > high) {
        out.push({ low, high });
        break;
      }
      if (next > low) out.push({ low, high: next - 1 });
      low = next + 1;
    }
  }
  return out;
}

/**
 * SELECT/EXAMINE (QRESYNC …) after the mailbox is open (§3.2.5): nothing when UIDVALIDITY
 * changed; else the vanished known UIDs, then `FETCH (UID FLAGS MODSEQ)` of every known message
 * changed since the client's MODSEQ, from the same listing the session's view came from.
 */
export async function qresyncSelect(
  store: MailStore,
  mailbox: SelectedMailbox,
  params: QresyncParams,
): Promise<string[]> {
  if (params.uidValidity !== mailbox.uidValidity) return [];
  const known = uidRanges(params.knownUids, mailbox);
  const lines: string[] = [];
  const vanished = await vanishedEarlier(store, mailbox, params.modSeq, known, params.seqMatch);
  if (vanished !== null) lines.push(vanished);
  mailbox.messages.forEach((m, i) => {
    if (m.modSeq > params.modSeq && inRanges(known, m.uid)) {
      lines.push(flagsFetchResponse(i + 1, m.uid, m.flags, m.modSeq));
    }
  });
  return lines;
}
