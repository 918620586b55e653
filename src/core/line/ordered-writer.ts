/**
 * The output side of a line connection as a queue: whatever is written goes to the stream in the
 * order it was written, and a response that spans awaits (an IMAP FETCH literal read from the
 * store chunk by chunk, a POP3 RETR) holds the stream until it ends, so output written meanwhile
 * (an asynchronous untagged response, another reply) waits behind it instead of landing in the
 * middle. Inside a response every chunk waits for the stream to drain when its buffer is full,
 * so a long response never piles up in memory. The writer knows nothing of lines or transcripts;
 * LineConnection adds those.
 */

/** A chunk of output. */
export type Chunk = string | Buffer;

/** Where the writer's bytes go: the connection's current stream (which STARTTLS replaces). */
export interface WriteSink {
  /** Writes; false when the stream's buffer is full (wait for `drained()` before more). */
  write(data: Chunk): boolean;
  /** Resolves when the stream can take more, or has closed. */
  drained(): Promise<void>;
}

/** How a response writes: in order, exclusively, resolving once the stream can take more. */
export type OrderedWrite = (data: Chunk, beforeWrite?: () => void) => Promise<void>;

interface Job {
  readonly data: Chunk;
  readonly beforeWrite: (() => void) | undefined;
}

/** Serialises output: plain writes in order, responses exclusively (see the file comment). */
export class OrderedWriter {
  readonly #sink: WriteSink;
  /** Plain writes and response starts waiting for the stream, in order. */
  readonly #queue: (Job | (() => void))[] = [];
  #busy = false;
  #idleWaiters: (() => void)[] = [];

  constructor(sink: WriteSink) {
    this.#sink = sink;
  }

  /** True while a response holds the stream or output waits behind one. */
  get busy(): boolean {
    return this.#busy || this.#queue.length > 0;
  }

  /**
   * Writes `data` now, or after the response that holds the stream (and everything queued before
   * it) when there is one. `beforeWrite` runs just before the bytes go out (the transcript).
   * Never waits: the caller decides where backpressure applies.
   */
  write(data: Chunk, beforeWrite?: () => void): void {
    if (this.busy) {
      this.#queue.push({ data, beforeWrite });
      return;
    }
    beforeWrite?.();
    this.#sink.write(data);
  }

  /**
   * Runs `fn` with the stream to itself: its writes go out in order, each resolving once the
   * stream can take more, and nothing else is written until `fn` settles. Starts after what was
   * written or started before; resolves or rejects as `fn` does. The `write` handed to `fn`
   * refuses to be used after `fn` settled.
   */
  async response<T>(fn: (write: OrderedWrite) => Promise<T>): Promise<T> {
    if (this.busy) {
      await new Promise<void>((resolve) => {
        this.#queue.push(resolve);
      });
    } else {
      this.#busy = true;
    }
    let open = true;
    const write: OrderedWrite = async (data, beforeWrite) => {
      if (!open) throw new Error('response writer used after its response ended');
      beforeWrite?.();
      if (!this.#sink.write(data)) await this.#sink.drained();
    };
    try {
      return await fn(write);
    } finally {
      open = false;
      this.#release();
    }
  }

  /** Resolves when no response runs and nothing is queued. */
  idle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => {
      this.#idleWaiters.push(resolve);
    });
  }

  /** Hands the stream to what is queued: plain writes go out, the next response starts. */
  #release(): void {
    this.#busy = false;
    for (let next = this.#queue.shift(); next !== undefined; next = this.#queue.shift()) {
      if (typeof next === 'function') {
        this.#busy = true;
        next();
        return;
      }
      next.beforeWrite?.();
      this.#sink.write(next.data);
    }
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
