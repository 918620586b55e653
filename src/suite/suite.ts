/**
 * The suite runtime behind `outpost serve`: one process, one config, one data directory. It
 * opens the shared core (accounts database, TLS material), provisions the domains and users the
 * config declares (and the demo users of the embedded default), starts every enabled service in
 * the order of `services.ts`, reloads on request and closes everything in reverse order.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import {
  SqliteAccountStore,
  type AccountStore,
  type AccountStoreOptions,
  type PasswordInput,
} from '../core/accounts/store.js';
import { addressKey, normalizeAddress } from '../core/accounts/address.js';
import type { OutpostConfig } from '../core/config/schema.js';
import { openDatabase, type Database } from '../core/db.js';
import { checkDirectoryToCreate } from '../core/paths.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { createMetrics } from '../core/metrics.js';
import { DEMO_DOMAIN, DEMO_USERS, demoZonePath } from './default-config.js';
import { ensureDemoZone } from './demo-zone.js';
import type { Endpoint, RunningService, ServiceContext, ServiceDefinition } from '../core/service/service.js';
import { SharedResources } from '../core/service/shared-resources.js';
import { SERVICES } from './services.js';
import { SuiteTls } from './suite-tls.js';

export interface SuiteOptions {
  config: OutpostConfig;
  logger?: Logger;
  /** Create the demo users of the embedded default when missing. */
  demo?: boolean;
  /** Override the service list (tests). */
  services?: readonly ServiceDefinition[];
  /** Where HTTP access lines go when the config names no file (see ServiceContext). */
  accessLogOutput?: (line: string) => void;
}

/** A user created at start-up whose password is shown once. */
export interface Credential {
  address: string;
  password: string;
}

/** The accounts database file inside the data directory. */
export function accountsDatabasePath(dataDir: string): string {
  return join(dataDir, 'accounts.db');
}

/**
 * Opens the data directory's accounts store (creating the directory if needed); a running suite
 * passes its logger (failed logins with the client's address) and metrics (logins by result).
 */
export function openAccounts(
  dataDir: string,
  observe: Pick<AccountStoreOptions, 'logger' | 'metrics'> = {},
): { db: Database; accounts: AccountStore } {
  checkDirectoryToCreate('data_dir', dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = accountsDatabasePath(dataDir);
  // Password hashes live here: owner-only, set before SQLite creates its -wal/-shm siblings,
  // which inherit the database file's mode.
  closeSync(openSync(path, 'a', 0o600));
  chmodSync(path, 0o600);
  const db = openDatabase(path);
  return { db, accounts: new SqliteAccountStore({ db, ...observe }) };
}

/** A running suite. */
export class Suite {
  readonly #services: RunningService[];
  readonly #context: ServiceContext;
  readonly #db: Database;
  readonly #definitions: readonly ServiceDefinition[];
  /** Passwords generated during this start (demo users), shown once and never stored in clear. */
  readonly newCredentials: readonly Credential[];
  readonly #tls: SuiteTls;
  #closing: Promise<void> | null = null;

  private constructor(
    services: RunningService[],
    context: ServiceContext,
    db: Database,
    definitions: readonly ServiceDefinition[],
    credentials: Credential[],
    tls: SuiteTls,
  ) {
    this.#tls = tls;
    this.#services = services;
    this.#context = context;
    this.#db = db;
    this.#definitions = definitions;
    this.newCredentials = credentials;
  }

  /** Opens the core and starts every enabled service; on failure closes what started. */
  static async start(options: SuiteOptions): Promise<Suite> {
    const { config } = options;
    const logger = options.logger ?? silentLogger();
    const metrics = createMetrics(new Registry());
    const { db, accounts } = openAccounts(config.data_dir, {
      logger: logger.child({ service: 'accounts' }),
      metrics,
    });
    const started: RunningService[] = [];
    let shared: SharedResources | undefined;
    try {
      const credentials = await provisionAccounts(accounts, config, options.demo === true);
      if (options.demo === true) ensureDemoZone(demoZonePath(config.data_dir));
      const definitions = options.services ?? SERVICES;
      const enabled = definitions.filter((d) => d.enabled(config));
      const tls = await SuiteTls.open(
        config,
        logger,
        enabled.some((d) => d.offersTls?.(config) ?? true),
      );
      const context: ServiceContext = {
        config,
        accounts,
        tls: tls.provider,
        logger,
        metrics,
        shared: (shared = new SharedResources()),
        serviceNames: () => started.map((s) => s.name),
      };
      if (options.accessLogOutput !== undefined) context.accessLogOutput = options.accessLogOutput;
      for (const definition of enabled) started.push(await definition.start(context));
      return new Suite(started, context, db, definitions, credentials, tls);
    } catch (err) {
      for (const service of started.reverse()) await service.close();
      await shared?.close((closeErr, name) => {
        logger.error({ err: closeErr, resource: name }, 'error while closing');
      });
      db.close();
      throw err;
    }
  }

  /** Every endpoint of every running service, in start order. */
  endpoints(): Endpoint[] {
    return this.#services.flatMap((s) => s.endpoints());
  }

  /** The running service named `name` (tests and embedders reach its server through it). */
  service(name: string): RunningService | undefined {
    return this.#services.find((s) => s.name === name);
  }

  /** Names of the running services. */
  get serviceNames(): string[] {
    return this.#services.map((s) => s.name);
  }

  /** The development certificate's file (PEM) when TLS uses it, else null (`[tls]` files or no TLS). */
  get devCertificate(): string | null {
    return this.#tls.devCertificate;
  }

  /** The shared context (accounts, TLS, metrics) the services run with. */
  get context(): ServiceContext {
    return this.#context;
  }

  /**
   * Applies a new configuration (SIGHUP): accounts provisioning, certificates, then each
   * service's own reload. Listener changes need a restart; everything else applies live.
   */
  async reload(config: OutpostConfig = this.#context.config): Promise<void> {
    await provisionAccounts(this.#context.accounts, config, false);
    this.#context.config = config;
    await this.#tls.reload(config);
    for (const service of this.#services) await service.reload?.(this.#context);
    const unknown = this.#definitions.filter((d) => d.enabled(config) && !this.serviceNames.includes(d.name));
    if (unknown.length > 0) {
      this.#context.logger.warn(
        { services: unknown.map((d) => d.name) },
        'newly enabled services start on the next restart',
      );
    }
  }

  /** Closes services in reverse start order, then the core. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      for (const service of [...this.#services].reverse()) {
        try {
          await service.close();
        } catch (err) {
          this.#context.logger.error({ err, service: service.name }, 'error while closing');
        }
      }
      await this.#context.shared.close((err, name) => {
        this.#context.logger.error({ err, resource: name }, 'error while closing');
      });
      this.#db.close();
    })();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Generates a password people can type: 16 characters from a 56-symbol alphabet (~93 bits). */
export function generatePassword(): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(32);
  let out = '';
  for (const b of bytes) {
    if (b >= 224) continue; // 224 = 4 * 56: keeps the choice uniform
    out += alphabet.charAt(b % alphabet.length);
    if (out.length === 16) break;
  }
  return out;
}

/**
 * scrypt runs on libuv's thread pool: hashing several new or changed passwords at once divides a
 * start's hashing time by the core count, and capping it there keeps the pool (also used by fs)
 * from being monopolised and bounds the memory (32 MiB per scrypt).
 */
const HASH_PARALLELISM = Math.max(1, Math.min(4, availableParallelism()));

/** Runs `task` over `items` with at most `limit` running at once; rejects on the first failure. */
async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Adds the config's domains and users. An unchanged user costs no scrypt on a reload
 * (AccountStore.provisionUser); a fresh process hashes each plain `password` once, in parallel.
 */
async function provisionAccounts(
  accounts: AccountStore,
  config: OutpostConfig,
  demo: boolean,
): Promise<Credential[]> {
  for (const { name } of config.domains) {
    if (!(await accounts.hasDomain(name))) await accounts.addDomain(name);
  }
  // One entry per user, the last one listed winning as when they were applied one by one.
  const secrets = new Map<string, { address: string; secret: PasswordInput }>();
  for (const user of config.users) {
    const domain = user.address.slice(user.address.lastIndexOf('@') + 1);
    if (!(await accounts.hasDomain(domain))) await accounts.addDomain(domain);
    const key = addressKey(normalizeAddress(user.address));
    secrets.delete(key);
    secrets.set(key, {
      address: user.address,
      secret:
        user.password_hash !== undefined
          ? { passwordHash: user.password_hash }
          : { password: user.password ?? '' },
    });
  }
  await forEachLimited([...secrets.values()], HASH_PARALLELISM, ({ address, secret }) =>
    accounts.provisionUser(address, secret),
  );
  if (!demo) return [];
  if (!(await accounts.hasDomain(DEMO_DOMAIN))) await accounts.addDomain(DEMO_DOMAIN);
  const created: Credential[] = [];
  for (const address of DEMO_USERS.map((local) => `${local}@${DEMO_DOMAIN}`)) {
    if ((await accounts.getUser(address)) === undefined)
      created.push({ address, password: generatePassword() });
  }
  await forEachLimited(created, HASH_PARALLELISM, ({ address, password }) =>
    accounts.addUser(address, { password }),
  );
  return created;
}
