/**
 * The suite runtime behind `outpost serve`: one process, one config, one data directory. It
 * opens the shared core (accounts database, TLS material), provisions the domains and users the
 * config declares (and the demo users of the embedded default), starts every enabled service in
 * the order of `services.ts`, reloads on request and closes everything in reverse order.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { AccountStore } from '../core/accounts/store.js';
import type { OutpostConfig } from '../core/config/schema.js';
import { openDatabase, type Database } from '../core/db.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { TlsProvider, ensureDevCertificate } from '../core/tls.js';
import { DEMO_DOMAIN, DEMO_USERS, demoZonePath } from './default-config.js';
import { ensureDemoZone } from './demo-zone.js';
import type { Endpoint, RunningService, ServiceContext, ServiceDefinition } from './service.js';
import { SharedResources } from './shared-resources.js';
import { SERVICES } from './services.js';

export interface SuiteOptions {
  config: OutpostConfig;
  logger?: Logger;
  /** Create the demo users of the embedded default when missing. */
  demo?: boolean;
  /** Override the service list (tests). */
  services?: readonly ServiceDefinition[];
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

/** Opens the data directory's accounts store (creating the directory if needed). */
export function openAccounts(dataDir: string): { db: Database; accounts: AccountStore } {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = accountsDatabasePath(dataDir);
  // Password hashes live here: owner-only, set before SQLite creates its -wal/-shm siblings,
  // which inherit the database file's mode.
  closeSync(openSync(path, 'a', 0o600));
  chmodSync(path, 0o600);
  const db = openDatabase(path);
  return { db, accounts: new AccountStore({ db }) };
}

/** A running suite. */
export class Suite {
  readonly #services: RunningService[];
  readonly #context: ServiceContext;
  readonly #db: Database;
  readonly #definitions: readonly ServiceDefinition[];
  /** Passwords generated during this start (demo users), shown once and never stored in clear. */
  readonly newCredentials: readonly Credential[];
  readonly #appliedSecrets: AppliedSecrets;
  #closing: Promise<void> | null = null;

  private constructor(
    services: RunningService[],
    context: ServiceContext,
    db: Database,
    definitions: readonly ServiceDefinition[],
    credentials: Credential[],
    appliedSecrets: AppliedSecrets,
  ) {
    this.#appliedSecrets = appliedSecrets;
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
    const { db, accounts } = openAccounts(config.data_dir);
    const started: RunningService[] = [];
    let shared: SharedResources | undefined;
    try {
      const applied: AppliedSecrets = new Map();
      const credentials = await provisionAccounts(accounts, config, options.demo === true, applied);
      if (options.demo === true) ensureDemoZone(demoZonePath(config.data_dir));
      const tls = await openTls(config, logger);
      const context: ServiceContext = {
        config,
        accounts,
        tls,
        logger,
        metrics: new Registry(),
        shared: (shared = new SharedResources()),
      };
      const definitions = options.services ?? SERVICES;
      for (const definition of definitions) {
        if (!definition.enabled(config)) continue;
        started.push(await definition.start(context));
      }
      return new Suite(started, context, db, definitions, credentials, applied);
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

  /** Names of the running services. */
  get serviceNames(): string[] {
    return this.#services.map((s) => s.name);
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
    await provisionAccounts(this.#context.accounts, config, false, this.#appliedSecrets);
    this.#context.config = config;
    this.#context.tls?.reload();
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
 * Config users' secrets as last applied, by address. A reload re-applies only entries that
 * changed, so a SIGHUP costs no scrypt per unchanged plain `password` (~110 ms each).
 */
type AppliedSecrets = Map<string, string>;

async function provisionAccounts(
  accounts: AccountStore,
  config: OutpostConfig,
  demo: boolean,
  applied: AppliedSecrets,
): Promise<Credential[]> {
  for (const { name } of config.domains) {
    if (!accounts.hasDomain(name)) accounts.addDomain(name);
  }
  for (const user of config.users) {
    const domain = user.address.slice(user.address.lastIndexOf('@') + 1);
    if (!accounts.hasDomain(domain)) accounts.addDomain(domain);
    const secret =
      user.password_hash !== undefined
        ? { passwordHash: user.password_hash }
        : { password: user.password ?? '' };
    const fingerprint = JSON.stringify(secret);
    const exists = accounts.getUser(user.address) !== undefined;
    if (exists && applied.get(user.address) === fingerprint) continue;
    if (exists) await accounts.setPassword(user.address, secret);
    else await accounts.addUser(user.address, secret);
    applied.set(user.address, fingerprint);
  }
  const created: Credential[] = [];
  if (demo) {
    if (!accounts.hasDomain(DEMO_DOMAIN)) accounts.addDomain(DEMO_DOMAIN);
    for (const local of DEMO_USERS) {
      const address = `${local}@${DEMO_DOMAIN}`;
      if (accounts.getUser(address)) continue;
      const password = generatePassword();
      await accounts.addUser(address, { password });
      created.push({ address, password });
    }
  }
  return created;
}

async function openTls(config: OutpostConfig, logger: Logger): Promise<TlsProvider | null> {
  if (config.tls) return new TlsProvider(config.tls);
  try {
    const names = [config.hostname, ...config.domains.map((d) => d.name)];
    return new TlsProvider(await ensureDevCertificate(config.data_dir, names));
  } catch (err) {
    logger.warn({ err }, 'no TLS certificate: TLS listeners and STARTTLS are off');
    return null;
  }
}
