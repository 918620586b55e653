/**
 * The in-memory mail store with what queue-runner tests look at: `enqueue` (queue a message as
 * the SMTP server would), `delivered` (every local delivery, i.e. bounces, in order) and
 * `attempts` (every recorded queue attempt). Everything else is the real MemoryMailStore.
 */
import { MemoryMailStore } from '../../../src/mail/store/memory-store.js';
import type {
  AcceptRequest,
  AcceptResult,
  DsnRecipientOptions,
  RecipientOutcome,
} from '../../../src/mail/store/types.js';

/** See the file comment. */
export class RecordingMailStore extends MemoryMailStore {
  readonly delivered: { user: string; bytes: Buffer }[] = [];
  readonly attempts: { id: string; outcomes: readonly RecipientOutcome[] }[] = [];
  readonly #clock: () => Date;

  constructor(now: () => Date = () => new Date()) {
    super({ now: () => now().getTime() });
    this.#clock = now;
    const record = this.queue.recordAttempt.bind(this.queue);
    this.queue.recordAttempt = (id, outcomes, next) => {
      this.attempts.push({ id, outcomes });
      return record(id, outcomes, next);
    };
  }

  /** Queues `bytes` from `mailFrom` to `recipients` now (or at `receivedAt`); returns the queue id. */
  async enqueue(
    mailFrom: string,
    recipients: readonly (string | ({ address: string } & DsnRecipientOptions))[],
    bytes: Buffer,
    extra: { envId?: string; ret?: 'FULL' | 'HDRS'; receivedAt?: Date } = {},
  ): Promise<string> {
    const { queueId } = await this.accept({
      receivedAt: extra.receivedAt ?? this.#clock(),
      local: [],
      outbound: {
        mailFrom,
        recipients: recipients.map((r) => (typeof r === 'string' ? { address: r } : r)),
        bytes,
        ...(extra.envId === undefined ? {} : { envId: extra.envId }),
        ...(extra.ret === undefined ? {} : { ret: extra.ret }),
      },
    });
    if (queueId === null) throw new Error('nothing was queued');
    return queueId;
  }

  override async accept(request: AcceptRequest): Promise<AcceptResult> {
    const result = await super.accept(request);
    for (const l of request.local)
      this.delivered.push({ user: l.user, bytes: request.localBytes ?? Buffer.alloc(0) });
    return result;
  }
}
