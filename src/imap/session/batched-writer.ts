/**
 * Gathers the many small chunks of a long response (one `* n FETCH` per message) into writes of
 * about 64 KiB, so a FETCH of 10,000 envelopes is a few hundred socket writes instead of tens of
 * thousands; large data (a message body literal) goes out as it is, without a copy. Backpressure
 * is kept: each write still waits until the socket can take more.
 */
import type { Chunk } from '../codec/index.js';

/** Writes of this many octets or more go out at once. */
const BATCH_OCTETS = 64 * 1024;

/** What the batcher writes to (a `conn.response` writer). */
export interface RawWriter {
  writeRaw(data: Buffer | string): Promise<void>;
}

/** Batches chunks for `out`; call `flush()` at the end. */
export class BatchedWriter {
  readonly #out: RawWriter;
  #pending: Chunk[] = [];
  #octets = 0;

  constructor(out: RawWriter) {
    this.#out = out;
  }

  /** Adds chunks; writes when enough has gathered. */
  async write(chunks: readonly Chunk[]): Promise<void> {
    for (const c of chunks) {
      if (typeof c !== 'string' && c.length >= BATCH_OCTETS) {
        await this.flush();
        await this.#out.writeRaw(c);
        continue;
      }
      this.#pending.push(c);
      // String length undercounts UTF-8 octets; it only decides when to write.
      this.#octets += c.length;
    }
    if (this.#octets >= BATCH_OCTETS) await this.flush();
  }

  /** Writes whatever is gathered. */
  async flush(): Promise<void> {
    if (this.#pending.length === 0) return;
    const pending = this.#pending;
    this.#pending = [];
    this.#octets = 0;
    if (pending.every((c) => typeof c === 'string')) {
      await this.#out.writeRaw(pending.join(''));
      return;
    }
    await this.#out.writeRaw(
      Buffer.concat(pending.map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : c))),
    );
  }
}
