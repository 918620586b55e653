/**
 * Tier-2 harness: one Pop3Session over an in-memory duplex (no sockets) driven by the shared
 * C:/S: script client (test/helpers/script-client.ts), a real AccountStore on an in-memory
 * SQLite database (cheap hasher), and the fake store. `transcript()` returns the recorded C:/S:
 * lines of this session.
 */
import type { SecureContext } from 'node:tls';
import { resolveLoginPolicy, type LoginPolicy } from '../../../src/core/auth/login-policy.js';
import {
  SqliteAccountStore,
  type AccountStore,
  type PasswordHasher,
} from '../../../src/core/accounts/store.js';
import { openDatabase } from '../../../src/core/db.js';
import { silentLogger, type Logger } from '../../../src/core/logger.js';
import type { TranscriptEntry } from '../../../src/core/transcript.js';
import { redactCommand } from '../../../src/pop3/codec/command.js';
import { POP3_LIMITS } from '../../../src/pop3/limits.js';
import { MaildropCache, MaildropLocks } from '../../../src/pop3/maildrop.js';
import type { Pop3SessionDeps } from '../../../src/pop3/session-context.js';
import { Pop3Session } from '../../../src/pop3/session.js';
import type { MailStore } from '../../../src/mail/store/types.js';
import { ScriptClient, startInMemory } from '../../helpers/script-client.js';
import { Pop3TestStore } from './test-store.js';

export { ScriptClient };

/** A cheap, deterministic hasher: tests exercise the session, not scrypt. */
export const plainHasher: PasswordHasher = {
  hash: (p) => Promise.resolve(`$scrypt$test$${Buffer.from(p).toString('base64')}`),
  verify: (p, encoded) => Promise.resolve(encoded === `$scrypt$test$${Buffer.from(p).toString('base64')}`),
};

export interface HarnessOptions {
  store?: MailStore;
  /** Client address (loopback by default). */
  remoteAddress?: string;
  loginPolicy?: Partial<LoginPolicy>;
  tlsContext?: SecureContext;
  locks?: MaildropLocks;
  idleTimeoutMs?: number;
  maxLineOctets?: number;
  accounts?: Pick<AccountStore, 'authenticate'>;
  logger?: Logger;
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
  const deps: Pop3SessionDeps = {
    store,
    accounts,
    locks,
    maildrops: new MaildropCache(),
    tlsContext: () => options.tlsContext,
    loginPolicy: () => resolveLoginPolicy(options.loginPolicy),
    hostname: 'pop.example.test',
    logger: options.logger ?? silentLogger(),
  };
  const { client, done, transcript } = startInMemory(
    {
      protocol: 'pop3',
      remoteAddress: options.remoteAddress ?? '127.0.0.1',
      redact: redactCommand,
      maxLineOctets: options.maxLineOctets ?? POP3_LIMITS.maxLineOctets,
      ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }),
    },
    (conn) => new Pop3Session(conn, deps).run(),
  );
  const greeting = await client.line();
  if (greeting?.startsWith('+OK') !== true) throw new Error(`bad greeting ${String(greeting)}`);
  return { client, store, locks, deps, done, transcript };
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
