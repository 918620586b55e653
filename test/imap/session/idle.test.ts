// IMAP IDLE in memory: `+ idling`, another writer's delivery, flag change and expunge reported
// while idling, `* OK Still here` keepalives, DONE, a line other than DONE, and the idle timeout
// ending a forgotten IDLE with BYE; the keepalive on the connection's clock (a fake one here).
import { test } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import assert from 'node:assert/strict';
import { ManualClock } from '../../helpers/manual-clock.js';
import { aliceInbox, enableRev2AndSelect, loginAlice, startImapSession } from '../helpers/session-harness.js';

const MESSAGE = Buffer.from('Subject: hi\r\n\r\nHello.\r\n');

const aliceStore = (): ReturnType<typeof aliceInbox> => aliceInbox([MESSAGE]);

const SELECT = enableRev2AndSelect(1, 2);

test("IDLE reports others' changes as they happen; DONE ends it; anything else is BAD", async () => {
  const { store, inbox } = await aliceStore();
  const { client } = await startImapSession({ store, limits: { idleKeepaliveMs: 3_600_000 } });
  await loginAlice(client);
  await client.play(`${SELECT}
    C: i IDLE
    S: + idling
  `);
  await store.append(inbox, MESSAGE, { origin: 'smtp' });
  await client.play(`S: * 2 EXISTS`);
  await store.setFlags(inbox, [1], ['\\Flagged'], 'add', { origin: 'other' });
  await client.play(`S: * 1 FETCH (UID 1 FLAGS (\\Flagged))`);
  await store.expunge(inbox, [2], { origin: 'pop3' });
  await client.play(`
    S: * 2 EXPUNGE
    C: DONE
    S: i OK IDLE terminated
    C: j IDLE
    S: + idling
    C: NOPE
    S: j BAD Expected DONE
  `);
});

test('IDLE keepalive: * OK Still here; the idle timeout ends a forgotten IDLE with BYE', async () => {
  const { store } = await aliceStore();
  const { client } = await startImapSession({
    store,
    limits: { idleKeepaliveMs: 20, authenticatedIdleMs: 1000 },
  });
  await loginAlice(client);
  await client.play(`${SELECT}
    C: i IDLE
    S: + idling
    S: * OK Still here
  `);
  // Keepalives are not client activity: the idle timeout still ends the IDLE.
  let line = await client.line();
  while (line === '* OK Still here') line = await client.line();
  if (line !== '* BYE Idle for too long') throw new Error(`expected BYE, got ${String(line)}`);
  await client.play('S: <closed>');
});

test("IDLE keepalive runs on the connection's clock: every 2 minutes of it, stopped by DONE", async () => {
  const { store } = await aliceStore();
  const clock = new ManualClock();
  const { client, transcript } = await startImapSession({ store, clock });
  const stillHere = (): number =>
    transcript().filter((e) => e.direction === 'S' && e.text === '* OK Still here').length;
  await loginAlice(client);
  await client.play(`${SELECT}
    C: i IDLE
    S: + idling
  `);
  clock.advance(2 * 60_000 - 1);
  await tick();
  assert.equal(stillHere(), 0, 'no keepalive before 2 minutes');
  clock.advance(1);
  await client.play('S: * OK Still here');
  clock.advance(2 * 60_000);
  await client.play(`
    S: * OK Still here
    C: DONE
    S: i OK IDLE terminated
  `);
  clock.advance(10 * 60_000);
  await tick();
  assert.equal(stillHere(), 2, 'no keepalive once IDLE ended');
  // The 30-minute idle timeout (keepalives are not client activity) ends a forgotten IDLE.
  await client.play(`
    C: j IDLE
    S: + idling
  `);
  clock.advance(30 * 60_000);
  let line = await client.line();
  while (line === '* OK Still here') line = await client.line();
  assert.equal(line, '* BYE Idle for too long');
  await client.play('S: <closed>');
});
