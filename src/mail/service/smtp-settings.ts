/**
 * How the `[smtp]` table maps onto a running SMTP server, split by what a reload (SIGHUP) can
 * change: `liveSettings` are the keys every new session reads (limits, timeouts, the login policy),
 * applied by `SmtpServer.reconfigure`; `restartOnlyChanges` names the keys that are read once at
 * start (listeners are bound sockets, the greeting name and the runner's EHLO name are set once),
 * so the service can say in its log that they wait for a restart. The queue keys (`relay_port`,
 * `dns_server`, `queue_lifetime_seconds`, `retry_*`) are not here: the runner takes them on
 * reload (src/mail/queue/from-config.ts). Accounts, domains and the postmaster are not here
 * either: they are looked up per command through the hooks.
 */
import { loginPolicyFromConfig } from '../../core/auth/login-policy.js';
import type { OutpostConfig } from '../../core/config/schema.js';
import type { SmtpSettings } from '../smtp/server.js';

/** The validated `[smtp]` table. */
export type SmtpConfig = NonNullable<OutpostConfig['smtp']>;

/** The settings a new session takes from `[smtp]` (everything but the hooks). */
export function liveSettings(smtp: SmtpConfig): Omit<SmtpSettings, 'hooks'> {
  return {
    limits: {
      maxMessageOctets: smtp.max_message_size,
      maxRecipients: smtp.max_recipients,
      errorsBeforeDisconnect: smtp.max_errors,
      greetingDelayMs: smtp.greeting_delay_ms,
    },
    loginPolicy: loginPolicyFromConfig(smtp),
    idleTimeoutMs: smtp.idle_timeout_seconds * 1000,
  };
}

/** `[smtp]` keys read only at start: the listeners. */
const RESTART_KEYS = [
  'listen',
  'submission_listen',
  'tls_listen',
] as const satisfies readonly (keyof SmtpConfig)[];

/** The keys (as `smtp.listen`, `hostname`) that differ between two configs but need a restart. */
export function restartOnlyChanges(running: OutpostConfig, next: OutpostConfig): string[] {
  const changed: string[] = RESTART_KEYS.filter(
    (key) => JSON.stringify(running.smtp?.[key]) !== JSON.stringify(next.smtp?.[key]),
  ).map((key) => `smtp.${key}`);
  if (running.hostname !== next.hostname) changed.push('hostname');
  return changed;
}
