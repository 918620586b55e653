/**
 * The queue runner a suite runs, built from its configuration: `[smtp] relay_port`,
 * `dns_server` (else the suite's own `[resolver]` when one runs, else resolv.conf),
 * `queue_lifetime_seconds`, `retry_initial_seconds`,
 * `retry_max_seconds`, the suite's host name, and the accounts for local domains and users (a
 * bounce to a local sender goes to that user's INBOX, or to the `[smtp] postmaster` account when
 * the sender has none). The smtp service passes `queueRunnerFromContext` as its `makeRunner`, and
 * on reload hands `queueSettingsFromContext` of the new configuration to `reconfigure`; only the
 * host name is fixed at start.
 */
import type { OutpostConfig } from '../../core/config/schema.js';
import { RESOLVER_BINDING, ResolverBinding, reachableHost, type ResolverAddress } from '../../dns/index.js';
import type { ServiceContext } from '../../core/service/service.js';
import type { MailStore } from '../store/types.js';
import { localRecipients } from '../local-recipients.js';
import { DnsMxResolver } from './mx-resolver.js';
import { QueueRunner, type QueueRunnerOptions, type QueueRunnerSettings } from './runner.js';

/**
 * The DNS server the queue's MX lookups ask: `[smtp] dns_server`, else the suite's running
 * resolver where it actually listens (`bound`, from the shared RESOLVER_BINDING: a port 0
 * listener has its real port only there), else the first fixed-port listen address of its
 * `[resolver]` table (a wildcard address asked on loopback), else undefined (resolv.conf).
 */
export function queueDnsServer(
  config: OutpostConfig,
  bound?: ResolverAddress,
): { host: string; port: number } | undefined {
  const configured = config.smtp?.dns_server;
  if (configured !== undefined) return { host: configured.host, port: configured.port };
  if (config.resolver === undefined) return undefined;
  if (bound !== undefined) return { host: bound.host, port: bound.port };
  const own = config.resolver.listen.find((a) => a.port !== 0);
  if (own === undefined) return undefined;
  return { host: reachableHost(own.host), port: own.port };
}

/** queueDnsServer for a running suite: with the resolver's bound address when it runs. */
export function queueDnsServerOf(context: ServiceContext): { host: string; port: number } | undefined {
  const bound = context.shared.get(RESOLVER_BINDING, () => new ResolverBinding()).address;
  return queueDnsServer(context.config, bound);
}

/** The runner settings a reload can change, from the suite's `[smtp]` table and accounts. */
export function queueSettingsFromContext(
  context: ServiceContext,
): QueueRunnerSettings & Pick<QueueRunnerOptions, 'relayPort' | 'resolver' | 'isLocalDomain'> {
  const smtp = context.config.smtp;
  const dns = queueDnsServerOf(context);
  return {
    relayPort: smtp?.relay_port ?? 25,
    resolver: new DnsMxResolver(dns === undefined ? {} : { server: dns }),
    ...localRecipients(context.accounts, smtp?.postmaster),
    ...(smtp === undefined
      ? {}
      : {
          maxAgeMs: smtp.queue_lifetime_seconds * 1000,
          retryInitialMs: smtp.retry_initial_seconds * 1000,
          retryMaxMs: smtp.retry_max_seconds * 1000,
        }),
  };
}

/** A QueueRunner for the suite's `[smtp]` table and the given store. */
export function queueRunnerFromContext(context: ServiceContext, store: MailStore): QueueRunner {
  return new QueueRunner({
    store,
    hostname: context.config.hostname,
    logger: context.logger.child({ service: 'smtp-queue' }),
    metrics: context.metrics,
    ...queueSettingsFromContext(context),
  });
}
