/**
 * The suite's IMAP service (`[imap]`): one ImapServer over the suite's shared mail store, bound
 * to every `listen` address (STARTTLS offered when a certificate exists) and every `tls_listen`
 * address (implicit TLS, port 993). The APPEND limit is `max_message_size`, by default `[smtp]`'s
 * (so what SMTP accepts, IMAP can store) or 25 MiB. Configuration reloads apply the login policy
 * to new sessions (open ones keep theirs); listener and size changes need a restart.
 */
import { DEFAULT_LOGIN_POLICY, loginPolicyFromConfig, type LoginPolicy } from '../core/auth/login-policy.js';
import type { OutpostConfig } from '../core/config/schema.js';
import type { Endpoint, RunningService, ServiceContext, ServiceDefinition } from '../core/service/service.js';
import { bindListeners, tcpEndpoints } from '../core/service/tcp-listeners.js';
import { sharedMailStore } from '../mail/index.js';
import { IMAP_LIMITS } from './limits.js';
import { createImapServer, type ImapServer } from './server.js';

/** `[imap]`'s login policy (the defaults without the table). */
function policyOf(context: ServiceContext): LoginPolicy {
  const imap = context.config.imap;
  return imap ? loginPolicyFromConfig(imap) : DEFAULT_LOGIN_POLICY;
}

/** The APPEND limit: `[imap] max_message_size`, else `[smtp]`'s, else 25 MiB. */
export function imapMessageSizeLimit(config: OutpostConfig): number {
  return config.imap?.max_message_size ?? config.smtp?.max_message_size ?? IMAP_LIMITS.defaultAppendOctets;
}

/** The running IMAP service. */
export class ImapService implements RunningService {
  readonly name = 'imap';
  readonly server: ImapServer;

  private constructor(context: ServiceContext) {
    const tls = context.tls;
    this.server = createImapServer({
      store: sharedMailStore(context),
      accounts: context.accounts,
      tlsContext: () => tls?.current(),
      loginPolicy: policyOf(context),
      maxMessageSize: imapMessageSizeLimit(context.config),
      hostname: context.config.hostname,
      logger: context.logger.child({ service: 'imap' }),
      metrics: context.metrics,
    });
  }

  /** Opens the store and binds every configured listener; on failure closes what it opened. */
  static async start(context: ServiceContext): Promise<ImapService> {
    const imap = context.config.imap;
    if (!imap) throw new Error('imap service started without an [imap] table');
    const service = new ImapService(context);
    await bindListeners(service.server, imap, () => service.close());
    return service;
  }

  endpoints(): Endpoint[] {
    return tcpEndpoints('imap', this.server.listeners(), this.server.starttlsAvailable());
  }

  reload(context: ServiceContext): Promise<void> {
    this.server.reconfigure({ loginPolicy: policyOf(context) });
    return Promise.resolve();
  }

  close(): Promise<void> {
    return this.server.close();
  }
}

/** `[imap]` in the suite. */
export const imapServiceDefinition: ServiceDefinition = {
  name: 'imap',
  enabled: (config) => config.imap !== undefined,
  // STARTTLS on the plain listener, IMAPS on tls_listen.
  offersTls: () => true,
  start: (context) => ImapService.start(context),
};
