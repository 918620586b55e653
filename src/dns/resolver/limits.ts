/**
 * Every bound of the recursive resolver in one place: cache sizes and TTL caps, per-query work
 * limits, upstream timeouts. Each value says where it comes from; the work limits are chosen
 * against what the big three resolvers ship (Unbound: 200 upstream packets, 64 targets, 130
 * referrals, 11 CNAME restarts per client query; Knot Resolver: 100 iterations, 5 NS-name
 * lookups, a 13-long CNAME chain, 10 s; PowerDNS Recursor: 50 upstream queries, 10 NS-address
 * queries, depth 16, 10 CNAMEs, 7 s), taking the stricter side where a loopback world never
 * needs more.
 */

/** Cache bounds and TTL policy. */
export interface CacheLimits {
  /** Most RRsets and negative entries kept. */
  readonly maxEntries: number;
  /** Most estimated octets kept (records in wire size plus a fixed overhead per entry). */
  readonly maxBytes: number;
  /** Longest a positive RRset is kept, in seconds (RFC 8767 §4 and every resolver: 1 day). */
  readonly maxTtl: number;
  /** Longest a negative answer is kept, in seconds (RFC 2308 §5 suggests 1 to 3 hours; 1 hour). */
  readonly maxNegativeTtl: number;
  /** How long expired data may still be served when every authority fails (RFC 8767 §5: 1 to 3 days). */
  readonly maxStaleSeconds: number;
  /** TTL given to stale data in an answer (RFC 8767 §4: 30 seconds). */
  readonly staleTtl: number;
  /** Hits after which an entry counts as popular and is refreshed before it expires. */
  readonly prefetchMinHits: number;
  /** A popular entry is prefetched once less than this fraction of its TTL remains (Unbound: 10 %). */
  readonly prefetchFraction: number;
  /**
   * Which entry goes when a bound is reached: the least recently used (`lru`, Unbound's and
   * BIND's choice) or the least frequently used (`lfu`, ties by recency), which keeps popular
   * names through a scan of one-off names.
   */
  readonly eviction: 'lru' | 'lfu';
}

export const DEFAULT_CACHE_LIMITS: CacheLimits = {
  maxEntries: 100_000,
  maxBytes: 64 * 1024 * 1024,
  maxTtl: 86_400,
  maxNegativeTtl: 3_600,
  maxStaleSeconds: 86_400,
  staleTtl: 30,
  prefetchMinHits: 3,
  prefetchFraction: 0.1,
  eviction: 'lru',
};

/** Work one client query may cause (checked by the iteration engine). */
export interface WorkLimits {
  /** Upstream queries sent for one client query, sub-resolutions included (PowerDNS: 50, Knot: 100). */
  readonly maxUpstreamQueries: number;
  /**
   * NS names whose addresses may be looked up for one client query (Knot: 5, PowerDNS: 10). This
   * is the NXNSAttack defence (Afek, Bremler-Barr, Shafir 2020): a referral naming many
   * glueless NS names must not make us send a query for each.
   */
  readonly maxNsNames: number;
  /** Referrals followed for one name (PowerDNS: depth 16; a real delegation chain is < 10). */
  readonly maxReferralDepth: number;
  /** CNAME/DNAME links in one answer (Unbound: 11 restarts, PowerDNS: 10, Knot: 13). */
  readonly maxCnameChain: number;
  /** Nested NS-name sub-resolutions (a sub-resolution asking for another NS name's address). */
  readonly maxSubResolutionDepth: number;
  /**
   * Wall time for one client query, in milliseconds. Below 5 s so the client gets our SERVFAIL
   * before its own timeout (dig waits 5 s), never silence (PowerDNS: 7 s, Knot: 10 s).
   */
  readonly maxQueryTimeMs: number;
  /** Minimised queries before the full name is sent (RFC 9156 §2.3 MAX_MINIMISE_COUNT: 10). */
  readonly maxMinimiseSteps: number;
}

export const DEFAULT_WORK_LIMITS: WorkLimits = {
  maxUpstreamQueries: 50,
  maxNsNames: 8,
  maxReferralDepth: 16,
  maxCnameChain: 11,
  maxSubResolutionDepth: 3,
  maxQueryTimeMs: 4_000,
  maxMinimiseSteps: 10,
};

/** Upstream timing (server selection by smoothed RTT, RFC 6298 style). */
export interface TimingLimits {
  /** Timeout for a server we have never heard from, in ms (Unbound's UNKNOWN_SERVER_NICENESS is 376). */
  readonly unknownTimeoutMs: number;
  /** Floor and ceiling of a computed timeout, in ms. */
  readonly minTimeoutMs: number;
  readonly maxTimeoutMs: number;
  /** How long a server that timed out is avoided at first, in ms; doubles per further timeout. */
  readonly backoffMs: number;
  /** Longest a dead server is avoided, in ms (it is then tried again, once). */
  readonly maxBackoffMs: number;
  /** Passes over a delegation's servers before giving up on it. */
  readonly passes: number;
}

export const DEFAULT_TIMING: TimingLimits = {
  unknownTimeoutMs: 800,
  minTimeoutMs: 200,
  maxTimeoutMs: 2_000,
  backoffMs: 5_000,
  maxBackoffMs: 300_000,
  passes: 2,
};

/** RFC 8767 §5 client-response timer: stale data goes to a waiting client after this (ms). */
export const DEFAULT_CLIENT_RESPONSE_MS = 1_800;

/** Client queries resolving at once; more are answered SERVFAIL at once (resource exhaustion). */
export const MAX_PENDING_RESOLUTIONS = 1_000;

/**
 * The resolver's packet cache (the DNS server's, with TTL aging): whole replies by query bytes,
 * so a popular question is answered without decoding, lookup or encoding. A reply is served from
 * it for at most `maxAgeMs`, then the next query goes through the cache again: that read counts
 * towards prefetch and eviction, and a change in the RRset cache reaches clients within that
 * time. (PowerDNS Recursor keeps packets up to their TTL; we stay short to keep those two.)
 */
export const RESOLVER_PACKET_CACHE = { entries: 10_000, maxAgeMs: 5_000 } as const;
