/**
 * Bulk reads for plain-TCP uploads. Node's stream path allocates a fresh 64 KiB Buffer for every
 * socket read, and the upload then copies it again into its write buffer; at loopback speed the
 * allocation churn (concurrent GC on the same core) and the extra copy held uploads to about half
 * of vsftpd's rate. Node's `onread` option lets the kernel copy incoming bytes straight into a few
 * reusable buffers instead, but Node offers it only on sockets it constructs, so the accepted (or
 * connected) data socket's handle is moved to a new Socket before its first read. TLS data
 * connections, and sockets that already read something, keep the stream path.
 */
import { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';

/** Receives each full (or final partial) buffer; the buffer is reused once the promise settles. */
export type ChunkSink = (chunk: Buffer) => Promise<void>;

interface HandleHolder {
  _handle: object | null;
}

/**
 * Moves `raw`'s handle into a new Socket that reads into `count` buffers of `size` octets. Returns
 * null when that is not possible (TLS, already reading or destroyed); `raw` is then untouched.
 * On success `raw` is an empty shell (destroyed) and only `reader.socket` must be used.
 */
export function adoptForBulkReads(raw: Socket, size: number, count = 2): BulkReader | null {
  if (raw instanceof TLSSocket || raw.destroyed || raw.bytesRead > 0 || raw.readableLength > 0) return null;
  const holder = raw as unknown as HandleHolder;
  const handle = holder._handle;
  if (handle === null || typeof handle !== 'object') return null;
  holder._handle = null;
  raw.destroy();
  return new BulkReader(handle, size, count);
}

/** A data socket whose reads land in a ring of reusable buffers, handed to a sink in order. */
export class BulkReader {
  readonly socket: Socket;
  readonly #buffers: Buffer[];
  readonly #busy: boolean[];
  readonly #size: number;
  #current = 0;
  #used = 0;
  #sink: ((chunk: Buffer, index: number) => void) | null = null;

  constructor(handle: object, size: number, count: number) {
    this.#size = size;
    this.#buffers = Array.from({ length: count }, () => Buffer.allocUnsafeSlow(size));
    this.#busy = this.#buffers.map(() => false);
    this.socket = new Socket({
      handle,
      readable: true,
      writable: true,
      pauseOnCreate: true,
      onread: {
        buffer: () => this.#space(),
        callback: (n: number) => this.#filled(n),
      },
    } as ConstructorParameters<typeof Socket>[0]);
    // Errors after a transfer settled (a reset during the closing handshake) must not be unhandled.
    this.socket.on('error', () => undefined);
  }

  #space(): Buffer {
    return (this.#buffers[this.#current] ?? Buffer.alloc(0)).subarray(this.#used);
  }

  /** Returns false (pausing the socket) when the next buffer is still being written. */
  #filled(n: number): boolean {
    this.#used += n;
    if (this.#used < this.#size) return true;
    this.#handOff();
    return !(this.#busy[this.#current] ?? false);
  }

  #handOff(): void {
    const index = this.#current;
    const buffer = this.#buffers[index];
    if (buffer === undefined || this.#used === 0) return;
    this.#busy[index] = true;
    const length = this.#used;
    this.#current = (index + 1) % this.#buffers.length;
    this.#used = 0;
    this.#sink?.(length === this.#size ? buffer : buffer.subarray(0, length), index);
  }

  /**
   * Reads until the peer's EOF, passing each buffer to `sink` one at a time and in order, and
   * resolves once the last one is written. When the connection closes without EOF (abort, reset,
   * idle timeout) what already arrived is still handed to the sink, then it rejects; when the
   * sink fails, nothing more is written, the socket is destroyed and it rejects with that error.
   */
  receive(sink: ChunkSink): Promise<void> {
    const socket = this.socket;
    // Destroyed before the first read (ABOR while the file was still opening): no event will come.
    if (socket.destroyed)
      return Promise.reject(new Error('data connection closed before the upload started'));
    return new Promise<void>((resolve, reject) => {
      let tail: Promise<void> = Promise.resolve();
      let sinkFailure: Error | undefined;
      let socketFailure: Error | undefined;
      let settled = false;
      let ended = false;
      const settle = (err?: Error): void => {
        if (settled) return;
        settled = true;
        this.#sink = null;
        socket.off('end', onEnd);
        socket.off('close', onClose);
        socket.off('error', onError);
        if (err === undefined) resolve();
        else reject(err);
      };
      this.#sink = (chunk, index) => {
        tail = tail.then(async () => {
          if (sinkFailure !== undefined) return;
          try {
            await sink(chunk);
          } catch (err) {
            sinkFailure = err instanceof Error ? err : new Error('upload sink failed', { cause: err });
            socket.destroy();
            settle(sinkFailure);
            return;
          }
          this.#busy[index] = false;
          if (index === this.#current && !socket.destroyed) socket.resume();
        });
      };
      // Both ends hand over the partly filled buffer: an interrupted upload keeps every byte
      // that arrived (as vsftpd does), so a client can resume from SIZE.
      const onEnd = (): void => {
        ended = true;
        this.#handOff();
        void tail.then(() => {
          settle(sinkFailure);
        });
      };
      const onClose = (): void => {
        if (ended) return;
        this.#handOff();
        void tail.then(() => {
          settle(
            sinkFailure ?? socketFailure ?? new Error('data connection closed before the end of the upload'),
          );
        });
      };
      const onError = (err: Error): void => {
        socketFailure ??= err;
      };
      socket.once('end', onEnd);
      socket.once('close', onClose);
      socket.on('error', onError);
      socket.resume();
    });
  }
}
