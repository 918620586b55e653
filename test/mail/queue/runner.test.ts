// QueueRunner with a fake clock, a fake (or Outpost-DNS) resolver and Postfix's smtp-sink:
// deferred then delivered, 5xx → DSN parsed back, expiry → DSN, null MX → immediate DSN,
// the null sender never bounced, NOTIFY=NEVER honoured, start/kick/close with real timers.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createLogger } from '../../../src/core/logger.js';
import { createMetrics } from '../../../src/core/metrics.js';
import { parseDeliveryStatus } from '../../../src/mail/message/dsn.js';
import { getHeader } from '../../../src/mail/message/headers.js';
import { buildMessage } from '../../../src/mail/message/mime-build.js';
import { parseMime } from '../../../src/mail/message/mime-parse.js';
import { registerQueueGauges } from '../../../src/mail/queue/metrics.js';
import { DnsMxResolver, type MxResult } from '../../../src/mail/queue/mx-resolver.js';
import { QueueRunner, type QueueRunnerOptions } from '../../../src/mail/queue/runner.js';
import { startTestOutpost } from '../../../src/testing/index.js';
import { fakeResolver } from '../helpers/fake-resolver.js';
import { RecordingMailStore } from '../helpers/recording-store.js';
import { startHeldRelay } from '../helpers/held-relay.js';
import { greetAndEhlo, startScriptedServer } from '../helpers/scripted-server.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { eventually } from '../../helpers/eventually.js';

/** Lets the runner's in-memory store calls settle (setImmediate is not among the mocked timers). */
async function turns(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}

const logger = createLogger({ level: 'silent' });
const message = buildMessage({
  from: 'alice@crepes.test',
  to: 'bob@hamburger.test',
  subject: 'lunch',
  text: 'crêpes?',
});
const sinks: SmtpSink[] = [];
after(async () => {
  for (const s of sinks) await s.stop();
});

async function sink(args: string[] = [], port?: number): Promise<SmtpSink> {
  const s = await startSmtpSink(args, port);
  sinks.push(s);
  return s;
}

function hosts(): MxResult {
  return {
    kind: 'hosts',
    hosts: [{ exchange: 'mx.hamburger.test', preference: 10, addresses: ['127.0.0.1'] }],
  };
}

class Clock {
  t = new Date('2026-11-21T10:00:00Z').getTime();
  now = (): Date => new Date(this.t);
  advance(ms: number): void {
    this.t += ms;
  }
}

function runner(
  store: RecordingMailStore,
  clock: Clock,
  port: number,
  extra: Partial<QueueRunnerOptions> = {},
): QueueRunner {
  return new QueueRunner({
    store,
    hostname: 'mx.crepes.test',
    relayPort: port,
    resolver: fakeResolver({ 'hamburger.test': hosts() }),
    isLocalDomain: (d) => Promise.resolve(d === 'crepes.test'),
    logger,
    now: clock.now,
    retrySchedule: [60_000, 120_000],
    client: { timeouts: { greetingTimeoutMs: 5000 } },
    ...extra,
  });
}

/** The DSN delivered to the local sender, parsed: recipient groups of the delivery-status part. */
function bounceOf(store: RecordingMailStore): {
  to: string;
  recipients: (readonly import('../../../src/mail/message/headers.js').HeaderField[])[];
  bytes: Buffer;
} {
  assert.equal(store.delivered.length, 1, 'exactly one bounce');
  const b = store.delivered[0];
  assert.ok(b);
  assert.match(b.bytes.toString(), /^Return-Path: <>\r\n/);
  const root = parseMime(b.bytes);
  assert.equal(root.contentType, 'multipart/report');
  const status = root.children.find((c) => c.contentType === 'message/delivery-status');
  assert.ok(status);
  return { to: b.user, recipients: [...parseDeliveryStatus(status.body).recipients], bytes: b.bytes };
}

test('4xx defers with backoff; after the server recovers, the next attempt delivers', async () => {
  const soft = await sink(['-r', 'RCPT']);
  const clock = new Clock();
  const store = new RecordingMailStore(clock.now);
  const id = await store.enqueue('alice@crepes.test', ['bob@hamburger.test'], message);
  const metrics = createMetrics();
  registerQueueGauges(metrics.registry, store.queue, () => clock.t);
  const r = runner(store, clock, soft.port, { metrics });
  assert.equal(await r.runOnce(), 1);
  const entry = await store.queue.get(id);
  assert.ok(entry);
  assert.equal(entry.recipients[0]?.status, 'pending');
  assert.match(entry.recipients[0].lastReply ?? '', /^450 /);
  assert.equal(entry.attempts, 1);
  assert.equal(entry.nextAttemptAt.getTime(), clock.t + 60_000);
  // Not due yet: nothing happens.
  assert.equal(await r.runOnce(), 0);
  await soft.stop();
  const good = await sink([], soft.port);
  clock.advance(60_000);
  const waiting = await metrics.registry.metrics();
  assert.match(waiting, /^outpost_deliveries_total\{route="remote",result="deferred"\} 1$/m);
  assert.match(waiting, /^outpost_queue_messages 1$/m);
  assert.match(waiting, /^outpost_queue_oldest_age_seconds 60$/m);
  assert.equal(await r.runOnce(), 1);
  assert.equal(await store.queue.get(id), null, 'delivered entries leave the queue');
  assert.equal(store.attempts.at(-1)?.outcomes[0]?.outcome, 'delivered');
  const done = await metrics.registry.metrics();
  assert.match(done, /^outpost_deliveries_total\{route="remote",result="delivered"\} 1$/m);
  assert.match(done, /^outpost_queue_messages 0$/m);
  const dumps = await eventually(() => {
    const m = good.messages();
    return m.length > 0 && m;
  });
  assert.match(dumps[0] ?? '', /Subject: lunch/);
  assert.equal(store.delivered.length, 0, 'no bounce');
  await r.close();
});

test('concurrent passes attempt an entry once; a stale due() listing does not start it again', async () => {
  const soft = await sink(['-r', 'RCPT']);
  const clock = new Clock();
  const store = new RecordingMailStore(clock.now);
  const id = await store.enqueue('alice@crepes.test', ['bob@hamburger.test'], message);
  const r = runner(store, clock, soft.port);
  // A timer tick and runOnce at the same moment: the second pass sees the entry in flight.
  const stale = await store.queue.due(clock.now(), 10);
  const counts = await Promise.all([r.runOnce(), r.runOnce()]);
  assert.deepEqual(counts, [1, 0]);
  assert.equal(store.attempts.length, 1);
  // A listing read before that attempt was recorded (a slow store): the entry is due there,
  // but it was attempted since, so the runner leaves it for its next due time.
  store.queue.due = () => Promise.resolve(stale);
  assert.equal(await r.runOnce(), 1, 'the stale listing offers it');
  assert.equal(store.attempts.length, 1, 'but it is not attempted again');
  assert.equal((await store.queue.get(id))?.attempts, 1);
  await r.close();
});

test('5xx fails at once: a DSN reaches the local sender and parses back', async () => {
  const hard = await sink(['-f', 'RCPT']);
  const clock = new Clock();
  const store = new RecordingMailStore(clock.now);
  await store.enqueue('alice@crepes.test', ['bob@hamburger.test'], message, { envId: 'ENV42' });
  await runner(store, clock, hard.port).runOnce();
  assert.equal((await store.queue.list()).length, 0);
  const dsn = bounceOf(store);
  assert.equal(dsn.to, 'alice@crepes.test');
  const r = dsn.recipients[0] ?? [];
  assert.equal(getHeader(r, 'Final-Recipient'), 'rfc822; bob@hamburger.test');
  assert.equal(getHeader(r, 'Action'), 'failed');
  assert.match(getHeader(r, 'Status') ?? '', /^5\.\d+\.\d+$/);
  assert.match(getHeader(r, 'Diagnostic-Code') ?? '', /^smtp; 5\d\d /);
  assert.equal(getHeader(r, 'Remote-MTA'), 'dns; mx.hamburger.test');
  assert.match(dsn.bytes.toString(), /Original-Envelope-Id: ENV42/);
});

test('a remote sender gets the DSN queued with the null sender; the null sender is never bounced', async () => {
  const hard = await sink(['-f', 'RCPT']);
  const clock = new Clock();
  const store = new RecordingMailStore(clock.now);
  await store.enqueue('carol@elsewhere.test', ['bob@hamburger.test'], message);
  const r = runner(store, clock, hard.port);
  await r.runOnce();
  const [bounce] = await store.queue.list();
  assert.ok(bounce);
  assert.equal(bounce.mailFrom, '');
  assert.deepEqual(
    bounce.recipients.map((x) => x.address),
    ['carol@elsewhere.test'],
  );
  // The bounce itself fails (unknown domain): it is dropped, never bounced again.
  await r.runOnce();
  assert.equal((await store.queue.list()).length, 0);
  assert.equal(store.delivered.length, 0);
  // A null-sender message refused with 5xx: no bounce either.
  await store.enqueue('', ['bob@hamburger.test'], message);
  await r.runOnce();
  assert.equal((await store.queue.list()).length, 0);
  assert.equal(store.delivered.length, 0);
});

test('NOTIFY=NEVER suppresses the DSN; mixed results per recipient', async () => {
  const hard = await sink(['-f', 'RCPT']);
  const clock = new Clock();
  const store = new RecordingMailStore(clock.now);
  const id = await store.enqueue(
    'alice@crepes.test',
    [{ address: 'bob@hamburger.test', notify: ['NEVER'] }],
    message,
  );
  await runner(store, clock, hard.port).runOnce();
  assert.equal(await store.queue.get(id), null);
  assert.equal(store.delivered.length, 0);
});

test('expiry: still deferred after maxAgeMs → failed 4.4.7 and bounced', async () => {
  const clock = new Clock();
  const store = new RecordingMailStore(clock.now);
  const id = await store.enqueue('alice@crepes.test', ['bob@hamburger.test'], message);
  const resolver = fakeResolver({
    'hamburger.test': { kind: 'transient', code: 451, status: '4.4.3', message: 'DNS timeout' },
  });
  const r = runner(store, clock, 1, { resolver, maxAgeMs: 3600_000 });
  await r.runOnce();
  assert.equal((await store.queue.get(id))?.recipients[0]?.status, 'pending');
  assert.equal(store.delivered.length, 0);
  clock.advance(3600_000);
  await r.runOnce();
  assert.equal(await store.queue.get(id), null);
  const dsn = bounceOf(store);
  const rec = dsn.recipients[0] ?? [];
  assert.equal(getHeader(rec, 'Status'), '4.4.7');
  assert.equal(getHeader(rec, 'Action'), 'failed');
  assert.match(getHeader(rec, 'Diagnostic-Code') ?? '', /expired.*DNS timeout/);
});

test('unreachable hosts defer (all MX tried in order); null MX through real DNS bounces at once', async () => {
  await using outpost = await startTestOutpost({
    zones: [
      {
        name: 'hamburger.test',
        text: '$ORIGIN hamburger.test.\n@ 300 IN SOA ns hm 1 3600 600 86400 300\n@ 300 IN NS ns\nns 300 IN A 127.0.0.1\n@ 300 IN MX 0 .\n',
      },
    ],
  });
  const clock = new Clock();
  const store = new RecordingMailStore(clock.now);
  const dead = fakeResolver({
    'down.test': {
      kind: 'hosts',
      hosts: [
        { exchange: 'a.down.test', preference: 1, addresses: ['127.0.0.1'] },
        { exchange: 'b.down.test', preference: 2, addresses: ['127.0.0.1'] },
      ],
    },
  });
  const id = await store.enqueue('alice@crepes.test', ['x@down.test'], message);
  await runner(store, clock, 9, { resolver: dead }).runOnce();
  assert.equal((await store.queue.get(id))?.recipients[0]?.status, 'pending');
  assert.match((await store.queue.get(id))?.recipients[0]?.lastReply ?? '', /^451 4\.4\.1 b\.down\.test/);
  await store.queue.delete(id);

  assert.ok(outpost.dns);
  await store.enqueue('alice@crepes.test', ['bob@hamburger.test'], message);
  await runner(store, clock, 9, { resolver: new DnsMxResolver({ server: outpost.dns }) }).runOnce();
  assert.equal((await store.queue.list()).length, 0);
  const rec = bounceOf(store).recipients[0] ?? [];
  assert.equal(getHeader(rec, 'Status'), '5.1.10');
  assert.match(getHeader(rec, 'Diagnostic-Code') ?? '', /^smtp; 556 5\.1\.10 /);
});

test('start(): due work is delivered on its own; kick() notices new entries; close() is idempotent', async (t) => {
  const good = await sink();
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: Date.parse('2026-11-21T10:00:00Z') });
  const store = new RecordingMailStore();
  const r = new QueueRunner({
    store,
    hostname: 'mx.crepes.test',
    relayPort: good.port,
    resolver: fakeResolver({ 'hamburger.test': hosts() }),
    isLocalDomain: () => Promise.resolve(false),
    logger,
    pollIntervalMs: 3_600_000,
  });
  await store.enqueue('alice@crepes.test', ['bob@hamburger.test'], message);
  r.start();
  t.mock.timers.tick(0); // the runner's own timer, not a test step, starts the delivery
  await eventually(() => r.inFlight === 1 || store.attempts.length === 1, { what: 'the timer to start it' });
  await eventually(async () => (await store.queue.list()).length === 0, { what: 'the first delivery' });
  await store.enqueue('alice@crepes.test', ['carol@hamburger.test'], message);
  await turns();
  r.kick();
  await turns();
  assert.equal(r.inFlight, 0, 'kick() starts work on the next timer turn');
  t.mock.timers.tick(0);
  await eventually(async () => (await store.queue.list()).length === 0, { what: 'the kicked delivery' });
  await Promise.all([r.close(), r.close()]);
  await store.enqueue('alice@crepes.test', ['dave@hamburger.test'], message);
  r.kick();
  t.mock.timers.tick(3_600_000);
  await turns();
  assert.equal(r.inFlight, 0);
  assert.equal(await r.runOnce(), 0, 'a closed runner does nothing');
  assert.equal((await store.queue.list()).length, 1);
});

test("start(): a deferred entry is retried by the runner's own timer when its backoff ends", async (t) => {
  const soft = await sink(['-r', 'RCPT']);
  const good = await sink();
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: Date.parse('2026-11-21T10:00:00Z') });
  const store = new RecordingMailStore();
  const id = await store.enqueue('alice@crepes.test', ['bob@hamburger.test'], message);
  const r = new QueueRunner({
    store,
    hostname: 'mx.crepes.test',
    relayPort: soft.port,
    resolver: fakeResolver({ 'hamburger.test': hosts() }),
    isLocalDomain: () => Promise.resolve(false),
    logger,
    retrySchedule: [60_000],
    pollIntervalMs: 3_600_000,
  });
  try {
    r.start();
    t.mock.timers.tick(0);
    await eventually(() => store.attempts.length === 1 && r.inFlight === 0, { what: 'the first attempt' });
    assert.equal((await store.queue.get(id))?.nextAttemptAt.getTime(), Date.now() + 60_000);
    r.reconfigure({ relayPort: good.port });
    t.mock.timers.tick(0); // the finished attempt's kick: the runner now waits for the due time
    await turns();
    t.mock.timers.tick(59_999);
    await turns();
    assert.equal(store.attempts.length + r.inFlight, 1, 'not before the backoff ends');
    t.mock.timers.tick(1);
    await eventually(async () => (await store.queue.get(id)) === null, { what: 'the retry to deliver' });
    assert.equal(store.attempts.length, 2);
    assert.equal(store.attempts.at(-1)?.outcomes[0]?.outcome, 'delivered');
  } finally {
    await r.close();
  }
});

test('opportunistic TLS: a failed handshake is retried in plaintext (RFC 7435)', async () => {
  const s = await startScriptedServer(
    async (c) => {
      await greetAndEhlo(c, ['STARTTLS']);
      await c.expect('STARTTLS');
      c.send('220 go ahead');
      c.line.destroy(); // no handshake at all
    },
    async (c) => {
      await greetAndEhlo(c, ['STARTTLS', 'PIPELINING']);
      await c.expect('MAIL');
      await c.expect('RCPT');
      await c.expect('DATA');
      c.send('250 ok', '250 ok', '354 go');
      await c.readData();
      c.send('250 2.0.0 delivered in plaintext');
      await c.read();
    },
  );
  try {
    const clock = new Clock();
    const store = new RecordingMailStore(clock.now);
    await store.enqueue('alice@crepes.test', ['bob@hamburger.test'], message);
    await runner(store, clock, s.port).runOnce();
    assert.equal((await store.queue.list()).length, 0);
    assert.match(store.attempts[0]?.outcomes[0]?.reply ?? '', /delivered in plaintext/);
    assert.equal(s.conns.length, 2);
  } finally {
    await s.close();
  }
});

test('close() waits for a delivery in flight, then cuts it; the recipient stays pending', async () => {
  // Never released: the reply to the final dot never comes.
  const { server: s, dataSeen } = await startHeldRelay();
  try {
    const clock = new Clock();
    const store = new RecordingMailStore(clock.now);
    const id = await store.enqueue('alice@crepes.test', ['bob@hamburger.test'], message);
    const r = runner(store, clock, s.port, { closeGraceMs: 50 });
    const run = r.runOnce();
    await dataSeen;
    assert.equal(r.inFlight, 1);
    await r.close();
    await run;
    assert.equal(r.inFlight, 0);
    const entry = await store.queue.get(id);
    assert.equal(entry?.recipients[0]?.status, 'pending');
    assert.equal(store.delivered.length, 0, 'no bounce for an interrupted delivery');
  } finally {
    await s.close();
  }
});
