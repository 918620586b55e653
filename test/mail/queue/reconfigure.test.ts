// QueueRunner.reconfigure (what an `[smtp]` reload calls): the next attempt uses the new relay
// port (a Postfix smtp-sink on another port), backoff and lifetime, while a delivery in flight
// at the time finishes with its own settings and is delivered exactly once.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createLogger } from '../../../src/core/logger.js';
import { buildMessage } from '../../../src/mail/message/mime-build.js';
import type { MxResult } from '../../../src/mail/queue/mx-resolver.js';
import { QueueRunner } from '../../../src/mail/queue/runner.js';
import { fakeResolver } from '../helpers/fake-resolver.js';
import { RecordingMailStore } from '../helpers/recording-store.js';
import { startHeldRelay } from '../helpers/held-relay.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { eventually } from '../../helpers/eventually.js';

const logger = createLogger({ level: 'silent' });
const sinks: SmtpSink[] = [];
after(async () => {
  for (const s of sinks) await s.stop();
});

async function sink(args: string[] = []): Promise<SmtpSink> {
  const s = await startSmtpSink(args);
  sinks.push(s);
  return s;
}

const local: MxResult = {
  kind: 'hosts',
  hosts: [{ exchange: 'mx.hamburger.test', preference: 10, addresses: ['127.0.0.1'] }],
};

function mail(subject: string): Buffer {
  return buildMessage({ from: 'alice@crepes.test', to: 'bob@hamburger.test', subject, text: 'hi' });
}

/** Waits (bounded) until smtp-sink's dump directory holds `n` messages, and returns them. */
async function dumped(s: SmtpSink, n: number): Promise<string[]> {
  return eventually(
    () => {
      const msgs = s.messages();
      return msgs.length >= n && msgs;
    },
    { timeoutMs: 5_000, what: `${String(n)} messages at smtp-sink` },
  );
}

test('reconfigure: a delivery in flight finishes once on the old port; the next goes to the new one', async () => {
  const held = await startHeldRelay();
  const old = held.server;
  const fresh = await sink();
  try {
    const store = new RecordingMailStore();
    const first = await store.enqueue('alice@crepes.test', ['bob@hamburger.test'], mail('in flight'));
    const r = new QueueRunner({
      store,
      hostname: 'mx.crepes.test',
      relayPort: old.port,
      resolver: fakeResolver({ 'hamburger.test': local }),
      isLocalDomain: (d) => Promise.resolve(d === 'crepes.test'),
      logger,
    });
    const run = r.runOnce();
    await held.dataSeen;
    r.reconfigure({ relayPort: fresh.port });
    const second = await store.enqueue('alice@crepes.test', ['bob@hamburger.test'], mail('after reload'));
    // The in-flight entry is due too but is not started again; only the new one is. (runOnce
    // also waits for the in-flight one, so the old relay is released once the new one is done.)
    const next = r.runOnce();
    await eventually(async () => (await store.queue.get(second)) === null, {
      what: 'the new entry to be delivered',
    });
    assert.ok(await store.queue.get(first), 'the in-flight entry is still waiting for its reply');
    held.release();
    assert.equal(await next, 1);
    await run;
    assert.equal(await store.queue.get(first), null, 'the in-flight entry was delivered');
    assert.equal(old.conns.length, 1, 'one session on the old port');
    assert.deepEqual(old.errors, []);
    const dumps = await dumped(fresh, 1);
    assert.equal(dumps.length, 1, 'exactly one message at the new port');
    assert.match(dumps[0] ?? '', /Subject: after reload/);
    assert.doesNotMatch(dumps[0] ?? '', /Subject: in flight/);
    const outcomes = store.attempts.map((a) => [a.id, a.outcomes.map((o) => o.outcome)]);
    assert.deepEqual(
      outcomes.sort(),
      [
        [first, ['delivered']],
        [second, ['delivered']],
      ].sort(),
      'one attempt each',
    );
    assert.equal(store.delivered.length, 0, 'no bounce');
    await r.close();
  } finally {
    await old.close();
  }
});

test('reconfigure: the next attempt uses the new backoff and lifetime', async () => {
  const soft = await sink(['-r', 'RCPT']);
  let t = new Date('2026-11-21T10:00:00Z').getTime();
  const now = (): Date => new Date(t);
  const store = new RecordingMailStore(now);
  const id = await store.enqueue('alice@crepes.test', ['bob@hamburger.test'], mail('deferred'));
  const r = new QueueRunner({
    store,
    hostname: 'mx.crepes.test',
    relayPort: soft.port,
    resolver: fakeResolver({ 'hamburger.test': local }),
    isLocalDomain: (d) => Promise.resolve(d === 'crepes.test'),
    logger,
    now,
    retryInitialMs: 60_000,
    retryMaxMs: 600_000,
  });
  assert.equal(await r.runOnce(), 1);
  assert.equal((await store.queue.get(id))?.nextAttemptAt.getTime(), t + 60_000);
  r.reconfigure({ retryInitialMs: 5_000, retryMaxMs: 7_000 });
  t += 60_000;
  assert.equal(await r.runOnce(), 1);
  // Second attempt: 5 s * 2 = 10 s, capped at the new maximum of 7 s.
  assert.equal((await store.queue.get(id))?.nextAttemptAt.getTime(), t + 7_000);
  assert.equal(store.delivered.length, 0);
  // A shorter lifetime: the message is now too old, so the next deferral expires it (4.4.7).
  r.reconfigure({ maxAgeMs: 30_000 });
  t += 7_000;
  assert.equal(await r.runOnce(), 1);
  assert.equal(await store.queue.get(id), null);
  assert.equal(store.delivered.length, 1, 'one bounce');
  const [bounce] = store.delivered;
  assert.ok(bounce);
  assert.equal(bounce.user, 'alice@crepes.test');
  assert.match(bounce.bytes.toString(), /Status: 4\.4\.7/);
  await r.close();
});
