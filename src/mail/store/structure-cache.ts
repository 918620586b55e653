/**
 * The parsed ENVELOPE and BODYSTRUCTURE of recently read messages, kept in memory so an IMAP
 * FETCH of a whole mailbox (a client's first sync, a second session) does not read and parse
 * the stored JSON again: the SQLite rows that hold them also hold the search text, so reading
 * 10,000 envelopes from disk visits 10,000 large rows (Dovecot keeps the same data in its
 * dovecot.index.cache). A message is keyed by its mailbox's UIDVALIDITY and its UID, which
 * together never name another message (UIDVALIDITY comes from a store-wide counter that never
 * repeats, and a UID is never reused under it), and a stored message never changes, so nothing
 * is ever stale. Bounded by an estimate of the bytes held (the JSON lengths), least recently
 * used first out.
 */
import type { BodyStructure } from '../message/body-structure.js';
import type { Envelope } from '../message/envelope.js';

/** What one message contributes. */
export interface CachedStructure {
  envelope?: Envelope;
  body?: BodyStructure;
  /** Estimated bytes (JSON length of what is held, plus overhead). */
  cost: number;
}

/** Per-entry overhead estimate (key, map slot, object). */
const ENTRY_COST = 200;

/** A bounded LRU of parsed structures (see the file comment). */
export class StructureCache {
  readonly #maxBytes: number;
  readonly #entries = new Map<string, CachedStructure>();
  #bytes = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Bytes held (estimate). */
  get bytes(): number {
    return this.#bytes;
  }

  /** The entry of message `uid` of the mailbox with `uidValidity`, marked recently used. */
  get(uidValidity: number, uid: number): CachedStructure | undefined {
    const key = `${String(uidValidity)}:${String(uid)}`;
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
    return entry;
  }

  /** Records what was read (merged with what is held), then evicts down to the bound. */
  add(uidValidity: number, uid: number, parts: { envelope?: string; body?: string }): CachedStructure {
    const key = `${String(uidValidity)}:${String(uid)}`;
    const entry = this.#entries.get(key) ?? { cost: ENTRY_COST };
    if (!this.#entries.has(key)) this.#bytes += ENTRY_COST;
    if (parts.envelope !== undefined && entry.envelope === undefined) {
      entry.envelope = JSON.parse(parts.envelope) as Envelope;
      entry.cost += parts.envelope.length;
      this.#bytes += parts.envelope.length;
    }
    if (parts.body !== undefined && entry.body === undefined) {
      entry.body = JSON.parse(parts.body) as BodyStructure;
      entry.cost += parts.body.length;
      this.#bytes += parts.body.length;
    }
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    for (const [k, e] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#entries.delete(k);
      this.#bytes -= e.cost;
    }
    return entry;
  }
}
