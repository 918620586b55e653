/**
 * The mail store's schema migrations on a database written by the previous schema (version 1:
 * no IMAP metadata, no expunge log, subscriptions as a mailbox column): opening it with today's
 * store migrates it, and the mail already stored gets its ENVELOPE/BODYSTRUCTURE data, search
 * text and keyword lists, keeps its subscriptions, and answers QRESYNC questions honestly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { migrate, openDatabase, schemaVersion } from '../../../src/core/db.js';
import { MAIL_STORE_COMPONENT, MAIL_STORE_MIGRATIONS } from '../../../src/mail/store/schema.js';
import { openSqliteMailStore } from '../../../src/mail/store/index.js';
import { tempDir } from '../../helpers/temp.js';
import { MULTIPART } from '../helpers/describe-mail-store-imap.js';

const BOB = 'bob@example.test';

/** A version-1 database with two of Bob's mailboxes (the newest one deleted) and three messages. */
function writeVersion1(path: string): void {
  const db = openDatabase(path);
  migrate(db, MAIL_STORE_COMPONENT, MAIL_STORE_MIGRATIONS.slice(0, 1));
  const box = db.prepare(
    `INSERT INTO mailboxes (id, user, name, special_use, uid_validity, uid_next, highest_modseq, messages, unseen, subscribed)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  box.run(1, BOB, 'INBOX', '\\Inbox', 1000, 4, 9, 2, 1, 1);
  box.run(2, BOB, 'Old', null, 1001, 1, 1, 0, 0, 0);
  box.run(3, BOB, 'Gone', null, 1002, 1, 1, 0, 0, 1);
  db.prepare('DELETE FROM mailboxes WHERE id = 3').run();
  db.prepare("INSERT INTO mail_meta (key, value) VALUES ('uidvalidity', 1002)").run();
  const blob = db.prepare('INSERT INTO mail_blobs (id, bytes, refs) VALUES (?, ?, ?)');
  blob.run(1, MULTIPART, 1);
  blob.run(2, Buffer.from('Subject: plain\r\n\r\nhello there\r\n'), 1);
  const message = db.prepare(
    `INSERT INTO mail_messages (mailbox_id, uid, blob_id, internal_date, size, flags, seen, modseq)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  // UID 2 was expunged before the upgrade: no log remembers it.
  message.run(1, 1, 1, Date.UTC(2026, 0, 1), MULTIPART.length, '$Work \\Seen', 1, 7);
  message.run(1, 3, 2, Date.UTC(2026, 0, 2), 31, 'Important', 0, 8);
  db.close();
}

test('a version-1 database is migrated: metadata, search text, keywords, subscriptions, ids, expunge floor', async () => {
  const path = join(tempDir('outpost-migrate-'), 'mail.db');
  writeVersion1(path);
  const s = openSqliteMailStore({ path, now: () => Date.UTC(2026, 5, 1) });
  try {
    assert.equal(schemaVersion(s.database, MAIL_STORE_COMPONENT), MAIL_STORE_MIGRATIONS.length);
    const inbox = await s.getMailbox(BOB, 'INBOX');
    assert.ok(inbox);
    assert.deepEqual(
      [inbox.uidValidity, inbox.uidNext, inbox.highestModSeq, inbox.messages, inbox.unseen],
      [1000, 4, 9, 2, 1],
      'counters kept',
    );
    assert.deepEqual(inbox.keywords, ['$Work', 'Important'], 'keyword list computed from the flags');
    assert.equal((await s.getMailbox(BOB, 'Old'))?.subscribed, false);
    assert.deepEqual(await s.listSubscriptions(BOB), ['INBOX'], 'subscriptions carried over');

    const [one, three] = await s.readStructures(inbox.id, [1, 3], { envelope: true, body: true });
    assert.ok(one && three);
    assert.equal(one.envelope?.messageId, '<m1@example.test>');
    assert.equal(one.body?.kind, 'multipart');
    assert.equal(three.envelope?.subject, 'plain');
    assert.equal(three.body?.kind, 'text');
    assert.deepEqual(await s.searchText(inbox.id, { in: 'body', needle: 'café' }), [1]);
    assert.deepEqual(await s.searchText(inbox.id, { in: 'text', needle: 'HELLO' }), [3]);

    // Nothing was logged before the upgrade: below today's HIGHESTMODSEQ the answer is "unknown".
    assert.equal(await s.expungedSince(inbox.id, 5), null);
    assert.deepEqual(await s.expungedSince(inbox.id, 9), []);
    await s.expunge(inbox.id, [3]);
    assert.deepEqual(await s.expungedSince(inbox.id, 9), [3]);
    assert.deepEqual(
      (await s.changedSince(inbox.id, 7)).map((m) => m.uid),
      [],
      'UID 3 (MODSEQ 8) is gone',
    );

    const fresh = await s.createMailbox(BOB, 'New');
    assert.ok(fresh.id > 2, 'ids continue after the highest existing one');
    assert.ok(fresh.uidValidity > 1002);
  } finally {
    await s.close();
  }
  // Reopening runs no migration again and keeps everything.
  const again = openSqliteMailStore({ path });
  try {
    assert.deepEqual((await again.getMailbox(BOB, 'INBOX'))?.keywords, ['$Work', 'Important']);
    assert.ok(await again.getMailbox(BOB, 'New'));
  } finally {
    await again.close();
  }
});
