/**
 * The `MailStore` contract suite: what every backend must do, method by method, so SMTP, POP3,
 * the queue runner and IMAP can rely on it whichever store is configured. Run with
 * `describeMailStore('name', open)` from a backend's test file (SQLite and the in-memory store
 * today; PostgreSQL will be the third). `open` gets a clock so UIDVALIDITY, internal dates and
 * queue times are deterministic. Backend-specific promises (group commit, fsync before the
 * reply, the SQL plans) are tested next to each backend.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCodes, hasCode, type ErrorCode } from '../../../src/core/errors.js';
import type { StoreLimits } from '../../../src/mail/store/limits.js';
import {
  DEFAULT_MAILBOXES,
  type MailboxInfo,
  type MailStore,
  type StoreChange,
} from '../../../src/mail/store/types.js';
import { describeImapContract } from './describe-mail-store-imap.js';

/** Opens a fresh, empty store whose clock is `now`, with `limits` when given. */
export type OpenMailStore = (options: {
  now: () => number;
  limits?: StoreLimits;
}) => MailStore | Promise<MailStore>;

const BOB = 'bob@example.test';
const CAROL = 'carol@example.test';
const T0 = Date.UTC(2026, 0, 1);
const msg = (n: number | string): Buffer => Buffer.from(`Subject: ${String(n)}\r\n\r\nbody ${String(n)}\r\n`);
const code = (c: ErrorCode) => (e: unknown) => hasCode(e, c);

/** A store with a settable clock, and one user's INBOX ready. */
async function setUp(open: OpenMailStore): Promise<{
  s: MailStore;
  clock: { t: number };
  inbox: MailboxInfo;
}> {
  const clock = { t: T0 };
  const s = await open({ now: () => clock.t });
  await s.ensureMailboxes(BOB);
  const inbox = await s.getMailbox(BOB, 'INBOX');
  assert.ok(inbox);
  return { s, clock, inbox };
}

async function box(s: MailStore, name: string, user = BOB): Promise<MailboxInfo> {
  const b = await s.getMailbox(user, name);
  assert.ok(b, `mailbox ${name} exists`);
  return b;
}

/** Records what a scope hears. */
function listen(s: MailStore, scope: Parameters<MailStore['subscribe']>[0]): StoreChange[] {
  const seen: StoreChange[] = [];
  s.subscribe(scope, (c) => seen.push(c));
  return seen;
}

/** Registers the contract suite for one backend. */
export function describeMailStore(name: string, open: OpenMailStore): void {
  describe(`MailStore contract: ${name}`, () => {
    test('default mailboxes: special-use, INBOX case-insensitive, users case-insensitive, idempotent', async () => {
      const { s } = await setUp(open);
      await s.ensureMailboxes(BOB);
      await s.ensureMailboxes('BOB@example.test');
      const boxes = await s.listMailboxes(BOB);
      assert.deepEqual(
        boxes.map((b) => [b.name, b.specialUse]),
        [
          ['Archive', '\\Archive'],
          ['Drafts', '\\Drafts'],
          ['INBOX', '\\Inbox'],
          ['Junk', '\\Junk'],
          ['Sent', '\\Sent'],
          ['Trash', '\\Trash'],
        ],
        'listed by name',
      );
      for (const b of boxes) {
        assert.equal(b.uidNext, 1);
        assert.equal(b.messages, 0);
        assert.equal(b.unseen, 0);
        assert.equal(b.subscribed, true);
        assert.equal(b.user, BOB);
        assert.ok(b.uidValidity > 0 && b.uidValidity <= 0xffffffff);
        assert.deepEqual(await s.getMailboxById(b.id), b);
      }
      assert.equal(new Set(boxes.map((b) => b.uidValidity)).size, boxes.length, 'one UIDVALIDITY each');
      assert.equal(new Set(boxes.map((b) => b.id)).size, boxes.length);
      assert.equal((await s.getMailbox('BOB@EXAMPLE.TEST', 'InBoX'))?.name, 'INBOX');
      assert.equal(await s.getMailbox(BOB, 'sent'), null, 'other names are case-sensitive');
      assert.deepEqual(await s.listMailboxes(CAROL), [], 'nobody else has mailboxes');
      assert.equal(await s.getMailbox(CAROL, 'INBOX'), null);
      assert.equal(await s.getMailboxById(999_999), null);
      await assert.rejects(s.getMailbox(BOB, 'a//b'), code(ErrorCodes.MAILBOX_NAME_INVALID));
      await s.close();
    });

    test('UIDVALIDITY: from the clock, never repeated, even for a re-created name', async () => {
      const { s } = await setUp(open);
      const validities = (await s.listMailboxes(BOB)).map((b) => b.uidValidity).sort((a, b) => a - b);
      assert.equal(validities[0], Math.floor(T0 / 1000), 'seconds since the epoch');
      const x = await s.createMailbox(BOB, 'X');
      await s.deleteMailbox(BOB, 'X');
      const again = await s.createMailbox(BOB, 'X');
      assert.ok(again.uidValidity > x.uidValidity, 'a re-created mailbox gets a new UIDVALIDITY');
      assert.ok(x.uidValidity > (validities.at(-1) ?? 0));
      await s.close();
    });

    test('append: ascending UIDs, UIDNEXT, HIGHESTMODSEQ, counts, exact bytes, internal date', async () => {
      const { s, clock, inbox } = await setUp(open);
      clock.t = T0 + 5000;
      const a = await s.append(inbox.id, msg(1));
      const date = new Date(Date.UTC(2020, 5, 1, 12));
      const b = await s.append(inbox.id, msg(2), { flags: ['\\seen', 'Work', 'work'], internalDate: date });
      assert.deepEqual([a.uid, b.uid], [1, 2]);
      assert.equal(a.mailboxId, inbox.id);
      assert.equal(a.size, msg(1).length);
      assert.equal(a.internalDate.getTime(), T0 + 5000, 'internal date defaults to now');
      assert.equal(b.internalDate.getTime(), date.getTime());
      assert.deepEqual(a.flags, []);
      assert.deepEqual(b.flags, ['Work', '\\Seen'], 'canonical, de-duplicated case-insensitively, sorted');
      assert.ok(a.modSeq > inbox.highestModSeq && b.modSeq > a.modSeq);
      const after = await box(s, 'INBOX');
      assert.equal(after.uidNext, 3);
      assert.equal(after.messages, 2);
      assert.equal(after.unseen, 1);
      assert.equal(after.highestModSeq, b.modSeq);
      assert.equal(after.uidValidity, inbox.uidValidity);
      assert.deepEqual(await s.readMessage(inbox.id, 2), msg(2));
      assert.equal(await s.readMessage(inbox.id, 3), null);
      assert.deepEqual(await s.listMessages(inbox.id), [a, b]);
      assert.deepEqual(await s.listMessages(999_999), []);
      // expunging the highest UID never lets it be reused (RFC 9051 §2.3.1.1)
      await s.expunge(inbox.id, [2]);
      assert.equal((await s.append(inbox.id, msg(3))).uid, 3);
      await s.close();
    });

    test('append: a bad flag or an unknown mailbox changes nothing', async () => {
      const { s, inbox } = await setUp(open);
      await assert.rejects(s.append(inbox.id, msg(1), { flags: ['\\Recent'] }), code(ErrorCodes.PARSE));
      await assert.rejects(s.append(inbox.id, msg(1), { flags: ['two words'] }), code(ErrorCodes.PARSE));
      await assert.rejects(s.append(999_999, msg(1)), code(ErrorCodes.MAILBOX_NOT_FOUND));
      assert.deepEqual(await box(s, 'INBOX'), inbox);
      await s.close();
    });

    test('the bytes a caller handed over or got back are not the store’s', async () => {
      const { s, inbox } = await setUp(open);
      const bytes = msg(1);
      await s.append(inbox.id, bytes);
      bytes.fill(0x78);
      const read = await s.readMessage(inbox.id, 1);
      assert.deepEqual(read, msg(1));
      assert.ok(read);
      read.fill(0x79);
      assert.deepEqual(await s.readMessage(inbox.id, 1), msg(1));
      const [info] = await s.listMessages(inbox.id);
      (info?.flags as string[] | undefined)?.push('Injected');
      assert.deepEqual((await s.listMessages(inbox.id))[0]?.flags, []);
      await s.close();
    });

    test('setFlags: replace, add, remove; one new MODSEQ per call, only for changed messages', async () => {
      const { s, inbox } = await setUp(open);
      const id = inbox.id;
      for (let i = 0; i < 3; i++) await s.append(id, msg(i));
      const before = (await box(s, 'INBOX')).highestModSeq;
      const added = await s.setFlags(id, [2, 1, 2, 99], ['\\Seen'], 'add');
      assert.deepEqual(
        added.map((m) => [m.uid, m.flags, m.modSeq]),
        [
          [1, ['\\Seen'], before + 1],
          [2, ['\\Seen'], before + 1],
        ],
        'existing messages, ascending, one MODSEQ for the call',
      );
      let now = await box(s, 'INBOX');
      assert.equal(now.unseen, 1);
      assert.equal(now.highestModSeq, before + 1);
      const again = await s.setFlags(id, [1], ['\\SEEN'], 'add');
      assert.equal(again[0]?.modSeq, before + 1, 'no change, no new MODSEQ');
      assert.equal((await box(s, 'INBOX')).highestModSeq, before + 1);
      const mixed = await s.setFlags(id, [1, 3], ['\\Seen', '$Label1'], 'add');
      assert.deepEqual(
        mixed.map((m) => m.modSeq),
        [before + 2, before + 2],
      );
      await s.setFlags(id, [1], ['\\Flagged', 'todo'], 'replace');
      assert.deepEqual((await s.listMessages(id))[0]?.flags, ['\\Flagged', 'todo']);
      await s.setFlags(id, [1], ['TODO'], 'remove');
      assert.deepEqual(
        (await s.listMessages(id))[0]?.flags,
        ['\\Flagged'],
        'keywords match case-insensitively',
      );
      now = await box(s, 'INBOX');
      assert.equal(now.unseen, 1, 'message 1 lost \\Seen');
      const listed = await s.listMessages(id);
      assert.deepEqual(
        listed.map((m) => m.modSeq),
        [before + 4, before + 1, before + 2],
      );
      assert.equal(now.highestModSeq, before + 4);
      await assert.rejects(s.setFlags(id, [1], ['\\Recent'], 'add'), code(ErrorCodes.PARSE));
      await assert.rejects(s.setFlags(999_999, [1], ['\\Seen'], 'add'), code(ErrorCodes.MAILBOX_NOT_FOUND));
      assert.deepEqual(await s.listMessages(id), listed, 'a refused call changed nothing');
      await s.close();
    });

    test('copy: new UIDs in ascending source order, flags and internal date kept, source untouched', async () => {
      const { s, inbox } = await setUp(open);
      const archive = await box(s, 'Archive');
      await s.append(archive.id, msg(0));
      const d1 = new Date(Date.UTC(2021, 0, 1));
      await s.append(inbox.id, msg(1), { flags: ['\\Seen', 'kw'], internalDate: d1 });
      await s.append(inbox.id, msg(2));
      const pairs = await s.copy(inbox.id, [2, 1, 99, 1], archive.id);
      assert.deepEqual(pairs, [
        [1, 2],
        [2, 3],
      ]);
      const copied = await s.listMessages(archive.id);
      assert.deepEqual(copied[1]?.flags, ['\\Seen', 'kw']);
      assert.equal(copied[1].internalDate.getTime(), d1.getTime());
      assert.deepEqual(await s.readMessage(archive.id, 3), msg(2));
      const a = await box(s, 'Archive');
      assert.equal(a.messages, 3);
      assert.equal(a.unseen, 2);
      assert.equal(a.uidNext, 4);
      assert.equal(a.highestModSeq, copied[2]?.modSeq);
      assert.equal((await box(s, 'INBOX')).messages, 2, 'copy leaves the source');
      // Into the same mailbox is allowed (new UIDs), and an empty copy is a no-op.
      assert.deepEqual(await s.copy(inbox.id, [1], inbox.id), [[1, 3]]);
      assert.deepEqual(await s.copy(inbox.id, [42], archive.id), []);
      await assert.rejects(s.copy(inbox.id, [1], 999_999), code(ErrorCodes.MAILBOX_NOT_FOUND));
      await assert.rejects(s.copy(999_999, [1], inbox.id), code(ErrorCodes.MAILBOX_NOT_FOUND));
      // A copy outlives its original.
      await s.expunge(inbox.id, [1, 2, 3]);
      assert.deepEqual(await s.readMessage(archive.id, 2), msg(1));
      await s.close();
    });

    test('expunge: returns what was removed, ascending; one new MODSEQ; counts follow', async () => {
      const { s, inbox } = await setUp(open);
      for (let i = 1; i <= 4; i++) await s.append(inbox.id, msg(i), i === 1 ? { flags: ['\\Seen'] } : {});
      const before = await box(s, 'INBOX');
      assert.deepEqual(await s.expunge(inbox.id, [3, 1, 9, 3]), [1, 3]);
      const after = await box(s, 'INBOX');
      assert.equal(after.messages, 2);
      assert.equal(after.unseen, 2);
      assert.equal(after.highestModSeq, before.highestModSeq + 1);
      assert.equal(after.uidNext, 5);
      assert.equal(await s.readMessage(inbox.id, 1), null);
      assert.deepEqual(
        (await s.listMessages(inbox.id)).map((m) => m.uid),
        [2, 4],
      );
      assert.deepEqual(await s.expunge(inbox.id, [1, 3]), [], 'already gone');
      assert.equal((await box(s, 'INBOX')).highestModSeq, after.highestModSeq, 'nothing removed, no MODSEQ');
      await assert.rejects(s.expunge(999_999, [1]), code(ErrorCodes.MAILBOX_NOT_FOUND));
      await s.close();
    });

    test('create: names are checked, duplicates refused, special-use kept', async () => {
      const { s } = await setUp(open);
      const p = await s.createMailbox(BOB, 'Projects', { specialUse: '\\Archive' });
      assert.equal(p.name, 'Projects');
      assert.equal(p.specialUse, '\\Archive');
      assert.equal(p.uidNext, 1);
      assert.equal(p.messages, 0);
      assert.equal(p.subscribed, true);
      assert.deepEqual(await box(s, 'Projects'), p);
      assert.equal((await s.createMailbox(BOB, 'Projects/2026')).specialUse, null);
      await assert.rejects(s.createMailbox(BOB, 'Projects'), code(ErrorCodes.MAILBOX_EXISTS));
      await assert.rejects(s.createMailbox(BOB, 'inbox'), code(ErrorCodes.MAILBOX_EXISTS));
      for (const bad of ['', 'a//b', '/a', 'a/', 'x\r\ny', 'nul\0', 'x'.repeat(256)]) {
        await assert.rejects(s.createMailbox(BOB, bad), code(ErrorCodes.MAILBOX_NAME_INVALID), bad);
      }
      // Another user's namespace is separate.
      const c = await s.createMailbox(CAROL, 'Projects');
      assert.equal(c.user, CAROL);
      assert.deepEqual(
        (await s.listMailboxes(CAROL)).map((b) => b.name),
        ['Projects'],
      );
      await s.close();
    });

    test('rename: children follow, UIDVALIDITY and messages stay; clashes and unknown names refused', async () => {
      const { s } = await setUp(open);
      const p = await s.createMailbox(BOB, 'Projects');
      const child = await s.createMailbox(BOB, 'Projects/2026');
      await s.createMailbox(BOB, 'ProjectsX');
      await s.append(child.id, msg(1));
      await s.renameMailbox(BOB, 'Projects', 'Work');
      assert.equal(await s.getMailbox(BOB, 'Projects'), null);
      assert.equal(await s.getMailbox(BOB, 'Projects/2026'), null);
      const w = await box(s, 'Work');
      assert.equal(w.id, p.id);
      assert.equal(w.uidValidity, p.uidValidity);
      const wc = await box(s, 'Work/2026');
      assert.equal(wc.id, child.id);
      assert.equal(wc.messages, 1);
      assert.deepEqual(await s.readMessage(wc.id, 1), msg(1));
      assert.ok(await s.getMailbox(BOB, 'ProjectsX'), 'a sibling with the same prefix is not a child');
      await assert.rejects(s.renameMailbox(BOB, 'Work', 'Sent'), code(ErrorCodes.MAILBOX_EXISTS));
      await assert.rejects(s.renameMailbox(BOB, 'Nope', 'Other'), code(ErrorCodes.MAILBOX_NOT_FOUND));
      await assert.rejects(s.renameMailbox(BOB, 'Work', 'a//b'), code(ErrorCodes.MAILBOX_NAME_INVALID));
      // A child whose new name is taken refuses the whole rename.
      await s.createMailbox(BOB, 'Done/2026');
      await assert.rejects(s.renameMailbox(BOB, 'Work', 'Done'), code(ErrorCodes.MAILBOX_EXISTS));
      await assert.rejects(s.renameMailbox(BOB, 'Work', 'Done/2026'), code(ErrorCodes.MAILBOX_EXISTS));
      assert.ok(await s.getMailbox(BOB, 'Work/2026'), 'nothing was renamed');
      await s.close();
    });

    test('rename INBOX: its messages move to a new mailbox, INBOX stays and is empty', async () => {
      const { s, inbox } = await setUp(open);
      await s.append(inbox.id, msg(1), { flags: ['\\Seen'] });
      await s.append(inbox.id, msg(2));
      await s.renameMailbox(BOB, 'inbox', 'Old');
      const now = await box(s, 'INBOX');
      assert.equal(now.id, inbox.id);
      assert.equal(now.messages, 0);
      assert.equal(now.uidNext, 3, 'INBOX keeps its UIDNEXT: the moved UIDs are never reused');
      const old = await box(s, 'Old');
      assert.notEqual(old.id, inbox.id);
      assert.equal(old.messages, 2);
      assert.equal(old.unseen, 1);
      assert.deepEqual(await s.readMessage(old.id, 2), msg(2));
      await s.close();
    });

    test('delete: messages go with the mailbox; INBOX and unknown names refused', async () => {
      const { s } = await setUp(open);
      const x = await s.createMailbox(BOB, 'X');
      await s.createMailbox(BOB, 'X/child');
      await s.append(x.id, msg(1));
      await s.deleteMailbox(BOB, 'X');
      assert.equal(await s.getMailbox(BOB, 'X'), null);
      assert.equal(await s.getMailboxById(x.id), null);
      assert.equal(await s.readMessage(x.id, 1), null);
      assert.deepEqual(await s.listMessages(x.id), []);
      assert.ok(await s.getMailbox(BOB, 'X/child'), 'children stay');
      await assert.rejects(s.deleteMailbox(BOB, 'inbox'), code(ErrorCodes.MAILBOX_NAME_INVALID));
      await assert.rejects(s.deleteMailbox(BOB, 'Nope'), code(ErrorCodes.MAILBOX_NOT_FOUND));
      await assert.rejects(s.append(x.id, msg(2)), code(ErrorCodes.MAILBOX_NOT_FOUND));
      await s.close();
    });

    test('subscriptions', async () => {
      const { s } = await setUp(open);
      await s.setSubscribed(BOB, 'Junk', false);
      assert.equal((await box(s, 'Junk')).subscribed, false);
      assert.equal((await box(s, 'Trash')).subscribed, true);
      await s.setSubscribed(BOB, 'Junk', true);
      assert.equal((await box(s, 'Junk')).subscribed, true);
      await assert.rejects(s.setSubscribed(BOB, 'a//b', true), code(ErrorCodes.MAILBOX_NAME_INVALID));
      await s.close();
    });

    test('accept: local deliveries (mailboxes made on first use) and the queue entry together', async () => {
      const clock = { t: T0 };
      const s = await open({ now: () => clock.t });
      const receivedAt = new Date(T0 + 1000);
      const r = await s.accept({
        receivedAt,
        local: [{ user: BOB }, { user: CAROL, flags: ['\\Flagged'] }, { user: BOB, mailbox: 'Junk' }],
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
      const inbox = await box(s, 'INBOX');
      const junk = await box(s, 'Junk');
      const carol = await box(s, 'INBOX', CAROL);
      assert.deepEqual(r.delivered, [
        { user: BOB, mailboxId: inbox.id, uid: 1 },
        { user: CAROL, mailboxId: carol.id, uid: 1 },
        { user: BOB, mailboxId: junk.id, uid: 1 },
      ]);
      assert.equal((await s.listMailboxes(CAROL)).length, 6, 'default mailboxes made on first delivery');
      const [m] = await s.listMessages(carol.id);
      assert.deepEqual(m?.flags, ['\\Flagged']);
      assert.equal(m.internalDate.getTime(), receivedAt.getTime());
      assert.deepEqual(await s.readMessage(inbox.id, 1), msg(1));
      assert.ok(r.queueId);
      const entry = await s.queue.get(r.queueId);
      assert.deepEqual(entry, {
        id: r.queueId,
        mailFrom: BOB,
        recipients: [
          {
            address: 'x@remote.test',
            status: 'pending',
            lastReply: null,
            notify: ['FAILURE', 'DELAY'],
            orcpt: 'rfc822;x@remote.test',
          },
          { address: 'y@remote.test', status: 'pending', lastReply: null },
        ],
        size: msg(2).length,
        createdAt: receivedAt,
        attempts: 0,
        nextAttemptAt: receivedAt,
        envId: 'E1',
        ret: 'HDRS',
      });
      assert.deepEqual(await s.queue.readBytes(r.queueId), msg(2));
      const local = await s.accept({ receivedAt, local: [{ user: BOB }], localBytes: msg(3) });
      assert.equal(local.queueId, null, 'nothing outbound, no queue entry');
      const none = await s.accept({
        receivedAt,
        local: [],
        outbound: { mailFrom: BOB, recipients: [], bytes: msg(4) },
      });
      assert.deepEqual(none, { delivered: [], queueId: null });
      assert.equal((await s.queue.list()).length, 1);
      await s.close();
    });

    test('accept: a failing part stores nothing at all', async () => {
      const s = await open({ now: () => T0 });
      const outbound = { mailFrom: '', recipients: [{ address: 'z@r.test' }], bytes: msg(3) };
      await assert.rejects(s.accept({ receivedAt: new Date(T0), local: [{ user: BOB }], outbound }));
      await assert.rejects(
        s.accept({
          receivedAt: new Date(T0),
          local: [{ user: BOB }, { user: BOB, mailbox: 'Nope' }],
          localBytes: msg(1),
          outbound,
        }),
        code(ErrorCodes.MAILBOX_NOT_FOUND),
      );
      await assert.rejects(
        s.accept({
          receivedAt: new Date(T0),
          local: [{ user: BOB, flags: ['\\Recent'] }],
          localBytes: msg(1),
          outbound,
        }),
        code(ErrorCodes.PARSE),
      );
      assert.deepEqual(await s.listMailboxes(BOB), [], 'not even the mailboxes were created');
      assert.deepEqual(await s.queue.list(), []);
      await s.close();
    });

    test('accept: concurrent deliveries all land, with distinct ascending UIDs', async () => {
      const s = await open({ now: () => T0 });
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          s.accept({ receivedAt: new Date(T0), local: [{ user: BOB }], localBytes: msg(i) }),
        ),
      );
      const uids = results.map((r) => r.delivered[0]?.uid);
      assert.deepEqual(
        [...uids].sort((a, b) => (a ?? 0) - (b ?? 0)),
        Array.from({ length: 50 }, (_, i) => i + 1),
      );
      const inbox = await box(s, 'INBOX');
      assert.equal(inbox.messages, 50);
      for (const [i, r] of results.entries()) {
        assert.deepEqual(await s.readMessage(inbox.id, r.delivered[0]?.uid ?? 0), msg(i));
      }
      await s.close();
    });

    test('queue: due order and limit, nextDueAt, list order', async () => {
      const clock = { t: T0 };
      const s = await open({ now: () => clock.t });
      const enqueue = async (at: number, to: string): Promise<string> => {
        const { queueId } = await s.accept({
          receivedAt: new Date(at),
          local: [],
          outbound: { mailFrom: BOB, recipients: [{ address: to }], bytes: msg(to) },
        });
        assert.ok(queueId);
        return queueId;
      };
      assert.equal(await s.queue.nextDueAt(), null);
      assert.deepEqual(await s.queue.due(new Date(T0), 10), []);
      const late = await enqueue(T0 + 2000, 'late@r.test');
      const early = await enqueue(T0, 'early@r.test');
      const mid = await enqueue(T0 + 1000, 'mid@r.test');
      assert.equal((await s.queue.nextDueAt())?.getTime(), T0);
      assert.deepEqual(
        (await s.queue.due(new Date(T0 + 1000), 10)).map((e) => e.id),
        [early, mid],
        'only what is due, oldest first',
      );
      assert.deepEqual(
        (await s.queue.due(new Date(T0 + 5000), 2)).map((e) => e.id),
        [early, mid],
        'limit',
      );
      assert.deepEqual(
        (await s.queue.list()).map((e) => e.id),
        [early, mid, late],
      );
      assert.equal(await s.queue.get('no-such-id'), null);
      assert.equal(await s.queue.readBytes('no-such-id'), null);
      await s.close();
    });

    test('queue: recordAttempt per recipient, backoff, removal when nothing is pending', async () => {
      const clock = { t: T0 };
      const s = await open({ now: () => clock.t });
      const { queueId } = await s.accept({
        receivedAt: new Date(T0),
        local: [],
        outbound: {
          mailFrom: BOB,
          recipients: [{ address: 'a@r.test' }, { address: 'b@r.test' }, { address: 'c@r.test' }],
          bytes: msg(1),
        },
      });
      assert.ok(queueId);
      await s.queue.recordAttempt(
        queueId,
        [
          { address: 'a@r.test', outcome: 'delivered', reply: '250 ok' },
          { address: 'b@r.test', outcome: 'deferred', reply: '451 later' },
          { address: 'c@r.test', outcome: 'failed', reply: '550 no' },
          { address: 'stranger@r.test', outcome: 'delivered', reply: '250 ?' },
        ],
        new Date(T0 + 60_000),
      );
      const e = await s.queue.get(queueId);
      assert.ok(e);
      assert.equal(e.attempts, 1);
      assert.equal(e.nextAttemptAt.getTime(), T0 + 60_000);
      assert.deepEqual(
        e.recipients.map((r) => [r.address, r.status, r.lastReply]),
        [
          ['a@r.test', 'delivered', '250 ok'],
          ['b@r.test', 'pending', '451 later'],
          ['c@r.test', 'failed', '550 no'],
        ],
      );
      assert.deepEqual(await s.queue.due(new Date(T0), 10), [], 'deferred: not due before its time');
      assert.equal((await s.queue.nextDueAt())?.getTime(), T0 + 60_000);
      // A recipient already delivered is not changed by a later outcome.
      await s.queue.recordAttempt(
        queueId,
        [{ address: 'a@r.test', outcome: 'failed', reply: '550 late' }],
        new Date(T0 + 120_000),
      );
      const e2 = await s.queue.get(queueId);
      assert.equal(e2?.recipients[0]?.status, 'delivered');
      assert.equal(e2.attempts, 2);
      await s.queue.recordAttempt(
        queueId,
        [{ address: 'b@r.test', outcome: 'delivered', reply: '250 at last' }],
        new Date(T0 + 999_000),
      );
      assert.equal(await s.queue.get(queueId), null, 'nothing pending: removed');
      assert.equal(await s.queue.readBytes(queueId), null);
      assert.equal(await s.queue.nextDueAt(), null);
      await s.queue.recordAttempt(queueId, [], new Date(T0)); // unknown id: ignored
      await s.close();
    });

    test('queue: flush one or all, delete', async () => {
      const clock = { t: T0 };
      const s = await open({ now: () => clock.t });
      const ids: string[] = [];
      for (const to of ['a@r.test', 'b@r.test']) {
        const { queueId } = await s.accept({
          receivedAt: new Date(T0),
          local: [],
          outbound: { mailFrom: '', recipients: [{ address: to }], bytes: msg(to) },
        });
        assert.ok(queueId);
        ids.push(queueId);
        await s.queue.recordAttempt(
          queueId,
          [{ address: to, outcome: 'deferred', reply: '451' }],
          new Date(T0 + 3_600_000),
        );
      }
      const [a, b] = ids as [string, string];
      assert.notEqual(a, b);
      clock.t = T0 + 1000;
      assert.equal(await s.queue.flush(a), 1);
      assert.equal(await s.queue.flush('no-such-id'), 0);
      assert.deepEqual(
        (await s.queue.due(new Date(clock.t), 10)).map((e) => e.id),
        [a],
      );
      assert.equal((await s.queue.get(a))?.nextAttemptAt.getTime(), T0 + 1000, 'due at the flush time');
      assert.equal(await s.queue.flush(), 2);
      assert.equal((await s.queue.due(new Date(clock.t), 10)).length, 2);
      assert.equal(await s.queue.delete(b), true);
      assert.equal(await s.queue.delete(b), false);
      assert.equal(await s.queue.readBytes(b), null);
      assert.deepEqual(
        (await s.queue.list()).map((e) => e.id),
        [a],
      );
      await s.close();
    });

    test('events: scoped by user, with MODSEQ and origin, after the write is visible', async () => {
      const { s, inbox } = await setUp(open);
      await s.ensureMailboxes(CAROL);
      const bob = listen(s, { user: 'BOB@example.test' });
      const carol = listen(s, { user: CAROL });
      const visible: Promise<Buffer | null>[] = [];
      const reader = s.subscribe({ user: BOB }, (c) => {
        if (c.kind === 'append') visible.push(s.readMessage(c.mailboxId, c.uids[0] ?? 0));
      });
      const r = await s.accept({
        receivedAt: new Date(T0),
        local: [{ user: BOB }],
        localBytes: msg(1),
        origin: 'smtp-1',
      });
      const uid = r.delivered[0]?.uid ?? 0;
      const info = (await s.listMessages(inbox.id))[0];
      const flagged = await s.setFlags(inbox.id, [uid], ['\\Seen'], 'add', { origin: 'imap-7' });
      await s.setFlags(inbox.id, [uid], ['\\Seen'], 'add', { origin: 'imap-7' }); // no change, no event
      await s.expunge(inbox.id, [uid]);
      const afterExpunge = await box(s, 'INBOX');
      reader();
      assert.deepEqual(bob, [
        {
          kind: 'append',
          user: BOB,
          mailboxId: inbox.id,
          mailbox: 'INBOX',
          uids: [uid],
          modSeq: info?.modSeq,
          origin: 'smtp-1',
        },
        {
          kind: 'flags',
          user: BOB,
          mailboxId: inbox.id,
          mailbox: 'INBOX',
          uids: [uid],
          modSeq: flagged[0]?.modSeq,
          origin: 'imap-7',
        },
        {
          kind: 'expunge',
          user: BOB,
          mailboxId: inbox.id,
          mailbox: 'INBOX',
          uids: [uid],
          modSeq: afterExpunge.highestModSeq,
          origin: null,
        },
      ]);
      assert.deepEqual(carol, [], "another user's listener hears nothing");
      assert.deepEqual(
        await Promise.all(visible),
        [msg(1)],
        'the listener could read what it was told about',
      );
      await s.close();
    });

    test('events: a mailbox watcher hears that mailbox only, its rename and its deletion', async () => {
      const { s, inbox } = await setUp(open);
      const x = await s.createMailbox(BOB, 'X');
      const child = await s.createMailbox(BOB, 'X/Y');
      const watchX = listen(s, { user: BOB, mailboxId: x.id });
      const watchChild = listen(s, { user: BOB, mailboxId: child.id });
      const watchInbox = listen(s, { user: BOB, mailboxId: inbox.id });
      const all = listen(s, { user: BOB });
      await s.append(inbox.id, msg(1));
      await s.append(x.id, msg(2), { origin: 'imap-1' });
      await s.setSubscribed(BOB, 'X', false, { origin: 'imap-1' });
      await s.renameMailbox(BOB, 'X', 'Z', { origin: 'imap-2' });
      await s.deleteMailbox(BOB, 'Z', { origin: 'imap-3' });
      await s.append(child.id, msg(3)); // the child lives on as Z/Y
      assert.deepEqual(
        watchX.map((c) => [c.kind, c.mailbox, c.origin]),
        [
          ['append', 'X', 'imap-1'],
          ['mailbox-subscribed', 'X', 'imap-1'],
          ['mailbox-renamed', 'Z', 'imap-2'],
          ['mailbox-deleted', 'Z', 'imap-3'],
        ],
      );
      const renamed = watchX[2];
      assert.equal(renamed?.kind === 'mailbox-renamed' ? renamed.from : null, 'X');
      const sub = watchX[1];
      assert.equal(sub?.kind === 'mailbox-subscribed' ? sub.subscribed : null, false);
      assert.deepEqual(
        watchChild.map((c) =>
          c.kind === 'mailbox-renamed' ? [c.kind, c.from, c.mailbox] : [c.kind, c.mailbox],
        ),
        [
          ['mailbox-renamed', 'X/Y', 'Z/Y'],
          ['append', 'Z/Y'],
        ],
        'a rename that carries a child along is reported to its watchers',
      );
      assert.deepEqual(
        watchInbox.map((c) => c.kind),
        ['append'],
      );
      assert.deepEqual(
        all.map((c) => [c.kind, c.mailboxId]),
        [
          ['append', inbox.id],
          ['append', x.id],
          ['mailbox-subscribed', x.id],
          ['mailbox-renamed', x.id],
          ['mailbox-renamed', child.id],
          ['mailbox-deleted', x.id],
          ['append', child.id],
        ],
      );
      await s.close();
    });

    test('events: COPY is one event; creation, INBOX rename and first delivery are reported', async () => {
      const s = await open({ now: () => T0 });
      const all = listen(s, { user: BOB });
      await s.accept({
        receivedAt: new Date(T0),
        local: [{ user: BOB }],
        localBytes: msg(1),
        origin: 'smtp',
      });
      assert.deepEqual(
        all.map((c) => [c.kind, c.mailbox, c.origin]),
        [...DEFAULT_MAILBOXES.map((m) => ['mailbox-created', m.name, 'smtp']), ['append', 'INBOX', 'smtp']],
      );
      all.length = 0;
      const inbox = await box(s, 'INBOX');
      for (let i = 2; i <= 5; i++) await s.append(inbox.id, msg(i));
      const archive = await box(s, 'Archive');
      all.length = 0;
      const pairs = await s.copy(inbox.id, [1, 2, 3, 4, 5], archive.id, { origin: 'imap-9' });
      const after = await box(s, 'Archive');
      assert.deepEqual(all, [
        {
          kind: 'append',
          user: BOB,
          mailboxId: archive.id,
          mailbox: 'Archive',
          uids: pairs.map(([, d]) => d),
          modSeq: after.highestModSeq,
          origin: 'imap-9',
        },
      ]);
      all.length = 0;
      await s.createMailbox(BOB, 'New', { origin: 'imap-9' });
      await s.renameMailbox(BOB, 'INBOX', 'Moved');
      const moved = await box(s, 'Moved');
      assert.deepEqual(
        all.map((c) => [c.kind, c.mailbox, 'uids' in c ? c.uids.length : 0]),
        [
          ['mailbox-created', 'New', 0],
          ['mailbox-created', 'Moved', 0],
          ['append', 'Moved', 5],
          ['expunge', 'INBOX', 5],
        ],
      );
      assert.equal(moved.messages, 5);
      await s.close();
    });

    test('events: unsubscribe stops them; a throwing listener does not stop the others; failed writes say nothing', async () => {
      const { s, inbox } = await setUp(open);
      const heard: string[] = [];
      const off1 = s.subscribe({ user: BOB }, () => {
        throw new Error('listener bug');
      });
      const off2 = s.subscribe({ user: BOB }, (c) => heard.push(c.kind));
      const offTwice = s.subscribe({ user: BOB, mailboxId: inbox.id }, (c) => heard.push(`mb-${c.kind}`));
      await s.append(inbox.id, msg(1));
      await assert.rejects(s.append(inbox.id, msg(2), { flags: ['\\Recent'] }));
      await assert.rejects(s.createMailbox(BOB, 'INBOX'));
      await assert.rejects(
        s.accept({ receivedAt: new Date(T0), local: [{ user: BOB, mailbox: 'Nope' }], localBytes: msg(3) }),
      );
      await s.expunge(inbox.id, [42]); // nothing removed: no event
      await s.setFlags(inbox.id, [42], ['\\Seen'], 'add'); // nothing changed: no event
      off2();
      off2();
      offTwice();
      await s.append(inbox.id, msg(4));
      off1();
      assert.deepEqual(heard, ['append', 'mb-append']);
      await s.close();
    });

    test('close: idempotent; afterwards every call is refused with STORAGE', async () => {
      const { s, inbox } = await setUp(open);
      await s.close();
      await s.close();
      await assert.rejects(s.getMailbox(BOB, 'INBOX'), code(ErrorCodes.STORAGE));
      await assert.rejects(s.listMessages(inbox.id), code(ErrorCodes.STORAGE));
      await assert.rejects(s.append(inbox.id, msg(1)), code(ErrorCodes.STORAGE));
      await assert.rejects(
        s.accept({ receivedAt: new Date(T0), local: [{ user: BOB }], localBytes: msg(1) }),
        code(ErrorCodes.STORAGE),
      );
      await assert.rejects(s.queue.list(), code(ErrorCodes.STORAGE));
      await assert.rejects(s.queue.flush(), code(ErrorCodes.STORAGE));
    });

    describeImapContract(open);
  });
}
