/**
 * A minimal IMAP client for the load tool (bench/imap/load.ts): one TCP connection, tagged
 * commands awaited one at a time, responses scanned for CRLF and `{n}` literals without
 * building any parse tree, so the client costs little next to the server it measures. It counts
 * untagged responses (and `* n FETCH` ones), keeps untagged lines only when asked, and supports
 * a continuation wait (IDLE) and APPEND with a non-synchronising literal (LITERAL+, RFC 7888).
 */
import { connect, type Socket } from 'node:net';

/** The outcome of one command. */
export interface Reply {
  /** OK, NO or BAD. */
  readonly status: string;
  /** The tagged line without the tag. */
  readonly text: string;
  /** Untagged responses received while the command ran. */
  readonly untagged: number;
  /** Of those, `* n FETCH` responses. */
  readonly fetches: number;
  /** Octets of the whole reply. */
  readonly octets: number;
  /** The untagged lines' first segments (before any literal), when `keep` was asked. */
  readonly lines: readonly string[];
}

interface Waiter {
  readonly tag: string | null;
  readonly keep: boolean;
  resolve(reply: Reply): void;
  reject(err: Error): void;
}

const CR = 0x0d;
const LF = 0x0a;
const CLOSE_BRACE = 0x7d;

/** One IMAP connection. */
export class ImapClient {
  readonly #socket: Socket;
  #buf: Buffer = Buffer.alloc(0);
  /** Literal octets still to skip. */
  #literal = 0;
  /** First segment of the logical line being read, or null between lines. */
  #head: string | null = null;
  #next = 1;
  #waiter: Waiter | null = null;
  #untagged = 0;
  #fetches = 0;
  #octets = 0;
  #lines: string[] = [];
  #closed: Error | null = null;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.#octets += chunk.length;
      this.#onData(chunk);
    });
    const fail = (err: Error): void => {
      this.#closed = err;
      const w = this.#waiter;
      this.#waiter = null;
      w?.reject(err);
    };
    socket.on('error', fail);
    socket.on('close', () => {
      fail(new Error('connection closed'));
    });
  }

  /**
   * Connects (from `localAddress` when given: loopback load spreads over 127.0.0.x so neither
   * server's per-IP connection cap is what gets measured) and reads the greeting (`* OK`).
   */
  static async connect(host: string, port: number, localAddress?: string): Promise<ImapClient> {
    const socket = connect({ host, port, ...(localAddress === undefined ? {} : { localAddress }) });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const client = new ImapClient(socket);
    const greeting = await client.#wait(null, true);
    if (!(greeting.lines[0] ?? '').startsWith('* OK')) {
      client.close();
      throw new Error(`greeting: ${greeting.lines[0] ?? '(none)'}`);
    }
    return client;
  }

  /** Sends `command` (without tag and CRLF) and resolves with its tagged reply. */
  command(command: string, keep = false): Promise<Reply> {
    const tag = `a${String(this.#next++)}`;
    const reply = this.#wait(tag, keep);
    this.#socket.write(`${tag} ${command}\r\n`);
    return reply;
  }

  /** Like `command`, but throws unless the reply is OK. */
  async ok(command: string, keep = false): Promise<Reply> {
    const r = await this.command(command, keep);
    if (r.status !== 'OK') throw new Error(`${command.slice(0, 40)}: ${r.status} ${r.text}`);
    return r;
  }

  /** APPEND with a LITERAL+ literal; throws unless OK. */
  async append(mailbox: string, message: Buffer): Promise<Reply> {
    const tag = `a${String(this.#next++)}`;
    const reply = this.#wait(tag, false);
    this.#socket.write(`${tag} APPEND ${mailbox} {${String(message.length)}+}\r\n`);
    this.#socket.write(message);
    this.#socket.write('\r\n');
    const r = await reply;
    if (r.status !== 'OK') throw new Error(`APPEND: ${r.status} ${r.text}`);
    return r;
  }

  /** Sends IDLE and resolves at its `+` continuation. */
  async idle(): Promise<void> {
    const tag = `a${String(this.#next++)}`;
    const cont = this.#wait(null, true, true);
    this.#socket.write(`${tag} IDLE\r\n`);
    await cont;
    this.#idleTag = tag;
  }

  #idleTag: string | null = null;

  /** Ends IDLE (DONE) and resolves with its tagged reply. */
  done(): Promise<Reply> {
    const tag = this.#idleTag ?? 'none';
    this.#idleTag = null;
    const reply = this.#wait(tag, false);
    this.#socket.write('DONE\r\n');
    return reply;
  }

  /** LOGOUT, then close (without waiting for the server's close). */
  async logout(): Promise<void> {
    await this.command('LOGOUT');
    this.close();
  }

  close(): void {
    this.#socket.destroy();
  }

  #wait(tag: string | null, keep: boolean, continuation = false): Promise<Reply> {
    if (this.#closed) return Promise.reject(this.#closed);
    this.#untagged = 0;
    this.#fetches = 0;
    this.#octets = this.#buf.length;
    this.#lines = [];
    return new Promise<Reply>((resolve, reject) => {
      this.#waiter = { tag: continuation ? '+' : tag, keep, resolve, reject };
    });
  }

  #onData(chunk: Buffer): void {
    const buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    let pos = 0;
    for (;;) {
      if (this.#literal > 0) {
        const take = Math.min(this.#literal, buf.length - pos);
        this.#literal -= take;
        pos += take;
        if (this.#literal > 0) break;
      }
      const eol = buf.indexOf(LF, pos);
      if (eol < 0) break;
      const end = eol > pos && buf[eol - 1] === CR ? eol - 1 : eol;
      if (this.#head === null) this.#head = buf.toString('latin1', pos, end);
      // A segment ending in {n} or {n+} is followed by n literal octets, then the line goes on.
      if (end > pos && buf[end - 1] === CLOSE_BRACE) {
        const open = buf.lastIndexOf('{', end);
        const n = open >= pos ? Number.parseInt(buf.toString('latin1', open + 1, end), 10) : Number.NaN;
        if (Number.isFinite(n)) {
          this.#literal = n;
          pos = eol + 1;
          continue;
        }
      }
      pos = eol + 1;
      const line = this.#head;
      this.#head = null;
      this.#line(line);
    }
    this.#buf = pos >= buf.length ? Buffer.alloc(0) : buf.subarray(pos);
  }

  #line(line: string): void {
    const w = this.#waiter;
    if (line.startsWith('* ')) {
      this.#untagged++;
      if (/^\* \d+ FETCH /.test(line)) this.#fetches++;
      if (w?.keep === true) this.#lines.push(line);
      // The greeting: resolved by the first untagged line.
      if (w !== null && w.tag === null) this.#settle(w, 'OK', line);
      return;
    }
    if (w === null) return;
    if (line.startsWith('+')) {
      if (w.tag === '+') this.#settle(w, 'OK', line);
      return;
    }
    const space = line.indexOf(' ');
    if (line.slice(0, space) !== w.tag) return;
    const rest = line.slice(space + 1);
    const status = rest.split(' ', 1)[0] ?? '';
    this.#settle(w, status, rest.slice(status.length + 1));
  }

  #settle(w: Waiter, status: string, text: string): void {
    this.#waiter = null;
    w.resolve({
      status,
      text,
      untagged: this.#untagged,
      fetches: this.#fetches,
      octets: this.#octets,
      lines: this.#lines,
    });
  }
}
