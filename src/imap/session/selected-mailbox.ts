/**
 * The selected mailbox as one session sees it (RFC 9051 §7.5.1): the sequence-number map (UIDs
 * in order, as the client was last told), each message's flags as last reported, and whether
 * the store has changed it since. Changes come from the store's change events (another session,
 * an SMTP delivery, a POP3 deletion); the session asks for `updates()` at each command boundary
 * and writes the untagged EXISTS / EXPUNGE / FETCH FLAGS they produce. Expunges are reported
 * only where the command allows them, and until they are reported the expunged messages keep
 * their sequence numbers: nothing is renumbered under a client that has not been told. Once the
 * session has enabled CONDSTORE the FETCH responses carry UID and MODSEQ (RFC 7162 §3.1), and
 * once it has enabled QRESYNC expunges are one `* VANISHED uids` instead (§3.2.10). It also
 * holds the SEARCHRES result (RFC 5182) as UIDs: `$` in any set names those messages, a new
 * selection starts with none, and an expunged message leaves it. The message list itself is the
 * mailbox's listing shared by every session that selected it (mailbox-listings.ts); a session
 * copies it only to hold what differs for its own client.
 */
import type { MailboxInfo, MailStore, MessageInfo } from '../../mail/index.js';
import {
  existsResponse,
  expungeResponse,
  flagsFetchResponse,
  inRanges,
  resolveRanges,
  statusLine,
  vanishedResponse,
  type SequenceSet,
} from '../codec/index.js';
import { holdListing, type KnownMessage, type ListingHandle } from './mailbox-listings.js';

export type { KnownMessage } from './mailbox-listings.js';

/** One session's view of its selected mailbox. */
export class SelectedMailbox {
  readonly id: number;
  readonly name: string;
  readonly uidValidity: number;
  /** EXAMINE, or SELECT of a mailbox the user may not change. */
  readonly readOnly: boolean;
  /** By sequence number - 1: the shared listing, or this session's copy where it differs. */
  #messages: readonly KnownMessage[];
  #dirty = false;
  #gone = false;
  /** UIDs saved by SEARCH RETURN (SAVE) (RFC 5182 `$`); empty until a SEARCH saves. */
  #saved = new Set<number>();
  /** UIDs below this were in the mailbox or expunged when the client was last told (UIDNEXT then). */
  #uidBound: number;
  /** The lowest MODSEQ of an expunge not reported yet (RFC 7162 §3.2: HIGHESTMODSEQ stays below it). */
  #heldExpungeModSeq: number | null = null;
  readonly #listing: ListingHandle;
  readonly #unsubscribe: () => void;
  readonly #onChange: () => void;
  readonly #enabled: ReadonlySet<string>;

  private constructor(
    store: MailStore,
    info: MailboxInfo,
    readOnly: boolean,
    onChange: () => void,
    enabled: ReadonlySet<string>,
  ) {
    this.id = info.id;
    this.name = info.name;
    this.uidValidity = info.uidValidity;
    this.readOnly = readOnly;
    this.#messages = [];
    this.#uidBound = info.uidNext;
    this.#onChange = onChange;
    this.#enabled = enabled;
    const listing = holdListing(store, info.id);
    this.#listing = listing;
    this.#unsubscribe = store.subscribe({ user: info.user, mailboxId: info.id }, (change) => {
      listing.invalidate();
      if (change.kind === 'mailbox-deleted') this.#gone = true;
      if (
        change.kind === 'append' ||
        change.kind === 'flags' ||
        change.kind === 'expunge' ||
        change.kind === 'mailbox-deleted'
      ) {
        if (change.kind === 'expunge') {
          this.#heldExpungeModSeq = Math.min(this.#heldExpungeModSeq ?? Infinity, change.modSeq);
        }
        this.#dirty = true;
        this.#onChange();
      }
    });
  }

  /**
   * Opens `info` for a session; `onChange` is called on every store change to it (IDLE wakes
   * on it). Subscribes before listing, so no change between the two is missed. `enabled` is the
   * session's live set of enabled extensions (CONDSTORE, QRESYNC change what `updates` says).
   */
  static async open(
    store: MailStore,
    info: MailboxInfo,
    readOnly: boolean,
    onChange: () => void = () => undefined,
    enabled: ReadonlySet<string> = new Set(),
  ): Promise<SelectedMailbox> {
    const box = new SelectedMailbox(store, info, readOnly, onChange, enabled);
    try {
      box.#messages = await box.#listing.latest();
    } catch (err) {
      box.close();
      throw err;
    }
    return box;
  }

  /**
   * Another session deleted this mailbox while it was selected: its messages are reported
   * expunged at the next command that allows it, and commands that read or change it answer
   * `NO [NONEXISTENT]` (mailboxGone) instead of reaching the store for a mailbox it no longer has.
   */
  get gone(): boolean {
    return this.#gone;
  }

  /** Messages the client knows of (the highest sequence number). */
  get exists(): number {
    return this.#messages.length;
  }

  /** The known messages, by sequence number - 1. */
  get messages(): readonly KnownMessage[] {
    return this.#messages;
  }

  /**
   * Every UID below this was in the mailbox, or expunged from it, when the client was last
   * brought up to date (QRESYNC's superset of vanished UIDs stops here).
   */
  get uidBound(): number {
    return this.#uidBound;
  }

  /** Whether the client still knows `uid` (expunged messages stay until they are reported). */
  has(uid: number): boolean {
    return this.#seqOf(uid) !== null;
  }

  /** The sequence number of a known UID (binary search: UIDs ascend with sequence numbers). */
  #seqOf(uid: number): number | null {
    let lo = 0;
    let hi = this.#messages.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const m = this.#messages[mid];
      if (m === undefined) return null;
      if (uid < m.uid) hi = mid - 1;
      else if (uid > m.uid) lo = mid + 1;
      else return mid + 1;
    }
    return null;
  }

  /**
   * The known messages a set names, with their sequence numbers, ascending: by sequence number,
   * or by UID (`uid`), where `*` is the highest in use; `$` names the saved SEARCH result
   * (RFC 5182: the same messages whether the command takes numbers or UIDs).
   */
  pick(set: SequenceSet, uid: boolean): { seq: number; message: KnownMessage }[] {
    const list = this.#messages;
    if (set.kind === 'saved') {
      const out: { seq: number; message: KnownMessage }[] = [];
      list.forEach((message, i) => {
        if (this.#saved.has(message.uid)) out.push({ seq: i + 1, message });
      });
      return out;
    }
    const max = uid ? (list[list.length - 1]?.uid ?? 0) : list.length;
    const ranges = resolveRanges(set.ranges, max);
    const out: { seq: number; message: KnownMessage }[] = [];
    for (let i = 0; i < list.length; i++) {
      const message = list[i];
      if (message !== undefined && inRanges(ranges, uid ? message.uid : i + 1)) {
        out.push({ seq: i + 1, message });
      }
    }
    return out;
  }

  /** The UIDs `$` stands for (RFC 5182): empty until a SEARCH RETURN (SAVE). */
  get saved(): ReadonlySet<number> {
    return this.#saved;
  }

  /** Sets the search result variable (SEARCH RETURN (SAVE); an empty list resets it). */
  saveResult(uids: Iterable<number>): void {
    this.#saved = new Set(uids);
  }

  /** This session changed the mailbox itself: report it at the end of the command. */
  markChanged(): void {
    this.#dirty = true;
  }

  /** Records flags this session itself changed (reported in its own reply, not again). */
  learn(changed: readonly MessageInfo[]): void {
    if (changed.length === 0) return;
    const byUid = new Map(changed.map((m) => [m.uid, m]));
    // Copy on write: the listing is shared with other sessions, whose clients were not told.
    this.#messages = this.#messages.map((m) => {
      const c = byUid.get(m.uid);
      return c ? { uid: m.uid, flags: c.flags, modSeq: c.modSeq } : m;
    });
  }

  /** Stops listening to the store (leaving the selected state). Idempotent. */
  close(): void {
    this.#unsubscribe();
    this.#listing.release();
  }

  /**
   * The untagged responses that bring the client up to date: `* n EXPUNGE` or, after ENABLE
   * QRESYNC, `* VANISHED uids` (only when `allowExpunge`; otherwise they wait), `* n EXISTS` for
   * new messages, `* n FETCH (UID u FLAGS (…) [MODSEQ (m)])` for flags changed by someone else.
   * Empty when nothing changed.
   */
  async updates(allowExpunge: boolean): Promise<string[]> {
    if (!this.#dirty) return [];
    this.#dirty = false;
    const condstore = this.#enabled.has('CONDSTORE');
    const now = this.#gone ? [] : await this.#listing.latest();
    const byUid = new Map(now.map((m) => [m.uid, m]));
    const lines: string[] = [];
    let kept: readonly KnownMessage[] = this.#messages;
    let pending = false;
    const gone = this.#messages.filter((m) => !byUid.has(m.uid));
    if (gone.length === 0) this.#heldExpungeModSeq = null;
    else if (allowExpunge) {
      kept = this.#messages.filter((m) => byUid.has(m.uid));
      // RFC 5182 §2.1: an expunged message leaves the saved result.
      for (const m of gone) this.#saved.delete(m.uid);
      if (this.#enabled.has('QRESYNC')) {
        const line = vanishedResponse(
          gone.map((m) => m.uid),
          false,
        );
        if (line !== null) lines.push(line);
      } else {
        let seq = 0;
        for (const m of this.#messages) {
          seq++;
          if (byUid.has(m.uid)) continue;
          lines.push(expungeResponse(seq));
          seq--;
        }
      }
      this.#heldExpungeModSeq = null;
    } else {
      this.#dirty = true;
      pending = true;
    }
    const last = this.#messages[this.#messages.length - 1]?.uid ?? 0;
    let seq = 0;
    let fetched = false;
    for (const m of kept) {
      seq++;
      const current = byUid.get(m.uid);
      if (current && current.modSeq !== m.modSeq && !sameFlags(current.flags, m.flags)) {
        lines.push(flagsFetchResponse(seq, m.uid, current.flags, condstore ? current.modSeq : null));
        fetched = true;
      }
    }
    const added = now.filter((m) => m.uid > last);
    // Once every change is told, the client's view is the shared listing again.
    this.#messages =
      pending || kept.length + added.length !== now.length
        ? [...kept.map((m) => byUid.get(m.uid) ?? m), ...added]
        : now;
    this.#uidBound = Math.max(this.#uidBound, (now[now.length - 1]?.uid ?? 0) + 1);
    if (added.length > 0) lines.push(existsResponse(this.exists));
    const held = this.#heldExpungeModSeq;
    if (condstore && fetched && held !== null && !allowExpunge) {
      // RFC 7162 §3.2: MODSEQs above a held-back expunge must not let the client skip it.
      lines.push(statusLine(null, 'OK', 'Expunges pending', { code: 'HIGHESTMODSEQ', value: held - 1 }));
    }
    return lines;
  }
}

function sameFlags(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((f) => b.includes(f));
}
