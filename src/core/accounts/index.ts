/**
 * Accounts: domains, users, password hashes, login throttling and the login cache, as one import
 * for the protocols, the suite and the CLI (`outpost user …`, `outpost domain …`).
 */
export { addressKey, isValidAddress, normalizeAddress, normalizeDomain, parseAddress } from './address.js';
export type { ParsedAddress } from './address.js';
export { AuthCache } from './auth-cache.js';
export type { AuthCacheOptions } from './auth-cache.js';
export { DEFAULT_SCRYPT_PARAMS, hashPassword, isPasswordHash, verifyPassword } from './password.js';
export type { ScryptParams } from './password.js';
export { ACCOUNTS_MIGRATIONS, SqliteAccountStore } from './store.js';
export type {
  AccountStore,
  AccountStoreOptions,
  AccountsLogger,
  AuthResult,
  DomainInfo,
  PasswordHasher,
  PasswordInput,
  ProvisionResult,
  User,
} from './store.js';
export { AuthThrottle, ipThrottleKey } from './throttle.js';
export type { AuthThrottleOptions, Clock, ThrottleDecision } from './throttle.js';
