/**
 * Tier-2 harness: one ImapSession over an in-memory duplex (no sockets) driven by the shared
 * C:/S: script client (test/helpers/script-client.ts), the POP3 harness's accounts (alice /
 * "alice pw", bob / "bob-pw") and the in-memory mail store. The greeting is read already.
 */
import type { SecureContext } from 'node:tls';
import type { Clock } from '../../../src/core/clock.js';
import { resolveLoginPolicy, type LoginPolicy } from '../../../src/core/auth/login-policy.js';
import type { AccountStore } from '../../../src/core/accounts/store.js';
import { silentLogger, type Logger } from '../../../src/core/logger.js';
import type { TranscriptEntry } from '../../../src/core/transcript.js';
import { redactImapLine } from '../../../src/imap/codec/index.js';
import type { ImapSessionDeps } from '../../../src/imap/session/context.js';
import { ImapSession, type ImapSessionLimits } from '../../../src/imap/session/session.js';
import { MemoryMailStore } from '../../../src/mail/index.js';
import type { MailStore } from '../../../src/mail/store/types.js';
import { ScriptClient, startInMemory } from '../../helpers/script-client.js';
import { testAccounts } from '../../pop3/helpers/session-harness.js';

export { ScriptClient };

export interface ImapHarnessOptions {
  store?: MailStore;
  remoteAddress?: string;
  loginPolicy?: Partial<LoginPolicy>;
  tlsContext?: SecureContext;
  accounts?: Pick<AccountStore, 'authenticate'>;
  logger?: Logger;
  maxMessageSize?: number;
  idleTimeoutMs?: number;
  limits?: ImapSessionLimits;
  /** The connection's clock (timeouts, IDLE keepalive); the system clock by default. */
  clock?: Clock;
}

/** A running in-memory session. */
export interface ImapHarness {
  client: ScriptClient;
  store: MailStore;
  greeting: string;
  /** Settles when the session's run() returns. */
  done: Promise<void>;
  transcript: () => TranscriptEntry[];
}

/** Starts a session and reads its greeting. */
export async function startImapSession(options: ImapHarnessOptions = {}): Promise<ImapHarness> {
  const store = options.store ?? new MemoryMailStore();
  const deps: ImapSessionDeps = {
    store,
    accounts: options.accounts ?? (await testAccounts()),
    tlsContext: () => options.tlsContext,
    loginPolicy: () => resolveLoginPolicy(options.loginPolicy),
    maxMessageSize: options.maxMessageSize ?? 1024 * 1024,
    hostname: 'imap.example.test',
    logger: options.logger ?? silentLogger(),
  };
  const { client, done, transcript } = startInMemory(
    {
      protocol: 'imap',
      remoteAddress: options.remoteAddress ?? '127.0.0.1',
      redact: redactImapLine,
      maxLineOctets: 8192,
      ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    },
    (conn) => new ImapSession(conn, deps, options.limits).run(),
  );
  const greeting = await client.line();
  if (greeting?.startsWith('* OK ') !== true) throw new Error(`bad greeting ${String(greeting)}`);
  return { client, store, greeting, done, transcript };
}

/** Logs alice in with LOGIN and expects the tagged OK. */
export async function loginAlice(client: ScriptClient): Promise<void> {
  await client.play(`
    C: L1 LOGIN alice@example.test "alice pw"
    S: L1 OK [CAPABILITY *] Logged in
  `);
}

/** A memory store where alice's INBOX holds `messages` (UIDs 1..n in order), message `uid`
 *  with the flags `flagsOf(uid)` (none by default). */
export async function aliceInbox(
  messages: readonly Buffer[],
  flagsOf: (uid: number) => readonly string[] = () => [],
): Promise<{ store: MemoryMailStore; inbox: number }> {
  const store = new MemoryMailStore();
  await store.ensureMailboxes('alice@example.test');
  const inbox = await store.getMailbox('alice@example.test', 'INBOX');
  if (!inbox) throw new Error('no INBOX');
  for (const [i, message] of messages.entries()) {
    await store.append(inbox.id, message, { flags: flagsOf(i + 1) });
  }
  return { store, inbox: inbox.id };
}

/** The script of `tag SELECT INBOX` in IMAP4rev2 (no RECENT, no UNSEEN) over `exists` messages. */
export function selectInbox(tag: string, exists: number, uidNext: number): string {
  return `
    C: ${tag} SELECT INBOX
    S: * ${String(exists)} EXISTS
    S: * FLAGS *
    S: * OK [PERMANENTFLAGS *
    S: * OK [UIDVALIDITY *
    S: * OK [UIDNEXT ${String(uidNext)}] *
    S: * OK [HIGHESTMODSEQ *] Highest
    S: ${tag} OK [READ-WRITE] SELECT completed
  `;
}

/** `e ENABLE IMAP4rev2`, then `selectInbox(tag, exists, uidNext)`. */
export function enableRev2AndSelect(exists: number, uidNext: number, tag = 'a'): string {
  return `
    C: e ENABLE IMAP4rev2
    S: * ENABLED IMAP4rev2
    S: e OK *
    ${selectInbox(tag, exists, uidNext)}
  `;
}
