// An in-memory MailStore for queue tests: a faithful OutboundQueue (due order, recordAttempt
// semantics, removal when nothing is pending) and an `accept` that records local deliveries and
// queues outbound parts. Mailbox methods the queue never calls throw.
import type {
  AcceptRequest,
  AcceptResult,
  MailStore,
  OutboundQueue,
  QueueEntry,
  QueueRecipient,
  RecipientOutcome,
} from '../../../src/mail/store/types.js';

interface Row {
  entry: QueueEntry;
  bytes: Buffer;
}

export class MemoryQueue implements OutboundQueue {
  readonly rows = new Map<string, Row>();
  readonly attempts: { id: string; outcomes: readonly RecipientOutcome[] }[] = [];
  #seq = 0;

  add(entry: Omit<QueueEntry, 'id'>, bytes: Buffer): string {
    const id = `Q${String(++this.#seq)}`;
    this.rows.set(id, { entry: { ...entry, id }, bytes });
    return id;
  }

  due(now: Date, limit: number): QueueEntry[] {
    return [...this.rows.values()]
      .map((r) => r.entry)
      .filter(
        (e) => e.nextAttemptAt.getTime() <= now.getTime() && e.recipients.some((r) => r.status === 'pending'),
      )
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
      .slice(0, limit);
  }

  nextDueAt(): Date | null {
    const times = [...this.rows.values()].map((r) => r.entry.nextAttemptAt.getTime());
    return times.length ? new Date(Math.min(...times)) : null;
  }

  readBytes(id: string): Buffer | null {
    return this.rows.get(id)?.bytes ?? null;
  }

  recordAttempt(id: string, outcomes: readonly RecipientOutcome[], nextAttemptAt: Date): void {
    this.attempts.push({ id, outcomes });
    const row = this.rows.get(id);
    if (!row) return;
    const recipients = row.entry.recipients.map((r): QueueRecipient => {
      const o = outcomes.find((x) => x.address === r.address);
      if (!o) return r;
      return { ...r, status: o.outcome === 'deferred' ? 'pending' : o.outcome, lastReply: o.reply };
    });
    if (!recipients.some((r) => r.status === 'pending')) {
      this.rows.delete(id);
      return;
    }
    row.entry = { ...row.entry, recipients, attempts: row.entry.attempts + 1, nextAttemptAt };
  }

  list(): QueueEntry[] {
    return [...this.rows.values()].map((r) => r.entry);
  }

  get(id: string): QueueEntry | null {
    return this.rows.get(id)?.entry ?? null;
  }

  delete(id: string): boolean {
    return this.rows.delete(id);
  }

  flush(id?: string): number {
    let n = 0;
    for (const row of this.rows.values()) {
      if (id !== undefined && row.entry.id !== id) continue;
      row.entry = { ...row.entry, nextAttemptAt: new Date(0) };
      n++;
    }
    return n;
  }
}

/** A MailStore whose `accept` keeps local deliveries in `delivered` and queues outbound parts. */
export class MemoryMailStore implements MailStore {
  readonly queue = new MemoryQueue();
  readonly delivered: { user: string; bytes: Buffer }[] = [];
  readonly #now: () => Date;

  constructor(now: () => Date = () => new Date()) {
    this.#now = now;
  }

  /** Queues a message as the SMTP server would. */
  enqueue(mailFrom: string, recipients: string[], bytes: Buffer, extra: Partial<QueueEntry> = {}): string {
    return this.queue.add(
      {
        mailFrom,
        recipients: recipients.map((address) => ({ address, status: 'pending', lastReply: null })),
        size: bytes.length,
        createdAt: this.#now(),
        attempts: 0,
        nextAttemptAt: this.#now(),
        ...extra,
      },
      bytes,
    );
  }

  accept(request: AcceptRequest): Promise<AcceptResult> {
    for (const l of request.local)
      this.delivered.push({ user: l.user, bytes: request.localBytes ?? Buffer.alloc(0) });
    let queueId: string | null = null;
    if (request.outbound) {
      queueId = this.queue.add(
        {
          mailFrom: request.outbound.mailFrom,
          recipients: request.outbound.recipients.map((r) => ({
            ...r,
            status: 'pending' as const,
            lastReply: null,
          })),
          size: request.outbound.bytes.length,
          createdAt: request.receivedAt,
          attempts: 0,
          nextAttemptAt: request.receivedAt,
        },
        request.outbound.bytes,
      );
    }
    return Promise.resolve({ delivered: [], queueId });
  }

  ensureMailboxes(): never {
    throw new Error('not in the memory store');
  }
  listMailboxes(): never {
    throw new Error('not in the memory store');
  }
  getMailbox(): never {
    throw new Error('not in the memory store');
  }
  createMailbox(): never {
    throw new Error('not in the memory store');
  }
  renameMailbox(): never {
    throw new Error('not in the memory store');
  }
  deleteMailbox(): never {
    throw new Error('not in the memory store');
  }
  setSubscribed(): never {
    throw new Error('not in the memory store');
  }
  listMessages(): never {
    throw new Error('not in the memory store');
  }
  readMessage(): never {
    throw new Error('not in the memory store');
  }
  append(): never {
    throw new Error('not in the memory store');
  }
  setFlags(): never {
    throw new Error('not in the memory store');
  }
  copy(): never {
    throw new Error('not in the memory store');
  }
  expunge(): never {
    throw new Error('not in the memory store');
  }
  subscribe(): () => void {
    return () => undefined;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** A resolver answering from a table (domain → result). */
export function fakeResolver(
  table: Record<string, import('../../../src/mail/queue/mx-resolver.js').MxResult>,
): import('../../../src/mail/queue/mx-resolver.js').MxResolver {
  return {
    resolve: (domain) =>
      Promise.resolve(
        table[domain] ?? {
          kind: 'permanent',
          code: 550,
          status: '5.1.2',
          message: `no such domain ${domain}`,
        },
      ),
  };
}
