/**
 * Group commit for better-sqlite3: units of work submitted in the same event-loop turn (or
 * within a short window) run in ONE transaction, each inside its own savepoint so one failing
 * unit does not undo the others, and every promise settles only after the COMMIT has returned
 * (with synchronous=FULL, after the WAL fsync). One fsync then pays for a whole batch of
 * deliveries; nothing is ever acknowledged before it is durable. Change events are published
 * after the commit, never for work that was rolled back.
 */
import type { Database } from '../../core/db.js';

/**
 * Default shortest time between two group commits, in milliseconds (see `#schedule`). Measured
 * with bench/smtp.ts (20 concurrent senders, one connection per message): 0 ms ~1,040 msg/s,
 * 2 ms ~1,500, 6 ms ~1,740, 10 ms ~1,520, 20 ms ~900. Longer windows batch more deliveries per
 * fsync until the added latency leaves the senders idle.
 */
export const DEFAULT_WINDOW_MS = 5;

/** Test hooks around the commit of a batch. */
export interface GroupCommitHooks {
  /** Runs inside the transaction just before COMMIT; throwing rolls the whole batch back. */
  beforeCommit?(batchSize: number): void;
  /** Runs after COMMIT returned, before any promise of the batch settles. */
  afterCommit?(batchSize: number): void;
}

interface Pending<R> {
  readonly work: () => R;
  readonly resolve: (value: R) => void;
  readonly reject: (err: unknown) => void;
}

/** Batches units of work into shared durable transactions (see the file comment). */
export class GroupCommitter {
  readonly #db: Database;
  readonly #hooks: GroupCommitHooks;
  readonly #windowMs: number;
  #pending: Pending<unknown>[] = [];
  #scheduled = false;
  #batches = 0;
  #lastCommitAt = -Infinity;

  constructor(db: Database, options: { hooks?: GroupCommitHooks; windowMs?: number } = {}) {
    this.#db = db;
    this.#hooks = options.hooks ?? {};
    this.#windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
  }

  /** Transactions committed so far (for tests and metrics). */
  get batches(): number {
    return this.#batches;
  }

  /** Runs `work` in the next batch's transaction; resolves with its result after the COMMIT. */
  submit<R>(work: () => R): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#pending.push({ work, resolve, reject } as Pending<unknown>);
      this.#schedule();
    });
  }

  /** Commits whatever is pending now (close, tests). */
  flush(): void {
    this.#scheduled = false;
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    const outcomes: ({ ok: true; value: unknown } | { ok: false; err: unknown })[] = [];
    try {
      this.#db.exec('BEGIN IMMEDIATE');
      for (const p of batch) {
        try {
          // Inside an open transaction better-sqlite3 runs this as a SAVEPOINT.
          outcomes.push({ ok: true, value: this.#db.transaction(p.work)() });
        } catch (err) {
          outcomes.push({ ok: false, err });
        }
      }
      this.#hooks.beforeCommit?.(batch.length);
      this.#db.exec('COMMIT');
    } catch (err) {
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
      for (const p of batch) p.reject(err);
      return;
    }
    this.#batches++;
    this.#lastCommitAt = performance.now();
    this.#hooks.afterCommit?.(batch.length);
    batch.forEach((p, i) => {
      const o = outcomes[i];
      if (o?.ok === true) p.resolve(o.value);
      else p.reject(o?.err);
    });
  }

  /**
   * At most one commit per window: when the previous commit is older than the window the batch
   * commits at the end of this event-loop turn; otherwise it waits out the rest of the window,
   * gathering the deliveries that arrive meanwhile. An idle server adds no delay; a busy one
   * pays one fsync per window instead of one per message.
   */
  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    const wait = this.#lastCommitAt + this.#windowMs - performance.now();
    if (wait > 0)
      setTimeout(() => {
        this.flush();
      }, wait);
    else
      setImmediate(() => {
        this.flush();
      });
  }
}
