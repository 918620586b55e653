/**
 * The FTP service of the suite: one FtpServer bound to every `[ftp] listen` (AUTH TLS offered when
 * a certificate is available) and `tls_listen` address, logging in the suite's accounts
 * (throttled by the account store). Homes are `<home_root or data_dir/ftp>/<address>`, created on
 * first login; `[[ftp.permissions]]` narrows what a user may do; `anonymous_root` turns on
 * read-only anonymous access. A bare local part is accepted as the login name when the suite has
 * exactly one domain. HOST (RFC 7151) selects a virtual host: a suite domain (or a name under
 * it), the suite's hostname, or a `[ftp.virtual_hosts]` entry; on a domain's host bare names
 * belong to that domain and other domains' accounts cannot log in.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { AccountStore } from '../../core/accounts/store.js';
import { loginPolicyFromConfig } from '../../core/auth/login-policy.js';
import type { OutpostConfig } from '../../core/config/schema.js';
import { ConfigError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { checkDirectoryToCreate, checkExistingDirectory } from '../../core/paths.js';
import { domainOfHost, type HostArgument } from '../codec/host.js';
import { FTP_LIMITS } from '../limits.js';
import type {
  Endpoint,
  RunningService,
  ServiceContext,
  ServiceDefinition,
} from '../../core/service/service.js';
import { bindListeners, tcpEndpoints } from '../../core/service/tcp-listeners.js';
import { parsePortRange, type PortRange } from '../server/data-channel.js';
import { createFtpServer, type FtpServer, type FtpSettings } from '../server/ftp-server.js';
import type { FtpPermissions } from '../server/user-fs.js';
import type { LoginOutcome } from '../session/session.js';
import type { VirtualHost } from '../session/state.js';

type FtpConfig = NonNullable<OutpostConfig['ftp']>;

/**
 * What the service needs from `[ftp]` before it starts (and `outpost config check` asks): a
 * valid passive port range, an existing `anonymous_root` (the virtual hosts' too), a usable (or creatable) `home_root`.
 */
export function checkFtpConfig(config: OutpostConfig): PortRange | undefined {
  const ftp = config.ftp;
  if (!ftp) return undefined;
  const range = ftp.passive_ports === undefined ? undefined : parsePortRange(ftp.passive_ports);
  if (range === null) {
    throw new ConfigError(
      `ftp.passive_ports: bad range ${ftp.passive_ports ?? ''} (expected low-high within 1-65535)`,
      'ftp.passive_ports',
    );
  }
  if (ftp.anonymous_root !== undefined) checkExistingDirectory('ftp.anonymous_root', ftp.anonymous_root);
  if (ftp.home_root !== undefined) checkDirectoryToCreate('ftp.home_root', ftp.home_root);
  for (const [name, host] of Object.entries(ftp.virtual_hosts)) {
    const root = host.anonymous_root;
    if (root !== undefined) checkExistingDirectory(`ftp.virtual_hosts."${name}".anonymous_root`, root);
  }
  return range;
}

/**
 * The login name as the account store knows it: a bare local part belongs to the selected
 * host's domain, else to the suite's only domain. Null when the name belongs to another domain
 * than the selected host's.
 */
export async function accountName(
  name: string,
  accounts: AccountStore,
  host: VirtualHost | null = null,
): Promise<string | null> {
  const domain = host?.domain;
  const at = name.lastIndexOf('@');
  if (at !== -1) return domain === undefined || name.slice(at + 1).toLowerCase() === domain ? name : null;
  if (domain !== undefined) return `${name}@${domain}`;
  const domains = await accounts.listDomains();
  return domains.length === 1 && domains[0] ? `${name}@${domains[0].name}` : name;
}

/** A configured name as HOST arguments are compared: lower case, no trailing dot. */
function canonicalName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/**
 * The virtual host a HOST argument selects, or null when this suite does not serve it: an IP
 * literal or the suite's hostname is the default host; a suite domain or a name under it selects
 * that domain; a `[ftp.virtual_hosts]` entry adds its anonymous tree.
 */
export function virtualHostFor(
  requested: HostArgument,
  config: OutpostConfig,
  domains: readonly string[],
): VirtualHost | null {
  if (requested.kind === 'address') return { name: `[${requested.address}]` };
  const { name } = requested;
  const entries = new Map(
    Object.entries(config.ftp?.virtual_hosts ?? {}).map(([key, entry]) => [canonicalName(key), entry]),
  );
  const entryName = domainOfHost(name, [...entries.keys()]);
  const entry = entryName === null ? undefined : entries.get(entryName);
  const domain = domainOfHost(name, domains) ?? undefined;
  const own = canonicalName(config.hostname);
  if (entry === undefined && domain === undefined && name !== own && name !== 'localhost') return null;
  return { name, domain, anonymousRoot: entry?.anonymous_root };
}

/** The home directory of `address`. */
export function homeOf(config: OutpostConfig, address: string): string {
  const root = config.ftp?.home_root ?? join(config.data_dir, 'ftp');
  return join(root, address.toLowerCase());
}

/** The permissions of `address` (default: everything in one's own home). */
export function permissionsOf(ftp: FtpConfig, address: string): FtpPermissions {
  const entry = ftp.permissions.find((p) => p.user.toLowerCase() === address.toLowerCase());
  return entry
    ? { read: entry.read, write: entry.write, delete: entry.delete }
    : { read: true, write: true, delete: true };
}

/**
 * The `[ftp]` settings a session takes when it is accepted, at start and after a reload:
 * listeners and `max_connections_per_ip` are read once at start.
 */
export function liveFtpSettings(config: OutpostConfig): FtpSettings {
  const ftp = config.ftp;
  if (!ftp) throw new Error('ftp settings asked without an [ftp] table');
  return {
    anonymousRoot: ftp.anonymous_root,
    loginPolicy: loginPolicyFromConfig(ftp),
    passivePorts: checkFtpConfig(config),
    passiveAddress: ftp.passive_address,
    idleTimeoutMs: ftp.idle_timeout_seconds * 1000,
    dataConnectTimeoutMs: Math.min(ftp.data_timeout_seconds * 1000, FTP_LIMITS.maxDataConnectTimeoutMs),
    dataIdleTimeoutMs: ftp.data_timeout_seconds * 1000,
    fsync: ftp.fsync,
  };
}

/** The running FTP service. */
export class FtpService implements RunningService {
  readonly name = 'ftp';
  readonly server: FtpServer;
  #config: OutpostConfig;
  readonly #tlsAvailable: boolean;
  readonly #logger: Logger;

  private constructor(context: ServiceContext) {
    this.#config = context.config;
    const ftp = context.config.ftp;
    if (!ftp) throw new Error('ftp service started without an [ftp] table');
    const tls = context.tls;
    this.#tlsAvailable = tls !== null;
    this.#logger = context.logger.child({ service: 'ftp' });
    this.server = createFtpServer({
      authenticate: (user, password, ip, host) =>
        this.#authenticate(context.accounts, { user, password, ip, host }),
      virtualHost: async (requested) =>
        virtualHostFor(
          requested,
          this.#config,
          (await context.accounts.listDomains()).map((d) => d.name),
        ),
      ...liveFtpSettings(context.config),
      ...(tls ? { tlsContext: () => tls.current() } : {}),
      ...(ftp.max_connections_per_ip === undefined
        ? {}
        : { maxConnectionsPerIp: ftp.max_connections_per_ip }),
      logger: this.#logger,
      metrics: context.metrics,
    });
  }

  /** Binds every configured listener. */
  static async start(context: ServiceContext): Promise<FtpService> {
    const service = new FtpService(context);
    const ftp = context.config.ftp;
    await bindListeners(service.server, ftp ?? { listen: [], tls_listen: [] }, () => service.close());
    return service;
  }

  endpoints(): Endpoint[] {
    return tcpEndpoints('ftp', this.server.listeners(), this.#tlsAvailable, (l) =>
      l.tls ? 'implicit FTPS' : 'AUTH TLS',
    );
  }

  /**
   * SIGHUP: the live `[ftp]` settings (login policy, anonymous root, passive ports and address,
   * timeouts, fsync) apply to sessions accepted from now on; open sessions keep theirs. Virtual
   * hosts (at HOST), permissions and home_root (at login) are read from the new configuration. A bad passive range
   * refuses the `[ftp]` reload (logged; the running settings stay) without throwing, so the
   * suite's other services still reload.
   */
  reload(context: ServiceContext): Promise<void> {
    if (!context.config.ftp) return Promise.resolve();
    let settings: FtpSettings;
    try {
      settings = liveFtpSettings(context.config);
    } catch (err) {
      this.#logger.error({ err }, 'ftp: reload refused, the running [ftp] settings stay');
      return Promise.resolve();
    }
    this.server.reconfigure(settings);
    this.#config = context.config;
    this.#logger.info('ftp: settings reloaded for new sessions');
    return Promise.resolve();
  }

  close(): Promise<void> {
    return this.server.close();
  }

  async #authenticate(
    accounts: AccountStore,
    login: { user: string; password: string; ip: string; host: VirtualHost | null },
  ): Promise<LoginOutcome> {
    const { password, ip } = login;
    const address = await accountName(login.user, accounts, login.host);
    // Another domain's account on this domain's host: refused as any wrong login is.
    if (address === null) return { ok: false, reason: 'invalid' };
    const result = await accounts.authenticate(address, password, { ip, protocol: 'ftp' });
    if (!result.ok) return { ok: false, reason: result.reason };
    const ftp = this.#config.ftp;
    const root = homeOf(this.#config, result.user.address);
    await mkdir(root, { recursive: true, mode: 0o700 });
    return {
      ok: true,
      user: { name: result.user.address, anonymous: false },
      root,
      permissions: ftp ? permissionsOf(ftp, result.user.address) : { read: true, write: true, delete: true },
    };
  }
}

/** The suite's FTP service definition. */
export const ftpServiceDefinition: ServiceDefinition = {
  name: 'ftp',
  enabled: (config) => config.ftp !== undefined,
  // AUTH TLS on the plain listener, implicit FTPS on tls_listen.
  offersTls: () => true,
  check: (config) => {
    checkFtpConfig(config);
  },
  start: (context) => FtpService.start(context),
};
