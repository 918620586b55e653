/**
 * The IMAP server: a TcpService (plain listeners offering STARTTLS, implicit-TLS listeners for
 * port 993 per RFC 8314 §3.3) running one ImapSession per connection over the mail store.
 * Shape of every Outpost server: `createImapServer(opts)`, `listen({port: 0, host, tls})`,
 * `address()`, idempotent draining `close()`, `[Symbol.asyncDispose]`.
 */
import type { SecureContext } from 'node:tls';
import type { AccountStore } from '../core/accounts/store.js';
import { loginPolicyGetter, type LoginPolicy } from '../core/auth/login-policy.js';
import type { LineConnectionOptions } from '../core/line/connection.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { CommandMeter, createMetrics, type ServiceMetrics } from '../core/metrics.js';
import { connectionLimits, TcpServer, type ConnectionLimitOptions } from '../core/server/tcp-server.js';
import { TcpService } from '../core/server/tcp-service.js';
import type { MailStore } from '../mail/index.js';
import { redactImapLine, statusLine } from './codec/index.js';
import { IMAP_LIMITS, IMAP_LINE_OPTIONS } from './limits.js';
import { COMMANDS } from './session/commands/table.js';
import type { ImapSessionDeps } from './session/context.js';
import { ImapSession, type ImapSessionLimits } from './session/session.js';

/** Options of createImapServer. */
export interface ImapServerOptions extends ConnectionLimitOptions {
  store: MailStore;
  accounts: Pick<AccountStore, 'authenticate'>;
  /** TLS context for STARTTLS and implicit TLS (asked per handshake, so reloads apply). */
  tlsContext?: () => SecureContext | undefined;
  /** When passwords may be sent without TLS (default: from loopback only); a function is asked
   *  per login. `reconfigure` replaces it for new sessions. */
  loginPolicy?: Partial<LoginPolicy> | (() => LoginPolicy);
  /** APPEND limit in octets (APPENDLIMIT, RFC 7889); default 25 MiB. */
  maxMessageSize?: number;
  /** Name in the greeting. */
  hostname?: string;
  logger?: Logger;
  metrics?: ServiceMetrics;
  /** Line-layer overrides (tests shorten the idle timeout). */
  connection?: Omit<LineConnectionOptions, 'protocol'>;
  session?: ImapSessionLimits;
}

/** What a reload may change (`reconfigure`): each session keeps the settings it was accepted with. */
export interface ImapSettings {
  readonly loginPolicy: Partial<LoginPolicy> | (() => LoginPolicy);
}

/** An IMAP server over a mail store (listen, address, close and the rest: TcpServer). */
export class ImapServer extends TcpServer<{ loginPolicy: () => LoginPolicy }> {
  protected readonly tcp: TcpService<{ loginPolicy: () => LoginPolicy }>;
  readonly #tlsContext: () => SecureContext | undefined;

  constructor(options: ImapServerOptions) {
    super();
    const logger = options.logger ?? silentLogger();
    const metrics = options.metrics ?? createMetrics();
    const tlsContext = options.tlsContext ?? (() => undefined);
    this.#tlsContext = tlsContext;
    const deps: Omit<ImapSessionDeps, 'loginPolicy'> = {
      store: options.store,
      accounts: options.accounts,
      tlsContext,
      maxMessageSize: options.maxMessageSize ?? IMAP_LIMITS.defaultAppendOctets,
      hostname: options.hostname ?? 'localhost',
      logger,
      commands: new CommandMeter(
        metrics,
        'imap',
        COMMANDS.flatMap((c) => c.names),
      ),
    };
    this.tcp = new TcpService({
      protocol: 'imap',
      handle: (conn, _listener, settings) =>
        new ImapSession(conn, { ...deps, loginPolicy: settings.loginPolicy }, options.session).run(),
      settings: { loginPolicy: loginPolicyGetter(options.loginPolicy) },
      connection: { ...IMAP_LINE_OPTIONS, redact: redactImapLine, ...options.connection },
      tlsContext,
      busyReply: statusLine(null, 'BYE', 'Too many connections; try again later', { code: 'UNAVAILABLE' }),
      logger,
      metrics,
      ...connectionLimits(options),
    });
  }

  /** Gives sessions accepted from now on `settings`; open sessions keep the ones they began with. */
  reconfigure(settings: ImapSettings): void {
    this.tcp.reconfigure({ loginPolicy: loginPolicyGetter(settings.loginPolicy) });
  }

  /** True when a certificate is available, so plain listeners offer STARTTLS. */
  starttlsAvailable(): boolean {
    return this.#tlsContext() !== undefined;
  }
}

/** Creates an IMAP server; call `listen()` for each address. */
export function createImapServer(options: ImapServerOptions): ImapServer {
  return new ImapServer(options);
}
