// Tier-4 interop: imapflow (npm, a client nobody here wrote) against the suite's IMAP server and
// real store, with its defaults (it negotiates COMPRESS and ENABLEs CONDSTORE itself): login,
// IDLE woken by another session's APPEND and flag change (with MODSEQ), CONDSTORE
// (`mailbox.highestModseq`, fetch with changedSince), QRESYNC (`qresync: true`: a reconnect after
// an expunge and a flag change hears VANISHED (EARLIER) and the changed flags during SELECT, then
// * VANISHED for an expunge while selected), and MOVE.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ImapFlow } from 'imapflow';
import { eventually } from '../helpers/eventually.js';
import { startImapOutpost, testMessage, ALICE, type ImapOutpost } from './helpers/imap-outpost.js';

/** An imapflow client for ALICE on the plain port (STARTTLS when offered, trusting the suite's CA). */
function imapflow(imap: ImapOutpost, options: Record<string, unknown> = {}): ImapFlow {
  return new ImapFlow({
    host: 'localhost',
    port: imap.port,
    secure: false,
    auth: { user: ALICE.address, pass: ALICE.password },
    tls: { ca: [imap.ca] },
    logger: false,
    ...options,
  });
}

/** Runs `body` with a connected client, logging out after. */
async function withClient<T>(
  imap: ImapOutpost,
  options: Record<string, unknown>,
  body: (client: ImapFlow) => Promise<T>,
): Promise<T> {
  const client = imapflow(imap, options);
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.logout();
  }
}

interface FlagsEvent {
  uid?: number;
  modseq?: bigint;
  flags: Set<string>;
}

interface ExpungeEvent {
  uid?: number;
  seq?: number;
  vanished: boolean;
  earlier?: boolean;
}

test('imapflow: login, IDLE woken by another session’s APPEND and flag change, CONDSTORE fetch changedSince, MOVE', async () => {
  await using imap = await startImapOutpost();
  await imap.deliver(ALICE.address, testMessage(1));
  await imap.deliver(ALICE.address, testMessage(2));
  await withClient(imap, {}, async (watcher) => {
    assert.ok(watcher.capabilities.has('CONDSTORE'));
    assert.ok(watcher.capabilities.has('QRESYNC'));
    assert.ok(watcher.enabled.has('CONDSTORE'));
    const box = await watcher.mailboxOpen('INBOX');
    assert.equal(box.exists, 2);
    const highest = box.highestModseq;
    assert.equal(typeof highest, 'bigint');
    const exists: number[] = [];
    const flags: FlagsEvent[] = [];
    watcher.on('exists', (e: { count: number }) => exists.push(e.count));
    watcher.on('flags', (e: FlagsEvent) => flags.push(e));
    const idling = watcher.idle();

    await withClient(imap, {}, async (writer) => {
      const appended = await writer.append('INBOX', testMessage(3), ['\\Seen']);
      assert.ok(appended !== false);
      await eventually(() => exists.includes(3), { what: 'EXISTS 3 during IDLE' });
      await writer.mailboxOpen('INBOX');
      assert.ok(await writer.messageFlagsAdd('1', ['\\Flagged'], { uid: true }));
      const event = await eventually(() => flags.find((f) => f.uid === 1), {
        what: 'FETCH FLAGS during IDLE',
      });
      assert.ok(event.flags.has('\\Flagged'));
      assert.equal(typeof event.modseq, 'bigint');
      assert.ok((event.modseq ?? 0n) > (highest ?? 0n));
    });
    await watcher.noop();
    await idling;

    // CONDSTORE: only what changed since the MODSEQ of the first SELECT, each with its MODSEQ.
    const changed = await watcher.fetchAll(
      '1:*',
      { uid: true, flags: true },
      { changedSince: highest ?? 0n },
    );
    assert.deepEqual(
      changed.map((m) => m.uid),
      [1, 3],
    );
    for (const m of changed) assert.ok((m.modseq ?? 0n) > (highest ?? 0n));
    assert.ok(changed[0]?.flags?.has('\\Flagged'));

    const moved = await watcher.messageMove('2', 'Archive', { uid: true });
    assert.ok(moved !== false);
    assert.equal(moved.uidMap?.get(2), 1);
    const status = await watcher.status('Archive', { messages: true });
    assert.ok(status !== false);
    assert.equal(status.messages, 1);
    assert.equal(watcher.mailbox === false ? -1 : watcher.mailbox.exists, 2);
  });
});

test('imapflow with qresync: a reconnect after an expunge and a flag change hears VANISHED (EARLIER) and the flags; an expunge while selected is VANISHED', async () => {
  await using imap = await startImapOutpost();
  for (let i = 1; i <= 4; i++) await imap.deliver(ALICE.address, testMessage(i));
  const before = await withClient(imap, { qresync: true }, async (client) => {
    assert.ok(client.enabled.has('QRESYNC'));
    const box = await client.mailboxOpen('INBOX');
    return { uidValidity: box.uidValidity, highestModseq: box.highestModseq };
  });
  assert.ok(before.highestModseq !== undefined);

  // Meanwhile, another client deletes UID 2 and flags UID 3.
  await withClient(imap, {}, async (other) => {
    await other.mailboxOpen('INBOX');
    assert.ok(await other.messageDelete('2', { uid: true }));
    assert.ok(await other.messageFlagsAdd('3', ['\\Answered'], { uid: true }));
  });

  await withClient(imap, { qresync: true }, async (client) => {
    const expunged: ExpungeEvent[] = [];
    const flags: FlagsEvent[] = [];
    client.on('expunge', (e: ExpungeEvent) => expunged.push(e));
    client.on('flags', (e: FlagsEvent) => flags.push(e));
    const box = await client.mailboxOpen('INBOX', {
      uidValidity: before.uidValidity,
      changedSince: before.highestModseq,
    });
    // imapflow keeps `qresync` only when UIDVALIDITY matched and HIGHESTMODSEQ came back.
    assert.equal((box as { qresync?: boolean }).qresync, true);
    assert.equal(box.exists, 3);
    assert.deepEqual(expunged, [{ path: 'INBOX', uid: 2, vanished: true, earlier: true }]);
    assert.deepEqual(
      flags.map((f) => [f.uid, [...f.flags]]),
      [[3, ['\\Answered']]],
    );
    assert.ok((box.highestModseq ?? 0n) > (before.highestModseq ?? 0n));

    // An expunge while selected arrives as VANISHED (not EARLIER), and the count follows it.
    expunged.length = 0;
    assert.ok(await client.messageDelete('4', { uid: true }));
    assert.deepEqual(expunged, [{ path: 'INBOX', uid: 4, vanished: true, earlier: false }]);
    assert.equal(client.mailbox === false ? -1 : client.mailbox.exists, 2);

    // UID FETCH (CHANGEDSINCE n VANISHED) since the first session's MODSEQ.
    expunged.length = 0;
    const changed = await client.fetchAll(
      '1:*',
      { uid: true, flags: true },
      { uid: true, changedSince: before.highestModseq },
    );
    assert.deepEqual(
      changed.map((m) => m.uid),
      [3],
    );
    assert.deepEqual(
      expunged.map((e) => [e.uid, e.earlier]),
      [
        [2, true],
        [4, true],
      ],
    );
  });
});
