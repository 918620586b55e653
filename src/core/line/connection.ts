/**
 * One client connection of a line protocol (SMTP, POP3, IMAP, FTP control, Telnet), as a pull
 * API for a session: `readLine()` / `readBytes()` resolve with the next item (one read at a time),
 * `writeLine()` sends one reply line. Sessions never touch the socket, so one session object can
 * be driven by a real socket or by an in-memory duplex in tests.
 *
 * What it enforces for every protocol: a maximum line length, backpressure (the socket pauses
 * while too much unread input is buffered, and no command is read while too much output is
 * unread), idle and total timeouts on an injected clock (the idle one settable per session
 * state), refusal of early talkers, STARTTLS that discards whatever the client pipelined before
 * the handshake (the STARTTLS command-injection class of bugs, CVE-2011-0411 and friends),
 * outgoing lines checked for CR/LF/NUL, output in order (`response()` holds the stream across
 * awaits; see ordered-writer.ts), and a transcript of every line on the tap with secrets redacted.
 * `interrupt()` lets an asynchronous event (a mailbox change) wake a session waiting for its next
 * command, so IMAP IDLE waits for "DONE or a change" with one read. `startCompression()` puts a
 * DEFLATE layer (deflate-layer.ts, IMAP COMPRESS) between the transport and everything above,
 * so every read bound applies to the inflated bytes; `stopCompression()` takes it away again.
 */
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { TLSSocket, type SecureContext, type ConnectionOptions, connect as tlsConnect } from 'node:tls';
import { systemClock, type Clock, type ClockTimer } from '../clock.js';
import { ErrorCodes, OutpostError } from '../errors.js';
import { LINE_LIMITS } from '../limits.js';
import { publishTranscript, transcriptActive } from '../transcript.js';
import { DeflateLayer } from './deflate-layer.js';
import { LineBuffer } from './line-buffer.js';
import { OrderedWriter, type OrderedWrite } from './ordered-writer.js';

/** What a read can yield. `shutdown` only interrupts reads made with `{ command: true }`. */
export type ReadResult =
  | { readonly kind: 'line'; readonly raw: Buffer; readonly text: string; readonly ending: 'crlf' | 'lf' }
  | { readonly kind: 'overflow' }
  | { readonly kind: 'end' }
  | { readonly kind: 'timeout'; readonly which: 'idle' | 'session' }
  | { readonly kind: 'shutdown' };

/**
 * What an interruptible command read (`readLine({ command: true, interruptible: true })`) yields
 * besides a ReadResult: `interrupt(reason)` was called. Bytes that arrived meanwhile stay
 * buffered for the next read.
 */
export interface InterruptedResult {
  readonly kind: 'interrupted';
  readonly reason: string;
}

/** Options of `readLine`. */
export interface ReadLineOptions {
  /** A command boundary: a server shutdown (and output backpressure) may end the wait. */
  readonly command?: boolean;
  /** Also woken by `interrupt()`; only at a command boundary. */
  readonly interruptible?: boolean;
}

/** How a response writes while it holds the output (see `LineConnection.response`). */
export interface ResponseWriter {
  /** Writes lines, each followed by CRLF, in one write; resolves when the socket can take more. */
  writeLines(lines: readonly string[]): Promise<void>;
  /** Writes one line followed by CRLF; resolves when the socket can take more. */
  writeLine(line: string): Promise<void>;
  /**
   * Writes raw bytes (a literal, a message body); resolves when the socket can take more. The
   * transcript shows `transcriptNote` (one line, or several) instead of the bytes, or nothing.
   */
  writeRaw(data: Buffer | string, transcriptNote?: string | readonly string[]): Promise<void>;
}

/** A run of counted bytes, or the reason it stopped early. */
export type BytesResult =
  | { readonly kind: 'bytes'; readonly data: Buffer }
  | { readonly kind: 'end' }
  | { readonly kind: 'timeout'; readonly which: 'idle' | 'session' };

export interface LineConnectionOptions {
  /** Protocol name for the transcript and logs, e.g. 'smtp'. */
  protocol: string;
  /** Longest accepted line including its ending, in octets. */
  maxLineOctets?: number;
  /** Silence (no input while a read waits) before a read ends with `timeout`/`idle`; Infinity for
   *  none. `setIdleTimeout` changes it later (e.g. IMAP: 1 min before login, 30 min after). */
  idleTimeoutMs?: number;
  /** Longest life of the connection; Infinity for none (IMAP, whose sessions live for days). */
  sessionTimeoutMs?: number;
  tlsHandshakeTimeoutMs?: number;
  maxBufferedOctets?: number;
  /** Unread replies beyond which the next command waits for the client to read (default 64 KiB). */
  maxUnreadOutputOctets?: number;
  /** Rewrites a client line for the transcript (e.g. `PASS secret` -> `PASS ****`). */
  redact?: (line: string) => string;
  /** Address info when `stream` is not a socket (tests with in-memory duplexes). */
  remoteAddress?: string;
  /**
   * Which end we are. The transcript always labels the client's lines `C:` and the server's
   * `S:`, so a client connection (ours talking to a server) labels what it reads `S:`.
   */
  side?: 'server' | 'client';
  /** Time and timers for the timeouts and the early-talker wait (default: the system clock). */
  clock?: Clock;
}

type Waiter = () => void;

/** How long close() lets the peer take what we wrote before destroying, in milliseconds. */
const CLOSE_GRACE_MS = 2000;

const UNSAFE_OUTPUT = /[\r\n\0]/;

/** A line-oriented connection with limits, timeouts, STARTTLS and a transcript. */
export class LineConnection {
  readonly id: string = randomBytes(6).toString('base64url');
  readonly protocol: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  readonly #input = new LineBuffer();
  readonly #maxLine: number;
  readonly #clock: Clock;
  #idleMs: number;
  readonly #sessionMs: number;
  readonly #handshakeMs: number;
  readonly #maxBuffered: number;
  readonly #maxUnreadOutput: number;
  readonly #redact: ((line: string) => string) | undefined;
  readonly #side: 'server' | 'client';
  /** What the connection reads and writes: the transport, or a DeflateLayer over it. */
  #stream: Duplex;
  /** The socket (TLS after STARTTLS): what `secure` describes. */
  #transport: Duplex;
  readonly #writer: OrderedWriter;
  /** Lines buffered by `bufferLines`, written at the next flush. */
  #pendingLines: string[] = [];
  #pendingOctets = 0;
  #waiter: Waiter | null = null;
  /** True while a read (or the early-talker wait) is pending: one at a time. */
  #reading = false;
  #ended = false;
  #closed = false;
  #shutdownRequested = false;
  /** Reasons given to `interrupt()` not yet returned by a read, oldest first, without repeats. */
  readonly #interrupts = new Set<string>();
  /** The last read returned `interrupted`: the next one continues the same wait. */
  #resumingAfterInterrupt = false;
  #idleFired = false;
  #sessionFired = false;
  /** When the idle period started: the last input, or the start of a read. */
  #lastActivity: number;
  #idleTimer: ClockTimer | null = null;
  #sessionTimer: ClockTimer | null = null;
  #redactNext = false;
  #paused = false;
  #closePromise: Promise<void>;
  #resolveClosed!: () => void;
  readonly #onData = (chunk: Buffer): void => {
    this.#input.push(chunk);
    this.#touch();
    if (!this.#paused && this.#input.buffered > this.#maxBuffered) {
      this.#paused = true;
      this.#stream.pause();
    }
    this.#wake();
  };
  readonly #onEnd = (): void => {
    this.#ended = true;
    this.#wake();
  };
  readonly #onClose = (): void => {
    this.#ended = true;
    this.#markClosed();
  };
  readonly #onError = (): void => {
    // Resets and similar: the close event follows; reads then return 'end'.
    this.#ended = true;
    this.#wake();
  };

  constructor(stream: Duplex, options: LineConnectionOptions) {
    this.protocol = options.protocol;
    this.#stream = stream;
    this.#transport = stream;
    this.#maxLine = options.maxLineOctets ?? LINE_LIMITS.maxLineOctets;
    this.#clock = options.clock ?? systemClock;
    this.#idleMs = options.idleTimeoutMs ?? LINE_LIMITS.idleTimeoutMs;
    this.#sessionMs = options.sessionTimeoutMs ?? LINE_LIMITS.sessionTimeoutMs;
    this.#handshakeMs = options.tlsHandshakeTimeoutMs ?? LINE_LIMITS.tlsHandshakeTimeoutMs;
    this.#maxBuffered = options.maxBufferedOctets ?? LINE_LIMITS.maxBufferedOctets;
    this.#maxUnreadOutput = options.maxUnreadOutputOctets ?? LINE_LIMITS.maxUnreadOutputOctets;
    this.#redact = options.redact;
    this.#side = options.side ?? 'server';
    const sock = stream as Partial<TLSSocket>;
    this.remoteAddress = options.remoteAddress ?? sock.remoteAddress ?? 'unknown';
    this.remotePort = sock.remotePort ?? 0;
    this.localAddress = sock.localAddress ?? 'unknown';
    this.localPort = sock.localPort ?? 0;
    this.#closePromise = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    this.#writer = new OrderedWriter({
      write: (data) => this.#closed || this.#stream.write(data),
      drained: () => this.#drained(),
    });
    this.#attach(stream);
    if (Number.isFinite(this.#sessionMs)) {
      this.#sessionTimer = this.#clock.setTimeout(() => {
        this.#sessionFired = true;
        this.#wake();
      }, this.#sessionMs);
    }
    this.#lastActivity = this.#clock.now();
    this.#armIdle();
    this.#tap('*', `connect from ${this.remoteAddress}:${this.remotePort}`);
  }

  /** The clock the connection's timeouts run on; sessions arm their own timers on it too. */
  get clock(): Clock {
    return this.#clock;
  }

  /** True once TLS is active (implicit TLS or after STARTTLS). */
  get secure(): boolean {
    return this.#transport instanceof TLSSocket && this.#transport.encrypted;
  }

  /** The underlying TLS socket when secure (for ALPN, certificate or cipher details). */
  get tlsSocket(): TLSSocket | null {
    return this.#transport instanceof TLSSocket ? this.#transport : null;
  }

  /** True while DEFLATE compression is on (`startCompression`). */
  get compressed(): boolean {
    return this.#stream !== this.#transport;
  }

  /** Octets inflated from the peer since compression started (0 without it). */
  get inflatedOctets(): number {
    return this.#stream instanceof DeflateLayer ? this.#stream.inflatedOctets : 0;
  }

  /** True after the peer closed or the connection was destroyed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Resolves when the connection has fully closed. */
  get whenClosed(): Promise<void> {
    return this.#closePromise;
  }

  /** How the last over-long line (an `overflow` read) ended, once its LF arrived; null before. */
  get discardedLineEnding(): 'crlf' | 'lf' | null {
    return this.#input.discardedEnding;
  }

  /** Octets received and not yet read. */
  get bufferedInput(): number {
    return this.#input.buffered;
  }

  /** The idle timeout now in force, in milliseconds (Infinity: none). */
  get idleTimeoutMs(): number {
    return this.#idleMs;
  }

  /**
   * Changes the idle timeout from now on (a session state with its own, e.g. IMAP's 30 minutes
   * once logged in); the silence so far counts. Infinity turns it off.
   */
  setIdleTimeout(ms: number): void {
    this.#idleMs = ms;
    this.#disarmIdle();
    this.#armIdle();
  }

  /**
   * Wakes a session waiting in an interruptible command read: that read (or the next one, when
   * none waits now) returns `{ kind: 'interrupted', reason }`. A complete command line already
   * buffered is returned first, and the interrupt stays pending, so a busy event source cannot
   * starve the client. Pending reasons are kept once each, oldest first. Interrupts do not count
   * as client activity for the idle timeout, and do not end a wait for the client to read our
   * output (output backpressure).
   */
  interrupt(reason: string): void {
    this.#interrupts.add(reason);
    this.#wake();
  }

  /**
   * Reads the next line, one read at a time (a second read while one is pending is refused with
   * `ERR_READ_PENDING`). With `command: true` the read is at a command boundary, where a server
   * shutdown may end it (the session then says goodbye, e.g. `421`) and where it first waits
   * while too many of our replies are unread. With `interruptible: true` as well, `interrupt()`
   * ends it too.
   */
  readLine(
    options: ReadLineOptions & { command: true; interruptible: true },
  ): Promise<ReadResult | InterruptedResult>;
  readLine(options?: ReadLineOptions & { interruptible?: false }): Promise<ReadResult>;
  async readLine(options: ReadLineOptions = {}): Promise<ReadResult | InterruptedResult> {
    this.#beginRead();
    try {
      return await this.#readLine(
        options.command === true,
        options.command === true && options.interruptible === true,
      );
    } finally {
      this.#reading = false;
    }
  }

  async #readLine(command: boolean, interruptible: boolean): Promise<ReadResult | InterruptedResult> {
    if (this.#resumingAfterInterrupt) this.#resumingAfterInterrupt = false;
    else this.#touch();
    if (command) {
      const stop = await this.#awaitReader();
      if (stop) return stop;
    }
    for (;;) {
      if (command && this.#shutdownRequested) return { kind: 'shutdown' };
      const item = this.#input.takeLine(this.#maxLine);
      if (item) {
        this.#resumeIfDrained();
        if (item.kind === 'overflow') {
          this.#tap('*', `line longer than ${this.#maxLine} octets discarded`);
          return item;
        }
        const raw = item.line;
        this.#tapClient(raw);
        // Decoded only when asked: body lines (SMTP DATA, POP3/IMAP literals) never need text.
        let text: string | undefined;
        return {
          kind: 'line',
          raw,
          ending: item.ending,
          get text(): string {
            return (text ??= raw.toString('utf8'));
          },
        };
      }
      const stop = this.#stopReason();
      if (stop) return stop;
      if (interruptible) {
        const reason = this.#takeInterrupt();
        if (reason !== null) {
          this.#resumingAfterInterrupt = true;
          return { kind: 'interrupted', reason };
        }
      }
      await this.#wait();
    }
  }

  /** Reads up to `max` octets of counted data (at least one), e.g. a chunk of an IMAP literal. */
  async readBytes(max: number): Promise<BytesResult> {
    this.#beginRead();
    try {
      return await this.#readBytes(max);
    } finally {
      this.#reading = false;
    }
  }

  async #readBytes(max: number): Promise<BytesResult> {
    this.#resumingAfterInterrupt = false;
    this.#touch();
    for (;;) {
      const data = this.#input.takeBytes(max);
      if (data) {
        this.#resumeIfDrained();
        return { kind: 'bytes', data };
      }
      const stop = this.#stopReason();
      if (stop) return stop.kind === 'timeout' ? stop : { kind: 'end' };
      await this.#wait();
    }
  }

  /** Reads exactly `n` octets (n bounded by the caller's limits), or the reason it could not. */
  async readExactly(n: number): Promise<BytesResult> {
    const parts: Buffer[] = [];
    let got = 0;
    while (got < n) {
      const r = await this.readBytes(n - got);
      if (r.kind !== 'bytes') return r;
      parts.push(r.data);
      got += r.data.length;
    }
    this.#tap('C', `<${n} octets>`);
    return { kind: 'bytes', data: parts.length === 1 && parts[0] ? parts[0] : Buffer.concat(parts, n) };
  }

  /** The next client line is a secret (AUTH continuation): the transcript shows `****`. */
  redactNextInput(): void {
    this.#redactNext = true;
  }

  /**
   * Waits `ms` before the greeting; resolves true when the client sent anything meanwhile (an
   * early talker, RFC 5321 §4.3.1 says clients must wait for the greeting).
   */
  async detectEarlyTalker(ms: number): Promise<boolean> {
    if (ms <= 0) return this.#input.buffered > 0;
    this.#beginRead();
    try {
      const deadline = this.#clock.now() + ms;
      while (this.#input.buffered === 0 && !this.#ended) {
        const left = deadline - this.#clock.now();
        if (left <= 0) break;
        await new Promise<void>((resolve) => {
          const timer = this.#clock.setTimeout(done, left);
          const clock = this.#clock;
          function done(): void {
            clock.clearTimeout(timer);
            resolve();
          }
          this.#waiter = done;
        });
        this.#waiter = null;
      }
      return this.#input.buffered > 0;
    } finally {
      this.#reading = false;
    }
  }

  /** Writes one line followed by CRLF. Refuses CR, LF or NUL inside the line. */
  writeLine(line: string): void {
    this.writeLines([line]);
  }

  /**
   * Writes several lines in one socket write (multi-line replies), after any buffered lines.
   * While a `response()` holds the output, they go out after it. Refuses CR, LF or NUL inside a
   * line.
   */
  writeLines(lines: readonly string[]): void {
    this.bufferLines(lines);
    this.flush();
  }

  /**
   * Buffers lines to be written, with whatever else is buffered, in one socket write at the next
   * `flush()` (SMTP gathers its replies to pipelined commands this way, RFC 2920). Refuses CR,
   * LF or NUL inside a line at once.
   */
  bufferLines(lines: readonly string[]): void {
    for (const line of lines) checkLine(line);
    for (const line of lines) {
      this.#pendingLines.push(line);
      this.#pendingOctets += line.length + 2;
    }
  }

  /** Octets of lines buffered by `bufferLines` and not yet flushed. */
  get bufferedOutput(): number {
    return this.#pendingOctets;
  }

  /** Writes the buffered lines in one socket write (in order behind a running `response()`). */
  flush(): void {
    if (this.#pendingLines.length === 0) return;
    const lines = this.#pendingLines;
    this.#pendingLines = [];
    this.#pendingOctets = 0;
    const text = `${lines.join('\r\n')}\r\n`;
    this.#writer.write(text, () => {
      for (const line of lines) this.#tap('S', line);
    });
  }

  /**
   * Writes raw bytes (message bodies, literals) in order behind buffered lines and any running
   * response; resolves when the socket can take more.
   */
  async writeRaw(data: Buffer | string, transcriptNote?: string | readonly string[]): Promise<void> {
    await this.response((w) => w.writeRaw(data, transcriptNote));
  }

  /**
   * Runs `fn` with the output to itself: a response written across awaits (an IMAP FETCH with a
   * literal read from the store, a long listing) is never interleaved with other output, such as
   * an asynchronous untagged response written meanwhile with `writeLine`, which goes out after
   * it. Each write of `fn` resolves once the socket can take more (backpressure between the
   * chunks of a long response). Starts after buffered lines and earlier responses. Inside `fn`,
   * write only through the writer it gets: the connection's own write methods would queue behind
   * the response itself.
   */
  async response<T>(fn: (w: ResponseWriter) => Promise<T>): Promise<T> {
    this.flush();
    return this.#writer.response((write) => fn(this.#responseWriter(write)));
  }

  #responseWriter(write: OrderedWrite): ResponseWriter {
    const writeLines = async (lines: readonly string[]): Promise<void> => {
      if (lines.length === 0) return;
      for (const line of lines) checkLine(line);
      await write(`${lines.join('\r\n')}\r\n`, () => {
        for (const line of lines) this.#tap('S', line);
      });
    };
    return {
      writeLines,
      writeLine: (line) => writeLines([line]),
      writeRaw: (data, note) =>
        write(data, () => {
          if (typeof note === 'string') this.#tap('S', note);
          else if (note !== undefined) for (const line of note) this.#tap('S', line);
        }),
    };
  }

  /**
   * Server side of STARTTLS: drops every byte the client sent after the STARTTLS command,
   * writes `reply` (e.g. `220 Ready to start TLS`) and starts the handshake in the same tick, so
   * nothing sent in plaintext can be read as if it came over TLS. Resolves once secure; rejects
   * (and destroys the connection) when the handshake fails or times out.
   */
  async startTls(secureContext: SecureContext, reply: string): Promise<void> {
    if (this.compressed) throw new OutpostError(ErrorCodes.TLS_UNAVAILABLE, 'no STARTTLS under compression');
    // Replies still queued behind a response must go out in plaintext before the switch.
    await this.#writer.idle();
    const raw = this.#stream;
    this.#dropPipelined(raw, 'TLS');
    this.writeLine(reply);
    this.#detach(raw);
    const secure = new TLSSocket(raw, { isServer: true, secureContext });
    await this.#handshake(secure, 'secure');
  }

  /**
   * Starts DEFLATE compression (IMAP COMPRESS, RFC 4978): writes `reply` uncompressed, then
   * everything written is compressed and everything read inflated (deflate-layer.ts). Whatever
   * the client sent after the command is dropped (it must wait for the reply). Over TLS, the
   * data is compressed before it is encrypted.
   */
  async startCompression(reply: string): Promise<void> {
    if (this.compressed) throw new OutpostError(ErrorCodes.PARSE, 'compression is already active');
    await this.#writer.idle();
    if (this.#closed) return;
    const raw = this.#stream;
    this.#dropPipelined(raw, 'compression');
    this.writeLine(reply);
    this.#detach(raw);
    const layer = new DeflateLayer(raw);
    this.#stream = layer;
    this.#attach(layer);
    this.#tap('*', 'DEFLATE compression started');
  }

  /**
   * Ends compression (IMAP UNAUTHENTICATE, RFC 8437 §4.1): writes `reply` compressed and
   * flushed, then goes back to the bare transport; input the client sent compressed after its
   * command is dropped. Without compression, just writes `reply`.
   */
  async stopCompression(reply: string): Promise<void> {
    const layer = this.#stream;
    if (!(layer instanceof DeflateLayer)) {
      this.writeLine(reply);
      return;
    }
    await this.#writer.idle();
    this.writeLine(reply);
    this.#detach(layer);
    const dropped = this.#input.clear();
    if (dropped > 0) this.#tap('*', `discarded ${dropped} octets sent compressed after the command`);
    const transport = await layer.release();
    this.#stream = transport;
    this.#attach(transport);
    if (transport.destroyed) this.#onClose();
    this.#tap('*', 'DEFLATE compression ended');
  }

  /** Client side of STARTTLS (our SMTP/POP3/IMAP/FTP clients). */
  async startTlsClient(options: ConnectionOptions): Promise<void> {
    this.#input.clear();
    const raw = this.#stream;
    raw.off('data', this.#onData);
    this.#detach(raw);
    const secure = tlsConnect({ ...options, socket: raw });
    await this.#handshake(secure, 'secureConnect');
  }

  /** Asks the session to finish at its next command boundary (server draining). */
  requestShutdown(): void {
    this.#shutdownRequested = true;
    this.#wake();
  }

  /**
   * Flushes buffered lines, lets a running response finish, and closes; resolves when closed
   * (destroys when the peer has not taken it all after a short grace).
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.flush();
    const timer = this.#clock.setTimeout(() => {
      this.destroy();
    }, CLOSE_GRACE_MS);
    await Promise.race([this.#writer.idle(), this.#closePromise]);
    if (!this.closed) this.#stream.end(); // (the getter: #closed may have changed while awaiting)
    await this.#closePromise;
    this.#clock.clearTimeout(timer);
  }

  /** Closes at once, dropping unsent data. */
  destroy(): void {
    this.#stream.destroy();
    this.#markClosed();
  }

  /**
   * Drops what the client sent after a command that switches the transport (STARTTLS,
   * COMPRESS): the buffered input, and what `raw` holds but has not emitted (plaintext injection,
   * CVE-2011-0411). Leaves `raw` paused, its data no longer read by the connection.
   */
  #dropPipelined(raw: Duplex, before: string): void {
    let discarded = this.#input.clear();
    raw.off('data', this.#onData);
    raw.pause();
    for (
      let chunk = raw.read() as Buffer | string | null;
      chunk !== null;
      chunk = raw.read() as Buffer | string | null
    ) {
      discarded += chunk.length;
    }
    if (discarded > 0) this.#tap('*', `discarded ${discarded} octets pipelined before ${before}`);
  }

  async #handshake(secure: TLSSocket, event: 'secure' | 'secureConnect'): Promise<void> {
    this.#stream = secure;
    this.#transport = secure;
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = this.#clock.setTimeout(() => {
          reject(new OutpostError(ErrorCodes.TIMEOUT, 'TLS handshake timed out'));
        }, this.#handshakeMs);
        secure.once(event, () => {
          this.#clock.clearTimeout(timer);
          resolve();
        });
        secure.once('error', (err) => {
          this.#clock.clearTimeout(timer);
          reject(new OutpostError(ErrorCodes.TLS_UNAVAILABLE, 'TLS handshake failed', { cause: err }));
        });
        secure.once('close', () => {
          this.#clock.clearTimeout(timer);
          reject(new OutpostError(ErrorCodes.CONNECTION_CLOSED, 'closed during TLS handshake'));
        });
      });
    } catch (err) {
      this.#attach(secure);
      this.destroy();
      throw err;
    }
    this.#attach(secure);
    this.#tap('*', `TLS established (${secure.getProtocol() ?? 'unknown'})`);
  }

  #attach(stream: Duplex): void {
    stream.on('data', this.#onData);
    stream.on('end', this.#onEnd);
    stream.on('close', this.#onClose);
    stream.on('error', this.#onError);
    this.#paused = false;
    stream.resume();
  }

  #detach(stream: Duplex): void {
    stream.off('data', this.#onData);
    stream.off('end', this.#onEnd);
    stream.off('close', this.#onClose);
    stream.off('error', this.#onError);
  }

  /**
   * Output backpressure at a command boundary: while more than `maxUnreadOutputOctets` of our
   * replies wait in the socket, the client is not reading them, so its next command waits too
   * (otherwise a client that pipelines without reading makes us buffer replies without bound).
   * The idle and session timeouts, a server shutdown and a close end the wait; a client that
   * half-closed after pipelining still gets its replies as it reads them.
   */
  async #awaitReader(): Promise<ReadResult | null> {
    while (this.#stream.writableLength > this.#maxUnreadOutput) {
      // Not #stopReason(): a client that half-closed (#ended) may still read its replies, so
      // only a close, a timeout or a server shutdown ends the wait.
      if (this.#closed) return { kind: 'end' };
      if (this.#shutdownRequested) return { kind: 'shutdown' };
      if (this.#sessionFired) return { kind: 'timeout', which: 'session' };
      if (this.#idleFired) {
        this.#idleFired = false;
        return { kind: 'timeout', which: 'idle' };
      }
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.#stream.off('drain', done);
          if (this.#waiter === done) this.#waiter = null;
          resolve();
        };
        this.#stream.on('drain', done);
        this.#waiter = done;
      });
    }
    return null;
  }

  /** Resolves when the current stream can take more output, or has closed. */
  #drained(): Promise<void> {
    const stream = this.#stream;
    if (this.#closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        stream.off('drain', done);
        stream.off('close', done);
        resolve();
      };
      stream.on('drain', done);
      stream.on('close', done);
    });
  }

  #beginRead(): void {
    if (this.#reading) {
      throw new OutpostError(ErrorCodes.READ_PENDING, 'another read of this connection is still pending');
    }
    this.#reading = true;
  }

  #takeInterrupt(): string | null {
    for (const reason of this.#interrupts) {
      this.#interrupts.delete(reason);
      return reason;
    }
    return null;
  }

  /** Client activity (input, or a read starting): the idle period starts again. */
  #touch(): void {
    this.#lastActivity = this.#clock.now();
    if (this.#idleTimer === null) this.#armIdle();
  }

  /**
   * Arms the idle timer for the end of the current idle period. It is not moved on every input
   * chunk: when it fires early (activity since), it re-arms for the rest of the period.
   */
  #armIdle(): void {
    if (!Number.isFinite(this.#idleMs) || this.#closed) return;
    const left = this.#lastActivity + this.#idleMs - this.#clock.now();
    this.#idleTimer = this.#clock.setTimeout(
      () => {
        this.#idleTimer = null;
        if (this.#clock.now() - this.#lastActivity < this.#idleMs) {
          this.#armIdle();
          return;
        }
        this.#idleFired = true;
        this.#wake();
      },
      Math.max(0, left),
    );
  }

  #disarmIdle(): void {
    if (this.#idleTimer !== null) this.#clock.clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
  }

  #stopReason(): ReadResult | null {
    if (this.#sessionFired) return { kind: 'timeout', which: 'session' };
    if (this.#ended || this.#closed) return { kind: 'end' };
    if (this.#idleFired) {
      this.#idleFired = false;
      return { kind: 'timeout', which: 'idle' };
    }
    return null;
  }

  #wait(): Promise<void> {
    return new Promise((resolve) => {
      this.#waiter = resolve;
    });
  }

  #wake(): void {
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = null;
      waiter();
    }
  }

  #resumeIfDrained(): void {
    if (this.#paused && this.#input.buffered <= this.#maxBuffered / 2) {
      this.#paused = false;
      this.#stream.resume();
    }
  }

  #markClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#disarmIdle();
    if (this.#sessionTimer !== null) this.#clock.clearTimeout(this.#sessionTimer);
    this.#tap('*', 'closed');
    this.#wake();
    this.#resolveClosed();
  }

  #tapClient(raw: Buffer): void {
    if (!transcriptActive()) {
      this.#redactNext = false;
      return;
    }
    const text = raw.toString('utf8');
    let shown = text;
    if (this.#redactNext) shown = '****';
    else if (this.#redact) shown = this.#redact(text);
    this.#redactNext = false;
    this.#tap('C', shown);
  }

  /** `ours` is the direction as a server sees it; a client's connection swaps C and S. */
  #tap(ours: 'C' | 'S' | '*', text: string): void {
    if (!transcriptActive()) return;
    const direction = this.#side === 'client' && ours !== '*' ? (ours === 'C' ? 'S' : 'C') : ours;
    publishTranscript({
      protocol: this.protocol,
      sessionId: this.id,
      direction,
      text,
      time: this.#clock.now(),
      remoteAddress: this.remoteAddress,
    });
  }
}

function checkLine(line: string): void {
  if (UNSAFE_OUTPUT.test(line)) {
    throw new OutpostError(ErrorCodes.UNSAFE_OUTPUT, 'refusing to write CR, LF or NUL inside a line');
  }
}
