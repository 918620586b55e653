/**
 * Reloading the `smtp` service through the suite's reload path (what SIGHUP runs): new sessions
 * get the new SIZE, postmaster, error cap, AUTH policy and idle timeout, while a session that was
 * open before the reload keeps all of its settings. Listener changes are logged as needing a
 * restart (the listener stays as it was); an invalid postmaster refuses the `[smtp]` reload as a
 * whole, logged, with the running settings kept. The queue's `dns_server` and `relay_port` apply
 * to the next delivery (Outpost's own DNS, then Postfix's smtp-sink on a new port), while a
 * message in flight during the reload finishes on the old relay and is delivered exactly once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { configFromObject } from '../../../src/core/config/load.js';
import type { OutpostConfig } from '../../../src/core/config/schema.js';
import { createLogger } from '../../../src/core/logger.js';
import { Suite } from '../../../src/suite/suite.js';
import { startTestOutpost } from '../../../src/testing/index.js';
import { RawClient } from '../../helpers/line-client.js';
import { sharedMailStore } from '../../../src/mail/service/mail-store.js';
import { startHeldRelay } from '../helpers/held-relay.js';
import { startSmtpSink } from '../helpers/smtp-sink.js';
import { ALICE, mxZone, submitAsAlice } from '../relay/helpers.js';
import { greeted, readReply, talk } from './helpers.js';
import { tempDir } from '../../helpers/temp.js';
import { eventually } from '../../helpers/eventually.js';

const USERS = [
  { address: 'alice@crepes.test', password: 'pw-alice-123' },
  { address: 'bob@crepes.test', password: 'pw-bob-1234' },
];

type SmtpTable = NonNullable<OutpostConfig['smtp']>;

/** The running config with `[smtp]` keys changed. */
function withSmtp(config: OutpostConfig, change: Partial<SmtpTable>): OutpostConfig {
  const smtp = config.smtp;
  assert.ok(smtp);
  return { ...config, smtp: { ...smtp, ...change } };
}

/** The EHLO keywords of a session. */
async function keywords(c: RawClient): Promise<string[]> {
  return (await talk(c, 'EHLO client.test'))
    .split('\n')
    .slice(1)
    .map((l) => l.slice(4));
}

/** One message to `<Postmaster>` on an open session. */
async function toPostmaster(c: RawClient, subject: string): Promise<void> {
  assert.match(await talk(c, 'MAIL FROM:<carol@remote.test>'), /^250 /);
  assert.match(await talk(c, 'RCPT TO:<Postmaster>'), /^250 /);
  assert.match(await talk(c, 'DATA'), /^354 /);
  assert.match(await talk(c, `Subject: ${subject}\r\n\r\nhi\r\n.`), /^250 /);
}

test('reload: new sessions get the new settings, an open session keeps its own', async () => {
  const outpost = await startTestOutpost({
    users: USERS,
    config: { smtp: { listen: ['127.0.0.1:0'], max_message_size: 1_000_000 } },
  });
  try {
    const port = outpost.smtp?.port ?? 0;
    const before = await greeted(port);
    assert.ok((await keywords(before)).includes('SIZE 1000000'));
    assert.ok((await keywords(before)).includes('AUTH PLAIN LOGIN'));

    await outpost.suite.reload(
      withSmtp(outpost.suite.context.config, {
        max_message_size: 2_000_000,
        postmaster: 'bob@crepes.test',
        max_errors: 2,
        allow_plaintext_on_loopback: false,
        idle_timeout_seconds: 1,
      }),
    );

    const after = await greeted(port);
    const fresh = await keywords(after);
    assert.ok(fresh.includes('SIZE 2000000'), fresh.join(','));
    assert.ok(!fresh.includes('AUTH PLAIN LOGIN'), 'plaintext AUTH on loopback now off');
    const old = await keywords(before);
    assert.ok(old.includes('SIZE 1000000'), old.join(','));
    assert.ok(old.includes('AUTH PLAIN LOGIN'));

    // SIZE is enforced per session the same way it is announced.
    assert.match(await talk(before, 'MAIL FROM:<carol@remote.test> SIZE=1500000'), /^552 5\.3\.4/);
    assert.match(await talk(after, 'MAIL FROM:<carol@remote.test> SIZE=1500000'), /^250 /);
    assert.match(await talk(after, 'RSET'), /^250 /);

    // The postmaster: the old session still delivers to the default (alice, first by name).
    await toPostmaster(before, 'old session');
    await toPostmaster(after, 'new session');
    assert.deepEqual(
      (await outpost.messages('alice@crepes.test')).map((m) => m.subject),
      ['old session'],
    );
    assert.deepEqual(
      (await outpost.messages('bob@crepes.test')).map((m) => m.subject),
      ['new session'],
    );

    // Error cap: 2 now for new sessions, still 10 for the old one.
    const strict = await greeted(port);
    assert.match(await talk(strict, 'BOGUS'), /^500 /);
    assert.match(await talk(strict, 'BOGUS'), /^500 5\.5\.1/);
    assert.match((await readReply(strict))?.[0] ?? '', /^421 4\.7\.0 .*Too many errors/);
    assert.ok(await strict.closed());
    assert.match(await talk(before, 'BOGUS'), /^500 /);
    assert.match(await talk(before, 'BOGUS'), /^500 5\.5\.1 Command unrecognized$/);

    // Idle timeout: a new session that says nothing is closed with 421 4.4.2 after 1 s...
    const idle = await RawClient.connect(port);
    assert.match((await readReply(idle))?.[0] ?? '', /^220 /);
    assert.match((await readReply(idle))?.[0] ?? '', /^421 4\.4\.2/);
    assert.ok(await idle.closed());
    // ...while the old one (5 minutes) is still there.
    assert.match(await talk(before, 'NOOP'), /^250 /);
    assert.match(await talk(before, 'QUIT'), /^221 /);
    // The new session from before went quiet earlier than `idle`: it timed out first.
    assert.match((await readReply(after))?.[0] ?? '', /^421 4\.4\.2/);
  } finally {
    await outpost.close();
  }
});

test('reload: listener changes wait for a restart (logged); a bad postmaster refuses the [smtp] reload', async () => {
  const dataDir = tempDir('outpost-smtp-reload-');
  const logs: { level: number; msg: string; keys?: string[] }[] = [];
  const logger = createLogger({
    level: 'info',
    destination: {
      write: (line: string) => {
        logs.push(JSON.parse(line) as { level: number; msg: string });
      },
    },
  });
  const suite = await Suite.start({
    config: configFromObject({
      data_dir: dataDir,
      users: USERS,
      smtp: { listen: ['127.0.0.1:0'], max_message_size: 1_000_000 },
    }),
    logger,
  });
  try {
    const endpoints = suite.endpoints().filter((e) => e.service === 'smtp');
    assert.equal(endpoints.length, 1);
    const port = endpoints[0]?.port ?? 0;
    assert.ok(logs.some((l) => l.msg.includes('postmaster mail goes to')));

    await suite.reload(
      withSmtp(suite.context.config, {
        listen: [
          { host: '127.0.0.1', port: 0 },
          { host: '127.0.0.1', port: 0 },
        ],
        relay_port: 2525,
        max_message_size: 3_000_000,
      }),
    );
    const warning = logs.find((l) => l.msg.includes('only after a restart'));
    assert.deepEqual(warning?.keys, ['smtp.listen'], 'relay_port is no longer restart-only');
    const queue = logs.find((l) => l.msg.includes('queue settings reloaded')) as
      { relayPort?: number } | undefined;
    assert.equal(queue?.relayPort, 2525);
    assert.equal(suite.endpoints().filter((e) => e.service === 'smtp').length, 1, 'no new listener');
    const c = await greeted(port);
    assert.ok((await keywords(c)).includes('SIZE 3000000'), 'the live part still applied');
    await talk(c, 'QUIT');

    await suite.reload(
      withSmtp(suite.context.config, { postmaster: 'nobody@crepes.test', max_message_size: 4_000_000 }),
    );
    const refused = logs.find((l) => l.msg.includes('reload refused'));
    assert.equal(refused?.level, 50, 'logged as an error');
    const d = await greeted(port);
    assert.ok((await keywords(d)).includes('SIZE 3000000'), 'nothing of the refused reload applied');
    await talk(d, 'QUIT');
  } finally {
    await suite.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('reload: the queue relays the next message per the new dns_server/relay_port; one in flight is delivered once', async () => {
  const held = await startHeldRelay();
  const old = held.server;
  const sink = await startSmtpSink();
  const outpost = await startTestOutpost({
    zones: [mxZone('hamburger.test', '127.0.0.1')],
    users: [ALICE],
    config: {
      hostname: 'mx.crepes.test',
      smtp: { listen: ['127.0.0.1:0'], submission_listen: ['127.0.0.1:0'], relay_port: old.port },
    },
  });
  try {
    const dns = outpost.dns;
    const submission = outpost.submission?.port;
    assert.ok(dns && submission);
    const queue = sharedMailStore(outpost.suite.context).queue;
    // dns_server was resolv.conf's; now Outpost's own DNS, which knows hamburger.test.
    await outpost.suite.reload(
      withSmtp(outpost.suite.context.config, { dns_server: { host: dns.host, port: dns.port } }),
    );
    await submitAsAlice(submission, { to: 'bob@hamburger.test', subject: 'in flight', text: 'one' });
    await held.dataSeen;
    await outpost.suite.reload(withSmtp(outpost.suite.context.config, { relay_port: sink.port }));
    await submitAsAlice(submission, { to: 'carol@hamburger.test', subject: 'after reload', text: 'two' });
    // The sink stores the message before our runner records the attempt: wait for both.
    await eventually(async () => sink.messages().length > 0 && (await queue.list()).length === 1, {
      what: 'the new message at the new relay, only the in-flight one left',
    });
    held.release();
    await eventually(async () => (await queue.list()).length === 0, {
      what: 'both delivered; nothing left to retry',
    });
    assert.equal(old.conns.length, 1, 'one session with the old relay');
    assert.deepEqual(old.errors, []);
    assert.ok(old.conns[0]?.received.some((l) => l === 'Subject: in flight'));
    const dumps = sink.messages();
    assert.equal(dumps.length, 1, 'exactly one message at the new relay');
    assert.match(dumps[0] ?? '', /Subject: after reload/);
    assert.doesNotMatch(dumps[0] ?? '', /Subject: in flight/);
  } finally {
    held.release();
    await outpost.close();
    await sink.stop();
    await old.close();
  }
});
