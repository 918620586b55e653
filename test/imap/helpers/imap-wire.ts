/**
 * A raw IMAP client over TCP for hostile and model-checked tests: sends exact bytes and reads
 * whole server responses, literals included (`{n}` then n octets, then the rest of the line),
 * so a FETCH body with CRLFs inside never splits a response. Nothing is interpreted here.
 */
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';

/** One server response: its text with each literal marker kept, and the literals' octets. */
export interface WireResponse {
  readonly text: string;
  readonly literals: readonly Buffer[];
}

export class ImapWire {
  readonly socket: Socket;
  #buffer = Buffer.alloc(0);
  #ended = false;
  #waiters: (() => void)[] = [];

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#wake();
    });
    const ended = (): void => {
      this.#ended = true;
      this.#wake();
    };
    socket.on('end', ended);
    socket.on('close', ended);
    socket.on('error', () => undefined);
  }

  static async connect(port: number, host = '127.0.0.1'): Promise<ImapWire> {
    const socket = connect({ port, host });
    await once(socket, 'connect');
    return new ImapWire(socket);
  }

  /** True once the server closed the connection (and everything it sent was read). */
  get closed(): boolean {
    return this.#ended && this.#buffer.length === 0;
  }

  send(data: string | Buffer): void {
    if (!this.socket.destroyed)
      this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  async #wait(ready: () => boolean, deadline: number, what: string): Promise<boolean> {
    while (!ready()) {
      if (this.#ended) return false;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `no ${what} within the time limit; buffered ${JSON.stringify(this.#buffer.toString('latin1').slice(0, 300))}`,
        );
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return true;
  }

  /** The next whole response; null when the server closed first. Throws after `timeoutMs`. */
  async response(timeoutMs = 5000): Promise<WireResponse | null> {
    const deadline = Date.now() + timeoutMs;
    let text = '';
    const literals: Buffer[] = [];
    for (;;) {
      if (!(await this.#wait(() => this.#buffer.includes('\r\n'), deadline, 'response line'))) return null;
      const i = this.#buffer.indexOf('\r\n');
      const line = this.#buffer.subarray(0, i).toString('latin1');
      this.#buffer = this.#buffer.subarray(i + 2);
      text += line;
      const literal = /\{(\d+)\}$/.exec(line);
      if (literal === null) return { text, literals };
      const size = Number(literal[1]);
      if (!(await this.#wait(() => this.#buffer.length >= size, deadline, `${String(size)}-octet literal`))) {
        return null;
      }
      literals.push(this.#buffer.subarray(0, size));
      this.#buffer = this.#buffer.subarray(size);
    }
  }

  /** Waits for the server to close; false when it is still open after `timeoutMs`. */
  async closedWithin(timeoutMs = 5000): Promise<boolean> {
    try {
      await this.#wait(() => false, Date.now() + timeoutMs, 'close');
    } catch {
      return false;
    }
    return true;
  }

  destroy(): void {
    this.socket.destroy();
  }
}
