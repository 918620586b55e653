/**
 * The POP3 server: a TcpService (plain listeners offering STLS, implicit-TLS listeners for
 * port 995 per RFC 8314 §3.3) running one Pop3Session per connection over the mail store. It
 * owns what sessions share: the maildrop locks (RFC 1939 §4) and the cache of INBOX indexes.
 * Shape of every Outpost server: `createPop3Server(opts)`, `listen({port: 0, host, tls})`,
 * `address()`, idempotent draining `close()`, `[Symbol.asyncDispose]`.
 */
import type { SecureContext } from 'node:tls';
import type { AccountStore } from '../core/accounts/store.js';
import { loginPolicyGetter, withLegacyLoginOptions, type LoginPolicy } from '../core/auth/login-policy.js';
import type { LineConnectionOptions } from '../core/line/connection.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { CommandMeter, createMetrics, type ServiceMetrics } from '../core/metrics.js';
import { connectionLimits, TcpServer, type ConnectionLimitOptions } from '../core/server/tcp-server.js';
import { TcpService } from '../core/server/tcp-service.js';
import type { MailStore } from '../mail/index.js';
import { redactCommand } from './codec/command.js';
import { errLine } from './codec/reply.js';
import { COMMANDS } from './commands/table.js';
import { POP3_LIMITS } from './limits.js';
import { MaildropCache, MaildropLocks } from './maildrop.js';
import { Pop3Session, type Pop3SessionLimits } from './session.js';

/** Options of createPop3Server. */
export interface Pop3ServerOptions extends ConnectionLimitOptions {
  store: MailStore;
  accounts: Pick<AccountStore, 'authenticate'>;
  /** TLS context for STLS and implicit TLS (asked per handshake, so reloads apply). */
  tlsContext?: () => SecureContext | undefined;
  /** When passwords may be sent without TLS (default: from loopback only, as `[pop3]`'s
   *  defaults); a function is asked per login. `reconfigure` replaces it for new sessions. */
  loginPolicy?: Partial<LoginPolicy> | (() => LoginPolicy);
  /** @deprecated Use `loginPolicy: { allowPlaintextOnLoopback }`; still honoured. */
  allowPlaintextOnLoopback?: boolean;
  /** Name in the greeting and sign-off. */
  hostname?: string;
  logger?: Logger;
  metrics?: ServiceMetrics;
  /** Line-layer overrides (tests shorten the idle timeout). */
  connection?: Omit<LineConnectionOptions, 'protocol'>;
  session?: Pop3SessionLimits;
}

/** What a reload may change (`reconfigure`): each session keeps the settings it was accepted with. */
export interface Pop3Settings {
  readonly loginPolicy: Partial<LoginPolicy> | (() => LoginPolicy);
}

/** A POP3 server over a mail store (listen, address, close and the rest: TcpServer). */
export class Pop3Server extends TcpServer<{ loginPolicy: () => LoginPolicy }> {
  readonly locks = new MaildropLocks();
  protected readonly tcp: TcpService<{ loginPolicy: () => LoginPolicy }>;
  readonly #tlsContext: () => SecureContext | undefined;

  constructor(options: Pop3ServerOptions) {
    super();
    const logger = options.logger ?? silentLogger();
    const metrics = options.metrics ?? createMetrics();
    const tlsContext = options.tlsContext ?? (() => undefined);
    this.#tlsContext = tlsContext;
    const deps = {
      store: options.store,
      accounts: options.accounts,
      locks: this.locks,
      maildrops: new MaildropCache(),
      tlsContext,
      hostname: options.hostname ?? 'localhost',
      logger,
      commands: new CommandMeter(
        metrics,
        'pop3',
        COMMANDS.map((c) => c.verb),
      ),
    };
    this.tcp = new TcpService({
      protocol: 'pop3',
      handle: (conn, _listener, settings) =>
        new Pop3Session(conn, { ...deps, loginPolicy: settings.loginPolicy }, options.session).run(),
      settings: {
        // eslint-disable-next-line @typescript-eslint/no-deprecated -- the deprecated option is honoured on purpose
        loginPolicy: policyGetter(options.loginPolicy, options.allowPlaintextOnLoopback),
      },
      connection: {
        maxLineOctets: POP3_LIMITS.maxLineOctets,
        idleTimeoutMs: POP3_LIMITS.idleTimeoutMs,
        sessionTimeoutMs: POP3_LIMITS.sessionTimeoutMs,
        redact: redactCommand,
        ...options.connection,
      },
      tlsContext,
      busyReply: errLine('SYS/TEMP', 'Too many connections; try again later'),
      logger,
      metrics,
      ...connectionLimits(options),
    });
  }

  /** Gives sessions accepted from now on `settings`; open sessions keep the ones they began with. */
  reconfigure(settings: Pop3Settings): void {
    this.tcp.reconfigure({ loginPolicy: policyGetter(settings.loginPolicy, undefined) });
  }

  /** True when a certificate is available, so plain listeners offer STLS. */
  stlsAvailable(): boolean {
    return this.#tlsContext() !== undefined;
  }
}

/** `policy` as a getter, the deprecated `allowPlaintextOnLoopback` option filled in under a partial one. */
function policyGetter(
  policy: Partial<LoginPolicy> | (() => LoginPolicy) | undefined,
  allowPlaintextOnLoopback: boolean | undefined,
): () => LoginPolicy {
  return loginPolicyGetter(
    typeof policy === 'function' ? policy : withLegacyLoginOptions(policy, { allowPlaintextOnLoopback }),
  );
}

/** Creates a POP3 server; call `listen()` for each address. */
export function createPop3Server(options: Pop3ServerOptions): Pop3Server {
  return new Pop3Server(options);
}
