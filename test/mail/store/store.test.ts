/**
 * The SQLite mail store: mailboxes and their IMAP counters (UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ),
 * flags, copy, expunge, rename/delete, the 10k-message listing plan, the outbound queue, group
 * commit and change events.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  openSqliteMailStore,
  type SqliteMailStore,
  type StoreChange,
} from '../../../src/mail/store/index.js';
import { hasCode, ErrorCodes } from '../../../src/core/errors.js';
import { tempDir } from '../../helpers/temp.js';

function memStore(now = () => Date.UTC(2026, 0, 1)): SqliteMailStore {
  return openSqliteMailStore({ path: ':memory:', now });
}

const BOB = 'bob@example.test';
const msg = (n: number): Buffer => Buffer.from(`Subject: ${n}\r\n\r\nbody ${n}\r\n`);

test('default mailboxes with special-use, INBOX case-insensitive', async () => {
  const s = memStore();
  s.ensureMailboxes(BOB);
  s.ensureMailboxes(BOB);
  const boxes = s.listMailboxes(BOB);
  assert.deepEqual(boxes.map((b) => b.name).sort(), ['Archive', 'Drafts', 'INBOX', 'Junk', 'Sent', 'Trash']);
  assert.equal(s.getMailbox(BOB, 'inbox')?.specialUse, '\\Inbox');
  assert.equal(s.getMailbox('BOB@example.test', 'InBoX')?.name, 'INBOX');
  assert.equal(s.getMailbox(BOB, 'sent'), null, 'other names are case-sensitive');
  const validities = new Set(boxes.map((b) => b.uidValidity));
  assert.equal(validities.size, boxes.length, 'each mailbox gets its own UIDVALIDITY');
  await s.close();
});

test('UIDs ascend, UIDNEXT and HIGHESTMODSEQ advance, counts kept', async () => {
  const s = memStore();
  s.ensureMailboxes(BOB);
  const inbox = s.getMailbox(BOB, 'INBOX')!;
  const a = s.append(inbox.id, msg(1));
  const b = s.append(inbox.id, msg(2), { flags: ['\\seen', 'Work'] });
  assert.deepEqual([a.uid, b.uid], [1, 2]);
  assert.ok(b.modSeq > a.modSeq);
  assert.deepEqual(b.flags, ['Work', '\\Seen']);
  const after = s.getMailbox(BOB, 'INBOX')!;
  assert.equal(after.uidNext, 3);
  assert.equal(after.messages, 2);
  assert.equal(after.unseen, 1);
  assert.equal(after.highestModSeq, b.modSeq);
  assert.deepEqual(s.readMessage(inbox.id, 2), msg(2));
  // expunging the highest UID never lets it be reused (RFC 9051 §2.3.1.1)
  s.expunge(inbox.id, [2]);
  assert.equal(s.append(inbox.id, msg(3)).uid, 3);
  await s.close();
});

test('flags: replace, add, remove; MODSEQ only for changed messages', async () => {
  const s = memStore();
  s.ensureMailboxes(BOB);
  const id = s.getMailbox(BOB, 'INBOX')!.id;
  for (let i = 0; i < 3; i++) s.append(id, msg(i));
  const before = s.getMailbox(BOB, 'INBOX')!.highestModSeq;
  const added = s.setFlags(id, [1, 2], ['\\Seen'], 'add');
  assert.ok(added.every((m) => m.flags.includes('\\Seen') && m.modSeq === before + 1));
  assert.equal(s.getMailbox(BOB, 'INBOX')!.unseen, 1);
  const again = s.setFlags(id, [1], ['\\SEEN'], 'add');
  assert.equal(again[0]?.modSeq, before + 1, 'no change, no new MODSEQ');
  s.setFlags(id, [1], ['\\Flagged', 'todo'], 'replace');
  assert.deepEqual(s.listMessages(id)[0]?.flags, ['\\Flagged', 'todo']);
  s.setFlags(id, [1], ['TODO'], 'remove');
  assert.deepEqual(s.listMessages(id)[0]?.flags, ['\\Flagged']);
  assert.throws(
    () => s.setFlags(id, [1], ['\\Recent'], 'add'),
    (e) => hasCode(e, ErrorCodes.PARSE),
  );
  assert.throws(
    () => s.setFlags(id, [1], ['bad word'], 'add'),
    (e) => hasCode(e, ErrorCodes.PARSE),
  );
  await s.close();
});

test('copy gets new UIDs, shares the bytes; expunge releases them', async () => {
  const s = memStore();
  s.ensureMailboxes(BOB);
  const inbox = s.getMailbox(BOB, 'INBOX')!.id;
  const archive = s.getMailbox(BOB, 'Archive')!.id;
  s.append(archive, msg(0));
  s.append(inbox, msg(1), { flags: ['\\Seen'] });
  s.append(inbox, msg(2));
  const pairs = s.copy(inbox, [2, 1, 99], archive);
  assert.deepEqual(pairs, [
    [1, 2],
    [2, 3],
  ]);
  assert.deepEqual(s.listMessages(archive)[1]?.flags, ['\\Seen']);
  const blobs = (): number =>
    (s.database.prepare('SELECT COUNT(*) AS n FROM mail_blobs').get() as { n: number }).n;
  assert.equal(blobs(), 3, 'copies share bytes');
  assert.deepEqual(s.expunge(inbox, [1, 2, 5]), [1, 2]);
  assert.equal(blobs(), 3, 'still referenced from Archive');
  s.expunge(archive, [2, 3]);
  assert.equal(blobs(), 1);
  assert.deepEqual(s.readMessage(archive, 2), null);
  await s.close();
});

test('create, rename (with children), subscribe, delete; INBOX rules', async () => {
  const s = memStore();
  s.ensureMailboxes(BOB);
  s.createMailbox(BOB, 'Projects');
  s.createMailbox(BOB, 'Projects/2026');
  assert.throws(
    () => s.createMailbox(BOB, 'Projects'),
    (e) => hasCode(e, ErrorCodes.MAILBOX_EXISTS),
  );
  assert.throws(
    () => s.createMailbox(BOB, 'a//b'),
    (e) => hasCode(e, ErrorCodes.MAILBOX_NAME_INVALID),
  );
  assert.throws(
    () => s.createMailbox(BOB, 'x\r\ny'),
    (e) => hasCode(e, ErrorCodes.MAILBOX_NAME_INVALID),
  );
  const validity = s.getMailbox(BOB, 'Projects')!.uidValidity;
  s.renameMailbox(BOB, 'Projects', 'Work');
  assert.equal(s.getMailbox(BOB, 'Projects'), null);
  assert.equal(s.getMailbox(BOB, 'Work')!.uidValidity, validity);
  assert.ok(s.getMailbox(BOB, 'Work/2026'));
  s.setSubscribed(BOB, 'Work', false);
  assert.equal(s.getMailbox(BOB, 'Work')!.subscribed, false);
  s.deleteMailbox(BOB, 'Work/2026');
  assert.equal(s.getMailbox(BOB, 'Work/2026'), null);
  assert.throws(
    () => {
      s.deleteMailbox(BOB, 'inbox');
    },
    (e) => hasCode(e, ErrorCodes.MAILBOX_NAME_INVALID),
  );
  assert.throws(
    () => {
      s.deleteMailbox(BOB, 'Nope');
    },
    (e) => hasCode(e, ErrorCodes.MAILBOX_NOT_FOUND),
  );
  // Re-created name gets a new UIDVALIDITY
  s.createMailbox(BOB, 'Work/2026');
  assert.notEqual(s.getMailbox(BOB, 'Work/2026')!.uidValidity, validity);
  // Renaming INBOX moves its messages and leaves it empty
  const inbox = s.getMailbox(BOB, 'INBOX')!.id;
  s.append(inbox, msg(1));
  s.renameMailbox(BOB, 'INBOX', 'Old');
  assert.equal(s.getMailbox(BOB, 'INBOX')!.messages, 0);
  assert.equal(s.getMailbox(BOB, 'Old')!.messages, 1);
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
  const id = s.getMailbox(BOB, 'INBOX')!.id;
  assert.equal(s.listMessages(id).length, 10_000);
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

test('accept: one transaction for local deliveries and the queue entry', async () => {
  const s = memStore();
  const r = await s.accept({
    receivedAt: new Date(),
    local: [{ user: BOB }, { user: 'carol@example.test', flags: ['\\Flagged'] }],
    localBytes: msg(1),
    outbound: {
      mailFrom: BOB,
      recipients: [
        { address: 'x@remote.test', notify: ['FAILURE', 'DELAY'], orcpt: 'rfc822;x@remote.test' },
        { address: 'y@remote.test' },
      ],
      bytes: msg(2),
      envId: 'E1',
      ret: 'HDRS',
    },
  });
  assert.equal(r.delivered.length, 2);
  assert.ok(r.queueId);
  const entry = s.queue.get(r.queueId);
  assert.ok(entry);
  assert.equal(entry.recipients.length, 2);
  assert.deepEqual(entry.recipients[0]?.notify, ['FAILURE', 'DELAY']);
  assert.equal(entry.envId, 'E1');
  assert.deepEqual(s.queue.readBytes(r.queueId), msg(2));
  // A failing part (no localBytes) rolls back the whole accept, nothing half-stored
  await assert.rejects(
    s.accept({
      receivedAt: new Date(),
      local: [{ user: BOB }],
      outbound: { mailFrom: '', recipients: [{ address: 'z@r.test' }], bytes: msg(3) },
    }),
  );
  assert.equal(s.queue.list().length, 1);
  assert.equal(s.getMailbox(BOB, 'INBOX')!.messages, 1);
  await s.close();
});

test('queue: due, recordAttempt, backoff, removal, flush, delete', async () => {
  let now = Date.UTC(2026, 0, 1);
  const s = memStore(() => now);
  const { queueId } = await s.accept({
    receivedAt: new Date(now),
    local: [],
    outbound: {
      mailFrom: BOB,
      recipients: [{ address: 'a@r.test' }, { address: 'b@r.test' }],
      bytes: msg(1),
    },
  });
  assert.ok(queueId);
  assert.equal(s.queue.due(new Date(now), 10).length, 1);
  s.queue.recordAttempt(
    queueId,
    [
      { address: 'a@r.test', outcome: 'delivered', reply: '250 ok' },
      { address: 'b@r.test', outcome: 'deferred', reply: '451 later' },
    ],
    new Date(now + 60_000),
  );
  assert.equal(s.queue.due(new Date(now), 10).length, 0);
  assert.equal(s.queue.nextDueAt()?.getTime(), now + 60_000);
  const e = s.queue.get(queueId)!;
  assert.equal(e.attempts, 1);
  assert.deepEqual(
    e.recipients.map((r) => [r.status, r.lastReply]),
    [
      ['delivered', '250 ok'],
      ['pending', '451 later'],
    ],
  );
  now += 1000;
  assert.equal(s.queue.flush(), 1);
  assert.equal(s.queue.due(new Date(now), 10).length, 1);
  s.queue.recordAttempt(
    queueId,
    [{ address: 'b@r.test', outcome: 'failed', reply: '550 no' }],
    new Date(now),
  );
  assert.equal(s.queue.get(queueId), null, 'nothing pending: removed');
  assert.equal(s.queue.readBytes(queueId), null);
  assert.equal((s.database.prepare('SELECT COUNT(*) AS n FROM mail_blobs').get() as { n: number }).n, 0);
  const second = await s.accept({
    receivedAt: new Date(now),
    local: [],
    outbound: { mailFrom: '', recipients: [{ address: 'c@r.test' }], bytes: msg(2) },
  });
  assert.equal(s.queue.delete(second.queueId!), true);
  assert.equal(s.queue.delete(second.queueId!), false);
  assert.equal(s.queue.nextDueAt(), null);
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
  const results = await Promise.allSettled(
    [1, 2].map((i) => s.accept({ receivedAt: new Date(), local: [{ user: BOB }], localBytes: msg(i) })),
  );
  assert.deepEqual(
    results.map((r) => r.status),
    ['rejected', 'rejected'],
  );
  fail = false;
  assert.equal(s.getMailbox(BOB, 'INBOX'), null, 'not even the mailboxes were created');
  await s.accept({ receivedAt: new Date(), local: [{ user: BOB }], localBytes: msg(3) });
  assert.equal(s.getMailbox(BOB, 'INBOX')!.messages, 1);
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
  assert.equal(s.getMailbox(BOB, 'INBOX')!.messages, 2);
  await s.close();
});

test('change events are published after commit, with what changed', async () => {
  const s = memStore();
  const seen: StoreChange[] = [];
  const off = s.subscribe((c) => seen.push(c));
  const r = await s.accept({ receivedAt: new Date(), local: [{ user: BOB }], localBytes: msg(1) });
  const id = r.delivered[0]!.mailboxId;
  s.setFlags(id, [1], ['\\Seen'], 'add');
  s.expunge(id, [1]);
  s.createMailbox(BOB, 'X');
  off();
  s.createMailbox(BOB, 'Y');
  assert.deepEqual(
    seen.map((c) => c.kind),
    ['append', 'flags', 'expunge', 'mailboxes'],
  );
  assert.deepEqual(seen[0], { kind: 'append', user: BOB, mailboxId: id, uid: 1 });
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
    const id = b.getMailbox(BOB, 'INBOX')!.id;
    assert.deepEqual(b.readMessage(id, 1), msg(7));
    await b.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
