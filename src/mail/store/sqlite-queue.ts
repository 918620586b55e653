/**
 * The durable outbound queue (`OutboundQueue` of types.ts) in the mail store's database, over the
 * reference-counted blob table it shares with mailboxes (sqlite-blobs.ts). A queue entry holds its bytes in
 * `mail_blobs` and one row per recipient with its status and last reply; an entry with no
 * pending recipient left is deleted in the same transaction as the attempt that finished it.
 * The methods are `async` for the contract; better-sqlite3 answers synchronously.
 */
/* eslint-disable @typescript-eslint/require-await -- see the file comment */
import type { Database } from '../../core/db.js';
import { ErrorCodes, OutpostError } from '../../core/errors.js';
import { newQueueId } from './queue-id.js';
import type { BlobTable } from './sqlite-blobs.js';
import type {
  DsnRecipientOptions,
  OutboundMessage,
  OutboundQueue,
  QueueEntry,
  QueueRecipient,
  QueueRecipientStatus,
  QueueStats,
  RecipientOutcome,
} from './types.js';

interface EntryRow {
  id: string;
  mail_from: string;
  blob_id: number;
  size: number;
  created_at: number;
  attempts: number;
  next_attempt_at: number;
  env_id: string | null;
  ret: 'FULL' | 'HDRS' | null;
}

interface RecipientRow {
  seq: number;
  address: string;
  status: QueueRecipientStatus;
  last_reply: string | null;
  notify: string | null;
  orcpt: string | null;
}

type Notify = NonNullable<DsnRecipientOptions['notify']>;

/** The queue over SQLite (see the file comment). Every write is one transaction. */
export class SqliteOutboundQueue implements OutboundQueue {
  readonly #db: Database;
  readonly #blobs: BlobTable;
  readonly #now: () => number;
  readonly #s;

  constructor(db: Database, blobs: BlobTable, now: () => number) {
    this.#db = db;
    this.#blobs = blobs;
    this.#now = now;
    const cols = 'id, mail_from, blob_id, size, created_at, attempts, next_attempt_at, env_id, ret';
    this.#s = {
      insert: db.prepare(
        `INSERT INTO mail_queue (${cols}) VALUES (@id, @mail_from, @blob_id, @size, @created_at, 0, @created_at, @env_id, @ret)`,
      ),
      insertRcpt: db.prepare(
        `INSERT INTO mail_queue_recipients (queue_id, seq, address, status, last_reply, notify, orcpt)
         VALUES (?, ?, ?, 'pending', NULL, ?, ?)`,
      ),
      due: db.prepare<[number, number], EntryRow>(
        `SELECT ${cols} FROM mail_queue WHERE next_attempt_at <= ? ORDER BY next_attempt_at, created_at LIMIT ?`,
      ),
      nextDue: db.prepare<[], { t: number | null }>('SELECT MIN(next_attempt_at) AS t FROM mail_queue'),
      stats: db.prepare<[], { n: number; oldest: number | null }>(
        'SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM mail_queue',
      ),
      all: db.prepare<[], EntryRow>(`SELECT ${cols} FROM mail_queue ORDER BY created_at, id`),
      get: db.prepare<[string], EntryRow>(`SELECT ${cols} FROM mail_queue WHERE id = ?`),
      rcpts: db.prepare<[string], RecipientRow>(
        'SELECT seq, address, status, last_reply, notify, orcpt FROM mail_queue_recipients WHERE queue_id = ? ORDER BY seq',
      ),
      setRcpt: db.prepare<[string, string | null, string, number], never>(
        'UPDATE mail_queue_recipients SET status = ?, last_reply = ? WHERE queue_id = ? AND seq = ?',
      ),
      pending: db.prepare<[string], { n: number }>(
        "SELECT COUNT(*) AS n FROM mail_queue_recipients WHERE queue_id = ? AND status = 'pending'",
      ),
      attempted: db.prepare<[number, string], never>(
        'UPDATE mail_queue SET attempts = attempts + 1, next_attempt_at = ? WHERE id = ?',
      ),
      delete: db.prepare<[string], never>('DELETE FROM mail_queue WHERE id = ?'),
      flushOne: db.prepare<[number, string], never>('UPDATE mail_queue SET next_attempt_at = ? WHERE id = ?'),
      flushAll: db.prepare<[number], never>('UPDATE mail_queue SET next_attempt_at = ?'),
    };
  }

  /** Inserts an entry (inside the caller's transaction: `accept`); returns its id. */
  insert(message: OutboundMessage, receivedAt: Date): string {
    const id = newQueueId(receivedAt.getTime());
    const blob = this.#blobs.insert(message.bytes, 1);
    this.#s.insert.run({
      id,
      mail_from: message.mailFrom,
      blob_id: blob,
      size: message.bytes.length,
      created_at: receivedAt.getTime(),
      env_id: message.envId ?? null,
      ret: message.ret ?? null,
    });
    message.recipients.forEach((r, seq) => {
      this.#s.insertRcpt.run(id, seq, r.address, r.notify?.join(',') ?? null, r.orcpt ?? null);
    });
    return id;
  }

  async due(now: Date, limit: number): Promise<QueueEntry[]> {
    this.#assertOpen();
    return this.#s.due.all(now.getTime(), limit).map((r) => this.#entry(r));
  }

  async nextDueAt(): Promise<Date | null> {
    this.#assertOpen();
    const t = this.#s.nextDue.get()?.t ?? null;
    return t === null ? null : new Date(t);
  }

  async stats(): Promise<QueueStats> {
    this.#assertOpen();
    const row = this.#s.stats.get();
    const oldest = row?.oldest ?? null;
    return { messages: row?.n ?? 0, oldestCreatedAt: oldest === null ? null : new Date(oldest) };
  }

  async readBytes(id: string): Promise<Buffer | null> {
    this.#assertOpen();
    const row = this.#s.get.get(id);
    return row === undefined ? null : this.#blobs.read(row.blob_id);
  }

  async recordAttempt(id: string, outcomes: readonly RecipientOutcome[], nextAttemptAt: Date): Promise<void> {
    this.#assertOpen();
    this.#db
      .transaction(() => {
        const row = this.#s.get.get(id);
        if (row === undefined) return;
        const rcpts = this.#s.rcpts.all(id);
        for (const o of outcomes) {
          const r = rcpts.find((x) => x.address === o.address && x.status === 'pending');
          if (r === undefined) continue;
          const status: QueueRecipientStatus =
            o.outcome === 'deferred' ? 'pending' : o.outcome === 'delivered' ? 'delivered' : 'failed';
          this.#s.setRcpt.run(status, o.reply, id, r.seq);
        }
        if ((this.#s.pending.get(id)?.n ?? 0) === 0) this.#remove(row);
        else this.#s.attempted.run(nextAttemptAt.getTime(), id);
      })
      .immediate();
  }

  async list(): Promise<QueueEntry[]> {
    this.#assertOpen();
    return this.#s.all.all().map((r) => this.#entry(r));
  }

  async get(id: string): Promise<QueueEntry | null> {
    this.#assertOpen();
    const row = this.#s.get.get(id);
    return row === undefined ? null : this.#entry(row);
  }

  async delete(id: string): Promise<boolean> {
    this.#assertOpen();
    return this.#db
      .transaction(() => {
        const row = this.#s.get.get(id);
        if (row === undefined) return false;
        this.#remove(row);
        return true;
      })
      .immediate();
  }

  async flush(id?: string): Promise<number> {
    this.#assertOpen();
    const now = this.#now();
    if (id === undefined) return this.#s.flushAll.run(now).changes;
    return this.#s.flushOne.run(now, id).changes;
  }

  #assertOpen(): void {
    if (!this.#db.open) throw new OutpostError(ErrorCodes.STORAGE, 'mail store is closed');
  }

  #remove(row: EntryRow): void {
    this.#s.delete.run(row.id);
    this.#blobs.release(row.blob_id);
  }

  #entry(r: EntryRow): QueueEntry {
    const recipients: QueueRecipient[] = this.#s.rcpts.all(r.id).map((x) => ({
      address: x.address,
      status: x.status,
      lastReply: x.last_reply,
      ...(x.notify === null ? {} : { notify: x.notify.split(',') as Notify }),
      ...(x.orcpt === null ? {} : { orcpt: x.orcpt }),
    }));
    return {
      id: r.id,
      mailFrom: r.mail_from,
      recipients,
      size: r.size,
      createdAt: new Date(r.created_at),
      attempts: r.attempts,
      nextAttemptAt: new Date(r.next_attempt_at),
      ...(r.env_id === null ? {} : { envId: r.env_id }),
      ...(r.ret === null ? {} : { ret: r.ret }),
    };
  }
}
