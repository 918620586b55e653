/**
 * Tier-2 harness: one Pop3Session over an in-memory duplex (no sockets), a scripted client that
 * sends exact bytes and reads lines / multi-line responses, a real AccountStore on an in-memory
 * SQLite database (cheap hasher), and the fake store. `transcript()` returns the recorded C:/S:
 * lines of this session.
 */
import type { Duplex } from 'node:stream';
import type { SecureContext } from 'node:tls';
import { resolveLoginPolicy, type LoginPolicy } from '../../../src/core/auth/login-policy.js';
import {
  SqliteAccountStore,
  type AccountStore,
  type PasswordHasher,
} from '../../../src/core/accounts/store.js';
import { openDatabase } from '../../../src/core/db.js';
import { LineConnection } from '../../../src/core/line/connection.js';
import { duplexPair } from '../../helpers/duplex-pair.js';
import { silentLogger } from '../../../src/core/logger.js';
import { subscribeTranscript, type TranscriptEntry } from '../../../src/core/transcript.js';
import { redactCommand } from '../../../src/pop3/codec.js';
import { MaildropCache, MaildropLocks } from '../../../src/pop3/maildrop.js';
import type { Pop3SessionDeps } from '../../../src/pop3/session-context.js';
import { Pop3Session } from '../../../src/pop3/session.js';
import type { MailStore } from '../../../src/mail/store/types.js';
import { Pop3TestStore } from './test-store.js';

/** A cheap, deterministic hasher: tests exercise the session, not scrypt. */
export const plainHasher: PasswordHasher = {
  hash: (p) => Promise.resolve(`$scrypt$test$${Buffer.from(p).toString('base64')}`),
  verify: (p, encoded) => Promise.resolve(encoded === `$scrypt$test$${Buffer.from(p).toString('base64')}`),
};

/** The client end of an in-memory session. */
export class ScriptClient {
  readonly #stream: Duplex;
  #buffer = '';
  #ended = false;
  #waiters: (() => void)[] = [];

  constructor(stream: Duplex) {
    this.#stream = stream;
    stream.setEncoding('latin1');
    stream.on('data', (chunk: string) => {
      this.#buffer += chunk;
      this.#wake();
    });
    stream.on('end', () => {
      this.#ended = true;
      this.#wake();
    });
    stream.on('close', () => {
      this.#ended = true;
      this.#wake();
    });
    stream.on('error', () => undefined);
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  async #until(test: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 5000;
    while (!test()) {
      if (this.#ended) return;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no ${what} within 5 s; buffer=${JSON.stringify(this.#buffer.slice(0, 300))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  send(data: string | Buffer): void {
    this.#stream.write(data);
  }

  /** Next CRLF line; null when the server closed first. */
  async line(): Promise<string | null> {
    await this.#until(() => this.#buffer.includes('\r\n'), 'line');
    const i = this.#buffer.indexOf('\r\n');
    if (i === -1) return null;
    const out = this.#buffer.slice(0, i);
    this.#buffer = this.#buffer.slice(i + 2);
    return out;
  }

  /** Sends `command` CRLF and returns the status line. */
  async cmd(command: string): Promise<string | null> {
    this.send(`${command}\r\n`);
    return this.line();
  }

  /** Reads the lines of a multi-line body up to (not including) `.`, undoing dot-stuffing. */
  async body(): Promise<string[]> {
    const lines: string[] = [];
    for (;;) {
      const l = await this.line();
      if (l === null) throw new Error('closed inside a multi-line response');
      if (l === '.') return lines;
      lines.push(l.startsWith('.') ? l.slice(1) : l);
    }
  }

  /** Reads the raw bytes of a multi-line body including the terminator, as sent. */
  async rawBody(): Promise<string> {
    await this.#until(() => this.#buffer.startsWith('.\r\n') || this.#buffer.includes('\r\n.\r\n'), 'body');
    const end = this.#buffer.startsWith('.\r\n') ? 3 : this.#buffer.indexOf('\r\n.\r\n') + 5;
    const out = this.#buffer.slice(0, end);
    this.#buffer = this.#buffer.slice(end);
    return out;
  }

  /** True once the server side has ended. */
  async closed(): Promise<boolean> {
    await this.#until(() => this.#ended, 'close');
    return this.#ended;
  }

  end(): void {
    this.#stream.end();
  }

  destroy(): void {
    this.#stream.destroy();
  }
}

export interface HarnessOptions {
  store?: MailStore;
  /** Client address (loopback by default). */
  remoteAddress?: string;
  loginPolicy?: Partial<LoginPolicy>;
  tlsContext?: SecureContext;
  locks?: MaildropLocks;
  idleTimeoutMs?: number;
  maxLineOctets?: number;
  accounts?: AccountStore;
}

/** Accounts with alice@example.test / "alice pw" and bob@example.test / "bob-pw". */
export async function testAccounts(): Promise<AccountStore> {
  const accounts = new SqliteAccountStore({ db: openDatabase(':memory:'), hasher: plainHasher });
  await accounts.addDomain('example.test');
  await accounts.addUser('alice@example.test', { password: 'alice pw' });
  await accounts.addUser('bob@example.test', { password: 'bob-pw' });
  return accounts;
}

/** A running in-memory session. */
export interface Harness {
  client: ScriptClient;
  store: MailStore;
  locks: MaildropLocks;
  deps: Pop3SessionDeps;
  /** Settles when the session's run() returns. */
  done: Promise<void>;
  transcript: () => TranscriptEntry[];
}

/** Starts a session; the greeting is already read. */
export async function startSession(options: HarnessOptions = {}): Promise<Harness> {
  const store = options.store ?? new Pop3TestStore();
  const locks = options.locks ?? new MaildropLocks();
  const accounts = options.accounts ?? (await testAccounts());
  const [serverSide, clientSide] = duplexPair();
  const entries: TranscriptEntry[] = [];
  const conn = new LineConnection(serverSide, {
    protocol: 'pop3',
    remoteAddress: options.remoteAddress ?? '127.0.0.1',
    redact: redactCommand,
    maxLineOctets: options.maxLineOctets ?? 2048,
    ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }),
  });
  const unsubscribe = subscribeTranscript((e) => {
    if (e.sessionId === conn.id) entries.push(e);
  });
  const deps: Pop3SessionDeps = {
    store,
    accounts,
    locks,
    maildrops: new MaildropCache(),
    tlsContext: () => options.tlsContext,
    loginPolicy: () => resolveLoginPolicy(options.loginPolicy),
    hostname: 'pop.example.test',
    logger: silentLogger(),
  };
  const done = new Pop3Session(conn, deps).run().finally(() => {
    void conn.close();
    unsubscribe();
  });
  const client = new ScriptClient(clientSide);
  const greeting = await client.line();
  if (greeting?.startsWith('+OK') !== true) throw new Error(`bad greeting ${String(greeting)}`);
  return { client, store, locks, deps, done, transcript: () => entries };
}

/** Logs alice in with USER/PASS; returns the PASS reply. */
export async function loginAlice(client: ScriptClient): Promise<string | null> {
  await client.cmd('USER alice@example.test');
  return client.cmd('PASS alice pw');
}

/** A small message with CRLF endings. */
export function message(subject: string, body = 'Hello.\r\n'): string {
  return `From: bob@example.test\r\nTo: alice@example.test\r\nSubject: ${subject}\r\n\r\n${body}`;
}
