/**
 * The one in-memory C:/S: script client for session tests of every line protocol (POP3, SMTP,
 * FTP, IMAP). `startInMemory` runs a session's `handle(conn)` over a LineConnection on one end of
 * an in-memory duplex pair (no sockets) and hands the test a ScriptClient on the other end and
 * the session's transcript. A test then either plays a script:
 *
 *     await client.play(`
 *       C: USER alice@example.test
 *       S: +OK*
 *       C: PASS wrong
 *       S: /^-ERR \[AUTH\]/
 *       S: <closed>
 *     `);
 *
 * or drives the client step by step (`cmd`, `line`, `reply`, `body`, `rawBody`, `closed`) where it
 * needs values from the replies. In a script, `C:` sends the rest of the line plus CRLF; `S:`
 * expects the next line the server sent to match: literally, with `*` matching any run of
 * characters (`\*` is a literal star), or as a regular expression when written `/…/`; `S: <closed>`
 * expects the server to hang up. Blank lines and `#` comments are skipped. On a mismatch the
 * error shows the exchange so far, the script line that failed, and what came instead.
 */
import assert from 'node:assert/strict';
import type { Duplex } from 'node:stream';
import { LineConnection, type LineConnectionOptions } from '../../src/core/line/connection.js';
import { subscribeTranscript, type TranscriptEntry } from '../../src/core/transcript.js';
import { duplexPair } from './duplex-pair.js';

/** How long one expected line may take before the script fails, in milliseconds (real time). */
const WAIT_MS = 5000;

/** One parsed script step. */
type Step =
  | { readonly kind: 'send'; readonly text: string; readonly source: string }
  | { readonly kind: 'expect'; readonly match: (line: string) => boolean; readonly source: string }
  | { readonly kind: 'closed'; readonly source: string };

/** Parses a C:/S: script (see the file comment); throws on a line that is neither. */
export function parseScript(script: string): Step[] {
  const steps: Step[] = [];
  for (const raw of script.split('\n')) {
    const source = raw.trim();
    if (source === '' || source.startsWith('#')) continue;
    const m = /^([CS]):(?: (.*))?$/.exec(source);
    if (!m) throw new Error(`not a script line (C: or S:): ${JSON.stringify(source)}`);
    const text = m[2] ?? '';
    if (m[1] === 'C') steps.push({ kind: 'send', text, source });
    else if (text === '<closed>') steps.push({ kind: 'closed', source });
    else steps.push({ kind: 'expect', match: linePattern(text), source });
  }
  return steps;
}

/** `/re/` as a regular expression; otherwise literal text where `*` matches anything. */
function linePattern(text: string): (line: string) => boolean {
  if (text.length >= 2 && text.startsWith('/') && text.endsWith('/')) {
    const re = new RegExp(text.slice(1, -1));
    return (line) => re.test(line);
  }
  if (!text.includes('*')) return (line) => line === text;
  let source = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? '';
    if (ch === '\\' && text[i + 1] === '*') {
      source += '\\*';
      i++;
    } else if (ch === '*') source += '.*';
    else source += ch.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  const re = new RegExp(`^${source}$`, 's');
  return (line) => re.test(line);
}

/** The client end of an in-memory session: exact bytes out, CRLF lines in. */
export class ScriptClient {
  readonly #stream: Duplex;
  #buffer = '';
  #ended = false;
  #waiters: (() => void)[] = [];
  /** The exchange as this client saw it, for mismatch reports. */
  readonly #seen: string[] = [];

  constructor(stream: Duplex) {
    this.#stream = stream;
    stream.setEncoding('latin1');
    stream.on('data', (chunk: string) => {
      this.#buffer += chunk;
      this.#wake();
    });
    const ended = (): void => {
      this.#ended = true;
      this.#wake();
    };
    stream.on('end', ended);
    stream.on('close', ended);
    stream.on('error', () => undefined);
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  async #until(test: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    while (!test()) {
      if (this.#ended) return;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `no ${what} within ${String(WAIT_MS)} ms; buffered ${JSON.stringify(this.#buffer.slice(0, 300))}\n${this.exchange()}`,
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
  }

  /** The C:/S: lines exchanged so far, one per line. */
  exchange(): string {
    return this.#seen.join('\n');
  }

  /** Sends exact bytes (no CRLF added). */
  send(data: string | Buffer): void {
    const text = typeof data === 'string' ? data : data.toString('latin1');
    for (const l of text.split('\r\n').filter((x, i, all) => x !== '' || i < all.length - 1)) {
      this.#seen.push(`C: ${l}`);
    }
    this.#stream.write(data);
  }

  /** Next CRLF line from the server; null when the server closed first. */
  async line(): Promise<string | null> {
    await this.#until(() => this.#buffer.includes('\r\n'), 'line');
    const i = this.#buffer.indexOf('\r\n');
    if (i === -1) return null;
    const out = this.#buffer.slice(0, i);
    this.#buffer = this.#buffer.slice(i + 2);
    this.#seen.push(`S: ${out}`);
    return out;
  }

  /** Sends `command` CRLF and returns the next line. */
  async cmd(command: string): Promise<string | null> {
    this.send(`${command}\r\n`);
    return this.line();
  }

  /**
   * Reads one whole reply in the `DDD-text … DDD text` form (SMTP, FTP): its lines joined by
   * newlines, or `<closed>` when the server hung up first.
   */
  async reply(): Promise<string> {
    const lines: string[] = [];
    for (;;) {
      const l = await this.line();
      if (l === null) return lines.length ? lines.join('\n') : '<closed>';
      lines.push(l);
      if (!/^\d{3}-/.test(l)) return lines.join('\n');
    }
  }

  /** Sends `command` CRLF and returns the whole `DDD` reply (see `reply`). */
  async talk(command: string): Promise<string> {
    this.send(`${command}\r\n`);
    return this.reply();
  }

  /** Reads a dot-terminated body up to (not including) `.`, undoing dot-stuffing. */
  async body(): Promise<string[]> {
    const lines: string[] = [];
    for (;;) {
      const l = await this.line();
      if (l === null) throw new Error(`closed inside a multi-line response\n${this.exchange()}`);
      if (l === '.') return lines;
      lines.push(l.startsWith('.') ? l.slice(1) : l);
    }
  }

  /** Reads the raw bytes of a dot-terminated body including the terminator, as sent. */
  async rawBody(): Promise<string> {
    await this.#until(() => this.#buffer.startsWith('.\r\n') || this.#buffer.includes('\r\n.\r\n'), 'body');
    const end = this.#buffer.startsWith('.\r\n') ? 3 : this.#buffer.indexOf('\r\n.\r\n') + 5;
    const out = this.#buffer.slice(0, end);
    this.#buffer = this.#buffer.slice(end);
    this.#seen.push(`S: <${String(end)} octets of body>`);
    return out;
  }

  /** True once the server side has ended (waits for it). */
  async closed(): Promise<boolean> {
    await this.#until(() => this.#ended, 'close');
    return this.#ended;
  }

  /**
   * Plays a C:/S: script (see the file comment). Throws an AssertionError naming the failing
   * script line, with the exchange so far, on the first line that does not match.
   */
  async play(script: string): Promise<void> {
    for (const step of parseScript(script)) {
      if (step.kind === 'send') {
        this.send(`${step.text}\r\n`);
        continue;
      }
      const got = await this.line();
      if (step.kind === 'closed') {
        if (got === null) continue;
        this.#mismatch(step.source, `S: ${got}`);
      } else if (got === null || !step.match(got)) {
        this.#mismatch(step.source, got === null ? 'S: <closed>' : `S: ${got}`);
      }
    }
  }

  #mismatch(expected: string, actual: string): never {
    const seen = this.#seen.slice(0, -1).map((l) => `  ${l}`);
    throw new assert.AssertionError({
      message: `script mismatch\n${[...seen, `- ${expected}`, `+ ${actual}`].join('\n')}`,
      expected,
      actual,
      operator: 'script',
    });
  }

  /** Half-closes the client side (the server reads end of input). */
  end(): void {
    this.#stream.end();
  }

  destroy(): void {
    this.#stream.destroy();
  }
}

/** A session running over an in-memory duplex. */
export interface InMemorySession {
  readonly client: ScriptClient;
  /** The server side's connection (the session's `conn`). */
  readonly conn: LineConnection;
  /** Settles when the session's handle() returns (the connection is closed then). */
  readonly done: Promise<void>;
  /** The C:/S: transcript of this session as the line layer recorded it (secrets redacted). */
  readonly transcript: () => TranscriptEntry[];
}

/**
 * Runs `handle(conn)` over an in-memory LineConnection (loopback address by default) and returns
 * the client end. The connection is closed when the session returns, as TcpService does.
 */
export function startInMemory(
  options: LineConnectionOptions,
  handle: (conn: LineConnection) => Promise<void>,
): InMemorySession {
  const [serverSide, clientSide] = duplexPair();
  const conn = new LineConnection(serverSide, { remoteAddress: '127.0.0.1', ...options });
  const entries: TranscriptEntry[] = [];
  const unsubscribe = subscribeTranscript((e) => {
    if (e.sessionId === conn.id) entries.push(e);
  });
  const done = handle(conn).finally(() => {
    void conn.close();
    unsubscribe();
  });
  return { client: new ScriptClient(clientSide), conn, done, transcript: () => entries };
}
