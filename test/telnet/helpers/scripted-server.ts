/**
 * A scripted Telnet server for the client's tests: it accepts one connection at a time on
 * loopback, sends what the test scripts, and records every byte the client sends so tests can
 * check them exactly. `exchange()` sends bytes followed by IAC DO TIMING-MARK, an option the
 * client always refuses, and returns what the client sent before its IAC WONT TIMING-MARK: with
 * TCP's ordering that is exactly the client's answer to the bytes, with no waiting on time.
 */
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { eventually } from '../../helpers/eventually.js';

export const IAC = 255;
export const SB = 250;
export const SE = 240;
export const WILL = 251;
export const WONT = 252;
export const DO = 253;
export const DONT = 254;
/** Commands and option numbers, written out here apart from the code under test. */
export const AYT = 246;
export const IP = 244;
export const BINARY = 0;
export const ECHO = 1;
export const SGA = 3;
export const TTYPE = 24;
export const NAWS = 31;
export const NEW_ENVIRON = 39;
const TIMING_MARK = 6;
const BARRIER = Buffer.of(IAC, DO, TIMING_MARK);
const BARRIER_ANSWER = Buffer.of(IAC, WONT, TIMING_MARK);

/** The server and its current connection. */
export class ScriptedServer {
  readonly #server: Server;
  #socket: Socket | undefined;
  #received: Buffer = Buffer.alloc(0);
  /** Offset up to which `exchange` has handed out the received bytes. */
  #taken = 0;
  /** Called for each connection before anything is sent (the greeting, say). */
  onConnection: ((socket: Socket) => void) | undefined;

  private constructor(server: Server) {
    this.#server = server;
    server.on('connection', (socket) => {
      this.#socket = socket;
      this.#received = Buffer.alloc(0);
      this.#taken = 0;
      socket.on('data', (chunk: Buffer) => {
        this.#received = Buffer.concat([this.#received, chunk]);
      });
      socket.on('error', () => undefined);
      this.onConnection?.(socket);
    });
  }

  /** Listens on `host` (127.0.0.1 or ::1), port 0. */
  static async start(host = '127.0.0.1'): Promise<ScriptedServer> {
    const server = createServer();
    server.listen(0, host);
    await once(server, 'listening');
    return new ScriptedServer(server);
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** Every byte the current connection's client sent. */
  get received(): Buffer {
    return this.#received;
  }

  /** The current connection, once there is one. */
  async socket(): Promise<Socket> {
    return eventually(() => this.#socket, { what: 'a connection from the client' });
  }

  /** Sends bytes without waiting for anything. */
  async send(bytes: Uint8Array | string): Promise<void> {
    const socket = await this.socket();
    socket.write(bytes);
  }

  /** Sends `bytes`, then a barrier; returns what the client sent in between (barrier excluded). */
  async exchange(bytes: Uint8Array | string = Buffer.alloc(0)): Promise<Buffer> {
    const socket = await this.socket();
    socket.write(Buffer.concat([Buffer.from(bytes), BARRIER]));
    const end = await eventually(
      () => {
        const at = this.#received.indexOf(BARRIER_ANSWER, this.#taken);
        return at >= 0 ? at : null;
      },
      {
        what: () =>
          `the client's answer to the barrier; it sent ${this.#received.subarray(this.#taken).toString('hex')}`,
      },
    );
    const answer = this.#received.subarray(this.#taken, end);
    this.#taken = end + BARRIER_ANSWER.length;
    return answer;
  }

  /** Waits until the client has sent at least `n` bytes in all; returns them all. */
  async receivedAtLeast(n: number): Promise<Buffer> {
    return eventually(() => (this.#received.length >= n ? this.#received : null), {
      what: () =>
        `${n} bytes from the client (have ${this.#received.length}: ${this.#received.toString('hex')})`,
    });
  }

  /** Waits until the client's bytes include `needle`. */
  async waitFor(needle: Uint8Array | string): Promise<void> {
    const n = Buffer.from(needle);
    await eventually(() => this.#received.includes(n), {
      what: () => `${n.toString('hex')} from the client (have ${this.#received.toString('hex')})`,
    });
  }

  /** Ends the current connection from the server's side. */
  hangUp(): void {
    this.#socket?.end();
  }

  async close(): Promise<void> {
    this.#socket?.destroy();
    await new Promise<void>((resolve) =>
      this.#server.close(() => {
        resolve();
      }),
    );
  }
}
