/**
 * Not-authenticated commands: STARTTLS (RFC 9051 §6.2.1), LOGIN (§6.2.3) and AUTHENTICATE
 * with SASL PLAIN or LOGIN and an optional initial response (§6.2.2, RFC 4959; the exchange is
 * src/core/sasl.ts); and UNAUTHENTICATE (RFC 8437), the way back. Every login goes through `accounts.authenticate` (throttled across
 * sessions, cached). Without TLS, where the login policy refuses plaintext, LOGIN answers
 * `NO [PRIVACYREQUIRED]` and CAPABILITY says LOGINDISABLED.
 */
import type { SecureContext } from 'node:tls';
import { isProxyAuthorization, runSaslExchange } from '../../../core/sasl.js';
import { checkPassword, saslLineTransport } from '../../../core/session/password-login.js';
import { continuation } from '../../codec/index.js';
import type { ImapSessionContext } from '../context.js';
import { bad, no, ok, type ImapReply } from '../reply.js';
import type { CommandOf } from './types.js';

function plaintextRefused(tag: string): ImapReply {
  return no(tag, 'Plaintext authentication disallowed without TLS; use STARTTLS', {
    code: 'PRIVACYREQUIRED',
  });
}

/** STARTTLS: only on a plain connection with a certificate. */
export function starttlsCommand(ctx: ImapSessionContext, cmd: CommandOf<'STARTTLS'>): ImapReply {
  const context: SecureContext | undefined = ctx.tlsOffered() ? ctx.deps.tlsContext() : undefined;
  if (context === undefined) {
    return ctx.conn.secure ? bad(cmd.tag, 'TLS is already active') : no(cmd.tag, 'TLS is not available');
  }
  return ctx.startTls(context, ok(cmd.tag, 'Begin TLS negotiation now').line);
}

/** LOGIN user password. */
export async function loginCommand(
  ctx: ImapSessionContext,
  cmd: CommandOf<'LOGIN'>,
): Promise<ImapReply | null> {
  if (!ctx.plaintextAuthAllowed()) return plaintextRefused(cmd.tag);
  return login(ctx, cmd.tag, cmd.user, cmd.password);
}

/** AUTHENTICATE mechanism [initial-response]. */
export async function authenticateCommand(
  ctx: ImapSessionContext,
  cmd: CommandOf<'AUTHENTICATE'>,
): Promise<ImapReply | null> {
  if (!ctx.plaintextAuthAllowed()) return plaintextRefused(cmd.tag);
  // RFC 4959 §3: `=` is an empty initial response; runSaslExchange spells it the same way.
  const initial = cmd.initialResponse === null ? undefined : cmd.initialResponse || '=';
  // RFC 9051 §6.2.2: challenges are `+ <base64>` continuation requests.
  const outcome = await runSaslExchange(cmd.mechanism, initial, saslLineTransport(ctx.conn, continuation));
  switch (outcome.kind) {
    case 'closed':
      ctx.end();
      return null;
    case 'too-long':
      ctx.end();
      return bad(cmd.tag, 'Response too long');
    case 'unsupported':
      return no(cmd.tag, 'Unsupported authentication mechanism', { code: 'CANNOT' });
    case 'cancelled':
      return bad(cmd.tag, 'Authentication cancelled');
    case 'malformed':
      if (ctx.loginFailed()) ctx.end();
      return bad(cmd.tag, `Malformed ${cmd.mechanism.toUpperCase()} response`);
  }
  if (isProxyAuthorization(outcome.credentials)) {
    if (ctx.loginFailed()) ctx.end();
    return no(cmd.tag, 'Authorization identity not permitted', { code: 'AUTHORIZATIONFAILED' });
  }
  return login(ctx, cmd.tag, outcome.credentials.username, outcome.credentials.password);
}

/** Checks the password, makes sure the user's mailboxes exist, enters the authenticated state. */
async function login(
  ctx: ImapSessionContext,
  tag: string,
  address: string,
  password: string,
): Promise<ImapReply | null> {
  const { accounts, store, logger } = ctx.deps;
  const checked = await checkPassword(ctx, accounts, 'imap', address, password);
  if (!checked.ok) {
    return checked.throttled === null
      ? no(tag, 'Authentication failed', { code: 'AUTHENTICATIONFAILED' })
      : no(tag, checked.throttled, { code: 'UNAVAILABLE' });
  }
  if (ctx.conn.closed) return null;
  const { user } = checked;
  await store.ensureMailboxes(user, { origin: `imap-${ctx.conn.id}` });
  ctx.loggedIn(user);
  logger.info({ user, ip: ctx.conn.remoteAddress, session: ctx.conn.id }, 'imap login');
  // RFC 9051 §6.2.3: the OK may carry the capabilities, which change at login.
  return ok(tag, 'Logged in', { code: 'CAPABILITY', capabilities: ctx.capabilities() });
}

/**
 * UNAUTHENTICATE (RFC 8437 §3): everything of the login is reset except TLS, compression
 * included (a selected mailbox
 * stops being selected without an expunge); never NO, so a client may pipeline its next
 * AUTHENTICATE. The session's `loggedOut` does the reset.
 */
export function unauthenticateCommand(ctx: ImapSessionContext, cmd: CommandOf<'UNAUTHENTICATE'>): ImapReply {
  ctx.loggedOut();
  // §4.1: COMPRESS ends after the OK, which still goes out compressed.
  return ctx.endCompression(ok(cmd.tag, 'UNAUTHENTICATE completed'));
}
