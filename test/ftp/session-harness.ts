/**
 * Tier-2 harness for FTP: one FtpSession over an in-memory control connection (the shared C:/S:
 * script client, test/helpers/script-client.ts) and an in-memory DataChannel, so session tests
 * need no socket. The user's files are a temporary directory behind the real UserFs. A test
 * prepares a data connection with EPSV/PASV/PORT as a client would, sends the transfer command,
 * and takes the client end of the data connection from `data.next()`. Every home starts with
 * `docs/` and `notes.txt` ("line1\nline2\n"). MemoryFtp drives the same session reply by reply.
 */
import assert from 'node:assert/strict';
import type { Duplex } from 'node:stream';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoginPolicy } from '../../src/core/auth/login-policy.js';
import type { Logger } from '../../src/core/logger.js';
import { ReplyParser, type FtpReply } from '../../src/ftp/codec/reply.js';
import { FTP_LIMITS } from '../../src/ftp/limits.js';
import { redactFtpLine } from '../../src/ftp/server/ftp-server.js';
import type { FtpPermissions } from '../../src/ftp/server/user-fs.js';
import type { FtpSessionOptions, LoginOutcome } from '../../src/ftp/session/context.js';
import type { DataChannel, DataConnection } from '../../src/ftp/session/data-channel.js';
import { FtpSession } from '../../src/ftp/session/session.js';
import { duplexPair } from '../helpers/duplex-pair.js';
import { startInMemory, type InMemorySession } from '../helpers/script-client.js';
import { tempDir } from '../helpers/temp.js';

/** A data connection in memory: no idle timer, no TLS (PROT P is tested over sockets). */
class MemoryDataConnection implements DataConnection {
  readonly stream: Duplex;
  readonly bulk = null;

  constructor(stream: Duplex) {
    this.stream = stream;
    // As on a socket: a destroyed end reports an error nobody needs (ABOR destroys on purpose).
    stream.on('error', () => undefined);
  }

  idleTimeout(): void {
    // Stalls are tested over sockets (test/ftp/transfer.test.ts).
  }

  secure(): Promise<DataConnection> {
    return Promise.reject(new Error('PROT P is not available on the in-memory data channel'));
  }

  async finish(): Promise<void> {
    if (this.stream.destroyed || this.stream.writableFinished) return;
    await new Promise<void>((resolve) => {
      this.stream.once('finish', resolve);
      this.stream.once('close', resolve);
      this.stream.end();
    });
  }

  destroy(): void {
    this.stream.destroy();
  }
}

/**
 * The in-memory DataChannel: PASV/EPSV "listen" on made-up ports, PORT/EPRT remember their
 * target, and opening makes a connected pair whose client end the test takes with `next()`.
 */
export class MemoryDataChannel implements DataChannel {
  #setup:
    | { readonly kind: 'passive'; readonly port: number }
    | { readonly kind: 'active'; readonly host: string; readonly port: number }
    | null = null;
  #nextPort = 50_000;
  readonly #opened: Duplex[] = [];
  readonly #waiters: ((d: Duplex) => void)[] = [];
  /** Set by a test: the next open fails as if the client never connected (425). */
  refuseNext = false;
  /** Every preparation, as the session made it (`passive 50000`, `active 127.0.0.1 2000`). */
  readonly log: string[] = [];
  /** Preparations forgotten without use (a new PASV, REIN, the session's end). */
  resets = 0;

  get prepared(): boolean {
    return this.#setup !== null;
  }

  listen(): Promise<number> {
    this.reset();
    const port = this.#nextPort++;
    this.#setup = { kind: 'passive', port };
    this.log.push(`passive ${String(port)}`);
    return Promise.resolve(port);
  }

  target(host: string, port: number): void {
    this.reset();
    this.#setup = { kind: 'active', host, port };
    this.log.push(`active ${host} ${String(port)}`);
  }

  open(options: { signal: AbortSignal }): Promise<DataConnection | null> {
    const setup = this.#setup;
    this.#setup = null;
    if (setup === null || options.signal.aborted || this.refuseNext) {
      this.refuseNext = false;
      return Promise.resolve(null);
    }
    const [server, client] = duplexPair();
    client.on('error', () => undefined);
    const waiter = this.#waiters.shift();
    if (waiter) waiter(client);
    else this.#opened.push(client);
    return Promise.resolve(new MemoryDataConnection(server));
  }

  reset(): void {
    if (this.#setup !== null) this.resets++;
    this.#setup = null;
  }

  /** The client end of the next data connection the session opens. */
  next(): Promise<Duplex> {
    const ready = this.#opened.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}

/** Reads a data connection's client end to its end, then ends our side too. */
export async function readData(stream: Duplex): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  stream.end();
  return Buffer.concat(chunks).toString('utf8');
}

/** Sends `text` on a data connection's client end and ends it (an upload). */
export function writeData(stream: Duplex, text: string): void {
  stream.resume();
  stream.end(text);
}

export const USER = 'alice@example.test';
export const PASSWORD = 'alice pw';

/** What a test may change about the session. */
export interface FtpHarnessOptions {
  remoteAddress?: string;
  loginPolicy?: Partial<LoginPolicy>;
  permissions?: FtpPermissions;
  logger?: Logger;
  /** Replaces the default authenticator (alice / "alice pw" into `home`). */
  authenticate?: FtpSessionOptions['authenticate'];
  anonymousRoot?: string;
  virtualHost?: FtpSessionOptions['virtualHost'];
  /** TLS for AUTH TLS and PROT P (none by default). */
  tlsContext?: FtpSessionOptions['tlsContext'];
}

/** A running in-memory FTP session. */
export interface FtpHarness extends InMemorySession {
  readonly data: MemoryDataChannel;
  /** alice's home on disk. */
  readonly home: string;
}

/** Starts a session (greeting not yet read). */
export function startFtpSession(options: FtpHarnessOptions = {}): FtpHarness {
  const home = tempDir('outpost-ftp-session-');
  mkdirSync(join(home, 'docs'));
  writeFileSync(join(home, 'notes.txt'), 'line1\nline2\n');
  const data = new MemoryDataChannel();
  const permissions = options.permissions ?? { read: true, write: true, delete: true };
  const authenticate =
    options.authenticate ??
    ((user: string, password: string): Promise<LoginOutcome> =>
      Promise.resolve(
        user === USER && password === PASSWORD
          ? { ok: true, user: { name: USER, anonymous: false }, root: home, permissions }
          : { ok: false, reason: 'invalid' },
      ));
  const session = startInMemory(
    {
      protocol: 'ftp',
      redact: redactFtpLine,
      maxLineOctets: FTP_LIMITS.maxCommandOctets,
      ...(options.remoteAddress === undefined ? {} : { remoteAddress: options.remoteAddress }),
    },
    (conn) =>
      new FtpSession(conn, {
        authenticate,
        dataChannel: () => data,
        passiveAddress: '127.0.0.1',
        ...(options.loginPolicy === undefined ? {} : { loginPolicy: options.loginPolicy }),
        ...(options.logger === undefined ? {} : { logger: options.logger }),
        ...(options.anonymousRoot === undefined ? {} : { anonymousRoot: options.anonymousRoot }),
        ...(options.virtualHost === undefined ? {} : { virtualHost: options.virtualHost }),
        ...(options.tlsContext === undefined ? {} : { tlsContext: options.tlsContext }),
      }).run(),
  );
  return { ...session, data, home };
}

/** A data connection the next transfer will open, seen from the client. */
export interface PendingData {
  /** Reads what the server sends to its end. */
  read(): Promise<string>;
  /** Sends `text` and ends (an upload). */
  end(text: string): Promise<void>;
}

/**
 * The harness driven reply by reply (code and lines, as RawFtp over TCP gives them), for tests
 * that branch on reply values rather than play a script.
 */
export class MemoryFtp {
  readonly harness: FtpHarness;
  readonly #parser = new ReplyParser();

  private constructor(harness: FtpHarness) {
    this.harness = harness;
  }

  /** Starts a session and reads its greeting. */
  static async open(options: FtpHarnessOptions = {}): Promise<MemoryFtp> {
    const ftp = new MemoryFtp(startFtpSession(options));
    const greeting = await ftp.reply();
    if (greeting.code !== 220) throw new Error(`greeting ${String(greeting.code)}`);
    return ftp;
  }

  get home(): string {
    return this.harness.home;
  }

  /** The next complete reply. */
  async reply(): Promise<FtpReply> {
    for (;;) {
      const line = await this.harness.client.line();
      if (line === null) throw new Error(`server closed the connection\n${this.harness.client.exchange()}`);
      const r = this.#parser.push(line);
      if (r) return r;
    }
  }

  /** Sends exact bytes. */
  send(data: string | Buffer): void {
    this.harness.client.send(data);
  }

  /** Sends one command line and reads its reply. */
  cmd(line: string): Promise<FtpReply> {
    this.send(`${line}\r\n`);
    return this.reply();
  }

  /** USER + PASS as alice. */
  async login(): Promise<void> {
    assert.equal((await this.cmd(`USER ${USER}`)).code, 331);
    assert.equal((await this.cmd(`PASS ${PASSWORD}`)).code, 230);
  }

  /** EPSV, and the data connection of the transfer command sent next. */
  async passiveData(): Promise<PendingData> {
    assert.equal((await this.cmd('EPSV')).code, 229);
    const channel = this.harness.data;
    return {
      read: async () => readData(await channel.next()),
      end: async (text) => {
        writeData(await channel.next(), text);
      },
    };
  }

  close(): void {
    this.harness.client.destroy();
  }
}
