// Double bounces: a DSN for a local sender whose account is gone or disabled goes to the
// postmaster's INBOX (as Postfix does); with no postmaster account it is dropped and logged,
// a DSN that cannot be stored is dropped (not retried, not bounced), and a failed DSN (sender
// `<>`) is never bounced to anyone, the postmaster included, so nothing loops. The refusing
// peer is Postfix's smtp-sink (-f RCPT: 5xx), the accounts a real AccountStore.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { SqliteAccountStore, type AccountStore } from '../../../src/core/accounts/store.js';
import { openDatabase } from '../../../src/core/db.js';
import { createLogger } from '../../../src/core/logger.js';
import { parseDeliveryStatus } from '../../../src/mail/message/dsn.js';
import { getHeader } from '../../../src/mail/message/headers.js';
import { buildMessage } from '../../../src/mail/message/mime-build.js';
import { parseMime } from '../../../src/mail/message/mime-parse.js';
import { localRecipients } from '../../../src/mail/local-recipients.js';
import type { MxResult } from '../../../src/mail/queue/mx-resolver.js';
import { QueueRunner } from '../../../src/mail/queue/runner.js';
import type { AcceptRequest, AcceptResult } from '../../../src/mail/store/types.js';
import { fakeResolver } from '../helpers/fake-resolver.js';
import { RecordingMailStore } from '../helpers/recording-store.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';

const sinks: SmtpSink[] = [];
after(async () => {
  for (const s of sinks) await s.stop();
});

const mx: MxResult = {
  kind: 'hosts',
  hosts: [{ exchange: 'mx.hamburger.test', preference: 10, addresses: ['127.0.0.1'] }],
};

interface LogLine {
  level: number;
  msg: string;
  to?: string;
  postmaster?: string;
}

/** A runner over real accounts (crepes.test: alice, postmaster-less) relaying to a 5xx sink. */
async function setup(
  users: { address: string; password: string }[],
  store: RecordingMailStore,
  postmaster?: string,
): Promise<{ runner: QueueRunner; accounts: AccountStore; logs: LogLine[] }> {
  const hard = await startSmtpSink(['-f', 'RCPT']);
  sinks.push(hard);
  const accounts = new SqliteAccountStore({
    db: openDatabase(':memory:'),
    hasher: {
      hash: (p) => Promise.resolve(`plain:${p}`),
      verify: (p, e) => Promise.resolve(e === `plain:${p}`),
    },
  });
  await accounts.addDomain('crepes.test');
  for (const u of users) await accounts.addUser(u.address, { password: u.password });
  const logs: LogLine[] = [];
  const logger = createLogger({
    level: 'info',
    destination: {
      write: (line: string) => {
        logs.push(JSON.parse(line) as LogLine);
      },
    },
  });
  const runner = new QueueRunner({
    store,
    hostname: 'mx.crepes.test',
    relayPort: hard.port,
    resolver: fakeResolver({ 'hamburger.test': mx }),
    ...localRecipients(accounts, postmaster),
    logger,
  });
  return { runner, accounts, logs };
}

const message = buildMessage({
  from: 'gone@crepes.test',
  to: 'bob@hamburger.test',
  subject: 'orphan',
  text: 'hi',
});

test('a bounce for a local sender without an account goes to the postmaster INBOX', async () => {
  const store = new RecordingMailStore();
  const { runner, accounts, logs } = await setup(
    [
      { address: 'alice@crepes.test', password: 'pw-alice-123' },
      { address: 'zed@crepes.test', password: 'pw-zed-12345' },
    ],
    store,
    'zed@crepes.test',
  );
  // One sender never had an account; another was disabled after sending.
  await store.enqueue('gone@crepes.test', ['bob@hamburger.test'], message);
  await accounts.setDisabled('alice@crepes.test', true);
  await store.enqueue('alice@crepes.test', ['carol@hamburger.test'], message);
  assert.equal(await runner.runOnce(), 2);
  assert.equal((await store.queue.list()).length, 0, 'nothing queued: no DSN goes out to <>');
  assert.deepEqual(
    store.delivered.map((d) => d.user),
    ['zed@crepes.test', 'zed@crepes.test'],
  );
  const dsn = store.delivered[0]?.bytes ?? Buffer.alloc(0);
  assert.match(dsn.toString(), /^Return-Path: <>\r\n/);
  const root = parseMime(dsn);
  assert.equal(root.contentType, 'multipart/report');
  // Each DSN is still addressed to its original sender, so the postmaster sees whose it was.
  const to = store.delivered.map((d) => getHeader(parseMime(d.bytes).headers, 'To') ?? '');
  assert.deepEqual(to.sort(), ['<alice@crepes.test>', '<gone@crepes.test>']);
  const status = root.children.find((c) => c.contentType === 'message/delivery-status');
  assert.ok(status);
  assert.match(
    parseDeliveryStatus(status.body).recipients[0]?.find((f) => f.name.toLowerCase() === 'status')?.value ??
      '',
    /^5\./,
  );
  assert.equal(
    logs.filter((l) => l.msg.includes('sent to the postmaster') && l.postmaster === 'zed@crepes.test').length,
    2,
  );
  await runner.close();
});

test('no postmaster account: the bounce is dropped and logged, nothing queued', async () => {
  const store = new RecordingMailStore();
  const { runner, accounts, logs } = await setup(
    [{ address: 'alice@crepes.test', password: 'pw-alice-123' }],
    store,
  );
  await accounts.setDisabled('alice@crepes.test', true);
  await store.enqueue('alice@crepes.test', ['bob@hamburger.test'], message);
  assert.equal(await runner.runOnce(), 1);
  assert.equal(store.delivered.length, 0);
  assert.equal((await store.queue.list()).length, 0);
  assert.ok(
    logs.some(
      (l) => l.level === 40 && l.msg.includes('no postmaster account') && l.to === 'alice@crepes.test',
    ),
  );
  await runner.close();
});

test('a bounce that cannot be stored for the postmaster is dropped and logged, never retried', async () => {
  class FailingStore extends RecordingMailStore {
    override accept(request: AcceptRequest): Promise<AcceptResult> {
      if (request.local.length > 0) return Promise.reject(new Error('disk full'));
      return super.accept(request);
    }
  }
  const store = new FailingStore();
  const { runner, logs } = await setup(
    [{ address: 'postmaster@crepes.test', password: 'pw-postmaster-1' }],
    store,
  );
  await store.enqueue('gone@crepes.test', ['bob@hamburger.test'], message);
  assert.equal(await runner.runOnce(), 1);
  assert.equal((await store.queue.list()).length, 0, 'the failed message left the queue; no bounce queued');
  assert.ok(logs.some((l) => l.level === 50 && l.msg.includes('cannot store the bounce')));
  await runner.close();
});

test('a failed DSN (sender <>) is not sent to the postmaster: no loop', async () => {
  const store = new RecordingMailStore();
  const { runner, logs } = await setup(
    [{ address: 'postmaster@crepes.test', password: 'pw-postmaster-1' }],
    store,
  );
  await store.enqueue('', ['bob@hamburger.test'], message);
  assert.equal(await runner.runOnce(), 1);
  assert.equal(store.delivered.length, 0);
  assert.equal((await store.queue.list()).length, 0);
  assert.ok(logs.some((l) => l.msg.includes('undeliverable bounce dropped (null sender)')));
  await runner.close();
});
