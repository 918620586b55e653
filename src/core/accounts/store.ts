/**
 * The account store: mail domains and the users in them, with their password hashes, in the
 * shared SQLite database (component `accounts` of `migrate`). Every protocol logs users in through
 * `authenticate` by full address, which applies the failure throttle, answers the same `invalid`
 * for an unknown user and a wrong password (spending a scrypt on a dummy hash for the former so
 * the timing matches), and consults the successful-login cache before running scrypt. Addresses
 * are stored in canonical form and matched case-insensitively (`COLLATE NOCASE`). The
 * `AccountStore` contract is async so a network database can implement it; `SqliteAccountStore`
 * answers from better-sqlite3 synchronously (its methods are `async` for the contract, which
 * also turns every throw into a rejection).
 */
/* eslint-disable @typescript-eslint/require-await -- see the file comment */
import { randomUUID } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import type { Database, Migration } from '../db.js';
import { migrate } from '../db.js';
import { ErrorCodes, OutpostError } from '../errors.js';
import type { Counter } from 'prom-client';
import type { Logger } from '../logger.js';
import type { ServiceMetrics } from '../metrics.js';
import { ADDRESS_LIMITS } from '../limits.js';
import { addressKey, normalizeDomain, parseAddress, type ParsedAddress } from './address.js';
import { AuthCache } from './auth-cache.js';
import { hashPassword, requirePasswordHash, verifyPassword } from './password.js';
import { ProvisionedSecrets } from './provisioned.js';
import { AuthThrottle, type Clock } from './throttle.js';

/** The schema of the `accounts` component. Append steps; never edit a released one. */
export const ACCOUNTS_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'domains and users',
    up: `
      CREATE TABLE domains (
        id         INTEGER PRIMARY KEY,
        name       TEXT    NOT NULL UNIQUE COLLATE NOCASE,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE users (
        id            INTEGER PRIMARY KEY,
        address       TEXT    NOT NULL UNIQUE COLLATE NOCASE,
        domain_id     INTEGER NOT NULL REFERENCES domains (id) ON DELETE RESTRICT,
        password_hash TEXT    NOT NULL,
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL,
        disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1))
      ) STRICT;
      CREATE INDEX users_domain_id ON users (domain_id);
    `,
  },
];

/** A user as the store shows it; the password hash never leaves the store. */
export interface User {
  readonly id: number;
  /** Canonical address, e.g. `alice@example.test`; the login name in every protocol. */
  readonly address: string;
  readonly domain: string;
  readonly disabled: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A domain with the number of users in it. */
export interface DomainInfo {
  readonly name: string;
  readonly createdAt: Date;
  readonly users: number;
}

/** A new password in clear, or a hash made elsewhere (e.g. `password_hash` in the config). */
export type PasswordInput = { readonly password: string } | { readonly passwordHash: string };

/** The outcome of a login attempt; `invalid` never says whether the user exists. */
export type AuthResult =
  | { readonly ok: true; readonly user: User }
  | { readonly ok: false; readonly reason: 'throttled'; readonly retryAfterMs: number }
  | { readonly ok: false; readonly reason: 'invalid' };

/** What `provisionUser` did. */
export type ProvisionResult = 'added' | 'updated' | 'unchanged';

/** How passwords are hashed and checked; injectable so tests can count or cheapen scrypt. */
export interface PasswordHasher {
  hash(plain: string): Promise<string>;
  verify(plain: string, encoded: string): Promise<boolean>;
}

/** The logger methods the store uses. */
export type AccountsLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

/** Options of AccountStore. */
export interface AccountStoreOptions {
  db: Database;
  /** Failure throttle; a default AuthThrottle on `clock` when absent, none when `false`. */
  throttle?: AuthThrottle | false;
  clock?: Clock;
  logger?: AccountsLogger;
  /** Defaults to scrypt via hashPassword / verifyPassword. */
  hasher?: PasswordHasher;
  /** Successful-login cache settings, or `false` to always run the hasher. */
  authCache?: { ttlMs?: number; maxEntries?: number } | false;
  /** Counts logins by protocol and result (`outpost_auth_attempts_total`). */
  metrics?: ServiceMetrics;
}

/** Where a login comes from: the client's address, and the protocol for logs and metrics. */
export interface AuthContext {
  readonly ip: string;
  /** `smtp`, `pop3`, `ftp`, `http`…; `unknown` when absent. */
  readonly protocol?: string;
}

interface UserRow {
  id: number;
  address: string;
  domain: string;
  password_hash: string;
  created_at: number;
  updated_at: number;
  disabled: number;
}

const USER_COLUMNS = `u.id, u.address, d.name AS domain, u.password_hash, u.created_at, u.updated_at, u.disabled`;

const defaultHasher: PasswordHasher = { hash: (p) => hashPassword(p), verify: verifyPassword };

function toUser(row: UserRow): User {
  return {
    id: row.id,
    address: row.address,
    domain: row.domain,
    disabled: row.disabled !== 0,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

function isUniqueViolation(err: unknown): boolean {
  return err instanceof BetterSqlite3.SqliteError && err.code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/**
 * The account store every protocol, the suite and the CLI use. Every method returns a promise,
 * so the accounts can live in a network database (PostgreSQL, like the mail store); the SQLite
 * class below is the embedded default. Errors are OutpostErrors with stable codes.
 */
export interface AccountStore {
  /** Adds a mail domain (lowercased). Rejects with INVALID_ADDRESS or DOMAIN_EXISTS. */
  addDomain(name: string): Promise<DomainInfo>;
  /** Every domain, by name, with its user count. */
  listDomains(): Promise<DomainInfo[]>;
  /** True when `name` is one of our domains (false for a malformed name). */
  hasDomain(name: string): Promise<boolean>;
  /**
   * Removes a domain. Rejects with DOMAIN_NOT_FOUND, or DOMAIN_IN_USE while it has users unless
   * `force`, which removes its users too (atomically).
   */
  removeDomain(name: string, options?: { force?: boolean }): Promise<void>;
  /**
   * Adds a user whose domain exists. Rejects with INVALID_ADDRESS, DOMAIN_NOT_FOUND,
   * ACCOUNT_EXISTS, or INVALID_PASSWORD_HASH.
   */
  addUser(address: string, input: PasswordInput): Promise<User>;
  /** Users, by address, optionally of one domain (DOMAIN_NOT_FOUND if it does not exist). */
  listUsers(domain?: string): Promise<User[]>;
  /** The user with this address (any case), or undefined, also for a malformed address. */
  getUser(address: string): Promise<User | undefined>;
  /** Replaces a user's password (or hash). Rejects with ACCOUNT_NOT_FOUND, INVALID_ADDRESS, INVALID_PASSWORD_HASH. */
  setPassword(address: string, input: PasswordInput): Promise<void>;
  /** Makes the user exist with this secret, as a config file declares it; says what it did. */
  provisionUser(address: string, input: PasswordInput): Promise<ProvisionResult>;
  /** Disables or re-enables logins of a user without deleting it. Rejects with ACCOUNT_NOT_FOUND. */
  setDisabled(address: string, disabled: boolean): Promise<void>;
  /** Deletes a user. Rejects with ACCOUNT_NOT_FOUND or INVALID_ADDRESS. */
  removeUser(address: string): Promise<void>;
  /**
   * Checks a login: `throttled`, or `invalid` for a malformed or unknown address, a wrong password
   * or a disabled user alike (never saying which), or the user. Never rejects for bad input.
   */
  authenticate(address: string, password: string, context: AuthContext): Promise<AuthResult>;
}

/** Domains, users and logins over one SQLite database (see the file comment). */
export class SqliteAccountStore implements AccountStore {
  readonly #db: Database;
  readonly #throttle: AuthThrottle | undefined;
  readonly #clock: Clock;
  readonly #logger: AccountsLogger | undefined;
  readonly #hasher: PasswordHasher;
  readonly #cache: AuthCache | undefined;
  readonly #provisioned = new ProvisionedSecrets();
  readonly #authTotal: Counter<'protocol' | 'result'> | undefined;
  readonly #selectUser: BetterSqlite3.Statement<[string], UserRow>;
  /** Asked for every recipient and login, so prepared once. */
  readonly #selectDomain: BetterSqlite3.Statement<[string], { one: number }>;
  #dummyHash: Promise<string> | undefined;

  constructor(options: AccountStoreOptions) {
    this.#db = options.db;
    this.#clock = options.clock ?? Date.now;
    this.#throttle =
      options.throttle === false ? undefined : (options.throttle ?? new AuthThrottle({ now: this.#clock }));
    this.#logger = options.logger;
    this.#authTotal = options.metrics?.authTotal;
    this.#hasher = options.hasher ?? defaultHasher;
    this.#cache =
      options.authCache === false ? undefined : new AuthCache({ ...options.authCache, now: this.#clock });
    migrate(this.#db, 'accounts', ACCOUNTS_MIGRATIONS);
    this.#selectUser = this.#db.prepare<[string], UserRow>(
      `SELECT ${USER_COLUMNS} FROM users u JOIN domains d ON d.id = u.domain_id WHERE u.address = ?`,
    );
    this.#selectDomain = this.#db.prepare<[string], { one: number }>(
      'SELECT 1 AS one FROM domains WHERE name = ?',
    );
  }

  /** Adds a mail domain (lowercased). Throws INVALID_ADDRESS or DOMAIN_EXISTS. */
  async addDomain(name: string): Promise<DomainInfo> {
    const domain = normalizeDomain(name);
    const now = this.#clock();
    try {
      this.#db.prepare('INSERT INTO domains (name, created_at) VALUES (?, ?)').run(domain, now);
    } catch (err) {
      if (isUniqueViolation(err))
        throw new OutpostError(ErrorCodes.DOMAIN_EXISTS, `domain ${domain} already exists`);
      throw err;
    }
    return { name: domain, createdAt: new Date(now), users: 0 };
  }

  /** Every domain, by name, with its user count. */
  async listDomains(): Promise<DomainInfo[]> {
    const rows = this.#db
      .prepare(
        `SELECT d.name, d.created_at, COUNT(u.id) AS users
           FROM domains d LEFT JOIN users u ON u.domain_id = d.id
          GROUP BY d.id ORDER BY d.name`,
      )
      .all() as { name: string; created_at: number; users: number }[];
    return rows.map((r) => ({ name: r.name, createdAt: new Date(r.created_at), users: r.users }));
  }

  async hasDomain(name: string): Promise<boolean> {
    return this.#hasDomain(name);
  }

  #hasDomain(name: string): boolean {
    let domain: string;
    try {
      domain = normalizeDomain(name);
    } catch {
      return false;
    }
    return this.#selectDomain.get(domain) !== undefined;
  }

  /**
   * Removes a domain. Throws DOMAIN_NOT_FOUND, or DOMAIN_IN_USE while it has users unless
   * `force`, which removes its users too (in the same transaction).
   */
  async removeDomain(name: string, options: { force?: boolean } = {}): Promise<void> {
    const domain = normalizeDomain(name);
    this.#db
      .transaction(() => {
        const row = this.#db.prepare('SELECT id FROM domains WHERE name = ?').get(domain) as
          { id: number } | undefined;
        if (row === undefined) throw new OutpostError(ErrorCodes.DOMAIN_NOT_FOUND, `no domain ${domain}`);
        const { n } = this.#db.prepare('SELECT COUNT(*) AS n FROM users WHERE domain_id = ?').get(row.id) as {
          n: number;
        };
        if (n > 0 && options.force !== true) {
          throw new OutpostError(ErrorCodes.DOMAIN_IN_USE, `domain ${domain} still has ${n} user(s)`);
        }
        this.#db.prepare('DELETE FROM users WHERE domain_id = ?').run(row.id);
        this.#db.prepare('DELETE FROM domains WHERE id = ?').run(row.id);
      })
      .immediate();
  }

  /**
   * Adds a user whose domain exists. Throws INVALID_ADDRESS, DOMAIN_NOT_FOUND, ACCOUNT_EXISTS, or
   * INVALID_PASSWORD_HASH for a `passwordHash` this code would not accept.
   */
  async addUser(address: string, input: PasswordInput): Promise<User> {
    const parsed = parseAddress(address);
    // Fail fast before spending a scrypt; the INSERT re-checks both under the write lock.
    if (!this.#hasDomain(parsed.domain)) throw this.#noDomain(parsed);
    if (this.#row(parsed.address) !== undefined) throw this.#exists(parsed);
    return this.#insert(parsed, await this.#hashOf(input));
  }

  #insert(parsed: ParsedAddress, hash: string): User {
    const now = this.#clock();
    let changes: number;
    try {
      changes = this.#db
        .prepare(
          `INSERT INTO users (address, domain_id, password_hash, created_at, updated_at)
           SELECT ?, id, ?, ?, ? FROM domains WHERE name = ?`,
        )
        .run(parsed.address, hash, now, now, parsed.domain).changes;
    } catch (err) {
      if (isUniqueViolation(err)) throw this.#exists(parsed);
      throw err;
    }
    if (changes === 0) throw this.#noDomain(parsed);
    this.#logger?.info({ user: parsed.address }, 'account added');
    return this.#mustGet(parsed);
  }

  /** Users, by address, optionally of one domain (DOMAIN_NOT_FOUND if it does not exist). */
  async listUsers(domain?: string): Promise<User[]> {
    if (domain === undefined) {
      const sql = `SELECT ${USER_COLUMNS} FROM users u JOIN domains d ON d.id = u.domain_id ORDER BY u.address`;
      return (this.#db.prepare(sql).all() as UserRow[]).map(toUser);
    }
    const name = normalizeDomain(domain);
    if (!this.#hasDomain(name)) throw new OutpostError(ErrorCodes.DOMAIN_NOT_FOUND, `no domain ${name}`);
    const sql = `SELECT ${USER_COLUMNS} FROM users u JOIN domains d ON d.id = u.domain_id
                  WHERE d.name = ? ORDER BY u.address`;
    return (this.#db.prepare(sql).all(name) as UserRow[]).map(toUser);
  }

  /** The user with this address (any case), or undefined, also for a malformed address. */
  async getUser(address: string): Promise<User | undefined> {
    const parsed = tryParse(address);
    const row = parsed === undefined ? undefined : this.#row(parsed.address);
    return row === undefined ? undefined : toUser(row);
  }

  /** Replaces a user's password (or hash). Throws ACCOUNT_NOT_FOUND, INVALID_ADDRESS, INVALID_PASSWORD_HASH. */
  async setPassword(address: string, input: PasswordInput): Promise<void> {
    const parsed = parseAddress(address);
    if (this.#row(parsed.address) === undefined) throw this.#notFound(parsed);
    this.#update(parsed, await this.#hashOf(input));
  }

  /**
   * Makes the user exist with this secret, as a config file declares it (suite start and SIGHUP),
   * skipping the work when nothing changed: a `passwordHash` equal to the stored one, or a plain
   * `password` that this store itself hashed into the stored hash (provisioned.ts explains why an
   * in-memory keyed digest, not a verification, decides that). Throws like addUser / setPassword.
   */
  async provisionUser(address: string, input: PasswordInput): Promise<ProvisionResult> {
    const parsed = parseAddress(address);
    const row = this.#row(parsed.address);
    if (row !== undefined && this.#holds(row, input)) return 'unchanged';
    if (row === undefined && !this.#hasDomain(parsed.domain)) throw this.#noDomain(parsed);
    const hash = await this.#hashOf(input);
    if (row === undefined) this.#insert(parsed, hash);
    else this.#update(parsed, hash);
    if ('password' in input) this.#provisioned.remember(parsed.address, input.password, hash);
    return row === undefined ? 'added' : 'updated';
  }

  #holds(row: UserRow, input: PasswordInput): boolean {
    return 'password' in input
      ? this.#provisioned.matches(row.address, input.password, row.password_hash)
      : input.passwordHash === row.password_hash;
  }

  #update(parsed: ParsedAddress, hash: string): void {
    const { changes } = this.#db
      .prepare('UPDATE users SET password_hash = ?, updated_at = ? WHERE address = ?')
      .run(hash, this.#clock(), parsed.address);
    if (changes === 0) throw this.#notFound(parsed);
    this.#logger?.info({ user: parsed.address }, 'password changed');
  }

  /** Disables or re-enables logins of a user without deleting it. Throws ACCOUNT_NOT_FOUND. */
  async setDisabled(address: string, disabled: boolean): Promise<void> {
    const parsed = parseAddress(address);
    const { changes } = this.#db
      .prepare('UPDATE users SET disabled = ?, updated_at = ? WHERE address = ?')
      .run(disabled ? 1 : 0, this.#clock(), parsed.address);
    if (changes === 0) throw this.#notFound(parsed);
  }

  /** Deletes a user. Throws ACCOUNT_NOT_FOUND or INVALID_ADDRESS. */
  async removeUser(address: string): Promise<void> {
    const parsed = parseAddress(address);
    const { changes } = this.#db.prepare('DELETE FROM users WHERE address = ?').run(parsed.address);
    if (changes === 0) throw this.#notFound(parsed);
    this.#provisioned.forget(parsed.address);
    this.#logger?.info({ user: parsed.address }, 'account removed');
  }

  /**
   * Checks a login. `throttled` when the IP or user is locked out (nothing is verified then);
   * otherwise `invalid` for a malformed or unknown address, a wrong password or a disabled user
   * alike, after comparable work. Never throws for bad input.
   */
  async authenticate(address: string, password: string, context: AuthContext): Promise<AuthResult> {
    const protocol = context.protocol ?? 'unknown';
    const parsed = tryParse(address);
    const who =
      parsed === undefined
        ? address.slice(0, ADDRESS_LIMITS.pathMaxOctets).toLowerCase()
        : addressKey(parsed.address);
    const decision = this.#throttle?.check(context.ip, who) ?? { allowed: true };
    if (!decision.allowed) {
      this.#authTotal?.inc({ protocol, result: 'throttled' });
      this.#logger?.warn(
        { protocol, user: who, ip: context.ip, retryAfterMs: decision.retryAfterMs },
        'login throttled',
      );
      return { ok: false, reason: 'throttled', retryAfterMs: decision.retryAfterMs };
    }
    const row = parsed === undefined ? undefined : this.#row(parsed.address);
    let ok: boolean;
    if (row === undefined) {
      await this.#safeVerify(password, await this.#dummy());
      ok = false;
    } else if (this.#cache?.has(row.address, password, row.password_hash) === true) {
      ok = true;
    } else {
      ok = await this.#safeVerify(password, row.password_hash);
      if (ok) this.#cache?.add(row.address, password, row.password_hash);
    }
    if (row === undefined || !ok || row.disabled !== 0) {
      this.#throttle?.recordFailure(context.ip, who);
      this.#authTotal?.inc({ protocol, result: 'failure' });
      this.#logger?.info({ protocol, user: who, ip: context.ip }, 'login failed');
      return { ok: false, reason: 'invalid' };
    }
    this.#throttle?.recordSuccess(context.ip, who);
    this.#authTotal?.inc({ protocol, result: 'success' });
    this.#logger?.debug({ protocol, user: row.address, ip: context.ip }, 'login ok');
    return { ok: true, user: toUser(row) };
  }

  #row(canonical: string): UserRow | undefined {
    return this.#selectUser.get(canonical);
  }

  #mustGet(parsed: ParsedAddress): User {
    const row = this.#row(parsed.address);
    if (row === undefined) throw this.#notFound(parsed);
    return toUser(row);
  }

  async #hashOf(input: PasswordInput): Promise<string> {
    if ('password' in input) return this.#hasher.hash(input.password);
    requirePasswordHash(input.passwordHash);
    return input.passwordHash;
  }

  /** Verifies, treating a corrupt stored hash as a failed login (logged) rather than a crash. */
  async #safeVerify(password: string, encoded: string): Promise<boolean> {
    try {
      return await this.#hasher.verify(password, encoded);
    } catch (err) {
      this.#logger?.error({ err }, 'stored password hash could not be verified');
      return false;
    }
  }

  /** A hash of a random password with the current cost, so unknown users cost a real verification. */
  #dummy(): Promise<string> {
    if (this.#dummyHash === undefined) {
      const pending = this.#hasher.hash(randomUUID());
      this.#dummyHash = pending;
      // A failed hash must not poison every later unknown-user login.
      pending.catch(() => {
        if (this.#dummyHash === pending) this.#dummyHash = undefined;
      });
    }
    return this.#dummyHash;
  }

  #noDomain(parsed: ParsedAddress): OutpostError {
    return new OutpostError(ErrorCodes.DOMAIN_NOT_FOUND, `no domain ${parsed.domain}`);
  }

  #exists(parsed: ParsedAddress): OutpostError {
    return new OutpostError(ErrorCodes.ACCOUNT_EXISTS, `account ${parsed.address} already exists`);
  }

  #notFound(parsed: ParsedAddress): OutpostError {
    return new OutpostError(ErrorCodes.ACCOUNT_NOT_FOUND, `no account ${parsed.address}`);
  }
}

function tryParse(address: string): ParsedAddress | undefined {
  try {
    return parseAddress(address);
  } catch {
    return undefined;
  }
}
