/**
 * The FTP client library (used by `outpost ftp` and by tests against vsftpd): one control
 * connection on a LineConnection (the same pull API the servers use, with its line limit and
 * client-side STARTTLS), replies parsed by the shared codec, and data connections passive
 * (EPSV, then PASV; the data host is the control connection's peer, as curl does, so a wrong
 * advertised address cannot redirect us) or active (PORT/EPRT to a listener on the control
 * connection's local address), with TLS for PROT P that offers the control connection's TLS
 * session for resumption (servers such as vsftpd require it). Every error it throws is an
 * OutpostError with a code: FTP_REPLY (the server refused), FTP_PROTOCOL (a malformed reply),
 * FTP_DATA_CONNECTION, FTP_TRANSFER (the local file or the data stream failed), TIMEOUT,
 * CONNECTION_CLOSED, TLS_UNAVAILABLE.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { connect as netConnect, createServer, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { pipeline } from 'node:stream/promises';
import { Transform, type Duplex, type Readable, type Writable } from 'node:stream';
import { ErrorCodes, OutpostError, type ErrorCode } from '../../core/errors.js';
import { LineConnection } from '../../core/line/connection.js';
import { ConnectTimeoutError, connectedWithin } from '../../core/net-connect.js';
import { formatEprtArg, formatPortArg, parseEpsvReply, parsePasvReply, toIPv4 } from '../codec/address.js';
import { formatCommand } from '../codec/command.js';
import { toCrlfStream, toLfStream } from '../codec/ascii.js';
import { parseMlsxLine, parseTimeVal, parseUnixListLine, type MlsxParsed } from '../codec/listing.js';
import { replyClass, ReplyParser, type FtpReply } from '../codec/reply.js';
import { FTP_LIMITS } from '../limits.js';

/** SNI only for names: RFC 6066 §3 forbids IP literals in server_name. */
function sni(host: string): { servername?: string } {
  return isIP(host) === 0 ? { servername: host } : {};
}

/** `err` when it already carries a code; otherwise an OutpostError with `code` and `err` as its cause. */
function coded(err: unknown, code: ErrorCode, message: string): OutpostError {
  if (err instanceof OutpostError) return err;
  const detail = err instanceof Error ? `: ${err.message}` : '';
  return new OutpostError(code, `${message}${detail}`, { cause: err });
}

/** How to reach and talk to the server. */
export interface FtpClientOptions {
  host: string;
  /** Default 21 (990 for implicit TLS). */
  port?: number;
  /** `explicit`: AUTH TLS after the greeting; `implicit`: TLS from the first byte (ftps://). */
  secure?: 'explicit' | 'implicit' | false;
  /** TLS options (ca, rejectUnauthorized, servername…). */
  tls?: ConnectionOptions;
  /** Passive data connections (default true); false uses PORT/EPRT. */
  passive?: boolean;
  /** When passive setup fails, try active mode. */
  activeFallback?: boolean;
  /** Reply timeout, in milliseconds (default FTP_LIMITS.clientReplyTimeoutMs). */
  timeoutMs?: number;
  /**
   * Sent as HOST before USER (RFC 7151), to pick a virtual host. Never fatal: a server without
   * HOST (500/502) or without that host (504) serves its default; `hostReply` tells which.
   */
  virtualHost?: string;
  /** Sees every control line: `>` sent (PASS masked), `<` received. */
  onLine?: (direction: '>' | '<', line: string) => void;
}

/** Progress of one transfer. */
export type ProgressCallback = (bytes: number) => void;

/** A server reply that was not the one expected. */
export class FtpReplyError extends OutpostError {
  readonly reply: FtpReply;

  constructor(command: string, reply: FtpReply) {
    super(ErrorCodes.FTP_REPLY, `${command}: ${reply.code} ${reply.lines.join(' ')}`);
    this.name = 'FtpReplyError';
    this.reply = reply;
  }
}

/** One entry of `list()`. */
export interface RemoteEntry {
  readonly name: string;
  readonly type: 'file' | 'dir' | 'link' | 'other';
  readonly size: number | undefined;
  readonly modified: Date | undefined;
  /** The raw line (LIST) or facts (MLSD). */
  readonly raw: string;
}

/** An FTP client session. */
export class FtpClient {
  readonly #conn: LineConnection;
  readonly #options: FtpClientOptions;
  readonly #parser = new ReplyParser(FTP_LIMITS.maxReplyLines);
  readonly #timeoutMs: number;
  #tlsSession: Buffer | undefined;
  #prot: 'C' | 'P' = 'C';
  #epsvBroken = false;
  #features: Map<string, string> | null = null;
  /** The greeting (220). */
  greeting: FtpReply | null = null;
  /** The reply to HOST, when `virtualHost` was given and login() sent it. */
  hostReply: FtpReply | null = null;
  passive: boolean;

  private constructor(conn: LineConnection, options: FtpClientOptions) {
    this.#conn = conn;
    this.#options = options;
    this.#timeoutMs = options.timeoutMs ?? FTP_LIMITS.clientReplyTimeoutMs;
    this.passive = options.passive !== false;
  }

  /** Connects, reads the greeting, and negotiates TLS when asked. */
  static async connect(options: FtpClientOptions): Promise<FtpClient> {
    const implicit = options.secure === 'implicit';
    const port = options.port ?? (implicit ? 990 : 21);
    const timeoutMs = options.timeoutMs ?? FTP_LIMITS.clientReplyTimeoutMs;
    const tlsSocket = implicit
      ? tlsConnect({ ...sni(options.host), ...options.tls, host: options.host, port })
      : null;
    const socket: Socket = tlsSocket ?? netConnect({ host: options.host, port });
    try {
      await connectedWithin(socket, timeoutMs, implicit ? 'secureConnect' : 'connect');
    } catch (err) {
      socket.destroy();
      throw err instanceof ConnectTimeoutError
        ? new OutpostError(ErrorCodes.TIMEOUT, 'connect timed out')
        : new OutpostError(
            ErrorCodes.CONNECTION_CLOSED,
            `cannot connect to ${options.host}:${port}: ${(err as Error).message}`,
            { cause: err },
          );
    }
    socket.setNoDelay(true);
    const conn = new LineConnection(socket, {
      protocol: 'ftp-client',
      side: 'client',
      maxLineOctets: FTP_LIMITS.clientMaxReplyLineOctets,
      idleTimeoutMs: timeoutMs,
      sessionTimeoutMs: Infinity,
    });
    const client = new FtpClient(conn, options);
    if (tlsSocket) client.#watchSession(tlsSocket);
    try {
      client.greeting = await client.#readReply();
    } catch (err) {
      client.close();
      throw err;
    }
    if (replyClass(client.greeting.code) !== 2) {
      client.close();
      throw new FtpReplyError('connect', client.greeting);
    }
    if (options.secure === 'explicit') await client.#authTls();
    if (implicit) await client.#protectData();
    return client;
  }

  #watchSession(socket: TLSSocket): void {
    socket.on('session', (session: Buffer) => {
      this.#tlsSession = session;
    });
  }

  async #authTls(): Promise<void> {
    await this.expect('AUTH', 'TLS', [2]);
    await this.#conn.startTlsClient({
      ...sni(this.#options.host),
      ...this.#options.tls,
      host: this.#options.host,
    });
    const tls = this.#conn.tlsSocket;
    if (tls) {
      this.#tlsSession = tls.getSession();
      this.#watchSession(tls);
    }
    await this.#protectData();
  }

  async #protectData(): Promise<void> {
    await this.expect('PBSZ', '0', [2]);
    await this.expect('PROT', 'P', [2]);
    this.#prot = 'P';
  }

  /** True when the control connection is encrypted. */
  get secure(): boolean {
    return this.#conn.secure;
  }

  async #readReply(): Promise<FtpReply> {
    const started = Date.now();
    for (;;) {
      const r = await this.#conn.readLine();
      if (r.kind === 'line') {
        this.#options.onLine?.('<', r.text);
        const reply = this.#parser.push(r.text);
        if (reply) return reply;
        continue;
      }
      if (r.kind === 'timeout' && r.which === 'idle' && Date.now() - started < this.#timeoutMs) continue;
      if (r.kind === 'timeout')
        throw new OutpostError(ErrorCodes.TIMEOUT, 'FTP server did not reply in time');
      if (r.kind === 'overflow') throw new OutpostError(ErrorCodes.LINE_TOO_LONG, 'FTP reply line too long');
      throw new OutpostError(ErrorCodes.CONNECTION_CLOSED, 'FTP server closed the connection');
    }
  }

  /** Sends a command and returns its reply (whatever the code). */
  async send(verb: string, arg?: string): Promise<FtpReply> {
    const line = formatCommand(verb, arg);
    const secret = verb.toUpperCase() === 'PASS';
    this.#options.onLine?.('>', secret ? 'PASS ****' : line);
    // The password never reaches a transcript: written raw with a masked note.
    try {
      if (secret) await this.#conn.writeRaw(`${line}\r\n`, 'PASS ****');
      else this.#conn.writeLine(line);
    } catch (err) {
      throw coded(err, ErrorCodes.CONNECTION_CLOSED, `cannot send ${verb}`);
    }
    return this.#readReply();
  }

  /** Sends a command; throws FtpReplyError unless the reply's class is in `classes`. */
  async expect(verb: string, arg: string | undefined, classes: readonly number[]): Promise<FtpReply> {
    const reply = await this.send(verb, arg);
    if (!classes.includes(replyClass(reply.code)))
      throw new FtpReplyError(arg === undefined || verb === 'PASS' ? verb : `${verb} ${arg}`, reply);
    return reply;
  }

  /** HOST (when `virtualHost` is set), then USER/PASS. */
  async login(user: string, password: string): Promise<void> {
    if (this.#options.virtualHost !== undefined)
      this.hostReply = await this.send('HOST', this.#options.virtualHost);
    const r = await this.expect('USER', user, [2, 3]);
    if (replyClass(r.code) === 3) await this.expect('PASS', password, [2]);
    await this.send('OPTS', 'UTF8 ON');
  }

  /** FEAT, as a map of feature name -> parameters (empty when the server has no FEAT). */
  async features(): Promise<Map<string, string>> {
    if (this.#features) return this.#features;
    const r = await this.send('FEAT');
    const out = new Map<string, string>();
    if (r.code === 211) {
      for (const line of r.lines.slice(1, -1)) {
        const t = line.trim();
        const sp = t.indexOf(' ');
        out.set((sp === -1 ? t : t.slice(0, sp)).toUpperCase(), sp === -1 ? '' : t.slice(sp + 1));
      }
    }
    this.#features = out;
    return out;
  }

  async pwd(): Promise<string> {
    const r = await this.expect('PWD', undefined, [2]);
    const m = /"((?:[^"]|"")*)"/.exec(r.lines[0] ?? '');
    return m?.[1] !== undefined ? m[1].replace(/""/g, '"') : '/';
  }

  async cd(path: string): Promise<void> {
    await this.expect('CWD', path, [2]);
  }

  async cdup(): Promise<void> {
    await this.expect('CDUP', undefined, [2]);
  }

  async mkdir(path: string): Promise<void> {
    await this.expect('MKD', path, [2]);
  }

  async rmdir(path: string): Promise<void> {
    await this.expect('RMD', path, [2]);
  }

  async delete(path: string): Promise<void> {
    await this.expect('DELE', path, [2]);
  }

  async rename(from: string, to: string): Promise<void> {
    await this.expect('RNFR', from, [3]);
    await this.expect('RNTO', to, [2]);
  }

  /** SIZE in binary mode; undefined when the server refuses. */
  async size(path: string): Promise<number | undefined> {
    await this.type('I');
    const r = await this.send('SIZE', path);
    return r.code === 213 ? Number(r.lines[0]) : undefined;
  }

  async modified(path: string): Promise<Date | undefined> {
    const r = await this.send('MDTM', path);
    return r.code === 213 ? (parseTimeVal(r.lines[0] ?? '') ?? undefined) : undefined;
  }

  /** TYPE A or I. */
  async type(t: 'A' | 'I'): Promise<void> {
    await this.expect('TYPE', t, [2]);
  }

  /** Raw text of LIST (or NLST with `names`). */
  async listRaw(path?: string, verb: 'LIST' | 'NLST' | 'MLSD' = 'LIST'): Promise<string> {
    const chunks: Buffer[] = [];
    const sink = new Transform({
      transform(chunk: Buffer, _e, cb) {
        chunks.push(chunk);
        cb();
      },
    });
    await this.#transfer(verb, path, async (data) => {
      await pipeline(data, sink);
    });
    return Buffer.concat(chunks).toString('utf8');
  }

  /** Directory entries: MLSD when the server offers MLST, else a parsed LIST. */
  async list(path?: string): Promise<RemoteEntry[]> {
    const feats = await this.features();
    if (feats.has('MLST')) {
      const text = await this.listRaw(path, 'MLSD');
      return text
        .split(/\r?\n/)
        .map(parseMlsxLine)
        .filter((e): e is MlsxParsed => e !== null)
        .filter((e) => e.facts['type'] !== 'cdir' && e.facts['type'] !== 'pdir')
        .map((e) => ({
          name: e.name,
          type: e.facts['type'] === 'dir' ? 'dir' : e.facts['type'] === 'file' ? 'file' : 'other',
          size: e.facts['size'] === undefined ? undefined : Number(e.facts['size']),
          modified:
            e.facts['modify'] === undefined ? undefined : (parseTimeVal(e.facts['modify']) ?? undefined),
          raw:
            Object.entries(e.facts)
              .map(([k, v]) => `${k}=${v};`)
              .join('') +
            ' ' +
            e.name,
        }));
    }
    const text = await this.listRaw(path, 'LIST');
    const out: RemoteEntry[] = [];
    for (const line of text.split(/\r?\n/)) {
      const p = parseUnixListLine(line);
      if (p && p.name !== '.' && p.name !== '..')
        out.push({ name: p.name, type: p.type, size: p.size, modified: undefined, raw: line });
    }
    return out;
  }

  /**
   * Downloads `remote` into `dest` (a local path or a stream). With `offset`, sends REST first
   * and, for a local path, appends (resume).
   */
  async get(
    remote: string,
    dest: string | Writable,
    options: { offset?: number; ascii?: boolean; onProgress?: ProgressCallback } = {},
  ): Promise<number> {
    await this.type(options.ascii === true ? 'A' : 'I');
    const offset = options.offset ?? 0;
    if (offset > 0) await this.expect('REST', String(offset), [3]);
    let bytes = 0;
    await this.#transfer('RETR', remote, async (data) => {
      const sink =
        typeof dest === 'string'
          ? createWriteStream(dest, offset > 0 ? { flags: 'r+', start: offset } : {})
          : dest;
      data.on('data', (c: Buffer) => {
        bytes += c.length;
        options.onProgress?.(bytes);
      });
      // TYPE A: CRLF on the wire, the local convention (LF) on disk.
      if (options.ascii === true) await pipeline(data, toLfStream(), sink);
      else await pipeline(data, sink);
    });
    return bytes;
  }

  /** Uploads `source` (a local path or a stream); `append` uses APPE, `offset` REST + STOR. */
  async put(
    source: string | Readable,
    remote: string,
    options: { offset?: number; append?: boolean; ascii?: boolean; onProgress?: ProgressCallback } = {},
  ): Promise<number> {
    await this.type(options.ascii === true ? 'A' : 'I');
    const offset = options.offset ?? 0;
    if (offset > 0) await this.expect('REST', String(offset), [3]);
    let bytes = 0;
    await this.#transfer(options.append === true ? 'APPE' : 'STOR', remote, async (data) => {
      const input =
        typeof source === 'string'
          ? createReadStream(source, { start: offset, highWaterMark: FTP_LIMITS.transferChunkOctets })
          : source;
      input.on('data', (c: Buffer) => {
        bytes += c.length;
        options.onProgress?.(bytes);
      });
      if (options.ascii === true) await pipeline(input, toCrlfStream(), data);
      else await pipeline(input, data);
    });
    return bytes;
  }

  /** Runs one data transfer: set up, command, 1xx, body, 2xx. */
  async #transfer(
    verb: string,
    arg: string | undefined,
    body: (data: Duplex) => Promise<void>,
  ): Promise<void> {
    const setup = await this.#prepareData();
    let reply: FtpReply;
    try {
      reply = await this.send(verb, arg);
    } catch (err) {
      setup.cancel();
      throw err;
    }
    if (replyClass(reply.code) !== 1) {
      setup.cancel();
      if (replyClass(reply.code) === 2) return;
      throw new FtpReplyError(arg === undefined ? verb : `${verb} ${arg}`, reply);
    }
    let data: Duplex;
    try {
      const raw = await setup.socket();
      data = this.#prot === 'P' ? await this.#secureData(raw) : raw;
    } catch (err) {
      setup.cancel();
      await this.#readReply().catch(() => undefined);
      throw coded(err, ErrorCodes.FTP_DATA_CONNECTION, 'data connection failed');
    }
    let failure: OutpostError | undefined;
    try {
      await body(data);
    } catch (err) {
      failure = coded(err, ErrorCodes.FTP_TRANSFER, `${verb} failed`);
      data.destroy();
    }
    const done = await this.#readReply();
    if (failure !== undefined) throw failure;
    if (replyClass(done.code) !== 2)
      throw new FtpReplyError(arg === undefined ? verb : `${verb} ${arg}`, done);
  }

  async #secureData(socket: Socket): Promise<TLSSocket> {
    const secure = tlsConnect({
      ...sni(this.#options.host),
      ...this.#options.tls,
      socket,
      ...(this.#tlsSession ? { session: this.#tlsSession } : {}),
    });
    try {
      await once(secure, 'secureConnect');
    } catch (err) {
      secure.destroy();
      throw coded(err, ErrorCodes.TLS_UNAVAILABLE, 'TLS on the data connection failed');
    }
    return secure;
  }

  /** Prepares the data connection: passive connects now, active listens now and accepts later. */
  async #prepareData(): Promise<{ socket(): Promise<Socket>; cancel(): void }> {
    if (this.passive) {
      try {
        const port = await this.#passivePort();
        const socket = netConnect({ host: this.#conn.remoteAddress, port });
        socket.on('error', () => undefined);
        const ready = once(socket, 'connect').then(() => socket);
        ready.catch(() => undefined);
        return { socket: () => ready, cancel: () => socket.destroy() };
      } catch (err) {
        if (this.#options.activeFallback !== true) throw err;
      }
    }
    return this.#active();
  }

  async #passivePort(): Promise<number> {
    if (!this.#epsvBroken) {
      const r = await this.send('EPSV');
      if (r.code === 229) {
        const port = parseEpsvReply(r.lines[0] ?? '');
        if (port !== null) return port;
      }
      this.#epsvBroken = true;
    }
    const r = await this.expect('PASV', undefined, [2]);
    const hp = parsePasvReply(r.lines[0] ?? '');
    if (!hp) throw new FtpReplyError('PASV', r);
    return hp.port;
  }

  async #active(): Promise<{ socket(): Promise<Socket>; cancel(): void }> {
    const local = this.#conn.localAddress;
    const server = createServer({ pauseOnConnect: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => {
        reject(coded(err, ErrorCodes.FTP_DATA_CONNECTION, 'cannot listen for an active data connection'));
      });
      server.listen({ host: local, port: 0, backlog: 1 }, () => {
        resolve();
      });
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const v4 = toIPv4(local);
    const portArg = v4 !== null ? formatPortArg(v4, port) : null;
    const r =
      portArg !== null
        ? await this.send('PORT', portArg)
        : await this.send('EPRT', formatEprtArg(local, port));
    if (replyClass(r.code) !== 2) {
      server.close();
      throw new FtpReplyError('PORT', r);
    }
    const accepted = new Promise<Socket>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new OutpostError(ErrorCodes.FTP_DATA_CONNECTION, 'server did not connect'));
      }, this.#timeoutMs);
      server.once('connection', (s: Socket) => {
        clearTimeout(timer);
        server.close();
        s.on('error', () => undefined);
        resolve(s);
      });
    });
    accepted.catch(() => undefined);
    return { socket: () => accepted, cancel: () => server.close() };
  }

  /** QUIT and close. */
  async quit(): Promise<void> {
    try {
      await this.send('QUIT');
    } catch {
      // closing anyway
    }
    await this.#conn.close();
  }

  /** Closes at once. */
  close(): void {
    this.#conn.destroy();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.quit();
  }
}
