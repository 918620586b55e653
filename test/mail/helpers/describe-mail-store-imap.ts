/**
 * The part of the MailStore contract suite that IMAP relies on (run by describeMailStore for
 * every backend): mailbox hierarchy, subscriptions, keywords, CHANGEDSINCE, the expunge log,
 * atomic MOVE, byte ranges, the ENVELOPE/BODYSTRUCTURE data kept from delivery, text search,
 * bounded hostile MIME, and reads of messages that are gone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCodes, hasCode, type ErrorCode } from '../../../src/core/errors.js';
import type { BodyStructure } from '../../../src/mail/message/body-structure.js';
import { decodeEncodedWords } from '../../../src/mail/message/encoded-word.js';
import { MESSAGE_LIMITS } from '../../../src/mail/message/limits.js';
import type { MailboxInfo, MailStore, StoreChange } from '../../../src/mail/store/types.js';
import type { OpenMailStore } from './describe-mail-store.js';

const BOB = 'bob@example.test';
const T0 = Date.UTC(2026, 0, 1);
const msg = (n: number | string): Buffer => Buffer.from(`Subject: ${String(n)}\r\n\r\nbody ${String(n)}\r\n`);
const code = (c: ErrorCode) => (e: unknown) => hasCode(e, c);

async function ready(
  open: OpenMailStore,
  limits?: Parameters<OpenMailStore>[0]['limits'],
): Promise<{ s: MailStore; inbox: MailboxInfo }> {
  const s = await open({ now: () => T0, ...(limits === undefined ? {} : { limits }) });
  await s.ensureMailboxes(BOB);
  const inbox = await s.getMailbox(BOB, 'INBOX');
  assert.ok(inbox);
  return { s, inbox };
}

async function box(s: MailStore, name: string): Promise<MailboxInfo> {
  const b = await s.getMailbox(BOB, name);
  assert.ok(b, `mailbox ${name} exists`);
  return b;
}

function listen(s: MailStore): StoreChange[] {
  const seen: StoreChange[] = [];
  s.subscribe({ user: BOB }, (c) => seen.push(c));
  return seen;
}

/** A multipart message with a QP text part, an attachment and an encapsulated message. */
export const MULTIPART = Buffer.from(
  [
    'From: =?utf-8?q?Al=C3=AFce?= <alice@example.test>',
    'To: Friends: bob@example.test, "Carol C" <carol@example.test>;, dave@example.test',
    `Subject: =?utf-8?b?${Buffer.from('Réunion').toString('base64')}?= plans`,
    'Date: Mon, 7 Dec 2026 10:00:00 +0000',
    'Message-ID: <m1@example.test>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    'preamble',
    '--b1',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'Caf=C3=A9 au lait',
    '--b1',
    'Content-Type: application/octet-stream; name="x.bin"',
    'Content-Disposition: attachment; filename="x.bin"',
    'Content-Transfer-Encoding: base64',
    'Content-Language: en, fr',
    'Content-Location: http://example.test/x.bin',
    'Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==',
    '',
    'AAEC',
    '--b1',
    'Content-Type: message/rfc822',
    '',
    'From: carol@example.test',
    'Subject: inner',
    '',
    'inner secret body',
    '--b1--',
    '',
  ].join('\r\n'),
);

function depthOf(part: BodyStructure): number {
  if (part.kind === 'multipart') return 1 + Math.max(...part.parts.map(depthOf));
  if (part.kind === 'message') return 1 + depthOf(part.body);
  return 1;
}

function countParts(part: BodyStructure): number {
  if (part.kind === 'multipart') return 1 + part.parts.reduce((n, p) => n + countParts(p), 0);
  if (part.kind === 'message') return 1 + countParts(part.body);
  return 1;
}

/** Registers the IMAP part of the contract (inside describeMailStore's describe). */
export function describeImapContract(open: OpenMailStore): void {
  test('hierarchy: CREATE makes the missing superior levels, each a mailbox of its own', async () => {
    const { s } = await ready(open);
    const heard = listen(s);
    const c = await s.createMailbox(BOB, 'a/b/c', { specialUse: '\\Archive' });
    assert.equal(c.name, 'a/b/c');
    assert.equal(c.specialUse, '\\Archive');
    const a = await box(s, 'a');
    const ab = await box(s, 'a/b');
    assert.equal(a.specialUse, null, 'only the named mailbox gets the special use');
    assert.equal(new Set([a.uidValidity, ab.uidValidity, c.uidValidity]).size, 3);
    assert.deepEqual(
      heard.map((e) => [e.kind, e.mailbox]),
      [
        ['mailbox-created', 'a'],
        ['mailbox-created', 'a/b'],
        ['mailbox-created', 'a/b/c'],
      ],
    );
    await assert.rejects(s.createMailbox(BOB, 'a/b'), code(ErrorCodes.MAILBOX_EXISTS));
    await s.createMailbox(BOB, 'INBOX/sub');
    assert.equal(
      (await s.listMailboxes(BOB)).filter((b) => b.name === 'INBOX').length,
      1,
      'INBOX is not made twice',
    );
    await s.close();
  });

  test('hierarchy: RENAME refuses a name below itself, creates the new superiors, carries children', async () => {
    const { s } = await ready(open);
    const abc = await s.createMailbox(BOB, 'a/b/c');
    const ab = await box(s, 'a/b');
    await assert.rejects(s.renameMailbox(BOB, 'a', 'a/x'), code(ErrorCodes.MAILBOX_NAME_INVALID));
    await assert.rejects(s.renameMailbox(BOB, 'a/b', 'a/b/c/d'), code(ErrorCodes.MAILBOX_NAME_INVALID));
    await s.renameMailbox(BOB, 'a/b', 'p/q/r');
    assert.equal((await box(s, 'p/q/r')).id, ab.id);
    assert.equal((await box(s, 'p/q/r/c')).id, abc.id);
    assert.ok(await s.getMailbox(BOB, 'p'));
    assert.ok(await s.getMailbox(BOB, 'p/q'));
    assert.ok(await s.getMailbox(BOB, 'a'), 'the old superior stays');
    await s.renameMailbox(BOB, 'INBOX', 'old/inbox');
    assert.ok(await s.getMailbox(BOB, 'old'));
    // DELETE keeps the children: the deleted name is what IMAP lists as \Noselect.
    await s.deleteMailbox(BOB, 'p/q');
    assert.equal(await s.getMailbox(BOB, 'p/q'), null);
    assert.ok(await s.getMailbox(BOB, 'p/q/r/c'));
    const again = await s.createMailbox(BOB, 'p/q');
    assert.notEqual(again.id, ab.id);
    await s.close();
  });

  test('mailbox ids and UIDVALIDITY are never reused, even for the newest mailbox deleted', async () => {
    const { s } = await ready(open);
    const x = await s.createMailbox(BOB, 'X');
    await s.append(x.id, msg(1));
    await s.deleteMailbox(BOB, 'X');
    const y = await s.createMailbox(BOB, 'Y');
    assert.ok(y.id > x.id, 'a new id, not the deleted one');
    assert.equal(await s.getMailboxById(x.id), null);
    assert.deepEqual(await s.listMessages(x.id), []);
    const x2 = await s.createMailbox(BOB, 'X');
    assert.ok(x2.id > y.id);
    assert.ok(x2.uidValidity > x.uidValidity, 'RFC 9051 §2.3.1.1: a re-created name gets a new UIDVALIDITY');
    assert.equal(await s.readMessage(x2.id, 1), null);
    await s.close();
  });

  test('subscriptions: per user, may name missing mailboxes, survive DELETE, follow RENAME, capped', async () => {
    const { s } = await ready(open, { subscriptionsPerUser: 8 });
    const heard = listen(s);
    await s.setSubscribed(BOB, 'Later/Folder', true);
    assert.equal(await s.getMailbox(BOB, 'Later/Folder'), null);
    await s.deleteMailbox(BOB, 'Junk');
    await s.renameMailbox(BOB, 'Sent', 'Sent Items');
    assert.deepEqual(await s.listSubscriptions(BOB), [
      'Archive',
      'Drafts',
      'INBOX',
      'Junk',
      'Later/Folder',
      'Sent Items',
      'Trash',
    ]);
    assert.equal((await box(s, 'Sent Items')).subscribed, true);
    assert.deepEqual(await s.listSubscriptions('carol@example.test'), []);
    assert.deepEqual(await s.listSubscriptions('BOB@example.test'), await s.listSubscriptions(BOB));
    await s.setSubscribed(BOB, 'Eighth', true);
    await assert.rejects(s.setSubscribed(BOB, 'Ninth', true), code(ErrorCodes.INPUT_TOO_LARGE));
    await s.setSubscribed(BOB, 'Eighth', true);
    assert.equal((await s.listSubscriptions(BOB)).length, 8);
    await s.setSubscribed(BOB, 'Junk', false);
    assert.ok(!(await s.listSubscriptions(BOB)).includes('Junk'));
    const sub = heard.filter((e) => e.kind === 'mailbox-subscribed');
    assert.deepEqual(
      sub.map((e) => [e.mailbox, e.mailboxId]),
      [
        ['Later/Folder', 0],
        ['Eighth', 0],
        ['Eighth', 0],
        ['Junk', 0],
      ],
      'a name without a mailbox has mailboxId 0; the refused one said nothing',
    );
    await s.close();
  });

  test('keywords: the mailbox keeps every keyword set on its messages, case-insensitively, capped', async () => {
    const { s, inbox } = await ready(open, { keywordsPerMailbox: 3 });
    assert.deepEqual(inbox.keywords, []);
    await s.append(inbox.id, msg(1), { flags: ['\\Seen', '$Label1'] });
    await s.append(inbox.id, msg(2));
    await s.setFlags(inbox.id, [2], ['$label1', 'Work'], 'add');
    assert.deepEqual((await box(s, 'INBOX')).keywords, ['$Label1', 'Work']);
    await s.setFlags(inbox.id, [1, 2], ['Work', '$Label1'], 'remove');
    assert.deepEqual((await box(s, 'INBOX')).keywords, ['$Label1', 'Work'], 'the list never shrinks');
    await s.setFlags(inbox.id, [99], ['Ghost'], 'add');
    assert.deepEqual((await box(s, 'INBOX')).keywords, ['$Label1', 'Work'], 'no message, no keyword');
    await assert.rejects(s.setFlags(inbox.id, [1], ['A', 'B'], 'add'), code(ErrorCodes.INPUT_TOO_LARGE));
    assert.deepEqual(
      (await s.listMessages(inbox.id))[0]?.flags,
      ['\\Seen'],
      'the refused STORE changed nothing',
    );
    await s.setFlags(inbox.id, [1], ['Third'], 'add');
    const archive = await box(s, 'Archive');
    await s.copy(inbox.id, [1], archive.id);
    assert.deepEqual((await box(s, 'Archive')).keywords, ['Third'], 'COPY brings the keywords it stores');
    await s.close();
  });

  test('changedSince: messages whose MODSEQ is above the given one, by UID', async () => {
    const { s, inbox } = await ready(open);
    for (let i = 1; i <= 3; i++) await s.append(inbox.id, msg(i));
    const before = (await box(s, 'INBOX')).highestModSeq;
    await s.setFlags(inbox.id, [2], ['\\Flagged'], 'add');
    const changed = await s.changedSince(inbox.id, before);
    assert.deepEqual(
      changed.map((m) => [m.uid, m.flags, m.modSeq]),
      [[2, ['\\Flagged'], before + 1]],
    );
    assert.deepEqual(
      (await s.changedSince(inbox.id, 0)).map((m) => m.uid),
      [1, 2, 3],
    );
    assert.deepEqual(await s.changedSince(inbox.id, before + 1), []);
    assert.deepEqual(await s.changedSince(999_999, 0), []);
    await s.close();
  });

  test('expunge log: exact UIDs above a MODSEQ; pruned past the cap, then null below the floor', async () => {
    const { s, inbox } = await ready(open, { expungeLogPerMailbox: 3 });
    for (let i = 1; i <= 6; i++) await s.append(inbox.id, msg(i));
    const m0 = (await box(s, 'INBOX')).highestModSeq;
    assert.deepEqual(await s.expungedSince(inbox.id, 0), [], 'a new mailbox has a complete, empty log');
    await s.expunge(inbox.id, [1]); // m0 + 1
    await s.expunge(inbox.id, [2, 3]); // m0 + 2
    assert.deepEqual(await s.expungedSince(inbox.id, m0), [1, 2, 3]);
    assert.deepEqual(await s.expungedSince(inbox.id, m0 + 1), [2, 3]);
    await s.expunge(inbox.id, [4]); // m0 + 3: four entries, the oldest MODSEQ goes
    assert.equal(await s.expungedSince(inbox.id, m0), null, 'the log no longer reaches back to m0');
    assert.deepEqual(await s.expungedSince(inbox.id, m0 + 1), [2, 3, 4]);
    await s.expunge(inbox.id, [5]); // m0 + 4: entries sharing a MODSEQ go together
    assert.equal(await s.expungedSince(inbox.id, m0 + 1), null);
    assert.deepEqual(await s.expungedSince(inbox.id, m0 + 2), [4, 5]);
    assert.deepEqual(await s.expungedSince(inbox.id, m0 + 4), []);
    assert.equal(await s.expungedSince(999_999, 0), null, 'no mailbox, no log');
    // A re-created mailbox starts a new log.
    const x = await s.createMailbox(BOB, 'X');
    await s.append(x.id, msg(1));
    await s.expunge(x.id, [1]);
    await s.deleteMailbox(BOB, 'X');
    const x2 = await s.createMailbox(BOB, 'X');
    assert.deepEqual(await s.expungedSince(x2.id, 0), []);
    await s.close();
  });

  test('move: one atomic step, COPYUID pairs, events append then expunge, logged for VANISHED', async () => {
    const { s, inbox } = await ready(open, { keywordsPerMailbox: 2 });
    await s.append(inbox.id, msg(1), { flags: ['\\Seen', 'K1'] });
    await s.append(inbox.id, msg(2));
    await s.append(inbox.id, msg(3), { flags: ['\\Flagged'] });
    const archive = await box(s, 'Archive');
    await s.append(archive.id, msg(0));
    const m0 = (await box(s, 'INBOX')).highestModSeq;
    const heard = listen(s);
    const pairs = await s.move(inbox.id, [3, 1, 99], archive.id, { origin: 'imap-1' });
    assert.deepEqual(pairs, [
      [1, 2],
      [3, 3],
    ]);
    assert.deepEqual(
      (await s.listMessages(inbox.id)).map((m) => m.uid),
      [2],
    );
    const moved = await s.listMessages(archive.id);
    assert.deepEqual(
      moved.map((m) => [m.uid, m.flags]),
      [
        [1, []],
        [2, ['K1', '\\Seen']],
        [3, ['\\Flagged']],
      ],
    );
    assert.deepEqual(await s.readMessage(archive.id, 3), msg(3));
    assert.deepEqual(
      heard.map((e) => [e.kind, e.mailbox, 'uids' in e ? e.uids : [], e.origin]),
      [
        ['append', 'Archive', [2, 3], 'imap-1'],
        ['expunge', 'INBOX', [1, 3], 'imap-1'],
      ],
    );
    assert.deepEqual(await s.expungedSince(inbox.id, m0), [1, 3]);
    assert.equal((await box(s, 'INBOX')).messages, 1);
    assert.deepEqual(await s.move(inbox.id, [42], archive.id), [], 'nothing to move: nothing happens');
    await assert.rejects(s.move(inbox.id, [2], 999_999), code(ErrorCodes.MAILBOX_NOT_FOUND));
    // A move the destination refuses (its keyword list is full) leaves both mailboxes as they were.
    await s.setFlags(archive.id, [1], ['K2'], 'add');
    await s.setFlags(inbox.id, [2], ['K3'], 'add');
    const inboxBefore = await box(s, 'INBOX');
    await assert.rejects(s.move(inbox.id, [2], archive.id), code(ErrorCodes.INPUT_TOO_LARGE));
    assert.deepEqual(await box(s, 'INBOX'), inboxBefore);
    assert.equal((await box(s, 'Archive')).messages, 3);
    await s.close();
  });

  test('readRange: a slice of the stored bytes, clipped; null once the message is gone', async () => {
    const { s, inbox } = await ready(open);
    const bytes = msg(1);
    await s.append(inbox.id, bytes);
    assert.equal((await s.readRange(inbox.id, 1, 0, 7))?.toString(), 'Subject');
    assert.deepEqual(await s.readRange(inbox.id, 1, 12, 1000), bytes.subarray(12));
    assert.deepEqual(await s.readRange(inbox.id, 1, 0, bytes.length), bytes);
    assert.equal((await s.readRange(inbox.id, 1, bytes.length + 5, 10))?.length, 0);
    assert.equal((await s.readRange(inbox.id, 1, 3, 0))?.length, 0);
    assert.equal(await s.readRange(inbox.id, 2, 0, 10), null);
    await s.expunge(inbox.id, [1]);
    assert.equal(await s.readRange(inbox.id, 1, 0, 10), null);
    await s.close();
  });

  test('readRange and readMessage: a large message, ranges across the storage chunks', async () => {
    const { s, inbox } = await ready(open);
    const big = Buffer.alloc(700 * 1024 + 13);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 0xff;
    const bytes = Buffer.concat([Buffer.from('Subject: big\r\n\r\n'), big]);
    await s.append(inbox.id, bytes);
    assert.ok((await s.readMessage(inbox.id, 1))?.equals(bytes));
    const K = 256 * 1024;
    for (const [start, length] of [
      [0, 10],
      [K - 5, 10],
      [K, K],
      [300_000, 500_000],
      [bytes.length - 3, 100],
      [5, bytes.length],
    ] as const) {
      const got = await s.readRange(inbox.id, 1, start, length);
      assert.ok(got?.equals(bytes.subarray(start, start + length)), `range ${start} +${length}`);
    }
    assert.equal((await s.readRange(inbox.id, 1, bytes.length, 1))?.length, 0);
    const r = await s.accept({
      receivedAt: new Date(T0),
      local: [],
      outbound: { mailFrom: BOB, recipients: [{ address: 'x@remote.test' }], bytes },
    });
    assert.ok(r.queueId);
    assert.ok((await s.queue.readBytes(r.queueId))?.equals(bytes), 'the queue reads large messages whole');
    await s.close();
  });

  test('readStructures: ENVELOPE and BODYSTRUCTURE kept from delivery, ranges point at the parts', async () => {
    const { s, inbox } = await ready(open);
    await s.append(inbox.id, msg(1));
    await s.accept({ receivedAt: new Date(T0), local: [{ user: BOB }], localBytes: MULTIPART });
    const [only] = await s.readStructures(inbox.id, [2], { envelope: true });
    assert.ok(only?.envelope);
    assert.equal(only.body, undefined, 'only what was asked for');
    const env = only.envelope;
    assert.equal(env.subject, `=?utf-8?b?${Buffer.from('Réunion').toString('base64')}?= plans`, 'raw');
    assert.equal(env.date, 'Mon, 7 Dec 2026 10:00:00 +0000');
    assert.equal(env.messageId, '<m1@example.test>');
    assert.equal(env.sender, null);
    assert.equal(env.replyTo, null);
    assert.equal(env.inReplyTo, null);
    const from = env.from?.[0];
    assert.ok(from);
    assert.equal(decodeEncodedWords(from.name ?? ''), 'Alïce');
    assert.ok(!/[^\x20-\x7e]/.test(from.name ?? ''), 'names stay encoded');
    assert.deepEqual([from.mailbox, from.host], ['alice', 'example.test']);
    assert.deepEqual(env.to, [
      { name: null, adl: null, mailbox: 'Friends', host: null },
      { name: null, adl: null, mailbox: 'bob', host: 'example.test' },
      { name: 'Carol C', adl: null, mailbox: 'carol', host: 'example.test' },
      { name: null, adl: null, mailbox: null, host: null },
      { name: null, adl: null, mailbox: 'dave', host: 'example.test' },
    ]);
    const both = await s.readStructures(inbox.id, [2, 1, 7], { envelope: true, body: true });
    assert.deepEqual(
      both.map((r) => r.uid),
      [1, 2],
      'ascending, missing UIDs left out',
    );
    const simple = both[0]?.body;
    assert.equal(simple?.kind, 'text');
    assert.equal(both[0]?.envelope?.subject, '1');
    const body = both[1]?.body;
    assert.ok(body?.kind === 'multipart');
    assert.equal(body.subtype, 'MIXED');
    assert.deepEqual(body.params, [['BOUNDARY', 'b1']]);
    const [text, attachment, inner] = body.parts;
    assert.ok(text?.kind === 'text' && attachment?.kind === 'basic' && inner?.kind === 'message');
    assert.deepEqual(
      [text.type, text.subtype, text.encoding, text.lines],
      ['TEXT', 'PLAIN', 'QUOTED-PRINTABLE', 1],
    );
    assert.deepEqual(text.params, [['CHARSET', 'utf-8']]);
    const slice = async (from: number, to: number): Promise<string> =>
      (await s.readRange(inbox.id, 2, from, to - from))?.toString() ?? '';
    assert.equal(await slice(text.range.bodyStart, text.range.bodyEnd), 'Caf=C3=A9 au lait');
    assert.equal(text.size, 'Caf=C3=A9 au lait'.length);
    assert.match(
      await slice(text.range.headerStart, text.range.bodyStart),
      /^Content-Type: text\/plain;.*\r\n\r\n$/s,
    );
    assert.deepEqual(attachment.disposition, { type: 'ATTACHMENT', params: [['FILENAME', 'x.bin']] });
    assert.deepEqual(attachment.language, ['en', 'fr']);
    assert.equal(attachment.location, 'http://example.test/x.bin');
    assert.equal(attachment.md5, 'Q2hlY2sgSW50ZWdyaXR5IQ==');
    assert.deepEqual(
      [attachment.type, attachment.subtype, attachment.encoding],
      ['APPLICATION', 'OCTET-STREAM', 'BASE64'],
    );
    assert.equal(await slice(attachment.range.bodyStart, attachment.range.bodyEnd), 'AAEC');
    assert.equal(inner.envelope.subject, 'inner');
    assert.equal(inner.body.kind, 'text');
    assert.equal(
      await slice(inner.body.range.headerStart, inner.body.range.bodyStart),
      'From: carol@example.test\r\nSubject: inner\r\n\r\n',
    );
    assert.equal(await slice(inner.body.range.bodyStart, inner.body.range.bodyEnd), 'inner secret body');
    assert.equal(body.range.bodyEnd, MULTIPART.length);
    // A copy shares what was computed; an expunged message has none.
    const archive = await box(s, 'Archive');
    await s.copy(inbox.id, [2], archive.id);
    assert.deepEqual((await s.readStructures(archive.id, [1], { body: true }))[0]?.body, body);
    await s.expunge(inbox.id, [2]);
    assert.deepEqual(await s.readStructures(inbox.id, [2], { envelope: true, body: true }), []);
    await s.close();
  });

  test('hostile MIME: deep nesting and thousands of parts are stored with a capped structure', async () => {
    const { s, inbox } = await ready(open);
    let deep = '';
    for (let i = 0; i < 1000; i++) deep += `Content-Type: multipart/mixed; boundary=b${i}\r\n\r\n--b${i}\r\n`;
    deep += 'Content-Type: text/plain\r\n\r\nbottom\r\n';
    for (let i = 999; i >= 0; i--) deep += `--b${i}--\r\n`;
    let wide = 'Content-Type: multipart/mixed; boundary=w\r\n\r\n';
    for (let i = 0; i < 5000; i++) wide += `--w\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`;
    wide += '--w--\r\n';
    await s.append(inbox.id, Buffer.from(deep));
    await s.append(inbox.id, Buffer.from(wide));
    const [d, w] = await s.readStructures(inbox.id, [1, 2], { body: true });
    assert.ok(d?.body && w?.body);
    assert.ok(depthOf(d.body) <= MESSAGE_LIMITS.maxMimeDepth + 1, `depth ${depthOf(d.body)}`);
    assert.ok(countParts(w.body) <= MESSAGE_LIMITS.maxMimeParts, `parts ${countParts(w.body)}`);
    assert.ok(countParts(w.body) > 100);
    await s.close();
  });

  test('searchText: decoded, case-insensitive text of headers and text parts; candidates restrict', async () => {
    const { s, inbox } = await ready(open);
    await s.append(inbox.id, msg('hello world'));
    await s.append(inbox.id, MULTIPART);
    await s.append(
      inbox.id,
      Buffer.from(
        'Subject: b64\r\nX-Tag: blue\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
          `${Buffer.from('Grüße aus Köln').toString('base64')}\r\n`,
      ),
    );
    const find = (c: Parameters<MailStore['searchText']>[1], uids?: number[]) =>
      s.searchText(inbox.id, c, uids);
    assert.deepEqual(
      await find({ in: 'body', needle: 'CAFÉ' }),
      [2],
      'quoted-printable decoded, case folded',
    );
    assert.deepEqual(await find({ in: 'body', needle: 'köln' }), [3], 'base64 decoded');
    assert.deepEqual(await find({ in: 'body', needle: 'secret' }), [2], 'encapsulated message body');
    assert.deepEqual(await find({ in: 'body', needle: 'aaec' }), [], 'attachments are not text');
    assert.deepEqual(await find({ in: 'body', needle: 'plans' }), [], 'BODY is not the header');
    assert.deepEqual(await find({ in: 'text', needle: 'plans' }), [2]);
    assert.deepEqual(await find({ in: 'text', needle: 'WORLD' }), [1]);
    assert.deepEqual(
      await find({ in: 'header', field: 'subject', needle: 'réunion' }),
      [2],
      'encoded words decoded',
    );
    assert.deepEqual(await find({ in: 'header', field: 'From', needle: 'alice@' }), [2]);
    assert.deepEqual(await find({ in: 'header', field: 'to', needle: 'alice' }), [], 'another field');
    assert.deepEqual(
      await find({ in: 'header', field: 'X-Tag', needle: '' }),
      [3],
      'empty string: has the field',
    );
    assert.deepEqual(await find({ in: 'header', field: 'subject', needle: '' }), [1, 2, 3]);
    assert.deepEqual(await find({ in: 'body', needle: '' }), [1, 2, 3]);
    assert.deepEqual(
      await find({ in: 'text', needle: 'e' }, [3, 1, 42]),
      [1, 3],
      'only the candidates, ascending',
    );
    assert.deepEqual(await find({ in: 'text', needle: 'e' }, []), []);
    await s.expunge(inbox.id, [2]);
    assert.deepEqual(await find({ in: 'body', needle: 'café' }), []);
    assert.deepEqual(await s.searchText(999_999, { in: 'body', needle: '' }), []);
    await s.close();
  });
}
