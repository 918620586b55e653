/**
 * A DEFLATE compression layer over a connection's transport (IMAP COMPRESS=DEFLATE, RFC 4978):
 * a Duplex whose writes are compressed with raw deflate (RFC 1951, no zlib header) onto the
 * transport, flushed with Z_SYNC_FLUSH after each burst of writes (everything written in one
 * tick, so a peer never waits for a reply stuck in the compressor), and whose reads are the
 * transport's bytes inflated. It sits between the socket (or TLS socket: compression goes
 * first, then TLS) and LineConnection, which reads and writes it like the socket and so keeps
 * every bound it has: the line length, counted reads and the buffered-input cap all apply to the
 * inflated bytes. Backpressure runs through both zlib streams: while the line layer has paused
 * this stream, inflate stops (zlib checks its output buffer between chunks) and the transport
 * pauses behind it, so a decompression bomb costs a few buffers, never the inflated size.
 *
 * `release()` ends the layer without closing the transport (IMAP UNAUTHENTICATE, RFC 8437 §4.1):
 * the compressed output is flushed and the transport handed back for plain use. Destroying the
 * layer (or the transport closing) destroys both zlib streams.
 */
import { Duplex } from 'node:stream';
import { constants, createDeflateRaw, createInflateRaw, type DeflateRaw, type InflateRaw } from 'node:zlib';

/** Options of a DeflateLayer. */
export interface DeflateLayerOptions {
  /** Compression level, 1 (fast) to 9 (small); default 6, zlib's. */
  readonly level?: number;
}

/** Raw DEFLATE both ways over `transport` (see the file comment). */
export class DeflateLayer extends Duplex {
  readonly #transport: Duplex;
  readonly #inflate: InflateRaw;
  readonly #deflate: DeflateRaw;
  #flushScheduled = false;
  #released = false;
  #inflated = 0;
  readonly #onTransportClose = (): void => {
    if (!this.#released) this.destroy();
  };
  readonly #onTransportError = (err: Error): void => {
    if (!this.#released) this.destroy(err);
  };

  constructor(transport: Duplex, options: DeflateLayerOptions = {}) {
    super({ allowHalfOpen: true });
    this.#transport = transport;
    this.#inflate = createInflateRaw();
    this.#deflate = createDeflateRaw({ level: options.level ?? constants.Z_DEFAULT_COMPRESSION });
    this.#inflate.on('data', (chunk: Buffer) => {
      this.#inflated += chunk.length;
      if (!this.push(chunk)) this.#inflate.pause();
    });
    this.#inflate.on('end', () => {
      if (!this.#released) this.push(null);
    });
    // Corrupt input from the peer: the connection ends (the line layer sees an error, then close).
    this.#inflate.on('error', (err) => {
      if (!this.#released) this.destroy(err);
    });
    this.#deflate.on('error', (err) => {
      if (!this.#released) this.destroy(err);
    });
    transport.on('close', this.#onTransportClose);
    transport.on('error', this.#onTransportError);
    // The transport's end ends the inflater (pipe), whose 'end' ends this stream's readable side.
    transport.pipe(this.#inflate);
    this.#deflate.pipe(transport);
  }

  /** Octets inflated from the peer so far (tests watch the bound). */
  get inflatedOctets(): number {
    return this.#inflated;
  }

  /** True once both zlib streams are destroyed (closed, destroyed or released). */
  get zlibClosed(): boolean {
    return this.#inflate.destroyed && this.#deflate.destroyed;
  }

  override _read(): void {
    this.#inflate.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const more = this.#deflate.write(chunk);
    this.#scheduleFlush();
    if (more) callback();
    else
      this.#deflate.once('drain', () => {
        callback();
      });
  }

  override _final(callback: (error?: Error | null) => void): void {
    // Z_FINISH, then the pipe ends the transport once the compressed tail is written.
    this.#deflate.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#inflate.destroy();
    this.#deflate.destroy();
    if (!this.#released) {
      this.#detach();
      this.#transport.destroy();
    }
    callback(error);
  }

  /**
   * Stops compressing without closing the transport: waits for what was written to go through
   * the compressor, flushes it (Z_SYNC_FLUSH, no final block: the peer simply stops inflating
   * there), writes it to the transport, and hands the transport back paused. Input the layer
   * held or had not inflated yet is dropped (the peer must wait for our reply before it sends
   * uncompressed data). The layer is destroyed afterwards.
   */
  async release(): Promise<Duplex> {
    while (this.writableLength > 0 && !this.destroyed) {
      await new Promise<void>((resolve) => {
        this.once('drain', resolve);
        this.once('close', resolve);
      });
    }
    if (!this.#deflate.destroyed) {
      await new Promise<void>((resolve) => {
        this.#deflate.flush(constants.Z_SYNC_FLUSH, () => {
          resolve();
        });
      });
    }
    this.#released = true;
    this.#deflate.unpipe(this.#transport);
    for (
      let chunk = this.#deflate.read() as Buffer | null;
      chunk !== null;
      chunk = this.#deflate.read() as Buffer | null
    ) {
      this.#transport.write(chunk);
    }
    this.#transport.unpipe(this.#inflate);
    this.#transport.pause();
    this.#detach();
    this.destroy();
    return this.#transport;
  }

  #detach(): void {
    this.#transport.off('close', this.#onTransportClose);
    this.#transport.off('error', this.#onTransportError);
  }

  /** One Z_SYNC_FLUSH after the writes of this tick. */
  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    process.nextTick(() => {
      this.#flushScheduled = false;
      if (!this.#deflate.destroyed && !this.#deflate.writableEnded)
        this.#deflate.flush(constants.Z_SYNC_FLUSH);
    });
  }
}
