/**
 * The mail store's public surface: the `MailStore` contract and the embedded SQLite backend.
 */
export * from './types.js';
export { openSqliteMailStore, SqliteMailStore, type SqliteMailStoreOptions } from './sqlite-store.js';
export type { GroupCommitHooks } from './group-commit.js';
