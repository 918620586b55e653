/**
 * The SQLite database every embedded store lives in (better-sqlite3), and its versioned
 * migrations. `openDatabase` sets the pragmas durability depends on: WAL so readers never block
 * the writer, synchronous=FULL because a message the server has acknowledged must survive a power
 * cut (WAL's default NORMAL may lose the last commits), foreign keys on, and a busy timeout so two
 * processes on one data directory wait instead of failing. `migrate` keeps one version per
 * component (accounts, the mail store…) in `schema_migrations`, applies each missing step in its
 * own IMMEDIATE transaction (so a failing step leaves no trace and two processes cannot both apply
 * it), and refuses a database written by a newer Outpost rather than guessing at its schema.
 */
import BetterSqlite3 from 'better-sqlite3';
import { ErrorCodes, OutpostError } from './errors.js';

/** An open better-sqlite3 database. */
export type Database = BetterSqlite3.Database;

/** One schema step of a component; versions start at 1 and have no gaps. */
export interface Migration {
  readonly version: number;
  /** What the step does, for humans reading `schema_migrations`-related errors. */
  readonly description: string;
  /** SQL to execute, or a function for steps that need to compute (runs inside the transaction). */
  readonly up: string | ((db: Database) => void);
}

/** How long a statement waits for another connection's lock before SQLITE_BUSY, in milliseconds. */
export const DB_BUSY_TIMEOUT_MS = 5_000;

/**
 * Opens (creating if needed) the database at `path`; ':memory:' gives a private in-memory one.
 * Throws OutpostError STORAGE when the file cannot be opened.
 */
export function openDatabase(path: string): Database {
  let db: Database | undefined;
  try {
    db = new BetterSqlite3(path, { timeout: DB_BUSY_TIMEOUT_MS });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${DB_BUSY_TIMEOUT_MS}`);
    return db;
  } catch (err) {
    db?.close();
    throw new OutpostError(ErrorCodes.STORAGE, `cannot open database ${path}`, { cause: err });
  }
}

/** The version of `component` recorded in `db`, 0 when none (or no migration table yet). */
export function schemaVersion(db: Database, component: string): number {
  const table = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  if (table === undefined) return 0;
  const row = db
    .prepare('SELECT MAX(version) AS v FROM schema_migrations WHERE component = ?')
    .get(component) as { v: number | null };
  return row.v ?? 0;
}

function checkList(component: string, migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new RangeError(`migrations of ${component} must be numbered 1..n without gaps (at index ${i})`);
    }
  });
}

function refuseNewer(component: string, recorded: number, known: number): void {
  if (recorded <= known) return;
  throw new OutpostError(
    ErrorCodes.STORAGE,
    `database schema of ${component} is version ${recorded}, newer than this Outpost knows (${known}); ` +
      'upgrade Outpost or use another data directory',
  );
}

/**
 * Brings `component` up to the last of `migrations`, returning the version reached. Each missing
 * step runs in its own transaction together with its `schema_migrations` row. Throws OutpostError
 * STORAGE when the database records a newer version than the code knows, or when a step fails
 * (that step is rolled back; earlier ones stay).
 */
export function migrate(db: Database, component: string, migrations: readonly Migration[]): number {
  checkList(component, migrations);
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    component  TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    applied_at INTEGER NOT NULL,
    PRIMARY KEY (component, version)
  ) STRICT`);
  const known = migrations.length;
  const before = schemaVersion(db, component);
  refuseNewer(component, before, known);
  const insert = db.prepare(
    'INSERT INTO schema_migrations (component, version, applied_at) VALUES (?, ?, ?)',
  );
  for (const m of migrations) {
    if (before >= m.version) continue;
    const step = db.transaction(() => {
      // Read inside the write lock: another process may have applied this step meanwhile.
      if (schemaVersion(db, component) >= m.version) return;
      if (typeof m.up === 'string') db.exec(m.up);
      else m.up(db);
      insert.run(component, m.version, Date.now());
    });
    try {
      step.immediate();
    } catch (err) {
      if (err instanceof OutpostError) throw err;
      throw new OutpostError(
        ErrorCodes.STORAGE,
        `migration ${component} #${m.version} (${m.description}) failed and was rolled back`,
        { cause: err },
      );
    }
  }
  const reached = schemaVersion(db, component);
  refuseNewer(component, reached, known);
  return reached;
}
