/**
 * The SMTP server: one session state machine behind three kinds of listener — MX (`mx`, only
 * our domains' users), submission (`submission`, RFC 6409: STARTTLS then AUTH required) and
 * implicit-TLS submission (`smtps`, RFC 8314). Each kind has its own TcpService (connection
 * limits, busy reply, draining close); transcripts hide AUTH secrets. Embeddable shape:
 * `createSmtpServer(opts)`, `listen({port: 0, host, kind})`, `address()`, idempotent `close()`.
 * `reconfigure()` swaps the hooks, limits, AUTH policy and idle timeout for sessions accepted
 * from then on; a session keeps the settings it started with (a reload never changes the rules
 * in the middle of a transaction).
 */
import type { AddressInfo } from 'node:net';
import type { SecureContext } from 'node:tls';
import {
  resolveLoginPolicy,
  withLegacyLoginOptions,
  type LoginPolicy,
} from '../../core/auth/login-policy.js';
import { TcpService } from '../../core/server/tcp-service.js';
import type { Logger } from '../../core/logger.js';
import { silentLogger } from '../../core/logger.js';
import { CommandMeter, createMetrics, type ServiceMetrics } from '../../core/metrics.js';
import { COMMANDS } from './commands/table.js';
import { DEFAULT_SMTP_LIMITS, SMTP_LIMITS, type SmtpLimits } from './limits.js';
import type { ListenerKind } from './policy.js';
import type { SmtpHooks } from './session-context.js';
import { SmtpSession } from './session.js';

/** Options of `createSmtpServer`. */
export interface SmtpServerOptions {
  /** Our host name: greeting, EHLO, Received: lines. */
  hostname: string;
  hooks: SmtpHooks;
  /** Current TLS context (STARTTLS and implicit TLS); undefined when there is no certificate. */
  tlsContext?: () => SecureContext | undefined;
  limits?: Partial<SmtpLimits>;
  /** When AUTH, and submission without STARTTLS, may be used without TLS (default: from
   *  127.0.0.0/8 and ::1 only, as `[smtp]`'s defaults). */
  loginPolicy?: Partial<LoginPolicy>;
  /** @deprecated Use `loginPolicy: { allowPlaintextOnLoopback }`; still honoured. */
  plaintextAuthOnLoopback?: boolean;
  /** Idle timeout per connection, in ms (RFC 5321 §4.5.3.2.7: at least 5 minutes). */
  idleTimeoutMs?: number;
  maxConnectionsPerIp?: number;
  logger?: Logger;
  metrics?: ServiceMetrics;
  now?: () => Date;
}

/** What `reconfigure` can change; each session takes the settings current when it is accepted. */
export interface SmtpSettings {
  readonly hooks: SmtpHooks;
  readonly limits: SmtpLimits;
  readonly loginPolicy: LoginPolicy;
  /** Idle timeout per connection, in ms. */
  readonly idleTimeoutMs: number;
}

/** A change of settings: what is absent stays as it is (limits merge key by key). */
export type SmtpSettingsChange = Partial<Omit<SmtpSettings, 'limits'>> & { limits?: Partial<SmtpLimits> };

/** Where to listen. */
export interface SmtpListenOptions {
  port?: number;
  host?: string;
  /** Default `mx`. */
  kind?: ListenerKind;
}

/** Hides the credentials of `AUTH PLAIN <response>` in transcripts. */
export function redactSmtpLine(line: string): string {
  const m = /^(AUTH\s+\S+)\s+\S/i.exec(line);
  return m ? `${m[1] ?? 'AUTH'} ****` : line;
}

/** A running SMTP server (see the file comment). */
export class SmtpServer implements AsyncDisposable {
  readonly #options: SmtpServerOptions;
  /** The settings sessions accepted from now on start with (each TcpService holds a copy). */
  #settings: SmtpSettings;
  readonly #services = new Map<ListenerKind, TcpService<SmtpSettings>>();
  readonly #metrics: ServiceMetrics;
  readonly #commands: CommandMeter;
  readonly #bound: { kind: ListenerKind; address: AddressInfo }[] = [];
  #closing: Promise<void> | null = null;

  constructor(options: SmtpServerOptions) {
    this.#options = options;
    this.#metrics = options.metrics ?? createMetrics();
    this.#commands = new CommandMeter(this.#metrics, 'smtp', COMMANDS.keys());
    this.#settings = {
      hooks: options.hooks,
      limits: { ...DEFAULT_SMTP_LIMITS, ...options.limits },
      loginPolicy: resolveLoginPolicy(withLegacyLoginOptions(options.loginPolicy, options)),
      idleTimeoutMs: options.idleTimeoutMs ?? SMTP_LIMITS.idleTimeoutMs,
    };
  }

  /** The settings new sessions start with. */
  get settings(): SmtpSettings {
    return this.#settings;
  }

  /** Applies `change` to sessions accepted from now on (see the file comment). */
  reconfigure(change: SmtpSettingsChange): void {
    const { limits, ...rest } = change;
    this.#settings = { ...this.#settings, ...rest, limits: { ...this.#settings.limits, ...limits } };
    for (const service of this.#services.values()) service.reconfigure(this.#settings);
  }

  /** Binds a listener of `kind`; resolves with its address. */
  async listen(options: SmtpListenOptions = {}): Promise<AddressInfo> {
    const kind = options.kind ?? 'mx';
    const service = this.#service(kind);
    const address = await service.listen({
      port: options.port ?? 0,
      host: options.host ?? '127.0.0.1',
      tls: kind === 'smtps',
      role: kind,
    });
    this.#bound.push({ kind, address });
    return address;
  }

  /** The first listener's address, or null. */
  address(): AddressInfo | null {
    return this.#bound[0]?.address ?? null;
  }

  /** Every bound listener with its kind. */
  listeners(): readonly { kind: ListenerKind; address: AddressInfo }[] {
    return this.#bound;
  }

  /** Open connections over every listener. */
  get connectionCount(): number {
    let n = 0;
    for (const s of this.#services.values()) n += s.connectionCount;
    return n;
  }

  /** Stops accepting, lets sessions finish (421 at their next command), then closes. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= Promise.all([...this.#services.values()].map((s) => s.close())).then(() => undefined);
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #service(kind: ListenerKind): TcpService<SmtpSettings> {
    let service = this.#services.get(kind);
    if (service !== undefined) return service;
    const o = this.#options;
    const logger = o.logger ?? silentLogger();
    const tlsContext = o.tlsContext ?? (() => undefined);
    const metrics = this.#metrics;
    const commands = this.#commands;
    service = new TcpService({
      protocol: 'smtp',
      handle: (conn, _listener, settings) => {
        const { hooks, limits, loginPolicy } = settings;
        return new SmtpSession(conn, {
          listener: kind,
          hostname: o.hostname,
          limits,
          tlsContext,
          loginPolicy,
          hooks,
          logger,
          commands,
          messages: metrics.messagesTotal,
          ...(o.now ? { now: o.now } : {}),
        }).run();
      },
      settings: this.#settings,
      connection: (settings) => ({
        // The longest line we must read is an AUTH response (RFC 4954 §4: 12288 octets); the
        // session holds command lines to 512 and the DATA reader text lines to 1000 itself.
        maxLineOctets: SMTP_LIMITS.authLineOctets,
        idleTimeoutMs: settings.idleTimeoutMs,
        sessionTimeoutMs: SMTP_LIMITS.sessionTimeoutMs,
        redact: redactSmtpLine,
      }),
      tlsContext,
      busyReply: '421 4.7.0 Too many connections, try again later',
      maxConnections: SMTP_LIMITS.connections,
      maxConnectionsPerIp: o.maxConnectionsPerIp ?? SMTP_LIMITS.connectionsPerIp,
      logger,
      metrics,
    });
    this.#services.set(kind, service);
    return service;
  }
}

/** Creates an SMTP server; call `listen` for each listener. */
export function createSmtpServer(options: SmtpServerOptions): SmtpServer {
  return new SmtpServer(options);
}
