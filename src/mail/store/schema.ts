/**
 * The SQLite schema of the mail store (component `mail-store` of core/db.ts `migrate`). A
 * message's bytes live once in `mail_blobs`, referenced (and reference-counted) by every mailbox
 * entry and queue entry that holds them, so a message delivered to ten local users, or copied
 * between mailboxes, is stored once. `mail_messages` is clustered on (mailbox_id, uid) (WITHOUT
 * ROWID): listing a mailbox is one range scan of a table that holds no bytes. The outbound queue
 * lives in the same database so a delivery and its queue entry commit in one transaction.
 */
import type { Migration } from '../../core/db.js';

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
];
