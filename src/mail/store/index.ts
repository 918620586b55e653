/**
 * The mail store's public surface: the `MailStore` contract, the embedded SQLite backend and the
 * in-memory one (tests, embedders that want no disk).
 */
export * from './types.js';
export { openSqliteMailStore, SqliteMailStore, type SqliteMailStoreOptions } from './sqlite-store.js';
export type { GroupCommitHooks } from './group-commit.js';
export {
  MemoryMailStore,
  MemoryOutboundQueue,
  openMemoryMailStore,
  type MemoryMailStoreOptions,
} from './memory-store.js';
export { STORE_LIMITS, type StoreLimits } from './limits.js';
