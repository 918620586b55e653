/**
 * What only the SQLite mail store promises (the shared behaviour is the contract suite's, run on
 * it by contract.test.ts): message bytes stored once and reference-counted, the 10k-message
 * listing plan, group commit, and persistence in WAL mode with synchronous=FULL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { openSqliteMailStore, type SqliteMailStore } from '../../../src/mail/store/index.js';
import { hasCode, ErrorCodes } from '../../../src/core/errors.js';
import { tempDir } from '../../helpers/temp.js';
import { BLOB_CHUNK_OCTETS } from '../../../src/mail/store/sqlite-blobs.js';

function memStore(now = () => Date.UTC(2026, 0, 1)): SqliteMailStore {
  return openSqliteMailStore({ path: ':memory:', now });
}

const BOB = 'bob@example.test';
const msg = (n: number): Buffer => Buffer.from(`Subject: ${n}\r\n\r\nbody ${n}\r\n`);

function blobs(s: SqliteMailStore): number {
  return (s.database.prepare('SELECT COUNT(*) AS n FROM mail_blobs').get() as { n: number }).n;
}

async function inboxId(s: SqliteMailStore, user = BOB): Promise<number> {
  const box = await s.getMailbox(user, 'INBOX');
  assert.ok(box);
  return box.id;
}

test('bytes are stored once: copies and multi-recipient deliveries share them, the last release drops them', async () => {
  const s = memStore();
  await s.ensureMailboxes(BOB);
  const inbox = await inboxId(s);
  const archive = (await s.getMailbox(BOB, 'Archive'))!.id;
  await s.append(archive, msg(0));
  await s.append(inbox, msg(1), { flags: ['\\Seen'] });
  await s.append(inbox, msg(2));
  await s.copy(inbox, [2, 1, 99], archive);
  assert.equal(blobs(s), 3, 'copies share bytes');
  assert.deepEqual(await s.expunge(inbox, [1, 2, 5]), [1, 2]);
  assert.equal(blobs(s), 3, 'still referenced from Archive');
  await s.expunge(archive, [2, 3]);
  assert.equal(blobs(s), 1);
  await s.createMailbox(BOB, 'X');
  const x = (await s.getMailbox(BOB, 'X'))!.id;
  await s.copy(archive, [1], x);
  await s.deleteMailbox(BOB, 'X');
  assert.equal(blobs(s), 1, 'deleting a mailbox releases its references');
  await s.expunge(archive, [1]);
  assert.equal(blobs(s), 0);
  await s.accept({
    receivedAt: new Date(),
    local: [{ user: BOB }, { user: 'carol@example.test' }],
    localBytes: msg(3),
  });
  assert.equal(blobs(s), 1, 'one copy of the bytes for two local recipients');
  await s.close();
});

test('10,000-message INBOX: listing is one indexed range query without bytes', async () => {
  const s = memStore();
  const big = Buffer.alloc(2048, 0x61);
  await Promise.all(
    Array.from({ length: 10_000 }, () =>
      s.accept({ receivedAt: new Date(), local: [{ user: BOB }], localBytes: big }),
    ),
  );
  const id = await inboxId(s);
  assert.equal((await s.listMessages(id)).length, 10_000);
  const plan = s.database
    .prepare(
      'EXPLAIN QUERY PLAN SELECT uid, blob_id, internal_date, size, flags, modseq FROM mail_messages WHERE mailbox_id = ? ORDER BY uid',
    )
    .all(id) as { detail: string }[];
  const text = plan.map((p) => p.detail).join(' | ');
  assert.match(text, /SEARCH mail_messages USING PRIMARY KEY \(mailbox_id=\?\)/);
  assert.doesNotMatch(text, /SCAN|TEMP B-TREE/, text);
  assert.ok(s.commitBatches < 100, `10k accepts in one turn share commits (got ${s.commitBatches})`);
  await s.close();
});

test('a finished queue entry releases its bytes', async () => {
  const s = memStore();
  const { queueId } = await s.accept({
    receivedAt: new Date(),
    local: [],
    outbound: { mailFrom: BOB, recipients: [{ address: 'a@r.test' }], bytes: msg(1) },
  });
  assert.ok(queueId);
  assert.equal(blobs(s), 1);
  await s.queue.recordAttempt(
    queueId,
    [{ address: 'a@r.test', outcome: 'failed', reply: '550 no' }],
    new Date(),
  );
  assert.equal(blobs(s), 0);
  const second = await s.accept({
    receivedAt: new Date(),
    local: [],
    outbound: { mailFrom: '', recipients: [{ address: 'c@r.test' }], bytes: msg(2) },
  });
  assert.equal(await s.queue.delete(second.queueId!), true);
  assert.equal(blobs(s), 0);
  await s.close();
});

test('group commit: same-turn accepts share one COMMIT and resolve only after it', async () => {
  const events: string[] = [];
  const s = openSqliteMailStore({
    path: ':memory:',
    hooks: {
      beforeCommit: (n) => events.push(`before-commit ${n}`),
      afterCommit: (n) => events.push(`committed ${n}`),
    },
  });
  const ps = [1, 2, 3].map((i) =>
    s
      .accept({ receivedAt: new Date(), local: [{ user: BOB }], localBytes: msg(i) })
      .then(() => events.push(`resolved ${i}`)),
  );
  await Promise.all(ps);
  assert.deepEqual(events, ['before-commit 3', 'committed 3', 'resolved 1', 'resolved 2', 'resolved 3']);
  assert.equal(s.commitBatches, 1);
  await s.close();
});

test('group commit: a write waits for the deliveries submitted before it (submission order)', async () => {
  const s = memStore();
  const delivery = s.accept({ receivedAt: new Date(), local: [{ user: BOB }], localBytes: msg(1) });
  // Submitted after the delivery, in the same turn: it must see the delivery's mailboxes.
  const mailbox = s.createMailbox(BOB, 'Later');
  await Promise.all([delivery, mailbox]);
  assert.equal(s.commitBatches, 1, 'the write flushed the pending batch');
  assert.deepEqual((await s.listMailboxes(BOB)).length, 7);
  await s.close();
});

test('group commit: a failing COMMIT rejects every accept of the batch and stores none', async () => {
  let fail = true;
  const s = openSqliteMailStore({
    path: ':memory:',
    hooks: {
      beforeCommit: () => {
        if (fail) throw new Error('disk on fire');
      },
    },
  });
  const heard: string[] = [];
  s.subscribe({ user: BOB }, (c) => heard.push(c.kind));
  const results = await Promise.allSettled(
    [1, 2].map((i) => s.accept({ receivedAt: new Date(), local: [{ user: BOB }], localBytes: msg(i) })),
  );
  assert.deepEqual(
    results.map((r) => r.status),
    ['rejected', 'rejected'],
  );
  assert.deepEqual(heard, [], 'no event for a rolled-back batch');
  fail = false;
  assert.equal(await s.getMailbox(BOB, 'INBOX'), null, 'not even the mailboxes were created');
  await s.accept({ receivedAt: new Date(), local: [{ user: BOB }], localBytes: msg(3) });
  assert.equal((await s.getMailbox(BOB, 'INBOX'))!.messages, 1);
  await s.close();
});

test('group commit: one bad accept in a batch does not undo the others', async () => {
  const s = memStore();
  const results = await Promise.allSettled([
    s.accept({ receivedAt: new Date(), local: [{ user: BOB }], localBytes: msg(1) }),
    s.accept({ receivedAt: new Date(), local: [{ user: BOB, mailbox: 'Nope' }], localBytes: msg(2) }),
    s.accept({ receivedAt: new Date(), local: [{ user: BOB }], localBytes: msg(3) }),
  ]);
  assert.deepEqual(
    results.map((r) => r.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  );
  assert.equal((await s.getMailbox(BOB, 'INBOX'))!.messages, 2);
  assert.equal(s.commitBatches, 1);
  await s.close();
});

test('file-backed store persists across reopen; WAL + synchronous=FULL', async () => {
  const dir = tempDir('outpost-store-');
  try {
    const path = join(dir, 'mail.db');
    const a = openSqliteMailStore({ path });
    assert.equal(a.database.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(a.database.pragma('synchronous', { simple: true }), 2);
    await a.accept({ receivedAt: new Date(), local: [{ user: BOB }], localBytes: msg(7) });
    await a.close();
    await a.close();
    await assert.rejects(a.accept({ receivedAt: new Date(), local: [] }), (e) =>
      hasCode(e, ErrorCodes.STORAGE),
    );
    const b = openSqliteMailStore({ path });
    assert.deepEqual(await b.readMessage(await inboxId(b), 1), msg(7));
    await b.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a message larger than one chunk is stored in chunks, shared by copies, dropped with the last reference', async () => {
  const s = memStore();
  await s.ensureMailboxes(BOB);
  const inbox = await inboxId(s);
  const archive = (await s.getMailbox(BOB, 'Archive'))!.id;
  const bytes = Buffer.concat([
    Buffer.from('Subject: big\r\n\r\n'),
    Buffer.alloc(BLOB_CHUNK_OCTETS * 2 + 1, 'x'),
  ]);
  const count = (sql: string): number => (s.database.prepare(sql).get() as { n: number }).n;
  await s.append(inbox, bytes);
  assert.equal(count('SELECT COUNT(*) AS n FROM mail_blob_chunks'), 3);
  assert.equal(count('SELECT length(bytes) AS n FROM mail_blobs'), 0, 'the blob row holds no bytes');
  await s.append(inbox, msg(2));
  assert.equal(count('SELECT COUNT(*) AS n FROM mail_blob_chunks'), 3, 'a small message is not chunked');
  await s.copy(inbox, [1], archive);
  assert.equal(count('SELECT COUNT(*) AS n FROM mail_blob_chunks'), 3, 'a copy shares the chunks');
  await s.expunge(inbox, [1]);
  assert.equal(count('SELECT COUNT(*) AS n FROM mail_blob_chunks'), 3);
  await s.expunge(archive, [1]);
  assert.equal(count('SELECT COUNT(*) AS n FROM mail_blob_chunks'), 0);
  await s.close();
});
