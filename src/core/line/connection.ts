/**
 * One client connection of a line protocol (SMTP, POP3, IMAP, FTP control, Telnet), as a pull
 * API for a session: `readLine()` / `readBytes()` resolve with the next item, `writeLine()`
 * sends one reply line. Sessions never touch the socket, so one session object can be driven by
 * a real socket or by an in-memory duplex in tests.
 *
 * What it enforces for every protocol: a maximum line length, backpressure (the socket pauses
 * while too much unread input is buffered), idle and total timeouts, refusal of early talkers,
 * STARTTLS that discards whatever the client pipelined before the handshake (the STARTTLS
 * command-injection class of bugs, CVE-2011-0411 and friends), outgoing lines checked for
 * CR/LF/NUL, and a transcript of every line on the tap with secrets redacted.
 */
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { TLSSocket, type SecureContext, type ConnectionOptions, connect as tlsConnect } from 'node:tls';
import { ErrorCodes, OutpostError } from '../errors.js';
import { LINE_LIMITS } from '../limits.js';
import { publishTranscript, transcriptActive } from '../transcript.js';
import { LineBuffer } from './line-buffer.js';

/** What a read can yield. `shutdown` only interrupts reads made with `{ command: true }`. */
export type ReadResult =
  | { readonly kind: 'line'; readonly raw: Buffer; readonly text: string; readonly ending: 'crlf' | 'lf' }
  | { readonly kind: 'overflow' }
  | { readonly kind: 'end' }
  | { readonly kind: 'timeout'; readonly which: 'idle' | 'session' }
  | { readonly kind: 'shutdown' };

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
  idleTimeoutMs?: number;
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
}

type Waiter = () => void;

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
  readonly #idleMs: number;
  readonly #sessionMs: number;
  readonly #handshakeMs: number;
  readonly #maxBuffered: number;
  readonly #maxUnreadOutput: number;
  readonly #redact: ((line: string) => string) | undefined;
  readonly #side: 'server' | 'client';
  #stream: Duplex;
  #waiter: Waiter | null = null;
  #ended = false;
  #closed = false;
  #shutdownRequested = false;
  #idleFired = false;
  #sessionFired = false;
  #idleTimer: NodeJS.Timeout | null = null;
  #sessionTimer: NodeJS.Timeout | null = null;
  #redactNext = false;
  #paused = false;
  #closePromise: Promise<void>;
  #resolveClosed!: () => void;
  readonly #onData = (chunk: Buffer): void => {
    this.#input.push(chunk);
    if (this.#idleTimer) this.#idleTimer.refresh();
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
    this.#maxLine = options.maxLineOctets ?? LINE_LIMITS.maxLineOctets;
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
    this.#attach(stream);
    if (Number.isFinite(this.#sessionMs)) {
      this.#sessionTimer = setTimeout(() => {
        this.#sessionFired = true;
        this.#wake();
      }, this.#sessionMs);
      this.#sessionTimer.unref();
    }
    if (Number.isFinite(this.#idleMs)) {
      this.#idleTimer = setTimeout(() => {
        this.#idleFired = true;
        this.#wake();
      }, this.#idleMs);
      this.#idleTimer.unref();
    }
    this.#tap('*', `connect from ${this.remoteAddress}:${this.remotePort}`);
  }

  /** True once TLS is active (implicit TLS or after STARTTLS). */
  get secure(): boolean {
    return this.#stream instanceof TLSSocket && this.#stream.encrypted;
  }

  /** The underlying TLS socket when secure (for ALPN, certificate or cipher details). */
  get tlsSocket(): TLSSocket | null {
    return this.#stream instanceof TLSSocket ? this.#stream : null;
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

  /**
   * Reads the next line. With `command: true` the read is at a command boundary, where a server
   * shutdown may interrupt it (the session then says goodbye, e.g. `421`).
   */
  async readLine(options: { command?: boolean } = {}): Promise<ReadResult> {
    this.#idleTimer?.refresh();
    if (options.command === true) {
      const stop = await this.#awaitReader();
      if (stop) return stop;
    }
    for (;;) {
      if (options.command === true && this.#shutdownRequested) return { kind: 'shutdown' };
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
      await this.#wait();
    }
  }

  /** Reads up to `max` octets of counted data (at least one), e.g. a chunk of an IMAP literal. */
  async readBytes(max: number): Promise<BytesResult> {
    this.#idleTimer?.refresh();
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
    const deadline = Date.now() + ms;
    while (this.#input.buffered === 0 && !this.#ended) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.#waiter = done;
      });
      this.#waiter = null;
    }
    return this.#input.buffered > 0;
  }

  /** Writes one line followed by CRLF. Refuses CR, LF or NUL inside the line. */
  writeLine(line: string): void {
    if (UNSAFE_OUTPUT.test(line)) {
      throw new OutpostError(ErrorCodes.UNSAFE_OUTPUT, 'refusing to write CR, LF or NUL inside a line');
    }
    this.#tap('S', line);
    if (!this.#closed) this.#stream.write(line + '\r\n');
  }

  /** Writes several lines in one socket write (multi-line replies, pipelined responses). */
  writeLines(lines: readonly string[]): void {
    let out = '';
    for (const line of lines) {
      if (UNSAFE_OUTPUT.test(line)) {
        throw new OutpostError(ErrorCodes.UNSAFE_OUTPUT, 'refusing to write CR, LF or NUL inside a line');
      }
      this.#tap('S', line);
      out += line + '\r\n';
    }
    if (!this.#closed) this.#stream.write(out);
  }

  /** Writes raw bytes (message bodies, literals); resolves when the socket can take more. */
  async writeRaw(data: Buffer | string, transcriptNote?: string): Promise<void> {
    if (transcriptNote !== undefined) this.#tap('S', transcriptNote);
    if (this.#closed) return;
    if (!this.#stream.write(data)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.#stream.off('drain', done);
          this.#stream.off('close', done);
          resolve();
        };
        this.#stream.on('drain', done);
        this.#stream.on('close', done);
      });
    }
  }

  /**
   * Server side of STARTTLS: drops every byte the client sent after the STARTTLS command,
   * writes `reply` (e.g. `220 Ready to start TLS`) and starts the handshake in the same tick, so
   * nothing sent in plaintext can be read as if it came over TLS. Resolves once secure; rejects
   * (and destroys the connection) when the handshake fails or times out.
   */
  async startTls(secureContext: SecureContext, reply: string): Promise<void> {
    const discarded = this.#input.clear();
    const raw = this.#stream;
    raw.off('data', this.#onData);
    raw.pause();
    while (raw.read() !== null) {
      // Drain anything the stream buffered but has not emitted yet: plaintext injection.
    }
    if (discarded > 0) this.#tap('*', `discarded ${discarded} octets pipelined before TLS`);
    this.writeLine(reply);
    this.#detach(raw);
    const secure = new TLSSocket(raw, { isServer: true, secureContext });
    await this.#handshake(secure, 'secure');
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

  /** Flushes pending writes and closes; resolves when closed (destroys after a short grace). */
  async close(): Promise<void> {
    if (!this.#closed) {
      this.#stream.end();
      const timer = setTimeout(() => {
        this.destroy();
      }, 2000);
      timer.unref();
      await this.#closePromise;
      clearTimeout(timer);
    }
  }

  /** Closes at once, dropping unsent data. */
  destroy(): void {
    this.#stream.destroy();
    this.#markClosed();
  }

  async #handshake(secure: TLSSocket, event: 'secure' | 'secureConnect'): Promise<void> {
    this.#stream = secure;
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new OutpostError(ErrorCodes.TIMEOUT, 'TLS handshake timed out'));
        }, this.#handshakeMs);
        secure.once(event, () => {
          clearTimeout(timer);
          resolve();
        });
        secure.once('error', (err) => {
          clearTimeout(timer);
          reject(new OutpostError(ErrorCodes.TLS_UNAVAILABLE, 'TLS handshake failed', { cause: err }));
        });
        secure.once('close', () => {
          clearTimeout(timer);
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
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    if (this.#sessionTimer) clearTimeout(this.#sessionTimer);
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
      time: Date.now(),
      remoteAddress: this.remoteAddress,
    });
  }
}
