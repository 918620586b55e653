/**
 * Data connections over sockets (RFC 959 §3.2-3.3), the DataChannel the server gives each FTP
 * session (session/data-channel.ts is the interface): passive listeners opened on a port from the configured
 * range that accept exactly one connection, and only from the control connection's IP (anything
 * else is dropped and the listener keeps waiting, the defence against data-port theft); active
 * connections to the address PORT/EPRT named (checked by the session against bounce attacks);
 * and TLS on top for PROT P (RFC 4217 §9), always as the TLS server whichever side connected.
 * The data TLS uses the same SecureContext as the control connection, so a client resuming the
 * control session's ticket on its data connections (what vsftpd's require_ssl_reuse demands of
 * clients) resumes here; we do not require it.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { TLSSocket, type SecureContext } from 'node:tls';
import { ErrorCodes, OutpostError } from '../../core/errors.js';
import { sameHost } from '../codec/address.js';
import { FTP_LIMITS } from '../limits.js';
import type { BulkReceiver, DataChannel, DataConnection } from '../session/data-channel.js';
import { adoptForBulkReads } from './bulk-reader.js';
import { finishSocket } from './transfer.js';

/** An inclusive port range. */
export interface PortRange {
  readonly low: number;
  readonly high: number;
}

/** Parses "40000-40099"; null when malformed or reversed. */
export function parsePortRange(text: string): PortRange | null {
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(text.trim());
  if (!m) return null;
  const low = Number(m[1]);
  const high = Number(m[2]);
  if (low < 1 || high > 65535 || low > high) return null;
  return { low, high };
}

/** A passive listener waiting for one data connection from one IP. */
export class PassiveListener {
  readonly port: number;
  readonly #server: Server;
  #socket: Socket | null = null;
  #waiter: ((s: Socket | null) => void) | null = null;
  #closed = false;

  private constructor(server: Server, port: number) {
    this.#server = server;
    this.port = port;
  }

  /** Number of foreign connections dropped (for tests and the transcript). */
  refused = 0;

  /** Binds on `host`, on a port of `range` (any free port when absent). */
  static async open(host: string, allowedIp: string, range: PortRange | undefined): Promise<PassiveListener> {
    const span = range ? range.high - range.low + 1 : 1;
    const attempts = Math.min(span, FTP_LIMITS.passivePortAttempts);
    const first = range ? Math.floor(Math.random() * span) : 0;
    let lastError: unknown;
    for (let i = 0; i < attempts; i++) {
      const port = range ? range.low + ((first + i) % span) : 0;
      // A large high-water mark: with the default 16 KiB every 64 KiB read stops and restarts reading.
      const server = createServer({ pauseOnConnect: true, highWaterMark: FTP_LIMITS.transferChunkOctets });
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen({ port, host, exclusive: true, backlog: FTP_LIMITS.passiveBacklog }, () => {
            server.off('error', reject);
            resolve();
          });
        });
      } catch (err) {
        lastError = err;
        server.close();
        continue;
      }
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      const listener = new PassiveListener(server, bound);
      server.on('connection', (socket: Socket) => {
        listener.#onConnection(socket, allowedIp);
      });
      server.on('error', () => undefined);
      return listener;
    }
    throw new OutpostError(ErrorCodes.FTP_DATA_CONNECTION, 'no free passive port', { cause: lastError });
  }

  #onConnection(socket: Socket, allowedIp: string): void {
    socket.on('error', () => undefined);
    if (this.#socket !== null || this.#closed || !sameHost(socket.remoteAddress ?? '', allowedIp)) {
      this.refused++;
      socket.destroy();
      return;
    }
    this.#socket = socket;
    this.#server.close();
    const waiter = this.#waiter;
    this.#waiter = null;
    waiter?.(socket);
  }

  /** The data connection (waiting up to `timeoutMs`); null on timeout or close. */
  accept(timeoutMs: number): Promise<Socket | null> {
    if (this.#socket) return Promise.resolve(this.#socket);
    if (this.#closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiter = null;
        resolve(null);
      }, timeoutMs);
      this.#waiter = (s) => {
        clearTimeout(timer);
        resolve(s);
      };
    });
  }

  /** Stops listening; an accepted-but-unused socket is destroyed. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#server.close();
    const waiter = this.#waiter;
    this.#waiter = null;
    waiter?.(null);
    if (this.#socket && !this.#taken) this.#socket.destroy();
  }

  #taken = false;

  /** Marks the accepted socket as owned by a transfer (close() then leaves it alone). */
  take(socket: Socket): Socket {
    this.#taken = this.#socket === socket;
    return socket;
  }
}

/** Connects to a client's active-mode address, from `localHost`, within `timeoutMs`. */
export function connectActive(
  host: string,
  port: number,
  localHost: string | undefined,
  timeoutMs: number,
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, ...(localHost === undefined ? {} : { localAddress: localHost }) });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new OutpostError(ErrorCodes.FTP_DATA_CONNECTION, 'active data connection timed out'));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      socket.on('error', () => undefined);
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(
        new OutpostError(ErrorCodes.FTP_DATA_CONNECTION, `active data connection failed: ${err.message}`, {
          cause: err,
        }),
      );
    });
  });
}

/** Runs the server side of a TLS handshake on a data socket (PROT P). */
export function secureDataSocket(
  socket: Duplex,
  context: SecureContext,
  timeoutMs: number,
): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const secure = new TLSSocket(socket, { isServer: true, secureContext: context });
    const timer = setTimeout(() => {
      secure.destroy();
      reject(new OutpostError(ErrorCodes.TIMEOUT, 'data TLS handshake timed out'));
    }, timeoutMs);
    secure.once('secure', () => {
      clearTimeout(timer);
      secure.removeAllListeners('error');
      secure.on('error', () => undefined);
      resolve(secure);
    });
    secure.once('error', (err) => {
      clearTimeout(timer);
      secure.destroy();
      reject(new OutpostError(ErrorCodes.TLS_UNAVAILABLE, 'data TLS handshake failed', { cause: err }));
    });
  });
}

/** The two ends of a control connection, as its data channel needs them. */
export interface ControlEnds {
  readonly localAddress: string;
  readonly remoteAddress: string;
}

/** A data connection over a socket (TLS on top after `secure`). */
class SocketDataConnection implements DataConnection {
  readonly stream: Duplex;
  readonly bulk: BulkReceiver | null;
  readonly #raw: Socket;

  constructor(raw: Socket, stream: Duplex, bulk: BulkReceiver | null) {
    this.#raw = raw;
    this.stream = stream;
    this.bulk = bulk;
  }

  idleTimeout(ms: number, onIdle: () => void): void {
    this.#raw.setTimeout(ms, onIdle);
  }

  async secure(context: SecureContext, timeoutMs: number): Promise<DataConnection> {
    try {
      return new SocketDataConnection(this.#raw, await secureDataSocket(this.#raw, context, timeoutMs), null);
    } catch (err) {
      this.#raw.destroy();
      throw err;
    }
  }

  finish(): Promise<void> {
    return finishSocket(this.stream);
  }

  destroy(): void {
    this.stream.destroy();
  }
}

/** The socket DataChannel of one control connection. */
export class SocketDataChannel implements DataChannel {
  readonly #control: ControlEnds;
  readonly #passivePorts: PortRange | undefined;
  #setup:
    | { readonly kind: 'active'; readonly host: string; readonly port: number }
    | { readonly kind: 'passive'; readonly listener: PassiveListener }
    | null = null;

  constructor(control: ControlEnds, options: { passivePorts?: PortRange | undefined } = {}) {
    this.#control = control;
    this.#passivePorts = options.passivePorts;
  }

  get prepared(): boolean {
    return this.#setup !== null;
  }

  /** Listens on the control connection's local address (passive ports from the range). */
  async listen(): Promise<number> {
    this.reset();
    const local = this.#control.localAddress;
    const host = local === 'unknown' ? '127.0.0.1' : local;
    const listener = await PassiveListener.open(host, this.#control.remoteAddress, this.#passivePorts);
    this.#setup = { kind: 'passive', listener };
    return listener.port;
  }

  target(host: string, port: number): void {
    this.reset();
    this.#setup = { kind: 'active', host, port };
  }

  async open(options: {
    timeoutMs: number;
    bulkReads: boolean;
    signal: AbortSignal;
  }): Promise<DataConnection | null> {
    const setup = this.#setup;
    this.#setup = null;
    if (setup === null) return null;
    let raw: Socket | null;
    try {
      if (setup.kind === 'passive') {
        const stop = (): void => {
          setup.listener.close();
        };
        options.signal.addEventListener('abort', stop, { once: true });
        raw = await setup.listener.accept(options.timeoutMs);
        options.signal.removeEventListener('abort', stop);
        if (raw) setup.listener.take(raw);
        setup.listener.close();
      } else {
        raw = await connectActive(setup.host, setup.port, undefined, options.timeoutMs);
      }
    } catch {
      raw = null;
    }
    if (!raw || options.signal.aborted) {
      raw?.destroy();
      return null;
    }
    // Uploads in TYPE I over plain TCP read into reusable buffers (see bulk-reader.ts).
    const bulk = options.bulkReads ? adoptForBulkReads(raw, FTP_LIMITS.transferChunkOctets) : null;
    if (bulk) raw = bulk.socket;
    raw.setNoDelay(false);
    return new SocketDataConnection(raw, raw, bulk);
  }

  reset(): void {
    if (this.#setup?.kind === 'passive') this.#setup.listener.close();
    this.#setup = null;
  }
}
