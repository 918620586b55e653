/**
 * The SMTP client (RFC 5321) used by the outbound queue to relay and by `outpost mail send` to
 * submit (RFC 6409): greeting, EHLO with HELO fallback, STARTTLS (RFC 3207) opportunistic or
 * required, AUTH PLAIN/LOGIN (RFC 4954), PIPELINING (RFC 2920: MAIL, every RCPT and DATA in one
 * write), SIZE, 8BITMIME, SMTPUTF8 and DSN parameters, BDAT (RFC 3030) when CHUNKING is offered
 * else DATA with dot-stuffing, a reply per recipient, and the per-command timeouts of RFC 5321
 * §4.5.3.2. Reads go through LineConnection (bounded reply lines, STARTTLS that drops anything
 * the server sent before the handshake); replies through the shared ReplyAssembler. A certificate
 * is verified right after the handshake, before the client writes a byte (`core/tls-trust.ts`),
 * so a refusal says whose certificate it was (TLS_UNTRUSTED, the certificate in its cause).
 */
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, TLSSocket, type ConnectionOptions } from 'node:tls';
import { ErrorCodes, OutpostError, type ErrorCode } from '../../../core/errors.js';
import { LineConnection } from '../../../core/line/connection.js';
import { ConnectTimeoutError, connectedWithin } from '../../../core/net-connect.js';
import { TlsUntrustedError, untrustedPeer } from '../../../core/tls-trust.js';
import { replyClass, replyText, ReplyAssembler, reply as makeReply, type SmtpReply } from '../codec/reply.js';
import { encodeSaslPlain } from '../../../core/sasl.js';
import { Capabilities } from './capabilities.js';
import {
  canonicalBody,
  checkPathAddress,
  dotStuffed,
  encodeXtext,
  hasEightBit,
  isNonAscii,
  type EnvelopeRecipient,
} from './envelope.js';
import { SMTP_CLIENT_LIMITS, type SmtpClientTimeouts } from './limits.js';

/** How the client uses TLS. */
export type SmtpSecurity =
  /** STARTTLS when offered, plaintext otherwise (MTA relaying, RFC 3207 §4 / RFC 7435). */
  | 'opportunistic'
  /** STARTTLS or fail (submission). */
  | 'starttls'
  /** TLS from the first byte (SMTPS, RFC 8314). */
  | 'implicit'
  /** Never TLS (tests, loopback). */
  | 'none';

/** Options of `connectSmtp`. */
export interface SmtpClientOptions {
  readonly host: string;
  readonly port: number;
  /** Our name in EHLO/HELO (a host name, or an address literal). */
  readonly clientName: string;
  /** Source address to connect from (e.g. 127.0.0.2 for a second "host" on loopback). */
  readonly localAddress?: string;
  /** Default 'opportunistic'. */
  readonly security?: SmtpSecurity;
  /** Certificate checks. Relays do not verify by default (like MTAs, RFC 7435); submission should. */
  readonly tls?: Pick<ConnectionOptions, 'rejectUnauthorized' | 'ca' | 'servername' | 'minVersion'>;
  /** Credentials for AUTH (sent only over TLS unless `allowPlaintextAuth`). */
  readonly auth?: {
    readonly username: string;
    readonly password: string;
    readonly mechanism?: 'PLAIN' | 'LOGIN';
  };
  readonly allowPlaintextAuth?: boolean;
  readonly timeouts?: Partial<SmtpClientTimeouts>;
  /** Use PIPELINING / CHUNKING when offered (default true). */
  readonly pipelining?: boolean;
  readonly chunking?: boolean;
}

/** One transaction to send. */
export interface SendRequest {
  /** Envelope sender; '' for the null reverse-path. */
  readonly mailFrom: string;
  readonly recipients: readonly EnvelopeRecipient[];
  readonly bytes: Buffer;
  readonly envId?: string;
  readonly ret?: 'FULL' | 'HDRS';
}

/** The final reply for one recipient. */
export interface RecipientResult {
  readonly address: string;
  /** The RCPT reply when it refused, else the reply to the end of data (or MAIL's refusal). */
  readonly reply: SmtpReply;
  /** True when the reply is 2xx: the server took responsibility. */
  readonly accepted: boolean;
}

/** What a transaction came to. */
export interface SendResult {
  readonly recipients: readonly RecipientResult[];
  readonly mailReply: SmtpReply;
  /** The reply to the end of the message; null when no data was sent. */
  readonly dataReply: SmtpReply | null;
  /** True when sent with BDAT (RFC 3030). */
  readonly chunked: boolean;
}

/** A refusal or failure of the session (not of one recipient). */
export class SmtpClientError extends OutpostError {
  /** The server's reply, when there was one. */
  readonly reply: SmtpReply | undefined;
  /** What we were doing: connect, greeting, ehlo, starttls, auth, mail, rcpt, data… */
  readonly stage: string;

  constructor(
    code: ErrorCode,
    stage: string,
    message: string,
    options?: { reply?: SmtpReply; cause?: unknown },
  ) {
    super(code, `${stage}: ${message}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SmtpClientError';
    this.stage = stage;
    this.reply = options?.reply;
  }

  /** True when trying again later may work (4xx, timeouts, connection trouble). */
  get transient(): boolean {
    return this.reply === undefined || replyClass(this.reply) !== 5;
  }
}

const LOOPBACK = /^(127\.|::1$|::ffff:127\.|localhost$)/i;

function checkLine(line: string): string {
  if (/[\r\n\0]/.test(line))
    throw new OutpostError(ErrorCodes.UNSAFE_OUTPUT, 'refusing CR, LF or NUL in an SMTP command');
  return line;
}

/** A synthetic reply for failures we detect ourselves (SIZE, SMTPUTF8…). */
function localReply(code: number, enhanced: string, text: string): SmtpReply {
  return makeReply(code, enhanced, text);
}

/** An open SMTP session. Get one with `connectSmtp`. */
export class SmtpClient {
  readonly #conn: LineConnection;
  readonly #opts: SmtpClientOptions;
  readonly #timeouts: SmtpClientTimeouts;
  #caps = new Capabilities(null);
  #greeting: SmtpReply | null = null;
  #authenticated = false;
  #esmtp = true;

  private constructor(conn: LineConnection, opts: SmtpClientOptions) {
    this.#conn = conn;
    this.#opts = opts;
    const t = opts.timeouts ?? {};
    this.#timeouts = {
      connectTimeoutMs: t.connectTimeoutMs ?? SMTP_CLIENT_LIMITS.connectTimeoutMs,
      greetingTimeoutMs: t.greetingTimeoutMs ?? SMTP_CLIENT_LIMITS.greetingTimeoutMs,
      mailTimeoutMs: t.mailTimeoutMs ?? SMTP_CLIENT_LIMITS.mailTimeoutMs,
      rcptTimeoutMs: t.rcptTimeoutMs ?? SMTP_CLIENT_LIMITS.rcptTimeoutMs,
      dataInitTimeoutMs: t.dataInitTimeoutMs ?? SMTP_CLIENT_LIMITS.dataInitTimeoutMs,
      dataBlockTimeoutMs: t.dataBlockTimeoutMs ?? SMTP_CLIENT_LIMITS.dataBlockTimeoutMs,
      dataTermTimeoutMs: t.dataTermTimeoutMs ?? SMTP_CLIENT_LIMITS.dataTermTimeoutMs,
    };
  }

  /** Opens the connection and runs greeting, EHLO, STARTTLS and AUTH as the options say. */
  static async connect(opts: SmtpClientOptions): Promise<SmtpClient> {
    const connectMs = opts.timeouts?.connectTimeoutMs ?? SMTP_CLIENT_LIMITS.connectTimeoutMs;
    const socket = await openSocket(opts, connectMs);
    const conn = new LineConnection(socket, {
      protocol: 'smtp-client',
      side: 'client',
      maxLineOctets: SMTP_CLIENT_LIMITS.replyLineOctets,
      // Per-command timers below do the real work; these are backstops.
      idleTimeoutMs: SMTP_CLIENT_LIMITS.dataTermTimeoutMs + 60_000,
      sessionTimeoutMs: Number.POSITIVE_INFINITY,
    });
    const client = new SmtpClient(conn, opts);
    try {
      await client.#open();
      return client;
    } catch (err) {
      conn.destroy();
      throw err;
    }
  }

  /** The 220 greeting. */
  get greeting(): SmtpReply | null {
    return this.#greeting;
  }

  /** The extensions from the last EHLO (empty after a HELO fallback). */
  get capabilities(): Capabilities {
    return this.#caps;
  }

  /** True once TLS is active. */
  get secure(): boolean {
    return this.#conn.secure;
  }

  get authenticated(): boolean {
    return this.#authenticated;
  }

  async #open(): Promise<void> {
    const greeting = await this.#read('greeting', this.#timeouts.greetingTimeoutMs);
    this.#greeting = greeting;
    if (greeting.code !== 220) throw this.#refused('greeting', greeting);
    await this.#hello();
    const security = this.#opts.security ?? 'opportunistic';
    if (
      !this.secure &&
      (security === 'starttls' || (security === 'opportunistic' && this.#caps.has('STARTTLS')))
    ) {
      if (!this.#caps.has('STARTTLS')) {
        throw new SmtpClientError(
          ErrorCodes.TLS_UNAVAILABLE,
          'starttls',
          'the server does not offer STARTTLS',
        );
      }
      const r = await this.#command('STARTTLS', 'starttls', this.#timeouts.greetingTimeoutMs);
      if (r.code !== 220) {
        if (security === 'starttls') throw this.#refused('starttls', r);
      } else {
        const host = this.#opts.tls?.servername ?? this.#opts.host;
        const verify = this.#opts.tls?.rejectUnauthorized ?? security !== 'opportunistic';
        const tls: ConnectionOptions = {
          // Verified below, once the certificate can still be read (see the file comment).
          rejectUnauthorized: false,
          ...(isIP(host) === 0 ? { servername: host } : {}),
          ...(this.#opts.tls?.ca === undefined ? {} : { ca: this.#opts.tls.ca }),
          ...(this.#opts.tls?.minVersion === undefined ? {} : { minVersion: this.#opts.tls.minVersion }),
        };
        try {
          await this.#withTimer(this.#conn.startTlsClient(tls), this.#timeouts.greetingTimeoutMs);
        } catch (err) {
          throw new SmtpClientError(
            ErrorCodes.TLS_UNAVAILABLE,
            'starttls',
            `TLS handshake failed: ${innermostMessage(err)}`,
            { cause: err },
          );
        }
        if (verify) refuseUntrusted(this.#conn.tlsSocket, 'starttls');
        // RFC 3207 §4.2: forget everything learnt before TLS and say EHLO again.
        await this.#hello();
      }
    }
    if (this.#opts.auth) await this.#auth(this.#opts.auth);
  }

  async #hello(): Promise<void> {
    const name = checkLine(this.#opts.clientName);
    const r = await this.#command(`EHLO ${name}`, 'ehlo', this.#timeouts.greetingTimeoutMs);
    if (r.code === 250) {
      this.#caps = new Capabilities(r);
      this.#esmtp = true;
      return;
    }
    if (replyClass(r) === 5) {
      // RFC 5321 §3.2: a server that does not know EHLO gets HELO.
      const h = await this.#command(`HELO ${name}`, 'helo', this.#timeouts.greetingTimeoutMs);
      if (h.code === 250) {
        this.#caps = new Capabilities(null);
        this.#esmtp = false;
        return;
      }
      throw this.#refused('helo', h);
    }
    throw this.#refused('ehlo', r);
  }

  async #auth(auth: NonNullable<SmtpClientOptions['auth']>): Promise<void> {
    const loopback = LOOPBACK.test(this.#conn.remoteAddress) || LOOPBACK.test(this.#opts.host);
    if (!this.secure && this.#opts.allowPlaintextAuth !== true && !loopback) {
      throw new SmtpClientError(
        ErrorCodes.TLS_UNAVAILABLE,
        'auth',
        'refusing to send a password without TLS',
      );
    }
    const offered = this.#caps.authMechanisms;
    const mechanism =
      auth.mechanism ?? (offered.includes('PLAIN') ? 'PLAIN' : offered.includes('LOGIN') ? 'LOGIN' : null);
    if (mechanism === null || !offered.includes(mechanism)) {
      throw new SmtpClientError(
        ErrorCodes.SMTP_REPLY,
        'auth',
        `the server offers no usable AUTH mechanism (${offered.join(' ') || 'none'})`,
      );
    }
    const t = this.#timeouts.greetingTimeoutMs;
    let r: SmtpReply;
    if (mechanism === 'PLAIN') {
      r = await this.#secret(
        `AUTH PLAIN ${encodeSaslPlain(auth.username, auth.password)}`,
        'AUTH PLAIN ****',
        t,
      );
    } else {
      r = await this.#command('AUTH LOGIN', 'auth', t);
      if (r.code === 334)
        r = await this.#secret(Buffer.from(auth.username).toString('base64'), '<username>', t);
      if (r.code === 334) r = await this.#secret(Buffer.from(auth.password).toString('base64'), '****', t);
    }
    if (r.code !== 235) throw this.#refused('auth', r);
    this.#authenticated = true;
  }

  /** Sends a line whose content must not reach the transcript. */
  async #secret(line: string, shown: string, timeoutMs: number): Promise<SmtpReply> {
    await this.#conn.writeRaw(`${checkLine(line)}\r\n`, shown);
    return this.#read('auth', timeoutMs);
  }

  /**
   * Runs one mail transaction. Refusals of MAIL, RCPT or the data are per-recipient results, not
   * exceptions; exceptions mean the session broke (timeout, connection lost, malformed reply),
   * after which the client must be destroyed.
   */
  async send(req: SendRequest): Promise<SendResult> {
    if (req.recipients.length === 0) throw new OutpostError(ErrorCodes.ENCODE, 'no recipients');
    checkPathAddress(req.mailFrom);
    for (const r of req.recipients) checkPathAddress(r.address);
    const all = (r: SmtpReply): SendResult => ({
      recipients: req.recipients.map((x) => ({ address: x.address, reply: r, accepted: false })),
      mailReply: r,
      dataReply: null,
      chunked: false,
    });
    const caps = this.#caps;
    const useBdat = this.#esmtp && this.#opts.chunking !== false && caps.has('CHUNKING');
    const body = useBdat ? canonicalBody(req.bytes) : dotStuffed(req.bytes);
    const size = useBdat ? body.length : body.length - 3;
    const maxSize = caps.maxSize;
    if (maxSize !== null && maxSize > 0 && size > maxSize) {
      return all(
        localReply(
          552,
          '5.3.4',
          `message size ${String(size)} exceeds the server's limit of ${String(maxSize)}`,
        ),
      );
    }
    const needsUtf8 = isNonAscii(req.mailFrom) || req.recipients.some((r) => isNonAscii(r.address));
    if (needsUtf8 && !caps.has('SMTPUTF8')) {
      // RFC 6531 §3.2: without SMTPUTF8 on the server, UTF-8 addresses cannot be relayed.
      return all(
        localReply(553, '5.6.7', 'the server does not support SMTPUTF8, needed for these addresses'),
      );
    }
    const mailParams: string[] = [];
    if (caps.has('SIZE')) mailParams.push(`SIZE=${String(size)}`);
    const eightBit = hasEightBit(req.bytes);
    if (eightBit && caps.has('8BITMIME')) mailParams.push('BODY=8BITMIME');
    if (caps.has('SMTPUTF8') && (needsUtf8 || eightBit)) mailParams.push('SMTPUTF8');
    const dsn = caps.has('DSN');
    if (dsn && req.ret) mailParams.push(`RET=${req.ret}`);
    if (dsn && req.envId !== undefined) mailParams.push(`ENVID=${encodeXtext(req.envId)}`);
    const mailLine = [`MAIL FROM:<${checkPathAddress(req.mailFrom)}>`, ...mailParams].join(' ');
    const rcptLines = req.recipients.map((r) => {
      const params: string[] = [];
      if (dsn && r.notify?.length) params.push(`NOTIFY=${r.notify.join(',')}`);
      if (dsn && r.orcpt !== undefined) {
        const semi = r.orcpt.indexOf(';');
        if (semi > 0) params.push(`ORCPT=${r.orcpt.slice(0, semi)};${encodeXtext(r.orcpt.slice(semi + 1))}`);
      }
      return [`RCPT TO:<${checkPathAddress(r.address)}>`, ...params].join(' ');
    });

    const t = this.#timeouts;
    let mailReply: SmtpReply;
    const rcptReplies: SmtpReply[] = [];
    let dataInit: SmtpReply | null = null;
    const pipelined = this.#esmtp && this.#opts.pipelining !== false && caps.has('PIPELINING');
    if (pipelined) {
      // RFC 2920 §3.1: MAIL, RCPT… and DATA (the last command of a group) in one write.
      this.#conn.writeLines([mailLine, ...rcptLines, ...(useBdat ? [] : ['DATA'])].map(checkLine));
      mailReply = await this.#read('mail', t.mailTimeoutMs);
      for (let i = 0; i < rcptLines.length; i++) rcptReplies.push(await this.#read('rcpt', t.rcptTimeoutMs));
      if (!useBdat) dataInit = await this.#read('data', t.dataInitTimeoutMs);
    } else {
      mailReply = await this.#command(mailLine, 'mail', t.mailTimeoutMs);
      if (replyClass(mailReply) !== 2) {
        await this.#rsetQuietly();
        return all(mailReply);
      }
      for (const line of rcptLines) rcptReplies.push(await this.#command(line, 'rcpt', t.rcptTimeoutMs));
      if (!useBdat && rcptReplies.some((r) => replyClass(r) === 2)) {
        dataInit = await this.#command('DATA', 'data', t.dataInitTimeoutMs);
      }
    }
    const anyAccepted = replyClass(mailReply) === 2 && rcptReplies.some((r) => replyClass(r) === 2);
    if (dataInit?.code === 354 && !anyAccepted) {
      // RFC 2920 §3.1: DATA was accepted though no recipient was: send an empty message, ignore the reply.
      await this.#conn.writeRaw('.\r\n', '.');
      await this.#read('data', t.dataTermTimeoutMs);
    }
    if (replyClass(mailReply) !== 2) {
      await this.#rsetQuietly();
      return all(mailReply);
    }
    let dataReply: SmtpReply | null = null;
    if (anyAccepted) {
      if (useBdat) dataReply = await this.#sendChunks(body);
      else if (dataInit?.code === 354) {
        await this.#withTimer(
          this.#conn.writeRaw(body, `<message, ${String(body.length)} octets>`),
          t.dataBlockTimeoutMs,
        );
        dataReply = await this.#read('data', t.dataTermTimeoutMs);
      } else dataReply = dataInit;
    }
    if (dataReply === null || replyClass(dataReply) !== 2) await this.#rsetQuietly();
    const results = req.recipients.map((r, i): RecipientResult => {
      const rr = rcptReplies[i] ?? mailReply;
      const final = replyClass(rr) === 2 ? (dataReply ?? rr) : rr;
      return { address: r.address, reply: final, accepted: replyClass(final) === 2 };
    });
    return { recipients: results, mailReply, dataReply, chunked: useBdat };
  }

  /** RFC 3030 BDAT: the body in chunks, the last marked LAST; the reply to the last counts. */
  async #sendChunks(body: Buffer): Promise<SmtpReply> {
    const max = SMTP_CLIENT_LIMITS.bdatChunkOctets;
    let offset = 0;
    for (;;) {
      const chunk = body.subarray(offset, offset + max);
      offset += chunk.length;
      const last = offset >= body.length;
      const verb = `BDAT ${String(chunk.length)}${last ? ' LAST' : ''}`;
      await this.#withTimer(
        this.#conn.writeRaw(
          Buffer.concat([Buffer.from(`${verb}\r\n`), chunk]),
          `${verb} <${String(chunk.length)} octets>`,
        ),
        this.#timeouts.dataBlockTimeoutMs,
      );
      const r = await this.#read(
        'bdat',
        last ? this.#timeouts.dataTermTimeoutMs : this.#timeouts.dataBlockTimeoutMs,
      );
      if (last || replyClass(r) !== 2) return r;
    }
  }

  /** RSET after a refused transaction, so the session can be used again. */
  async #rsetQuietly(): Promise<void> {
    await this.#command('RSET', 'rset', this.#timeouts.greetingTimeoutMs);
  }

  /** Sends RSET and returns its reply. */
  async rset(): Promise<SmtpReply> {
    return this.#command('RSET', 'rset', this.#timeouts.greetingTimeoutMs);
  }

  /** Says QUIT and closes; never throws. */
  async quit(): Promise<void> {
    try {
      if (!this.#conn.closed) await this.#command('QUIT', 'quit', 10_000);
    } catch {
      // The server may hang up first.
    }
    await this.#conn.close();
  }

  /** Closes at once. */
  destroy(): void {
    this.#conn.destroy();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.quit();
  }

  async #command(line: string, stage: string, timeoutMs: number): Promise<SmtpReply> {
    this.#conn.writeLine(checkLine(line));
    return this.#read(stage, timeoutMs);
  }

  #refused(stage: string, r: SmtpReply): SmtpClientError {
    return new SmtpClientError(ErrorCodes.SMTP_REPLY, stage, replyText(r), { reply: r });
  }

  /** Resolves `p`, or destroys the connection and fails with ERR_TIMEOUT after `ms`. */
  async #withTimer<T>(p: Promise<T>, ms: number): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.#conn.destroy();
        reject(new SmtpClientError(ErrorCodes.TIMEOUT, 'write', `no progress within ${String(ms)} ms`));
      }, ms);
    });
    try {
      return await Promise.race([p, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Reads one (possibly multi-line) reply within `timeoutMs`. */
  async #read(stage: string, timeoutMs: number): Promise<SmtpReply> {
    const assembler = new ReplyAssembler(SMTP_CLIENT_LIMITS.replyLines);
    const deadline = { fired: false };
    const timer = setTimeout(() => {
      deadline.fired = true;
      this.#conn.destroy();
    }, timeoutMs);
    try {
      for (;;) {
        const r = await this.#conn.readLine();
        if (r.kind === 'line') {
          let done: SmtpReply | null;
          try {
            done = assembler.push(r.text);
          } catch (err) {
            throw new SmtpClientError(ErrorCodes.SMTP_PROTOCOL, stage, (err as Error).message, {
              cause: err,
            });
          }
          if (done) return done;
        } else if (r.kind === 'overflow') {
          throw new SmtpClientError(
            ErrorCodes.SMTP_PROTOCOL,
            stage,
            `reply line longer than ${String(SMTP_CLIENT_LIMITS.replyLineOctets)} octets`,
          );
        } else if (r.kind === 'timeout' || deadline.fired) {
          throw new SmtpClientError(ErrorCodes.TIMEOUT, stage, `no reply within ${String(timeoutMs)} ms`);
        } else {
          throw new SmtpClientError(ErrorCodes.CONNECTION_CLOSED, stage, 'the server closed the connection');
        }
      }
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The message at the bottom of an error's `cause` chain: what actually went wrong. */
function innermostMessage(err: unknown): string {
  let e = err;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  return e instanceof Error ? e.message : String(e);
}

/**
 * Throws TLS_UNTRUSTED unless the handshaken socket's certificate passed Node's checks (chain
 * and host name); the cause is a TlsUntrustedError that carries the certificate.
 */
function refuseUntrusted(socket: TLSSocket | null, stage: string): void {
  if (socket === null) throw new SmtpClientError(ErrorCodes.TLS_UNAVAILABLE, stage, 'no TLS socket');
  const untrusted = untrustedPeer(socket);
  if (untrusted === null) return;
  const err = new TlsUntrustedError(untrusted);
  throw new SmtpClientError(ErrorCodes.TLS_UNTRUSTED, stage, err.message, { cause: err });
}

/** Opens the TCP (or implicit TLS) socket within `ms`. */
async function openSocket(opts: SmtpClientOptions, ms: number): Promise<Socket> {
  const implicit = opts.security === 'implicit';
  const host = opts.tls?.servername ?? opts.host;
  const base = {
    host: opts.host,
    port: opts.port,
    ...(opts.localAddress === undefined ? {} : { localAddress: opts.localAddress }),
  };
  const socket: Socket = implicit
    ? tlsConnect({
        ...base,
        // Verified on secureConnect, once the certificate can still be read.
        rejectUnauthorized: false,
        ...(isIP(host) === 0 ? { servername: host } : {}),
        ...(opts.tls?.ca === undefined ? {} : { ca: opts.tls.ca }),
      })
    : netConnect(base);
  try {
    await connectedWithin(socket, ms, implicit ? 'secureConnect' : 'connect');
  } catch (err) {
    socket.destroy();
    if (err instanceof ConnectTimeoutError) {
      throw new SmtpClientError(
        ErrorCodes.TIMEOUT,
        'connect',
        `no connection to ${opts.host}:${String(opts.port)} within ${String(ms)} ms`,
      );
    }
    throw new SmtpClientError(
      ErrorCodes.CONNECTION_CLOSED,
      'connect',
      `${opts.host}:${String(opts.port)}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  if (socket instanceof TLSSocket && (opts.tls?.rejectUnauthorized ?? true)) {
    try {
      refuseUntrusted(socket, 'connect');
    } catch (err) {
      socket.destroy();
      throw err instanceof Error ? err : new Error(String(err));
    }
  }
  return socket;
}

/** Opens an SMTP session (see SmtpClient). */
export async function connectSmtp(opts: SmtpClientOptions): Promise<SmtpClient> {
  return SmtpClient.connect(opts);
}
