/**
 * A packet cache in front of the answer engine, like PowerDNS's: the reply bytes for a query's
 * bytes. Two queries that differ only in their ID get the same answer, so the key is the packet
 * after the ID (flags, question with its exact case, EDNS included) plus the transport (the UDP
 * size limit shapes the reply). A hit copies the stored reply and patches in the new ID. The
 * answers are the engine's own, computed from the zone; the cache is emptied whenever a zone
 * changes, so it can never serve stale data. Bounded: when full it starts over.
 */

/** Default number of cached replies. */
export const PACKET_CACHE_ENTRIES = 10_000;

/** Replies by query bytes. */
export class PacketCache {
  readonly #entries = new Map<string, Buffer>();
  readonly #max: number;
  hits = 0;
  misses = 0;

  constructor(maxEntries: number = PACKET_CACHE_ENTRIES) {
    this.#max = maxEntries;
  }

  /** The key for a query packet on a transport. */
  static key(packet: Uint8Array, transport: 'udp' | 'tcp'): string {
    return (
      (transport === 'udp' ? 'u' : 't') +
      Buffer.from(packet.buffer, packet.byteOffset + 2, packet.length - 2).toString('latin1')
    );
  }

  /** A fresh copy of the cached reply with `packet`'s ID, or undefined. */
  get(key: string, packet: Uint8Array): Buffer | undefined {
    const stored = this.#entries.get(key);
    if (stored === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    const reply = Buffer.allocUnsafe(stored.length);
    stored.copy(reply);
    reply[0] = packet[0] ?? 0;
    reply[1] = packet[1] ?? 0;
    return reply;
  }

  /** Remembers a reply (the cache keeps its own copy). */
  set(key: string, reply: Buffer): void {
    if (this.#entries.size >= this.#max) this.#entries.clear();
    this.#entries.set(key, Buffer.from(reply));
  }

  /** Forgets everything (a zone changed). */
  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}
