/**
 * The resolver's cache (pure: time comes from an injected `now`). It keeps RRsets and negative
 * answers by (name, type, class), bounded by an entry count and an estimated byte size, evicting
 * the least recently used entry first, or with `eviction: 'lfu'` the least frequently used one
 * (lfu.ts; ties go to the least recently used). TTLs are capped (`maxTtl`, `maxNegativeTtl`) and counted
 * down on every read. Negative answers follow RFC 2308: NXDOMAIN is kept for the name (every
 * type), NODATA for the name and type, both for min(SOA TTL, SOA MINIMUM) (§5). Expired entries
 * stay until `maxStaleSeconds` past expiry so they can be served stale when every authority
 * fails (RFC 8767), but only a caller that asks for stale data gets them. Entries read often and
 * close to expiry are reported once to `onPrefetch` so the resolver can refresh them before they
 * expire. Data has a trust rank (RFC 2181 §5.4.1): live data is never replaced by data of lower
 * rank, so glue from a referral cannot overwrite an authoritative answer (cache poisoning).
 */
import { nameKey } from '../name.js';
import type { RecordData, ResourceRecord } from '../types.js';
import { LfuOrder } from './lfu.js';
import { DEFAULT_CACHE_LIMITS, type CacheLimits } from './limits.js';

/** RFC 2181 §5.4.1 ranking, lowest first. */
export const Trust = {
  /** Additional-section data: glue from a referral. */
  glue: 1,
  /** Authority-section data: the NS RRset of a referral. */
  referral: 2,
  /** Answer-section data from an authoritative server (AA set). */
  answer: 3,
} as const;
export type TrustRank = (typeof Trust)[keyof typeof Trust];

/** What an entry says. */
export type CacheEntryKind = 'rrset' | 'nxdomain' | 'nodata';

/** A cache read. `records` carry the remaining TTL (or `staleTtl` when `stale`). */
export interface CacheHit {
  readonly kind: CacheEntryKind;
  /** The RRset, or for negative entries the SOA RRset that goes in the authority section. */
  readonly records: readonly ResourceRecord[];
  readonly stale: boolean;
  readonly trust: TrustRank;
}

/** A question the cache wants refreshed (prefetch). */
export interface PrefetchRequest {
  readonly name: string;
  readonly type: number;
  readonly class: number;
}

export interface ResolverCacheOptions extends Partial<CacheLimits> {
  /** Milliseconds since the epoch; default `Date.now`. */
  readonly now?: () => number;
  /** Called once for a popular entry whose remaining TTL fell below `prefetchFraction`. */
  readonly onPrefetch?: (request: PrefetchRequest) => void;
}

interface Entry {
  readonly key: string;
  readonly kind: CacheEntryKind;
  readonly records: readonly ResourceRecord[];
  readonly question: PrefetchRequest;
  readonly ttl: number;
  readonly expiresAt: number;
  readonly trust: TrustRank;
  readonly size: number;
  hits: number;
  prefetched: boolean;
}

/** Type used for the name-wide NXDOMAIN entry (no real type is 0 in a cache key). */
const NXDOMAIN_TYPE = 0;
/** Fixed bookkeeping cost of one entry in the byte estimate. */
const ENTRY_OVERHEAD = 96;

/** Wire-size estimate of RDATA (exact for the fixed-size types). */
function rdataSize(data: RecordData): number {
  switch (data.type) {
    case 'A':
      return 4;
    case 'AAAA':
      return 16;
    case 'NS':
    case 'CNAME':
    case 'PTR':
    case 'DNAME':
      return data.target.length + 1;
    case 'MX':
      return 2 + data.exchange.length + 1;
    case 'SOA':
      return data.mname.length + data.rname.length + 22;
    case 'TXT':
      return data.strings.reduce((n, s) => n + s.length + 1, 0);
    case 'HINFO':
      return data.cpu.length + data.os.length + 2;
    case 'SRV':
      return 6 + data.target.length + 1;
    case 'CAA':
      return 2 + data.tag.length + data.value.length;
    default:
      return data.data.length;
  }
}

/** Estimated octets of a record: owner, fixed fields, RDATA. */
export function recordSize(rr: ResourceRecord): number {
  return rr.name.length + 1 + 10 + rdataSize(rr.data);
}

function cacheKey(name: string, type: number, cls: number): string {
  return `${nameKey(name)}/${type}/${cls}`;
}

/** The resolver cache. */
export class ResolverCache {
  readonly limits: CacheLimits;
  readonly #now: () => number;
  readonly #onPrefetch: ((request: PrefetchRequest) => void) | undefined;
  /** Map order is recency order: the first entry is the least recently used. */
  readonly #entries = new Map<string, Entry>();
  /** Use counts, with `eviction: 'lfu'`. */
  readonly #lfu: LfuOrder | undefined;
  #bytes = 0;
  /** Entries evicted for space since creation. */
  evictions = 0;

  constructor(options: ResolverCacheOptions = {}) {
    const { now, onPrefetch, ...limits } = options;
    this.limits = { ...DEFAULT_CACHE_LIMITS, ...limits };
    this.#now = now ?? Date.now;
    this.#onPrefetch = onPrefetch;
    this.#lfu = this.limits.eviction === 'lfu' ? new LfuOrder() : undefined;
  }

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Store one RRset (every record with the same owner, type and class). The TTL is the lowest
   * of the records' (RFC 2181 §5.2), capped at `maxTtl`. A TTL of 0 is not cached. Returns false
   * when live data of a higher rank is kept instead.
   */
  putRRset(records: readonly ResourceRecord[], trust: TrustRank): boolean {
    const first = records[0];
    if (first === undefined) return false;
    const ttl = Math.min(this.limits.maxTtl, ...records.map((r) => r.ttl));
    const question = { name: first.name, type: first.type, class: first.class };
    return this.#put(cacheKey(first.name, first.type, first.class), 'rrset', records, question, ttl, trust);
  }

  /**
   * Store a negative answer (RFC 2308): NXDOMAIN for `name` (every type) or NODATA for `name`
   * and `type`. `soa` is the SOA RRset of the reply's authority section; its TTL is
   * min(TTL, MINIMUM) (§5), capped at `maxNegativeTtl`. Without an SOA nothing is cached (§5:
   * "negative responses without SOA records SHOULD NOT be cached").
   */
  putNegative(
    kind: 'nxdomain' | 'nodata',
    name: string,
    type: number,
    cls: number,
    soa: readonly ResourceRecord[],
  ): boolean {
    const rr = soa[0];
    if (rr?.data.type !== 'SOA') return false;
    const ttl = Math.min(this.limits.maxNegativeTtl, rr.ttl, rr.data.minimum);
    const keyType = kind === 'nxdomain' ? NXDOMAIN_TYPE : type;
    const records = soa.map((r) => ({ ...r, ttl }));
    return this.#put(
      cacheKey(name, keyType, cls),
      kind,
      records,
      { name, type, class: cls },
      ttl,
      Trust.answer,
    );
  }

  /**
   * What the cache knows about (name, type, class): the RRset, NODATA for the type, or
   * NXDOMAIN for the name; `undefined` when nothing live is kept (or nothing stale, with
   * `allowStale`).
   */
  get(name: string, type: number, cls: number, options: { allowStale?: boolean } = {}): CacheHit | undefined {
    const direct = this.#read(cacheKey(name, type, cls), options.allowStale === true);
    if (direct !== undefined) return direct;
    return this.#read(cacheKey(name, NXDOMAIN_TYPE, cls), options.allowStale === true);
  }

  /** Only a cached RRset (no negative entry), live or (with `allowStale`) stale. */
  getRRset(
    name: string,
    type: number,
    cls: number,
    options: { allowStale?: boolean } = {},
  ): CacheHit | undefined {
    const hit = this.#read(cacheKey(name, type, cls), options.allowStale === true);
    return hit?.kind === 'rrset' ? hit : undefined;
  }

  /** Forget one RRset or negative entry (and, for `type` undefined, the name's NXDOMAIN). */
  delete(name: string, type: number | undefined, cls: number): void {
    this.#remove(cacheKey(name, type ?? NXDOMAIN_TYPE, cls));
  }

  clear(): void {
    this.#entries.clear();
    this.#lfu?.clear();
    this.#bytes = 0;
  }

  #put(
    key: string,
    kind: CacheEntryKind,
    records: readonly ResourceRecord[],
    question: PrefetchRequest,
    ttl: number,
    trust: TrustRank,
  ): boolean {
    if (ttl <= 0) return false;
    const now = this.#now();
    const old = this.#entries.get(key);
    if (old !== undefined && old.expiresAt > now && old.trust > trust) return false;
    // A positive answer replaces an NXDOMAIN kept for the name (the name exists after all).
    if (kind === 'rrset') this.#remove(cacheKey(question.name, NXDOMAIN_TYPE, question.class));
    this.#remove(key);
    const size = ENTRY_OVERHEAD + records.reduce((n, r) => n + recordSize(r), 0);
    if (size > this.limits.maxBytes) return false;
    this.#evict(size);
    const entry: Entry = {
      key,
      kind,
      records,
      question,
      ttl,
      expiresAt: now + ttl * 1000,
      trust,
      size,
      hits: 0,
      prefetched: false,
    };
    this.#entries.set(key, entry);
    this.#lfu?.add(key);
    this.#bytes += size;
    return true;
  }

  #read(key: string, allowStale: boolean): CacheHit | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    const now = this.#now();
    const remainingMs = entry.expiresAt - now;
    if (remainingMs <= 0) {
      if (-remainingMs > this.limits.maxStaleSeconds * 1000) {
        this.#remove(key);
        return undefined;
      }
      if (!allowStale) return undefined;
      const ttl = this.limits.staleTtl;
      return { kind: entry.kind, records: withTtl(entry.records, ttl), stale: true, trust: entry.trust };
    }
    // Most recently used: move to the end of the map (LFU: one more use).
    if (this.#lfu === undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    } else this.#lfu.touch(key);
    entry.hits++;
    if (
      !entry.prefetched &&
      entry.kind === 'rrset' &&
      entry.hits >= this.limits.prefetchMinHits &&
      remainingMs < entry.ttl * 1000 * this.limits.prefetchFraction
    ) {
      entry.prefetched = true;
      this.#onPrefetch?.(entry.question);
    }
    return {
      kind: entry.kind,
      records: withTtl(entry.records, Math.floor(remainingMs / 1000)),
      stale: false,
      trust: entry.trust,
    };
  }

  #remove(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    this.#lfu?.remove(key);
    this.#bytes -= entry.size;
  }

  /**
   * Make room for one more entry of `size` octets: least recently used first (LFU: least used
   * first), until both bounds would hold with it. Done before the new entry goes in, so it is
   * never its own victim.
   */
  #evict(size: number): void {
    while (this.#entries.size + 1 > this.limits.maxEntries || this.#bytes + size > this.limits.maxBytes) {
      const victim = this.#lfu === undefined ? this.#entries.keys().next().value : this.#lfu.victim();
      if (victim === undefined) return;
      this.#remove(victim);
      this.evictions++;
    }
  }
}

function withTtl(records: readonly ResourceRecord[], ttl: number): ResourceRecord[] {
  return records.map((r) => (r.ttl === ttl ? r : { ...r, ttl }));
}
