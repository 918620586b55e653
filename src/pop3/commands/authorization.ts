/**
 * AUTHORIZATION-state commands: USER and PASS (RFC 1939 §7), AUTH with SASL PLAIN or LOGIN and an
 * optional initial response (RFC 5034; the exchange is src/core/sasl.ts), STLS (RFC 2595 §4). Every login goes through
 * `accounts.authenticate` (throttled, cached); success takes the maildrop lock and snapshots
 * INBOX from the index. A throwing account hook is answered by the session's error boundary
 * (`-ERR [SYS/TEMP]`), with the session still in AUTHORIZATION. APOP (RFC 1939 §7, optional) is not offered: it needs clear-text
 * passwords on the server, which the account store never keeps.
 */
import type { SecureContext } from 'node:tls';
import { isProxyAuthorization, runSaslExchange, SASL_MECHANISMS } from '../../core/sasl.js';
import { checkPassword, saslLineTransport } from '../../core/session/password-login.js';
import { err, listing, ok, okLine, type Pop3Reply } from '../codec/reply.js';
import { POP3_LIMITS } from '../limits.js';
import { Maildrop } from '../maildrop.js';
import { MessageReadAhead } from '../read-ahead.js';
import type { CommandInput, Pop3SessionContext } from '../session-context.js';
import type { AuthorizationState } from '../state.js';

const PLAINTEXT_REFUSED = err('AUTH', 'Plaintext authentication disallowed without TLS; use STLS');

/** USER name: remembers the name; never says whether it exists (no user enumeration). */
export function userCommand(ctx: Pop3SessionContext, cmd: CommandInput): Pop3Reply {
  if (!ctx.plaintextAuthAllowed()) return PLAINTEXT_REFUSED;
  ctx.state = { kind: 'authorization', user: cmd.args[0] ?? '' };
  return ok('Send your password');
}

/** PASS string: the rest of the line is the password (it may contain spaces). */
export async function passCommand(
  ctx: Pop3SessionContext,
  cmd: CommandInput,
  state: AuthorizationState,
): Promise<Pop3Reply | null> {
  if (!ctx.plaintextAuthAllowed()) return PLAINTEXT_REFUSED;
  if (state.user === null) return err(null, 'USER first');
  return login(ctx, state.user, cmd.rest);
}

/**
 * AUTH (RFC 5034 §4). Without an argument it lists the mechanisms (the pre-CAPA form of RFC
 * 1734 that clients still probe with); `AUTH PLAIN` / `AUTH LOGIN` ask for what is missing with
 * `+ <base64>` challenges; an initial response (`=` meaning empty) may come on the command line.
 * `*` cancels.
 */
export async function authCommand(ctx: Pop3SessionContext, cmd: CommandInput): Promise<Pop3Reply | null> {
  if (!ctx.plaintextAuthAllowed()) return PLAINTEXT_REFUSED;
  const [mechanism, initial] = cmd.args;
  if (mechanism === undefined) return listing(okLine('Methods supported'), SASL_MECHANISMS);
  const outcome = await runSaslExchange(
    mechanism,
    initial,
    // RFC 5034 §4: challenges are `+ <base64>` lines.
    saslLineTransport(ctx.conn, (base64) => `+ ${base64}`),
  );
  switch (outcome.kind) {
    case 'closed':
      ctx.end();
      return null;
    case 'too-long':
      ctx.end();
      return err(null, 'Response too long');
    case 'unsupported':
      return err(null, 'Unsupported authentication mechanism');
    case 'cancelled':
      return err(null, 'Authentication cancelled');
    case 'malformed':
      if (ctx.loginFailed()) ctx.end();
      return err(null, `Malformed ${mechanism.toUpperCase()} response`);
  }
  if (isProxyAuthorization(outcome.credentials)) {
    if (ctx.loginFailed()) ctx.end();
    return err('AUTH', 'Authorization identity not permitted');
  }
  return login(ctx, outcome.credentials.username, outcome.credentials.password);
}

/**
 * STLS (RFC 2595 §4): only on a plain connection with a certificate. Bytes the client pipelined
 * after STLS are dropped by the line layer; the session stays in AUTHORIZATION with nothing
 * remembered from before (a USER given in plaintext is forgotten).
 */
export function stlsCommand(ctx: Pop3SessionContext): Pop3Reply {
  const context: SecureContext | undefined = ctx.tlsOffered() ? ctx.deps.tlsContext() : undefined;
  if (context === undefined) return err(null, ctx.conn.secure ? 'Already using TLS' : 'TLS is not available');
  ctx.state = { kind: 'authorization', user: null };
  return ctx.startTls(context, okLine('Begin TLS negotiation'));
}

/** Checks the password, locks and snapshots the maildrop, enters TRANSACTION. */
async function login(ctx: Pop3SessionContext, address: string, password: string): Promise<Pop3Reply | null> {
  const { accounts, locks, maildrops, store, logger } = ctx.deps;
  ctx.state = { kind: 'authorization', user: null };
  const checked = await checkPassword(ctx, accounts, 'pop3', address, password);
  if (!checked.ok) {
    return checked.throttled === null
      ? err('AUTH', 'Authentication failed')
      : err('SYS/TEMP', checked.throttled);
  }
  if (ctx.conn.closed) return null;
  const { user } = checked;
  const release = locks.tryLock(user);
  if (release === null) return err('IN-USE', 'Maildrop is locked by another POP3 session');
  let maildrop: Maildrop;
  try {
    maildrop = new Maildrop(await maildrops.open(store, user));
  } catch (error) {
    release();
    logger.error({ err: error, user, session: ctx.conn.id }, 'pop3: cannot open maildrop');
    return err('SYS/TEMP', 'Cannot open the maildrop; try again later');
  }
  const reader = new MessageReadAhead(store, maildrop.index.mailboxId, POP3_LIMITS.readAheadMaxOctets);
  ctx.state = { kind: 'transaction', user, maildrop, reader, release };
  logger.info({ user, ip: ctx.conn.remoteAddress, session: ctx.conn.id }, 'pop3 login');
  return ok(`${user} has ${String(maildrop.count)} messages (${String(maildrop.octets)} octets)`);
}
