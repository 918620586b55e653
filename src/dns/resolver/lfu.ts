/**
 * Least-frequently-used order for the resolver cache's `cache_eviction = "lfu"` (pure): keys in
 * buckets by use count, each bucket in recency order, so the victim is the least used key and,
 * among equally used keys, the least recently used one. Every operation is O(1) except finding
 * the next non-empty bucket after the lowest one empties, which looks at the bucket counts in
 * use (at most about sqrt(2 x total uses) of them). Counts stop at `MAX_COUNT` so one very
 * popular name cannot create ever-new buckets.
 */

/** Highest use count kept (all beyond it are equally popular). */
const MAX_COUNT = 1_000_000;

export class LfuOrder {
  readonly #count = new Map<string, number>();
  readonly #buckets = new Map<number, Set<string>>();
  #min = 0;

  get size(): number {
    return this.#count.size;
  }

  /** A new key with no uses yet (or a key stored again: its count starts over). */
  add(key: string): void {
    this.remove(key);
    this.#count.set(key, 0);
    this.#bucket(0).add(key);
    this.#min = 0;
  }

  /** One use of `key`. */
  touch(key: string): void {
    const count = this.#count.get(key);
    if (count === undefined) return;
    const next = Math.min(count + 1, MAX_COUNT);
    const from = this.#buckets.get(count);
    from?.delete(key);
    if (next === count) {
      from?.add(key); // already at the cap: only its recency changes
      return;
    }
    if (from?.size === 0) {
      this.#buckets.delete(count);
      if (this.#min === count) this.#min = next;
    }
    this.#count.set(key, next);
    this.#bucket(next).add(key);
  }

  remove(key: string): void {
    const count = this.#count.get(key);
    if (count === undefined) return;
    this.#count.delete(key);
    const bucket = this.#buckets.get(count);
    bucket?.delete(key);
    if (bucket?.size === 0) this.#buckets.delete(count);
  }

  /** The key to evict: fewest uses, least recently used among them; undefined when empty. */
  victim(): string | undefined {
    if (this.#count.size === 0) return undefined;
    let bucket = this.#buckets.get(this.#min);
    if (bucket === undefined) {
      let min = MAX_COUNT;
      for (const count of this.#buckets.keys()) if (count < min) min = count;
      this.#min = min;
      bucket = this.#buckets.get(min);
    }
    return bucket?.values().next().value;
  }

  clear(): void {
    this.#count.clear();
    this.#buckets.clear();
    this.#min = 0;
  }

  #bucket(count: number): Set<string> {
    let bucket = this.#buckets.get(count);
    if (bucket === undefined) {
      bucket = new Set();
      this.#buckets.set(count, bucket);
    }
    return bucket;
  }
}
