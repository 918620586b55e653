/**
 * The suite's POP3 service (`[pop3]`): one Pop3Server over the suite's shared mail store, bound
 * to every `listen` address (STLS offered when a certificate exists) and every `tls_listen`
 * address (implicit TLS, port 995). Configuration reloads apply the login policy to new
 * sessions (open ones keep theirs); listener changes need a restart.
 */
import { DEFAULT_LOGIN_POLICY, loginPolicyFromConfig, type LoginPolicy } from '../core/auth/login-policy.js';
import type { Endpoint, RunningService, ServiceContext, ServiceDefinition } from '../core/service/service.js';
import { bindListeners, tcpEndpoints } from '../core/service/tcp-listeners.js';
import { sharedMailStore } from '../mail/index.js';
import { createPop3Server, type Pop3Server } from './server.js';

/** `[pop3]`'s login policy (the defaults without the table). */
function policyOf(context: ServiceContext): LoginPolicy {
  const pop3 = context.config.pop3;
  return pop3 ? loginPolicyFromConfig(pop3) : DEFAULT_LOGIN_POLICY;
}

/** The running POP3 service. */
export class Pop3Service implements RunningService {
  readonly name = 'pop3';
  readonly server: Pop3Server;

  private constructor(context: ServiceContext) {
    const tls = context.tls;
    this.server = createPop3Server({
      store: sharedMailStore(context),
      accounts: context.accounts,
      tlsContext: () => tls?.current(),
      loginPolicy: policyOf(context),
      hostname: context.config.hostname,
      logger: context.logger.child({ service: 'pop3' }),
      metrics: context.metrics,
    });
  }

  /** Opens the store and binds every configured listener; on failure closes what it opened. */
  static async start(context: ServiceContext): Promise<Pop3Service> {
    const pop3 = context.config.pop3;
    if (!pop3) throw new Error('pop3 service started without a [pop3] table');
    const service = new Pop3Service(context);
    await bindListeners(service.server, pop3, () => service.close());
    return service;
  }

  endpoints(): Endpoint[] {
    return tcpEndpoints('pop3', this.server.listeners(), this.server.stlsAvailable());
  }

  reload(context: ServiceContext): Promise<void> {
    this.server.reconfigure({ loginPolicy: policyOf(context) });
    return Promise.resolve();
  }

  close(): Promise<void> {
    return this.server.close();
  }
}

/** `[pop3]` in the suite. */
export const pop3ServiceDefinition: ServiceDefinition = {
  name: 'pop3',
  enabled: (config) => config.pop3 !== undefined,
  // STLS on the plain listener, POP3S on tls_listen.
  offersTls: () => true,
  start: (context) => Pop3Service.start(context),
};
