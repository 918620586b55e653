/**
 * Moving bytes over a data connection: files from disk to the data stream (RETR), from the data
 * stream to disk (STOR/APPE/STOU), and listings from memory; and the TYPE A size of a file
 * (SIZE). Files arrive already opened by the user's filesystem (user-fs.ts); these functions read
 * and write their descriptors and never close them. Large reads (FTP_LIMITS.transferChunkOctets)
 * and stream backpressure; TYPE A goes through the CRLF converters. Uploads are fsync'ed before
 * they resolve, so a 226 means the file is on disk. Every function honours an AbortSignal (ABOR,
 * shutdown) and counts bytes for STAT.
 */
import { createReadStream, createWriteStream, fdatasync, fsync, ftruncate, read, write } from 'node:fs';
import { promisify } from 'node:util';
import { pipeline } from 'node:stream/promises';
import type { Duplex, Readable, Writable } from 'node:stream';
import { AsciiSizeCounter, toCrlfStream, toLfStream } from '../codec/ascii.js';
import { FTP_LIMITS } from '../limits.js';
import type { BulkReceiver } from '../session/data-channel.js';
import type { WriteMode } from './user-fs.js';

const fsyncFd = promisify(fsync);
const fdatasyncFd = promisify(fdatasync);
const truncateFd = promisify(ftruncate);
const writeFd = (
  fd: number,
  buffer: Buffer,
  offset: number,
  length: number,
  position: number | null,
): Promise<number> =>
  new Promise((resolve, reject) => {
    write(fd, buffer, offset, length, position, (err, n) => {
      if (err) reject(err);
      else resolve(n);
    });
  });
const readFd = (
  fd: number,
  buffer: Buffer,
  offset: number,
  length: number,
  position: number,
): Promise<number> =>
  new Promise((resolve, reject) => {
    read(fd, buffer, offset, length, position, (err, n) => {
      if (err) reject(err);
      else resolve(n);
    });
  });

/** Where the byte count goes. */
export interface Progress {
  bytes: number;
}

function counted(stream: Readable, progress: Progress): Readable {
  stream.on('data', (chunk: Buffer) => {
    progress.bytes += chunk.length;
  });
  return stream;
}

/** Waits until the data socket has flushed and closed (or a short grace passed). */
export async function finishSocket(socket: Duplex): Promise<void> {
  if (socket.destroyed) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      socket.destroy();
      resolve();
    }, FTP_LIMITS.dataCloseGraceMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.end();
    socket.resume();
  });
}

/** Reads the file open on `fd` from `start`, in large chunks, leaving the descriptor open. */
function readStream(fd: number, start: number): Readable {
  return createReadStream('', { fd, start, highWaterMark: FTP_LIMITS.transferChunkOctets, autoClose: false });
}

/** The size of the file open on `fd` as TYPE A sends it, every LF counted as CRLF (RFC 3659 §4). */
export async function asciiSize(fd: number): Promise<number> {
  const counter = new AsciiSizeCounter();
  for await (const chunk of readStream(fd, 0)) counter.push(chunk as Buffer);
  return counter.size;
}

/** Sends the file open on `fd` from `offset`; TYPE A converts LF to CRLF. */
export async function sendFile(
  socket: Duplex,
  fd: number,
  options: { offset: number; ascii: boolean; signal: AbortSignal; progress: Progress },
): Promise<void> {
  if (!options.ascii) {
    await sendRaw(socket, fd, options);
    return;
  }
  await pipeline(
    counted(readStream(fd, options.offset), options.progress),
    toCrlfStream(),
    socket as Writable,
    {
      signal: options.signal,
      end: false,
    },
  );
}

/** Rethrows a write error recorded by a socket callback. */
function throwIfFailed(state: { readonly failure: Error | undefined }): void {
  if (state.failure) throw state.failure;
}

/**
 * TYPE I download without streams: two reusable buffers, one being written to the socket while
 * the next is read from disk. Reusing them avoids allocating (and page-faulting) a fresh
 * megabyte per chunk, which is what held createReadStream to about 40% of vsftpd's sendfile.
 * A buffer is only refilled after the socket reported its previous write as done (backpressure).
 */
async function sendRaw(
  socket: Duplex,
  fd: number,
  options: { offset: number; signal: AbortSignal; progress: Progress },
): Promise<void> {
  const size = FTP_LIMITS.transferChunkOctets;
  const buffers = [Buffer.allocUnsafeSlow(size), Buffer.allocUnsafeSlow(size)];
  const inFlight: (Promise<void> | undefined)[] = [undefined, undefined];
  let position = options.offset;
  const state: { failure: Error | undefined } = { failure: undefined };
  const onAbort = (): void => {
    socket.destroy();
  };
  options.signal.addEventListener('abort', onAbort, { once: true });
  try {
    for (let i = 0; ; i ^= 1) {
      await inFlight[i];
      options.signal.throwIfAborted();
      throwIfFailed(state);
      const buffer = buffers[i] ?? Buffer.alloc(0);
      const n = await readFd(fd, buffer, 0, size, position);
      if (n === 0) break;
      position += n;
      options.progress.bytes += n;
      inFlight[i] = new Promise<void>((resolve) => {
        socket.write(n === size ? buffer : buffer.subarray(0, n), (err) => {
          if (err) state.failure ??= err;
          resolve();
        });
      });
    }
    for (const write of inFlight) await write;
    options.signal.throwIfAborted();
    throwIfFailed(state);
  } finally {
    options.signal.removeEventListener('abort', onAbort);
  }
}

/**
 * Starts writeback while an upload is still arriving: after every `FTP_LIMITS.writebackOctets`
 * written, one background fdatasync (never two at once). The fsync before 226 then waits only
 * for the tail instead of the whole file, so a durable upload runs at the slower of network and
 * disk rather than their sum.
 */
class WritebackPacer {
  readonly #fd: number;
  #unsynced = 0;
  #syncing: Promise<void> | null = null;
  #failure: Error | undefined;

  constructor(fd: number) {
    this.#fd = fd;
  }

  wrote(octets: number): void {
    if (this.#failure !== undefined) throw this.#failure;
    this.#unsynced += octets;
    if (this.#syncing !== null || this.#unsynced < FTP_LIMITS.writebackOctets) return;
    this.#unsynced = 0;
    this.#syncing = fdatasyncFd(this.#fd).then(
      () => {
        this.#syncing = null;
      },
      (err: unknown) => {
        this.#failure = err instanceof Error ? err : new Error('fdatasync failed', { cause: err });
        this.#syncing = null;
      },
    );
  }

  /** Waits for a background sync still running; rethrows its error. */
  async settle(): Promise<void> {
    await this.#syncing;
    if (this.#failure !== undefined) throw this.#failure;
  }
}

/**
 * Receives into the file open for writing on `fd` (see UserFs.openWrite): truncated to 0 first,
 * appended to, or written from `offset` (REST) after truncating there.
 */
export async function receiveFile(
  socket: Duplex,
  fd: number,
  options: {
    mode: WriteMode;
    offset: number;
    ascii: boolean;
    signal: AbortSignal;
    progress: Progress;
    fsync: boolean;
    /** Bulk reads of `socket` (plain TCP, TYPE I), when the data connection offers them. */
    bulk?: BulkReceiver | null;
  },
): Promise<void> {
  const pacer = options.fsync && !options.ascii ? new WritebackPacer(fd) : null;
  try {
    if (options.mode === 'offset') await truncateFd(fd, options.offset);
    else if (options.mode === 'truncate') await truncateFd(fd, 0);
    const start = options.mode === 'append' ? null : options.mode === 'offset' ? options.offset : 0;
    if (options.ascii) {
      const sink = createWriteStream('', {
        fd,
        autoClose: false,
        highWaterMark: FTP_LIMITS.transferChunkOctets,
        ...(start === null ? {} : { start }),
      });
      await pipeline(counted(socket as Readable, options.progress), toLfStream(), sink, {
        signal: options.signal,
      });
    } else if (options.bulk) {
      await receiveBulk(options.bulk, socket, fd, start, { ...options, pacer });
    } else {
      await receiveRaw(socket, fd, start, { ...options, pacer });
    }
    await pacer?.settle();
    if (options.fsync) await fsyncFd(fd);
  } finally {
    // A background sync must finish before its descriptor is closed (and possibly reused).
    await pacer?.settle().catch(() => undefined);
  }
}

/** Writes all of `buffer[0, length)` at `position` (null: the current/append position). */
async function writeAll(fd: number, buffer: Buffer, length: number, position: number | null): Promise<void> {
  let done = 0;
  while (done < length) {
    const n = await writeFd(fd, buffer, done, length - done, position === null ? null : position + done);
    done += n;
  }
}

/**
 * TYPE I upload: socket chunks (64 KiB) are gathered into two reusable 1 MiB buffers, one
 * filling while the other is written, so the disk sees few large writes and no per-chunk
 * allocation. Waiting for the previous write stops consuming the socket: TCP backpressure.
 */
async function receiveRaw(
  socket: Duplex,
  fd: number,
  start: number | null,
  options: { signal: AbortSignal; progress: Progress; pacer: WritebackPacer | null },
): Promise<void> {
  const size = FTP_LIMITS.transferChunkOctets;
  let fill = Buffer.allocUnsafeSlow(size);
  let spare = Buffer.allocUnsafeSlow(size);
  let used = 0;
  let position = start;
  let pending: Promise<void> | undefined;
  const onAbort = (): void => {
    socket.destroy();
  };
  options.signal.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of socket as AsyncIterable<Buffer>) {
      options.progress.bytes += chunk.length;
      for (let off = 0; off < chunk.length;) {
        const n = chunk.copy(fill, used, off);
        used += n;
        off += n;
        if (used === size) {
          await pending;
          options.pacer?.wrote(used);
          pending = writeAll(fd, fill, used, position);
          if (position !== null) position += used;
          [fill, spare] = [spare, fill];
          used = 0;
        }
      }
    }
    options.signal.throwIfAborted();
    await pending;
    if (used > 0) await writeAll(fd, fill, used, position);
  } catch (err) {
    await pending?.catch(() => undefined);
    options.signal.throwIfAborted();
    throw err;
  } finally {
    options.signal.removeEventListener('abort', onAbort);
  }
}

/**
 * TYPE I upload over plain TCP: the kernel reads into the reader's reusable buffers and each full
 * buffer is written at its position while the next one fills; the socket pauses only when every
 * buffer is waiting for the disk.
 */
async function receiveBulk(
  reader: BulkReceiver,
  socket: Duplex,
  fd: number,
  start: number | null,
  options: { signal: AbortSignal; progress: Progress; pacer: WritebackPacer | null },
): Promise<void> {
  let position = start;
  const onAbort = (): void => {
    socket.destroy();
  };
  options.signal.addEventListener('abort', onAbort, { once: true });
  try {
    await reader.receive(async (chunk) => {
      options.progress.bytes += chunk.length;
      await writeAll(fd, chunk, chunk.length, position);
      if (position !== null) position += chunk.length;
      options.pacer?.wrote(chunk.length);
    });
  } catch (err) {
    options.signal.throwIfAborted();
    throw err;
  } finally {
    options.signal.removeEventListener('abort', onAbort);
  }
}

/** Sends an in-memory listing. */
export async function sendText(
  socket: Duplex,
  text: string,
  signal: AbortSignal,
  progress: Progress,
): Promise<void> {
  const data = Buffer.from(text, 'utf8');
  progress.bytes += data.length;
  signal.throwIfAborted();
  await new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.write(data, (err) => {
      signal.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve();
    });
  });
}
