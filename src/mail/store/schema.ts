/**
 * The SQLite schema of the mail store (component `mail-store` of core/db.ts `migrate`). A
 * message's bytes live once in `mail_blobs`, referenced (and reference-counted) by every mailbox
 * entry and queue entry that holds them, so a message delivered to ten local users, or copied
 * between mailboxes, is stored once. `mail_messages` is clustered on (mailbox_id, uid) (WITHOUT
 * ROWID): listing a mailbox is one range scan of a table that holds no bytes. The outbound queue
 * lives in the same database so a delivery and its queue entry commit in one transaction.
 *
 * Version 2 adds what IMAP needs: `mail_blob_meta` (per blob, computed once at delivery by
 * message-meta.ts: the ENVELOPE and BODYSTRUCTURE as JSON, and the folded search text). It is a
 * table of its own, not columns of `mail_blobs`, because SQLite reaches a column stored after a
 * large BLOB only by walking the blob's overflow pages: FETCH ENVELOPE must not read the bytes.
 * Also the expunge log (`mail_expunged`, QRESYNC VANISHED) with each mailbox's `expunge_floor`,
 * an index on MODSEQ (CONDSTORE CHANGEDSINCE), per-mailbox keywords, subscriptions as their
 * own table (they may name mailboxes that do not exist), and a mailbox id counter in `mail_meta`
 * so a deleted mailbox's id is never given again. Version 3 fills in the blob metadata and the
 * keyword lists for mail stored before version 2. Version 4 adds `mail_blob_chunks`: a message
 * larger than one chunk is stored in chunks (sqlite-blobs.ts).
 */
import type { Database, Migration } from '../../core/db.js';
import { flagsFromColumn, flagsToColumn } from './flags.js';
import { mergeKeywords } from './keywords.js';
import { describeMessage } from './message-meta.js';

/** The migration component name in `schema_migrations`. */
export const MAIL_STORE_COMPONENT = 'mail-store';

/** Append steps; never edit a released one. */
export const MAIL_STORE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'blobs, mailboxes, messages, outbound queue',
    up: `
      CREATE TABLE mail_meta (
        key   TEXT    PRIMARY KEY,
        value INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE mail_blobs (
        id    INTEGER PRIMARY KEY,
        bytes BLOB    NOT NULL,
        refs  INTEGER NOT NULL CHECK (refs >= 0)
      ) STRICT;
      CREATE TABLE mailboxes (
        id             INTEGER PRIMARY KEY,
        user           TEXT    NOT NULL COLLATE NOCASE,
        name           TEXT    NOT NULL,
        special_use    TEXT,
        uid_validity   INTEGER NOT NULL,
        uid_next       INTEGER NOT NULL,
        highest_modseq INTEGER NOT NULL,
        messages       INTEGER NOT NULL,
        unseen         INTEGER NOT NULL,
        subscribed     INTEGER NOT NULL CHECK (subscribed IN (0, 1)),
        UNIQUE (user, name)
      ) STRICT;
      CREATE TABLE mail_messages (
        mailbox_id    INTEGER NOT NULL REFERENCES mailboxes (id),
        uid           INTEGER NOT NULL,
        blob_id       INTEGER NOT NULL REFERENCES mail_blobs (id),
        internal_date INTEGER NOT NULL,
        size          INTEGER NOT NULL,
        flags         TEXT    NOT NULL,
        seen          INTEGER NOT NULL CHECK (seen IN (0, 1)),
        modseq        INTEGER NOT NULL,
        PRIMARY KEY (mailbox_id, uid)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE mail_queue (
        id              TEXT    PRIMARY KEY,
        mail_from       TEXT    NOT NULL,
        blob_id         INTEGER NOT NULL REFERENCES mail_blobs (id),
        size            INTEGER NOT NULL,
        created_at      INTEGER NOT NULL,
        attempts        INTEGER NOT NULL,
        next_attempt_at INTEGER NOT NULL,
        env_id          TEXT,
        ret             TEXT CHECK (ret IN ('FULL', 'HDRS'))
      ) STRICT;
      CREATE INDEX mail_queue_due ON mail_queue (next_attempt_at, created_at);
      CREATE TABLE mail_queue_recipients (
        queue_id   TEXT    NOT NULL REFERENCES mail_queue (id) ON DELETE CASCADE,
        seq        INTEGER NOT NULL,
        address    TEXT    NOT NULL,
        status     TEXT    NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
        last_reply TEXT,
        notify     TEXT,
        orcpt      TEXT,
        PRIMARY KEY (queue_id, seq)
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    description:
      'IMAP: message metadata, expunge log, MODSEQ index, keywords, subscriptions, mailbox id counter',
    up: `
      CREATE TABLE mail_blob_meta (
        blob_id     INTEGER PRIMARY KEY REFERENCES mail_blobs (id) ON DELETE CASCADE,
        envelope    TEXT    NOT NULL,
        body        TEXT    NOT NULL,
        header_text TEXT    NOT NULL,
        body_text   TEXT    NOT NULL
      ) STRICT;
      CREATE TABLE mail_expunged (
        mailbox_id INTEGER NOT NULL,
        uid        INTEGER NOT NULL,
        modseq     INTEGER NOT NULL,
        PRIMARY KEY (mailbox_id, uid)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX mail_expunged_modseq ON mail_expunged (mailbox_id, modseq);
      CREATE INDEX mail_messages_modseq ON mail_messages (mailbox_id, modseq);
      ALTER TABLE mailboxes ADD COLUMN keywords TEXT NOT NULL DEFAULT '';
      -- Nothing was logged before this version: the log starts at each mailbox's current MODSEQ.
      ALTER TABLE mailboxes ADD COLUMN expunge_floor INTEGER NOT NULL DEFAULT 0;
      UPDATE mailboxes SET expunge_floor = highest_modseq;
      CREATE TABLE mail_subscriptions (
        user TEXT NOT NULL COLLATE NOCASE,
        name TEXT NOT NULL,
        PRIMARY KEY (user, name)
      ) STRICT, WITHOUT ROWID;
      INSERT INTO mail_subscriptions (user, name) SELECT user, name FROM mailboxes WHERE subscribed = 1;
      ALTER TABLE mailboxes DROP COLUMN subscribed;
      INSERT INTO mail_meta (key, value) SELECT 'mailbox_id', COALESCE(MAX(id), 0) FROM mailboxes WHERE true
        ON CONFLICT (key) DO NOTHING;
    `,
  },
  {
    version: 3,
    description: 'IMAP: envelope, structure and search text of stored mail; mailbox keyword lists',
    up: fillMessageMeta,
  },
  {
    // Messages stored before stay whole; they are read as before (sqlite-blobs.ts).
    version: 4,
    description: 'large messages in chunks, so a byte range reads only what it covers',
    up: `
      CREATE TABLE mail_blob_chunks (
        blob_id INTEGER NOT NULL REFERENCES mail_blobs (id) ON DELETE CASCADE,
        seq     INTEGER NOT NULL,
        bytes   BLOB    NOT NULL,
        PRIMARY KEY (blob_id, seq)
      ) STRICT;
    `,
  },
];

/**
 * Computes `mail_blob_meta` for every stored message that lacks it (one blob at a time, so
 * memory stays at one message) and each mailbox's keyword list from its messages' flags.
 */
function fillMessageMeta(db: Database): void {
  const missing = db
    .prepare<[], { id: number }>(
      `SELECT DISTINCT m.blob_id AS id FROM mail_messages m
        WHERE NOT EXISTS (SELECT 1 FROM mail_blob_meta x WHERE x.blob_id = m.blob_id)`,
    )
    .all();
  const read = db.prepare<[number], { bytes: Buffer }>('SELECT bytes FROM mail_blobs WHERE id = ?');
  const insert = db.prepare<[number, string, string, string, string], never>(
    'INSERT INTO mail_blob_meta (blob_id, envelope, body, header_text, body_text) VALUES (?, ?, ?, ?, ?)',
  );
  for (const { id } of missing) {
    const bytes = read.get(id)?.bytes;
    if (bytes === undefined) continue;
    const meta = describeMessage(bytes);
    insert.run(id, JSON.stringify(meta.envelope), JSON.stringify(meta.body), meta.headerText, meta.bodyText);
  }
  const boxes = db.prepare<[], { id: number }>('SELECT id FROM mailboxes').all();
  const flags = db.prepare<[number], { flags: string }>(
    "SELECT DISTINCT flags FROM mail_messages WHERE mailbox_id = ? AND flags <> ''",
  );
  const setKeywords = db.prepare<[string, number], never>('UPDATE mailboxes SET keywords = ? WHERE id = ?');
  for (const { id } of boxes) {
    let keywords: string[] = [];
    for (const row of flags.all(id)) {
      try {
        keywords = mergeKeywords(keywords, flagsFromColumn(row.flags)) ?? keywords;
      } catch {
        break; // Over the cap: the list keeps the first ones, as a live mailbox would.
      }
    }
    if (keywords.length > 0) setKeywords.run(flagsToColumn(keywords), id);
  }
}
