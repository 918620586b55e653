/**
 * AUTHORIZATION-state commands: USER and PASS (RFC 1939 §7), AUTH with SASL PLAIN or LOGIN and an
 * optional initial response (RFC 5034; the exchange is src/core/sasl.ts), STLS (RFC 2595 §4). Every login goes through
 * `accounts.authenticate` (throttled, cached); success takes the maildrop lock and snapshots
 * INBOX from the index. APOP (RFC 1939 §7, optional) is not offered: it needs clear-text
 * passwords on the server, which the account store never keeps.
 */
import {
  isProxyAuthorization,
  runSaslExchange,
  SASL_MECHANISMS,
  type SaslTransport,
} from '../../core/sasl.js';
import { errLine, multiLine, okLine } from '../codec.js';
import { POP3_LIMITS } from '../limits.js';
import { Maildrop } from '../maildrop.js';
import { MessageReadAhead } from '../read-ahead.js';
import type { CommandInput, Pop3SessionContext } from '../session-context.js';

const PLAINTEXT_REFUSED = errLine('AUTH', 'Plaintext authentication disallowed without TLS; use STLS');

/** Checks the TLS policy; false (after replying) when a password may not be sent here. */
function mayAuthenticate(ctx: Pop3SessionContext): boolean {
  if (ctx.plaintextAuthAllowed()) return true;
  ctx.reply(PLAINTEXT_REFUSED);
  return false;
}

/** USER name: remembers the name; never says whether it exists (no user enumeration). */
export function userCommand(ctx: Pop3SessionContext, cmd: CommandInput): void {
  if (!mayAuthenticate(ctx)) return;
  ctx.state = { kind: 'authorization', user: cmd.args[0] ?? '' };
  ctx.reply(okLine('Send your password'));
}

/** PASS string: the rest of the line is the password (it may contain spaces). */
export async function passCommand(ctx: Pop3SessionContext, cmd: CommandInput): Promise<void> {
  if (!mayAuthenticate(ctx)) return;
  if (ctx.state.kind !== 'authorization' || ctx.state.user === null) {
    ctx.reply(errLine(null, 'USER first'));
    return;
  }
  await login(ctx, ctx.state.user, cmd.rest);
}

/**
 * AUTH (RFC 5034 §4). Without an argument it lists the mechanisms (the pre-CAPA form of RFC
 * 1734 that clients still probe with); `AUTH PLAIN` / `AUTH LOGIN` ask for what is missing with
 * `+ <base64>` challenges; an initial response (`=` meaning empty) may come on the command line.
 * `*` cancels.
 */
export async function authCommand(ctx: Pop3SessionContext, cmd: CommandInput): Promise<void> {
  if (!mayAuthenticate(ctx)) return;
  const [mechanism, initial] = cmd.args;
  if (mechanism === undefined) {
    ctx.replyLines(multiLine(okLine('Methods supported'), SASL_MECHANISMS));
    return;
  }
  const outcome = await runSaslExchange(mechanism, initial, saslTransport(ctx));
  switch (outcome.kind) {
    case 'closed':
      ctx.end();
      return;
    case 'too-long':
      ctx.reply(errLine(null, 'Response too long'));
      ctx.end();
      return;
    case 'unsupported':
      ctx.reply(errLine(null, 'Unsupported authentication mechanism'));
      return;
    case 'cancelled':
      ctx.reply(errLine(null, 'Authentication cancelled'));
      return;
    case 'malformed':
      ctx.reply(errLine(null, `Malformed ${mechanism.toUpperCase()} response`));
      if (ctx.loginFailed()) ctx.end();
      return;
  }
  if (isProxyAuthorization(outcome.credentials)) {
    ctx.reply(errLine('AUTH', 'Authorization identity not permitted'));
    if (ctx.loginFailed()) ctx.end();
    return;
  }
  await login(ctx, outcome.credentials.username, outcome.credentials.password);
}

/** SASL over POP3 (RFC 5034 §4): challenges are `+ <base64>` lines. */
function saslTransport(ctx: Pop3SessionContext): SaslTransport {
  return {
    sendChallenge: (base64) => {
      ctx.reply(`+ ${base64}`);
    },
    readResponse: async (secret) => {
      if (secret) ctx.conn.redactNextInput();
      const read = await ctx.conn.readLine();
      if (read.kind === 'line') return { kind: 'line', text: read.text };
      return read.kind === 'overflow' ? { kind: 'overflow' } : { kind: 'closed' };
    },
  };
}

/**
 * STLS (RFC 2595 §4): only on a plain connection with a certificate. Bytes the client pipelined
 * after STLS are dropped by the line layer; the session stays in AUTHORIZATION with nothing
 * remembered from before (a USER given in plaintext is forgotten).
 */
export async function stlsCommand(ctx: Pop3SessionContext): Promise<void> {
  const context = ctx.tlsOffered() ? ctx.deps.tlsContext() : undefined;
  if (context === undefined) {
    ctx.reply(errLine(null, ctx.conn.secure ? 'Already using TLS' : 'TLS is not available'));
    return;
  }
  ctx.state = { kind: 'authorization', user: null };
  try {
    await ctx.conn.startTls(context, okLine('Begin TLS negotiation'));
  } catch (err) {
    ctx.deps.logger.debug({ err, session: ctx.conn.id }, 'pop3: STLS handshake failed');
    ctx.end();
  }
}

/** Checks the password, locks and snapshots the maildrop, enters TRANSACTION. */
async function login(ctx: Pop3SessionContext, address: string, password: string): Promise<void> {
  const { accounts, locks, maildrops, store, logger } = ctx.deps;
  ctx.state = { kind: 'authorization', user: null };
  let result;
  try {
    result = await accounts.authenticate(address, password, { ip: ctx.conn.remoteAddress, protocol: 'pop3' });
  } catch (err) {
    logger.error({ err, session: ctx.conn.id }, 'pop3: account lookup failed');
    ctx.reply(errLine('SYS/TEMP', 'Authentication is unavailable; try again later'));
    return;
  }
  if (!result.ok) {
    if (result.reason === 'throttled') {
      const seconds = Math.ceil(result.retryAfterMs / 1000);
      ctx.reply(errLine('SYS/TEMP', `Too many failed logins; try again in ${String(seconds)} s`));
    } else {
      ctx.reply(errLine('AUTH', 'Authentication failed'));
    }
    if (ctx.loginFailed()) ctx.end();
    return;
  }
  if (ctx.conn.closed) return;
  const user = result.user.address;
  const release = locks.tryLock(user);
  if (release === null) {
    ctx.reply(errLine('IN-USE', 'Maildrop is locked by another POP3 session'));
    return;
  }
  let maildrop: Maildrop;
  try {
    maildrop = new Maildrop(await maildrops.open(store, user));
  } catch (err) {
    release();
    logger.error({ err, user, session: ctx.conn.id }, 'pop3: cannot open maildrop');
    ctx.reply(errLine('SYS/TEMP', 'Cannot open the maildrop; try again later'));
    return;
  }
  const reader = new MessageReadAhead(store, maildrop.index.mailboxId, POP3_LIMITS.readAheadMaxOctets);
  ctx.state = { kind: 'transaction', user, maildrop, reader, release };
  logger.info({ user, ip: ctx.conn.remoteAddress, session: ctx.conn.id }, 'pop3 login');
  ctx.reply(okLine(`${user} has ${String(maildrop.count)} messages (${String(maildrop.octets)} octets)`));
}
