/**
 * A small IMAP client (RFC 9051, and RFC 3501 servers): connect with implicit TLS or STARTTLS
 * (required: the password never travels in the clear), LOGIN, then one command at a time, each
 * answered with its untagged responses and tagged status. Reads go through the core line layer
 * with the client's own bounds (response line, literal size, literals per response, nesting:
 * limits.ts), so a hostile server cannot make it buffer without limit. The certificate is
 * verified by Node and, when refused, reported with whose it is (TlsUntrustedError). Used by
 * `outpost mail fetch`; the helpers for what it asks (LIST, STATUS, SELECT, FETCH) are in
 * commands.ts.
 */
import { connect as netConnect, isIP, type Socket } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { ErrorCodes, OutpostError } from '../../core/errors.js';
import { LineConnection } from '../../core/line/connection.js';
import { describeSocketError } from '../../core/net.js';
import { connectedWithin } from '../../core/net-connect.js';
import { caWithRoots, TlsUntrustedError, untrustedPeer } from '../../core/tls-trust.js';
import { IMAP_CLIENT_LIMITS } from './limits.js';
import {
  ImapResponseError,
  literalAtEnd,
  parseResponse,
  type ImapResponse,
  type ResponseSegment,
} from './response.js';

/** How to reach the server. */
export interface ImapClientOptions {
  readonly host: string;
  readonly port: number;
  /** `implicit`: TLS from the first byte (993); `starttls`: plain, then STARTTLS (143). */
  readonly security: 'implicit' | 'starttls';
  /** PEM certificates trusted besides Node's roots. */
  readonly ca?: readonly string[];
  /** Accept any certificate (test servers only). */
  readonly insecure?: boolean;
  readonly timeoutMs?: number;
}

/** A command's outcome: its untagged data responses and the tagged status. */
export interface CommandResult {
  readonly untagged: Extract<ImapResponse, { kind: 'data' | 'status' }>[];
  readonly status: 'OK' | 'NO' | 'BAD';
  readonly code: string | null;
  readonly text: string;
}

/** A string argument: quoted when it can be, else a synchronising literal. */
export interface Literal {
  readonly literal: Buffer;
}

/** The server answered NO or BAD (or said BYE). */
export class ImapReplyError extends OutpostError {
  readonly result: CommandResult | null;
  constructor(message: string, result: CommandResult | null) {
    super(ErrorCodes.IMAP_REPLY, message);
    this.name = 'ImapReplyError';
    this.result = result;
  }
}

/** An open IMAP session. Get one with `ImapClient.connect`. */
export class ImapClient {
  readonly #conn: LineConnection;
  #tag = 0;
  #capabilities = new Set<string>();

  private constructor(conn: LineConnection) {
    this.#conn = conn;
  }

  /** Connects, reads the greeting, and secures the connection (STARTTLS when not implicit). */
  static async connect(options: ImapClientOptions): Promise<ImapClient> {
    const timeoutMs = options.timeoutMs ?? IMAP_CLIENT_LIMITS.timeoutMs;
    const socket = await openSocket(options.host, options.port, timeoutMs);
    const conn = new LineConnection(socket, {
      protocol: 'imap-client',
      side: 'client',
      maxLineOctets: IMAP_CLIENT_LIMITS.maxLineOctets,
      maxBufferedOctets: IMAP_CLIENT_LIMITS.maxLineOctets * 2,
      idleTimeoutMs: timeoutMs,
      sessionTimeoutMs: Number.POSITIVE_INFINITY,
    });
    const client = new ImapClient(conn);
    try {
      if (options.security === 'implicit') await client.#startTls(options);
      const greeting = await client.#read();
      if (greeting.kind !== 'status' || greeting.tag !== '*' || greeting.status === 'BAD')
        throw protocolError('the server did not greet with * OK');
      if (greeting.status === 'BYE' || greeting.status === 'NO')
        throw new ImapReplyError(`the server refused the session: ${greeting.text}`, null);
      if (greeting.status === 'PREAUTH')
        throw protocolError('the server sent PREAUTH; refusing an unauthenticated session');
      client.#learnCapabilities(greeting.code);
      if (options.security === 'starttls') {
        if (client.#capabilities.size === 0) await client.capability();
        if (!client.#capabilities.has('STARTTLS'))
          throw new OutpostError(
            ErrorCodes.STARTTLS_FAILED,
            `${options.host}:${String(options.port)} does not offer STARTTLS (for implicit TLS use its IMAPS port)`,
          );
        await client.command('STARTTLS');
        await client.#startTls(options);
        // RFC 9051 §6.2.1: what was learnt before TLS is forgotten.
        client.#capabilities = new Set();
      }
      return client;
    } catch (err) {
      conn.destroy();
      throw err;
    }
  }

  /** The server's capabilities (upper-cased), as last announced. */
  get capabilities(): ReadonlySet<string> {
    return this.#capabilities;
  }

  /** CAPABILITY. */
  async capability(): Promise<ReadonlySet<string>> {
    const r = await this.command('CAPABILITY');
    const data = r.untagged.find((u) => u.kind === 'data' && u.name === 'CAPABILITY');
    if (data?.kind === 'data') this.#capabilities = new Set(data.data.map((v) => String(v).toUpperCase()));
    return this.#capabilities;
  }

  /** LOGIN (RFC 9051 §6.2.3); a NO becomes an ImapReplyError with the server's words. */
  async login(user: string, password: string): Promise<void> {
    if (this.#capabilities.size === 0) await this.capability();
    if (this.#capabilities.has('LOGINDISABLED')) throw protocolError('the server has LOGIN disabled');
    const r = await this.command('LOGIN', [astring(user), astring(password)]);
    this.#learnCapabilities(r.code);
    if (!this.#capabilities.size) await this.capability();
  }

  /**
   * Runs one command: `name` and its arguments (atoms and ready-made text as strings, other
   * strings as `Literal`s), then reads to its tagged status. NO and BAD throw ImapReplyError.
   */
  async command(name: string, args: readonly (string | Literal)[] = []): Promise<CommandResult> {
    const tag = `o${String(++this.#tag)}`;
    let line = `${tag} ${name}`;
    for (const arg of args) {
      if (typeof arg === 'string') {
        line += ` ${arg}`;
        continue;
      }
      this.#conn.writeLine(`${line} {${String(arg.literal.length)}}`);
      const go = await this.#read();
      if (go.kind !== 'continuation') throw this.#refusedLiteral(name, go);
      await this.#conn.writeRaw(arg.literal, `<${String(arg.literal.length)} octets>`);
      line = '';
    }
    this.#conn.writeLine(line);
    const untagged: CommandResult['untagged'] = [];
    for (;;) {
      const r = await this.#read();
      if (r.kind === 'continuation') throw protocolError(`unexpected continuation request after ${name}`);
      if (r.kind === 'status' && r.tag === tag) {
        if (r.status !== 'OK' && r.status !== 'NO' && r.status !== 'BAD')
          throw protocolError(`tagged ${r.status} after ${name}`);
        const result: CommandResult = { untagged, status: r.status, code: r.code, text: r.text };
        if (r.status !== 'OK')
          throw new ImapReplyError(
            `${name} failed: ${r.status}${r.code === null ? '' : ` [${r.code}]`} ${r.text}`,
            result,
          );
        return result;
      }
      if (r.kind === 'status' && r.tag !== '*')
        throw protocolError(`a reply for tag ${r.tag} while waiting for ${tag}`);
      if (r.kind === 'status' && r.status === 'BYE')
        throw new ImapReplyError(`the server closed the session: ${r.text}`, null);
      if (untagged.length >= IMAP_CLIENT_LIMITS.maxUntaggedPerCommand)
        throw protocolError(
          `more than ${String(IMAP_CLIENT_LIMITS.maxUntaggedPerCommand)} responses to ${name}`,
        );
      untagged.push(r);
    }
  }

  /** LOGOUT and close; never throws. */
  async logout(): Promise<void> {
    try {
      await this.command('LOGOUT');
    } catch {
      // The session is ending either way.
    }
    await this.#conn.close();
  }

  /** Closes at once. */
  destroy(): void {
    this.#conn.destroy();
  }

  #refusedLiteral(name: string, r: ImapResponse): Error {
    if (r.kind === 'status' && r.status !== 'OK')
      return new ImapReplyError(
        `${name} failed: ${r.status}${r.code === null ? '' : ` [${r.code}]`} ${r.text}`,
        null,
      );
    return protocolError(`no continuation request for ${name}'s literal`);
  }

  #learnCapabilities(code: string | null): void {
    if (code === null || !/^CAPABILITY /i.test(code)) return;
    this.#capabilities = new Set(
      code
        .split(' ')
        .slice(1)
        .map((c) => c.toUpperCase()),
    );
  }

  async #startTls(options: ImapClientOptions): Promise<void> {
    const tls: ConnectionOptions = {
      // Verified just below, while the certificate can still be read (core/tls-trust.ts).
      rejectUnauthorized: false,
      ...(isIP(options.host) === 0 ? { servername: options.host } : {}),
      ...caWithRoots(options.ca),
    };
    try {
      await this.#conn.startTlsClient(tls);
    } catch (err) {
      throw new OutpostError(
        ErrorCodes.TLS_UNAVAILABLE,
        `TLS handshake with ${options.host} failed: ${innermost(err)}`,
        {
          cause: err,
        },
      );
    }
    const socket = this.#conn.tlsSocket;
    if (socket === null) throw new OutpostError(ErrorCodes.TLS_UNAVAILABLE, 'no TLS socket');
    const untrusted = options.insecure === true ? null : untrustedPeer(socket);
    if (untrusted !== null) {
      const cause = new TlsUntrustedError(untrusted);
      throw new OutpostError(ErrorCodes.TLS_UNTRUSTED, cause.message, { cause });
    }
  }

  /** One whole response: its lines and the literals they announce, within the limits. */
  async #read(): Promise<ImapResponse> {
    const segments: ResponseSegment[] = [];
    for (;;) {
      const line = await this.#conn.readLine();
      if (line.kind === 'overflow')
        throw protocolError(`a response line over ${String(IMAP_CLIENT_LIMITS.maxLineOctets)} octets`);
      if (line.kind !== 'line') throw lost(line.kind);
      const size = literalAtEnd(line.raw);
      if (size === null) {
        segments.push({ text: line.raw, literal: null });
        break;
      }
      if (size > IMAP_CLIENT_LIMITS.maxLiteralOctets)
        throw protocolError(
          `a literal of ${String(size)} octets (over ${String(IMAP_CLIENT_LIMITS.maxLiteralOctets)})`,
        );
      if (segments.length >= IMAP_CLIENT_LIMITS.maxLiteralsPerResponse)
        throw protocolError(
          `more than ${String(IMAP_CLIENT_LIMITS.maxLiteralsPerResponse)} literals in one response`,
        );
      const data = await this.#conn.readExactly(size);
      if (data.kind !== 'bytes') throw lost(data.kind);
      const marker = line.raw.lastIndexOf(0x7b);
      const text = line.raw.subarray(0, marker > 0 && line.raw[marker - 1] === 0x7e ? marker - 1 : marker);
      segments.push({ text, literal: data.data });
    }
    try {
      return parseResponse(segments);
    } catch (err) {
      if (err instanceof ImapResponseError) throw protocolError(err.message);
      throw err;
    }
  }
}

/** A string as an argument: an atom-safe quoted string, or a literal. */
export function astring(value: string): string | Literal {
  if (value.length <= 1024 && /^[\x20-\x7e]*$/.test(value)) return `"${value.replace(/[\\"]/g, '\\$&')}"`;
  return { literal: Buffer.from(value) };
}

function protocolError(message: string): OutpostError {
  return new OutpostError(ErrorCodes.IMAP_PROTOCOL, `IMAP: ${message}`);
}

function lost(kind: string): OutpostError {
  return kind === 'timeout'
    ? new OutpostError(ErrorCodes.TIMEOUT, 'the IMAP server stopped answering')
    : new OutpostError(ErrorCodes.CONNECTION_CLOSED, 'the IMAP server closed the connection');
}

function innermost(err: unknown): string {
  let e = err;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  return e instanceof Error ? e.message : String(e);
}

async function openSocket(host: string, port: number, timeoutMs: number): Promise<Socket> {
  try {
    return await connectedWithin(netConnect({ host: host.replace(/^\[|\]$/g, ''), port }), timeoutMs);
  } catch (err) {
    throw new OutpostError(
      ErrorCodes.CONNECT_FAILED,
      `cannot connect to ${host} port ${String(port)}: ${describeSocketError(err as Error)}`,
      {
        cause: err,
      },
    );
  }
}
