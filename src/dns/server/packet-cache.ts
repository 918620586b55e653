/**
 * A packet cache in front of the answer engine, like PowerDNS's: the reply bytes for a query's
 * bytes. Two queries that differ only in their ID get the same answer, so the key is the packet
 * after the ID (flags, question with its exact case, EDNS included) plus the transport (the UDP
 * size limit shapes the reply). A hit copies the stored reply and patches in the new ID.
 * Bounded: when full it starts over.
 *
 * Two uses. The authoritative server's answers are computed from the zone and the cache is
 * emptied whenever a zone changes, so it never serves stale data. The resolver's answers carry
 * TTLs that count down, so its cache ages them (`aging`, as PowerDNS Recursor ages its packet
 * cache): each stored reply remembers where its TTL fields are (wire-ttl.ts), a hit subtracts the
 * whole seconds since it was stored, and a reply is served for at most `maxAgeMs` and never past
 * its smallest TTL; replies without records are not kept.
 */
import { ttlLayout } from '../wire-ttl.js';

/** Default number of cached replies. */
export const PACKET_CACHE_ENTRIES = 10_000;

/** TTL aging of a resolver's packet cache. */
export interface PacketAging {
  /** Longest a reply is served from the packet cache, in milliseconds. */
  readonly maxAgeMs: number;
  /** Milliseconds since the epoch; default `Date.now`. */
  readonly now?: () => number;
}

interface Entry {
  readonly reply: Buffer;
  /** TTL field offsets (aging only). */
  readonly ttls: readonly number[] | undefined;
  readonly storedAt: number;
  readonly expiresAt: number;
  /** The reply with its TTLs lowered by `agedBy` seconds: made once per second, copied per hit. */
  aged: Buffer | undefined;
  agedBy: number;
}

/** Replies by query bytes. */
export class PacketCache {
  readonly #entries = new Map<string, Entry>();
  readonly #max: number;
  readonly #aging: PacketAging | undefined;
  readonly #now: () => number;
  hits = 0;
  misses = 0;

  constructor(maxEntries: number = PACKET_CACHE_ENTRIES, aging?: PacketAging) {
    this.#max = maxEntries;
    this.#aging = aging;
    this.#now = aging?.now ?? Date.now;
  }

  /** The key for a query packet on a transport. */
  static key(packet: Uint8Array, transport: 'udp' | 'tcp'): string {
    return (
      (transport === 'udp' ? 'u' : 't') +
      Buffer.from(packet.buffer, packet.byteOffset + 2, packet.length - 2).toString('latin1')
    );
  }

  /** A fresh copy of the cached reply with `packet`'s ID (and aged TTLs), or undefined. */
  get(key: string, packet: Uint8Array): Buffer | undefined {
    const stored = this.#entries.get(key);
    if (stored === undefined) {
      this.misses++;
      return undefined;
    }
    let source = stored.reply;
    if (stored.ttls !== undefined) {
      const now = this.#now();
      if (now >= stored.expiresAt) {
        this.#entries.delete(key);
        this.misses++;
        return undefined;
      }
      const elapsed = Math.floor((now - stored.storedAt) / 1000);
      if (elapsed > 0) source = aged(stored, stored.ttls, elapsed);
    }
    this.hits++;
    const reply = Buffer.allocUnsafe(source.length);
    source.copy(reply);
    reply[0] = packet[0] ?? 0;
    reply[1] = packet[1] ?? 0;
    return reply;
  }

  /** Remembers a reply (the cache keeps its own copy). */
  set(key: string, reply: Buffer): void {
    let entry: Entry;
    if (this.#aging === undefined) {
      entry = {
        reply: Buffer.from(reply),
        ttls: undefined,
        storedAt: 0,
        expiresAt: Infinity,
        aged: undefined,
        agedBy: 0,
      };
    } else {
      const layout = ttlLayout(reply);
      if (layout?.minTtl === undefined || layout.minTtl === 0) return;
      const now = this.#now();
      const expiresAt = now + Math.min(this.#aging.maxAgeMs, layout.minTtl * 1000);
      entry = {
        reply: Buffer.from(reply),
        ttls: layout.offsets,
        storedAt: now,
        expiresAt,
        aged: undefined,
        agedBy: 0,
      };
    }
    if (this.#entries.size >= this.#max) this.#entries.clear();
    this.#entries.set(key, entry);
  }

  /** Forgets everything (a zone changed, a resolver's cache was emptied). */
  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}

/** The stored reply with every TTL lowered by `elapsed` seconds, kept until the next second. */
function aged(entry: Entry, ttls: readonly number[], elapsed: number): Buffer {
  if (entry.aged !== undefined && entry.agedBy === elapsed) return entry.aged;
  const copy = Buffer.from(entry.reply);
  for (const at of ttls) copy.writeUInt32BE(copy.readUInt32BE(at) - elapsed, at);
  entry.aged = copy;
  entry.agedBy = elapsed;
  return copy;
}
