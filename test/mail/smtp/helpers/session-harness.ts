/**
 * Tier-2 harness for SMTP: one SmtpSession over an in-memory duplex (no sockets) driven by the
 * shared C:/S: script client (test/helpers/script-client.ts), with the suite's real hooks
 * (`smtpHooks`) over the SMTP tests' account store (`testAccounts`: example.test with bob and
 * alice) and the in-memory mail store. `hooks` overrides single hooks (a throwing
 * `authenticate`, say) to test the session's error boundary.
 */
import { resolveLoginPolicy, type LoginPolicy } from '../../../../src/core/auth/login-policy.js';
import type { AccountStore } from '../../../../src/core/accounts/store.js';
import { silentLogger, type Logger } from '../../../../src/core/logger.js';
import { smtpHooks } from '../../../../src/mail/service/smtp-service.js';
import { DEFAULT_SMTP_LIMITS, SMTP_LIMITS, type SmtpLimits } from '../../../../src/mail/smtp/limits.js';
import type { ListenerKind } from '../../../../src/mail/smtp/policy.js';
import { redactSmtpLine } from '../../../../src/mail/smtp/server.js';
import type { SmtpHooks } from '../../../../src/mail/smtp/session-context.js';
import { SmtpSession } from '../../../../src/mail/smtp/session.js';
import { openMemoryMailStore } from '../../../../src/mail/store/memory-store.js';
import type { MailStore } from '../../../../src/mail/store/types.js';
import { startInMemory, type InMemorySession } from '../../../helpers/script-client.js';
import { HOSTNAME, PASSWORD, testAccounts } from '../helpers.js';

export { HOSTNAME, PASSWORD };

/** Options of `startSmtpSession`. */
export interface SmtpHarnessOptions {
  listener?: ListenerKind;
  /** Hooks replacing the real ones (the rest stay real). */
  hooks?: Partial<SmtpHooks>;
  loginPolicy?: Partial<LoginPolicy>;
  limits?: Partial<SmtpLimits>;
  remoteAddress?: string;
  logger?: Logger;
}

/** A running in-memory SMTP session and what it delivers into. */
export interface SmtpHarness extends InMemorySession {
  readonly store: MailStore;
  readonly accounts: AccountStore;
}

/** Starts a session; the greeting is not read yet (a script starts with `S: 220 …`). */
export async function startSmtpSession(options: SmtpHarnessOptions = {}): Promise<SmtpHarness> {
  const accounts = await testAccounts();
  const store = openMemoryMailStore();
  const logger = options.logger ?? silentLogger();
  const hooks: SmtpHooks = {
    ...smtpHooks(accounts, { store, hostname: HOSTNAME, logger, onQueued: () => undefined }),
    ...options.hooks,
  };
  const session = startInMemory(
    {
      protocol: 'smtp',
      remoteAddress: options.remoteAddress ?? '127.0.0.1',
      redact: redactSmtpLine,
      maxLineOctets: SMTP_LIMITS.authLineOctets,
    },
    (conn) =>
      new SmtpSession(conn, {
        listener: options.listener ?? 'mx',
        hostname: HOSTNAME,
        limits: { ...DEFAULT_SMTP_LIMITS, ...options.limits },
        tlsContext: () => undefined,
        loginPolicy: resolveLoginPolicy(options.loginPolicy),
        hooks,
        logger,
      }).run(),
  );
  return { ...session, store, accounts };
}

/** Base64 of an AUTH PLAIN response. */
export function plain(user: string, password = PASSWORD): string {
  return Buffer.from(`\0${user}\0${password}`).toString('base64');
}
