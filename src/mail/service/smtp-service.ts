/**
 * The suite's `smtp` service: an SMTP server with the `[smtp]` listeners (MX, submission,
 * implicit-TLS submission), wired to the accounts (local domains and users, AUTH with the
 * account throttle), to the shared mail store (opened once per suite under `mail-store`, so
 * POP3/IMAP see the same instance) and to the outbound queue runner. An accepted message is ONE
 * `store.accept()`: the local copies (with `Return-Path:` and our `Received:`) and the queue
 * entry for remote recipients (with our `Received:`) commit together, then the runner is kicked.
 * Submitted messages get a Message-ID:/Date: when missing (RFC 6409 §8).
 *
 * Postmaster mail (RFC 5321 §4.5.1) goes to `[smtp] postmaster` or its default (see
 * local-recipients.ts); a configured postmaster that is not an enabled account stops the start.
 * A reload applies the live `[smtp]` settings and the postmaster to NEW sessions (open ones keep
 * theirs) and the queue settings (relay port, DNS server, lifetime, backoff, postmaster for
 * double bounces) to the runner's next attempt (QueueRunner.reconfigure); listeners and the host
 * name need a restart, which the log says (smtp-settings.ts).
 */
import type { AccountStore } from '../../core/accounts/store.js';
import type { OutpostConfig } from '../../core/config/schema.js';
import type { Logger } from '../../core/logger.js';
import type { ServiceMetrics } from '../../core/metrics.js';
import type {
  Endpoint,
  RunningService,
  ServiceContext,
  ServiceDefinition,
} from '../../core/service/service.js';
import { completeForSubmission } from '../message/submission.js';
import { queueDnsServerOf, queueRunnerFromContext, queueSettingsFromContext } from '../queue/from-config.js';
import { registerQueueGauges } from '../queue/metrics.js';
import type { QueueRunnerSettings } from '../queue/runner.js';
import { reply, type SmtpReply } from '../smtp/codec/reply.js';
import { createSmtpServer, type SmtpServer } from '../smtp/server.js';
import type { ReceivedMessage, SmtpHooks } from '../smtp/session-context.js';
import { receivedHeader, returnPathHeader, withProtocol } from '../smtp/trace.js';
import type { ListenerKind } from '../smtp/policy.js';
import { choosePostmaster, localRecipients, type PostmasterChoice } from '../local-recipients.js';
import { liveSettings, restartOnlyChanges } from './smtp-settings.js';
import { sharedMailStore } from './mail-store.js';
import type { MailStore } from '../store/types.js';
import { countReceived, MAX_HOPS } from './hops.js';

// Re-exported for callers that imported them from here (POP3); new code imports mail-store.ts.

/** The queue runner as the service drives it (src/mail/queue/runner.ts implements it). */
export interface QueueRunnerHandle {
  start(): void;
  kick(): void;
  /** Applies reloaded settings from the next delivery attempt on. */
  reconfigure(settings: QueueRunnerSettings): void;
  close(): Promise<void>;
}

/** Everything the delivery hook needs. */
export interface DeliveryContext {
  readonly store: MailStore;
  readonly hostname: string;
  readonly logger: Logger;
  /** Counts local deliveries (`outpost_deliveries_total`, route `local`). */
  readonly metrics?: ServiceMetrics;
  /** Called after a commit that queued outbound mail. */
  readonly onQueued: () => void;
}

/** Builds the session hooks over accounts and a store; `postmaster` is `[smtp] postmaster`. */
export function smtpHooks(accounts: AccountStore, delivery: DeliveryContext, postmaster?: string): SmtpHooks {
  return {
    ...localRecipients(accounts, postmaster),
    authenticate: async (username, password, ip) => {
      const r = await accounts.authenticate(username, password, { ip, protocol: 'smtp' });
      if (r.ok) return { ok: true, user: r.user.address };
      return { ok: false, reason: r.reason };
    },
    deliver: (message) => deliverMessage(message, delivery),
  };
}

/** Stores a received message (see the file comment); the reply is 250 only after the commit. */
export async function deliverMessage(m: ReceivedMessage, d: DeliveryContext): Promise<SmtpReply> {
  const { envelope, session } = m;
  if (countReceived(m.body) >= MAX_HOPS) {
    // RFC 5321 §6.3: a message with too many Received: lines is in a loop.
    return reply(554, '5.4.6', 'Too many hops: mail loop detected');
  }
  let body = m.body;
  if (session.listener !== 'mx' || session.user !== null) {
    try {
      body = completeForSubmission(body, { hostname: d.hostname, now: m.receivedAt });
    } catch {
      return reply(554, '5.6.0', 'Message header section is malformed or too large');
    }
  }
  const local = envelope.recipients.filter((r) => r.route === 'local');
  const remote = envelope.recipients.filter((r) => r.route === 'remote');
  const only = envelope.recipients.length === 1 ? envelope.recipients[0]?.address : undefined;
  const received = Buffer.from(
    receivedHeader({
      helo: session.helo,
      remoteAddress: session.remoteAddress,
      by: d.hostname,
      protocol: withProtocol({
        esmtp: session.esmtp,
        tls: session.secure,
        auth: session.user !== null,
        utf8: envelope.params.smtputf8,
      }),
      id: session.id,
      ...(only === undefined ? {} : { for: only }),
      ...(session.tlsProtocol === null ? {} : { tls: session.tlsProtocol }),
      date: m.receivedAt,
    }),
  );
  const result = await d.store.accept({
    receivedAt: m.receivedAt,
    origin: `smtp-${session.id}`,
    local: local.map((r) => ({ user: r.address })),
    ...(local.length > 0
      ? { localBytes: Buffer.concat([Buffer.from(returnPathHeader(envelope.mailFrom)), received, body]) }
      : {}),
    ...(remote.length > 0
      ? {
          outbound: {
            mailFrom: envelope.mailFrom,
            recipients: remote.map((r) => ({
              address: r.address,
              ...(r.params.notify ? { notify: r.params.notify } : {}),
              ...(r.params.orcpt !== undefined ? { orcpt: r.params.orcpt } : {}),
            })),
            bytes: Buffer.concat([received, body]),
            ...(envelope.params.envId !== undefined ? { envId: envelope.params.envId } : {}),
            ...(envelope.params.ret !== undefined ? { ret: envelope.params.ret } : {}),
          },
        }
      : {}),
  });
  if (result.queueId !== null) d.onQueued();
  if (local.length > 0) d.metrics?.deliveriesTotal.inc({ route: 'local', result: 'delivered' }, local.length);
  d.logger.info(
    {
      session: session.id,
      ip: session.remoteAddress,
      ...(session.user === null ? {} : { user: session.user }),
      from: envelope.mailFrom,
      local: local.length,
      remote: remote.length,
      queueId: result.queueId,
    },
    'smtp: message accepted',
  );
  return reply(250, '2.0.0', `OK: queued as ${result.queueId ?? session.id}`);
}

const NOTES: Record<ListenerKind, string> = {
  mx: 'MX (our domains only)',
  submission: 'submission (STARTTLS + AUTH)',
  smtps: 'submission (implicit TLS + AUTH)',
};

/** The running service. */
export class SmtpService implements RunningService {
  readonly name = 'smtp';
  readonly server: SmtpServer;
  readonly store: MailStore;
  readonly #runner: QueueRunnerHandle | null;
  readonly #tls: boolean;
  readonly #delivery: DeliveryContext;
  /** The configuration the running server was built or last reloaded from. */
  #config: OutpostConfig;
  #closed: Promise<void> | null = null;

  private constructor(
    server: SmtpServer,
    delivery: DeliveryContext,
    runner: QueueRunnerHandle | null,
    context: ServiceContext,
  ) {
    this.server = server;
    this.store = delivery.store;
    this.#delivery = delivery;
    this.#runner = runner;
    this.#tls = context.tls !== null;
    this.#config = context.config;
  }

  /** Opens the store, starts the queue runner, binds every configured listener. */
  static async start(
    context: ServiceContext,
    makeRunner?: (store: MailStore) => QueueRunnerHandle,
  ): Promise<SmtpService> {
    const smtp = context.config.smtp;
    if (!smtp) throw new Error('smtp service started without an [smtp] table');
    const logger = context.logger.child({ service: 'smtp' });
    const postmaster = await choosePostmaster(context.accounts, smtp.postmaster);
    const store = sharedMailStore(context);
    const runner = makeRunner?.(store) ?? null;
    const hostname = context.config.hostname;
    const tls = context.tls;
    const metrics = context.metrics;
    const delivery: DeliveryContext = { store, hostname, logger, metrics, onQueued: () => runner?.kick() };
    registerQueueGauges(context.metrics.registry, store.queue);
    const server = createSmtpServer({
      hostname,
      hooks: smtpHooks(context.accounts, delivery, smtp.postmaster),
      tlsContext: () => tls?.current(),
      ...liveSettings(smtp),
      logger,
      metrics,
    });
    logPostmaster(logger, postmaster);
    const service = new SmtpService(server, delivery, runner, context);
    try {
      for (const a of smtp.listen) await server.listen({ ...a, kind: 'mx' });
      for (const a of smtp.submission_listen) await server.listen({ ...a, kind: 'submission' });
      for (const a of smtp.tls_listen) await server.listen({ ...a, kind: 'smtps' });
    } catch (err) {
      await service.close();
      throw err;
    }
    runner?.start();
    return service;
  }

  endpoints(): Endpoint[] {
    return this.server.listeners().map(({ kind, address }) => ({
      service: 'smtp',
      transport: 'tcp',
      host: address.address,
      port: address.port,
      tls: kind === 'smtps' ? 'implicit' : this.#tls ? 'starttls' : 'none',
      role: kind,
      note: NOTES[kind],
    }));
  }

  /**
   * SIGHUP: applies the live `[smtp]` settings (limits, timeouts, AUTH policy) and the
   * postmaster to sessions accepted from now on; open sessions keep theirs. The queue runner takes
   * its new settings for its next attempt; attempts in flight finish as they began. Certificates are read
   * per handshake and accounts per command, so they need nothing here. Keys read only at start
   * are named in a warning. A postmaster that is not an enabled account refuses the whole
   * `[smtp]` reload (logged as an error, the running settings stay): a half-applied reload is
   * worse than none. It does not throw, so the suite's other services still reload.
   */
  async reload(context: ServiceContext): Promise<void> {
    const logger = this.#delivery.logger;
    const smtp = context.config.smtp;
    if (!smtp) {
      logger.warn('smtp: the [smtp] table was removed; the service stops at the next restart');
      return;
    }
    let postmaster: PostmasterChoice | null;
    try {
      postmaster = await choosePostmaster(context.accounts, smtp.postmaster);
    } catch (err) {
      logger.error({ err }, 'smtp: reload refused, the running [smtp] settings stay');
      return;
    }
    const live = liveSettings(smtp);
    this.server.reconfigure({ ...live, hooks: smtpHooks(context.accounts, this.#delivery, smtp.postmaster) });
    const queue = queueSettingsFromContext(context);
    this.#runner?.reconfigure(queue);
    logPostmaster(logger, postmaster);
    logger.info(
      {
        relayPort: queue.relayPort,
        dnsServer: queueDnsServerOf(context) ?? 'resolv.conf',
        queueLifetimeSeconds: smtp.queue_lifetime_seconds,
        retryInitialSeconds: smtp.retry_initial_seconds,
        retryMaxSeconds: smtp.retry_max_seconds,
      },
      'smtp: queue settings reloaded for the next delivery attempt',
    );
    logger.info(
      {
        ...live.limits,
        idleTimeoutMs: live.idleTimeoutMs,
        loginPolicy: live.loginPolicy,
      },
      'smtp: settings reloaded for new sessions',
    );
    const restart = restartOnlyChanges(this.#config, context.config);
    if (restart.length > 0) {
      logger.warn(
        { keys: restart },
        `smtp: ${restart.join(', ')} changed but take effect only after a restart (listeners and the host name are set up at start)`,
      );
    } else {
      this.#config = context.config;
    }
    return Promise.resolve();
  }

  /** Drains the listeners, then stops the runner; the suite closes the shared store. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      await this.server.close();
      await this.#runner?.close();
    })();
    return this.#closed;
  }
}

function logPostmaster(logger: Logger, choice: PostmasterChoice | null): void {
  if (choice === null) {
    logger.warn(
      'smtp: no enabled account can receive postmaster mail; <Postmaster> is refused until one exists',
    );
  } else {
    logger.info(
      { postmaster: choice.address, source: choice.source },
      'smtp: postmaster mail goes to this account',
    );
  }
}

/** The suite's SMTP service definition (see src/suite/services.ts). */
export const smtpServiceDefinition: ServiceDefinition = {
  name: 'smtp',
  enabled: (config) =>
    config.smtp !== undefined &&
    config.smtp.listen.length + config.smtp.submission_listen.length + config.smtp.tls_listen.length > 0,
  // STARTTLS is offered on every listener (and SMTPS is TLS from the first byte).
  offersTls: () => true,
  start: (context) => SmtpService.start(context, (store) => queueRunnerFromContext(context, store)),
};
