/**
 * Test fixture for the SMTP server: an in-memory account store (example.test with bob and
 * alice, a cheap hasher), an in-memory mail store, a throwaway certificate, and a server with
 * MX, submission and SMTPS listeners on 127.0.0.1 port 0. `talk` drives a RawClient one reply
 * at a time.
 */
import { createSecureContext } from 'node:tls';
import { SqliteAccountStore, type AccountStore } from '../../../src/core/accounts/store.js';
import { openDatabase, type Database } from '../../../src/core/db.js';
import { silentLogger } from '../../../src/core/logger.js';
import { generateSelfSigned } from '../../../src/core/tls.js';
import { smtpHooks } from '../../../src/mail/service/smtp-service.js';
import { createSmtpServer, type SmtpServer, type SmtpServerOptions } from '../../../src/mail/smtp/server.js';
import { openSqliteMailStore, type MailStore, type SqliteMailStore } from '../../../src/mail/store/index.js';
import { RawClient } from '../../helpers/line-client.js';

let pem: Promise<{ cert: string; key: string }> | undefined;
/** A self-signed certificate for localhost, made once per test file. */
export function testCertificate(): Promise<{ cert: string; key: string }> {
  pem ??= generateSelfSigned(['localhost']);
  return pem;
}

export const HOSTNAME = 'mx.example.test';
export const PASSWORD = 'correct horse';

export interface SmtpFixture {
  server: SmtpServer;
  store: SqliteMailStore;
  accounts: AccountStore;
  ports: { mx: number; submission: number; smtps: number };
  ca: string;
  queued: number;
  close(): Promise<void>;
}

/** example.test with bob and alice (both with PASSWORD) on `db`, with a cheap hasher. */
export async function testAccounts(db: Database = openDatabase(':memory:')): Promise<AccountStore> {
  const accounts = new SqliteAccountStore({
    db,
    hasher: {
      hash: (p) => Promise.resolve(`plain:${p}`),
      verify: (p, e) => Promise.resolve(e === `plain:${p}`),
    },
  });
  await accounts.addDomain('example.test');
  await accounts.addUser('bob@example.test', { password: PASSWORD });
  await accounts.addUser('alice@example.test', { password: PASSWORD });
  return accounts;
}

/** Starts a server with the three listeners. */
export async function startSmtp(
  extra: Partial<Omit<SmtpServerOptions, 'hooks' | 'hostname'>> & { storePath?: string } = {},
): Promise<SmtpFixture> {
  const db = openDatabase(':memory:');
  const accounts = await testAccounts(db);
  const store = openSqliteMailStore({ path: extra.storePath ?? ':memory:' });
  const { cert, key } = await testCertificate();
  const context = createSecureContext({ cert, key });
  const fixture = { queued: 0 } as SmtpFixture;
  const { storePath: _ignored, ...options } = extra;
  const server = createSmtpServer({
    hostname: HOSTNAME,
    hooks: smtpHooks(accounts, {
      store,
      hostname: HOSTNAME,
      logger: silentLogger(),
      onQueued: () => {
        fixture.queued++;
      },
    }),
    tlsContext: () => context,
    ...options,
  });
  const mx = await server.listen({ kind: 'mx' });
  const submission = await server.listen({ kind: 'submission' });
  const smtps = await server.listen({ kind: 'smtps' });
  Object.assign(fixture, {
    server,
    store,
    accounts,
    ca: cert,
    ports: { mx: mx.port, submission: submission.port, smtps: smtps.port },
    close: async () => {
      await server.close();
      await store.close();
      db.close();
    },
  });
  return fixture;
}

/** Reads one whole (possibly multi-line) reply; null when the server closed. */
export async function readReply(c: RawClient): Promise<string[] | null> {
  const lines: string[] = [];
  for (;;) {
    const line = await c.line();
    if (line === null) return lines.length ? lines : null;
    lines.push(line);
    if (line.length < 4 || line[3] !== '-') return lines;
  }
}

/** Sends `line` + CRLF and returns the reply's lines joined by newlines. */
export async function talk(c: RawClient, line: string): Promise<string> {
  c.send(`${line}\r\n`);
  return (await readReply(c))?.join('\n') ?? '<closed>';
}

/** Connects, reads the greeting, sends EHLO. */
export async function greeted(port: number, helo = 'client.test'): Promise<RawClient> {
  const c = await RawClient.connect(port);
  const greeting = await readReply(c);
  if (!greeting?.[0]?.startsWith('220 ')) throw new Error(`bad greeting ${String(greeting)}`);
  const ehlo = await talk(c, `EHLO ${helo}`);
  if (!ehlo.startsWith('250')) throw new Error(`EHLO failed: ${ehlo}`);
  return c;
}

/** MAIL FROM, RCPT TO each recipient (all must get 250), then DATA (354): ready for the body. */
export async function startData(
  c: RawClient,
  rcpts: readonly string[] = ['bob@example.test'],
  from = 'a@remote.test',
): Promise<void> {
  const replies = [await talk(c, `MAIL FROM:<${from}>`)];
  for (const r of rcpts) replies.push(await talk(c, `RCPT TO:<${r}>`));
  replies.push(await talk(c, 'DATA'));
  if (!replies.slice(0, -1).every((r) => r.startsWith('250')) || !replies.at(-1)?.startsWith('354')) {
    throw new Error(`transaction refused: ${replies.join(' | ')}`);
  }
}

/** The bytes of every message in a user's INBOX. */
export async function inbox(store: MailStore, user: string): Promise<string[]> {
  const box = await store.getMailbox(user, 'INBOX');
  if (!box) return [];
  const out: string[] = [];
  for (const m of await store.listMessages(box.id)) {
    out.push((await store.readMessage(box.id, m.uid))?.toString('utf8') ?? '');
  }
  return out;
}

/** Base64 of an AUTH PLAIN response. */
export function plain(user: string, password = PASSWORD): string {
  return Buffer.from(`\0${user}\0${password}`).toString('base64');
}
