/**
 * The queue runner a suite runs, built from its configuration: `[smtp] relay_port`,
 * `dns_server` (else resolv.conf), `queue_lifetime_seconds`, `retry_initial_seconds`,
 * `retry_max_seconds`, the suite's host name, and the accounts for local domains and users (a
 * bounce to a local sender goes to that user's INBOX). The smtp service passes this as its
 * `makeRunner`.
 */
import type { ServiceContext } from '../../suite/service.js';
import type { MailStore } from '../store/types.js';
import { localRecipients } from '../local-recipients.js';
import { DnsMxResolver } from './mx-resolver.js';
import { QueueRunner } from './runner.js';

/** A QueueRunner for the suite's `[smtp]` table and the given store. */
export function queueRunnerFromContext(context: ServiceContext, store: MailStore): QueueRunner {
  const smtp = context.config.smtp;
  const dns = smtp?.dns_server;
  return new QueueRunner({
    store,
    hostname: context.config.hostname,
    relayPort: smtp?.relay_port ?? 25,
    resolver: new DnsMxResolver(dns === undefined ? {} : { server: { host: dns.host, port: dns.port } }),
    ...localRecipients(context.accounts),
    logger: context.logger.child({ service: 'smtp-queue' }),
    ...(smtp === undefined
      ? {}
      : {
          maxAgeMs: smtp.queue_lifetime_seconds * 1000,
          retryInitialMs: smtp.retry_initial_seconds * 1000,
          retryMaxMs: smtp.retry_max_seconds * 1000,
        }),
  });
}
