// Database opening and versioned migrations: fresh, idempotent re-open, refusal of a newer
// schema, rollback of a failing step, and the durability pragmas on a file-backed database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { migrate, openDatabase, schemaVersion, type Migration } from '../../src/core/db.js';
import { ErrorCodes, hasCode } from '../../src/core/errors.js';
import { tempDir } from '../helpers/temp.js';

const M1: Migration = { version: 1, description: 'a', up: 'CREATE TABLE a (x INTEGER)' };
const M2: Migration = {
  version: 2,
  description: 'b',
  up: (db) => {
    db.exec('CREATE TABLE b (y INTEGER)');
    db.prepare('INSERT INTO a (x) VALUES (?)').run(42);
  },
};

function tables(db: ReturnType<typeof openDatabase>): string[] {
  const rows = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
    name: string;
  }[];
  return rows.map((r) => r.name);
}

function withDir(fn: (dir: string) => void): void {
  const dir = tempDir('outpost-db-');
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a fresh database is migrated to the last version and records each step', () => {
  const db = openDatabase(':memory:');
  assert.equal(schemaVersion(db, 'c'), 0);
  assert.equal(migrate(db, 'c', [M1, M2]), 2);
  assert.deepEqual(tables(db), ['a', 'b', 'schema_migrations']);
  const rows = db.prepare('SELECT component, version FROM schema_migrations ORDER BY version').all();
  assert.deepEqual(rows, [
    { component: 'c', version: 1 },
    { component: 'c', version: 2 },
  ]);
  db.close();
});

test('migrating again is a no-op, and components are versioned independently', () => {
  const db = openDatabase(':memory:');
  migrate(db, 'c', [M1]);
  assert.equal(migrate(db, 'c', [M1, M2]), 2);
  assert.equal(migrate(db, 'c', [M1, M2]), 2);
  assert.deepEqual(db.prepare('SELECT x FROM a').all(), [{ x: 42 }], 'step 2 ran exactly once');
  assert.equal(migrate(db, 'other', [{ version: 1, description: 'z', up: 'CREATE TABLE z (q TEXT)' }]), 1);
  assert.equal(schemaVersion(db, 'c'), 2);
  db.close();
});

test('a database newer than the code is refused with STORAGE and left untouched', () => {
  const db = openDatabase(':memory:');
  migrate(db, 'c', [M1, M2]);
  assert.throws(
    () => migrate(db, 'c', [M1]),
    (err: unknown) => hasCode(err, ErrorCodes.STORAGE) && /newer/.test((err as Error).message),
  );
  assert.equal(schemaVersion(db, 'c'), 2);
  db.close();
});

test('a failing step is rolled back entirely; earlier steps stay', () => {
  const db = openDatabase(':memory:');
  const bad: Migration = {
    version: 2,
    description: 'half done',
    up: (d) => {
      d.exec('CREATE TABLE half (x INTEGER)');
      d.exec('INSERT INTO a (x) VALUES (1)');
      throw new Error('boom');
    },
  };
  assert.throws(
    () => migrate(db, 'c', [M1, bad]),
    (err: unknown) => hasCode(err, ErrorCodes.STORAGE) && (err as Error).cause instanceof Error,
  );
  assert.equal(schemaVersion(db, 'c'), 1);
  assert.deepEqual(tables(db), ['a', 'schema_migrations']);
  assert.deepEqual(db.prepare('SELECT x FROM a').all(), []);
  // Invalid SQL in a string step fails the same way.
  assert.throws(
    () => migrate(db, 'c', [M1, { version: 2, description: 'typo', up: 'CREATE TABLEX' }]),
    (err: unknown) => hasCode(err, ErrorCodes.STORAGE),
  );
  assert.equal(migrate(db, 'c', [M1, M2]), 2, 'a fixed step applies later');
  db.close();
});

test('a migration list with gaps is a programming error', () => {
  const db = openDatabase(':memory:');
  assert.throws(() => migrate(db, 'c', [M2]), RangeError);
  db.close();
});

test('a file database uses WAL, synchronous=FULL, foreign keys and a busy timeout; reopening sees the schema', () => {
  withDir((dir) => {
    const path = join(dir, 'outpost.db');
    const db = openDatabase(path);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('synchronous', { simple: true }), 2);
    assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
    assert.ok((db.pragma('busy_timeout', { simple: true }) as number) > 0);
    migrate(db, 'c', [M1, M2]);
    db.close();
    const again = openDatabase(path);
    assert.equal(migrate(again, 'c', [M1, M2]), 2);
    assert.deepEqual(again.prepare('SELECT x FROM a').all(), [{ x: 42 }]);
    again.close();
  });
});

test('an unopenable path is a STORAGE error', () => {
  withDir((dir) => {
    assert.throws(
      () => openDatabase(join(dir, 'missing', 'sub', 'x.db')),
      (err: unknown) => hasCode(err, ErrorCodes.STORAGE),
    );
  });
});
