/**
 * A raw TCP test client that sends exact bytes and reads reply lines, so tests can play a
 * misbehaving peer (pipelining, bare LF, no newline at all) against a real server.
 */
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { once } from 'node:events';

export class RawClient {
  socket: Socket | TLSSocket;
  #buffer = '';
  #waiters: (() => void)[] = [];
  #ended = false;

  private constructor(socket: Socket | TLSSocket) {
    this.socket = socket;
    this.#listen(socket);
  }

  static async connect(port: number, host = '127.0.0.1'): Promise<RawClient> {
    const socket = connect({ port, host });
    await once(socket, 'connect');
    return new RawClient(socket);
  }

  static async connectTls(port: number, ca: string, host = '127.0.0.1'): Promise<RawClient> {
    const socket = tlsConnect({ port, host, ca, servername: 'localhost' });
    await once(socket, 'secureConnect');
    return new RawClient(socket);
  }

  /** Implicit TLS by IP address with no SNI (as many clients connect); the certificate is not checked. */
  static async connectTlsWithoutSni(port: number, host = '127.0.0.1'): Promise<RawClient> {
    const socket = tlsConnect({ port, host, rejectUnauthorized: false });
    await once(socket, 'secureConnect');
    return new RawClient(socket);
  }

  #listen(socket: Socket | TLSSocket): void {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.#buffer += chunk;
      this.#wake();
    });
    socket.on('end', () => {
      this.#ended = true;
      this.#wake();
    });
    socket.on('close', () => {
      this.#ended = true;
      this.#wake();
    });
    socket.on('error', () => undefined);
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  send(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Next CRLF-terminated line, or null when the server closed first. */
  async line(timeoutMs = 5000): Promise<string | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.#buffer.indexOf('\r\n');
      if (i !== -1) {
        const out = this.#buffer.slice(0, i);
        this.#buffer = this.#buffer.slice(i + 2);
        return out;
      }
      if (this.#ended) return null;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no line within ${timeoutMs} ms; buffer=${JSON.stringify(this.#buffer)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Resolves true once the server has closed the connection. */
  async closed(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#ended) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
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

  /** Upgrades this connection to TLS (client side of STARTTLS). */
  async startTls(ca: string): Promise<void> {
    const raw = this.socket;
    raw.removeAllListeners('data');
    raw.removeAllListeners('end');
    raw.removeAllListeners('close');
    const secure = tlsConnect({ socket: raw, ca, servername: 'localhost' });
    await once(secure, 'secureConnect');
    this.socket = secure;
    this.#buffer = '';
    this.#listen(secure);
  }

  end(): void {
    this.socket.end();
  }
}
