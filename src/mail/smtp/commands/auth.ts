/**
 * STARTTLS (RFC 3207) and AUTH (RFC 4954) with SASL PLAIN and LOGIN (the exchange is
 * src/core/sasl.ts). Every login goes through the `authenticate` hook; a hook that throws is
 * answered `451 4.3.0` by the session's error boundary, with the session still logged out.
 */
import type { SecureContext } from 'node:tls';
import { isProxyAuthorization, runSaslExchange, type SaslTransport } from '../../../core/sasl.js';
import { reply, type SmtpReply } from '../codec/reply.js';
import type { SmtpSessionContext } from '../session-context.js';
import type { SessionState } from '../state.js';

/** AUTH mechanism [initial-response] (RFC 4954 §4). */
export async function authCommand(
  ctx: SmtpSessionContext,
  args: string,
  state: Extract<SessionState, { phase: 'ready' }>,
): Promise<SmtpReply | null> {
  if (!ctx.authOffered) {
    return ctx.error(reply(538, '5.7.11', 'Encryption required for requested authentication mechanism'));
  }
  if (state.user !== null) return ctx.error(reply(503, '5.5.1', 'Already authenticated'));
  const [mechanism = '', initial, extra] = args.split(' ');
  if (extra !== undefined) return ctx.error(reply(501, '5.5.4', 'Syntax: AUTH mechanism [initial-response]'));
  const outcome = await runSaslExchange(mechanism, initial, saslTransport(ctx));
  switch (outcome.kind) {
    case 'closed':
      return null;
    case 'unsupported':
      return ctx.error(reply(504, '5.5.4', 'Unrecognized authentication mechanism'));
    case 'cancelled':
      return ctx.error(reply(501, '5.7.0', 'Authentication cancelled'));
    case 'malformed':
    case 'too-long':
      return ctx.error(reply(501, '5.5.2', 'Cannot decode the response'));
  }
  const credentials = outcome.credentials;
  if (isProxyAuthorization(credentials)) {
    // We do not let one user act as another (RFC 4616 §2 authzid).
    return ctx.authFailed(reply(535, '5.7.8', 'Authentication credentials invalid'));
  }
  const result = await ctx.options.hooks.authenticate(
    credentials.username,
    credentials.password,
    ctx.conn.remoteAddress,
  );
  if (result.ok) {
    ctx.state = { ...state, user: result.user };
    return reply(235, '2.7.0', 'Authentication successful');
  }
  if (result.reason === 'throttled') {
    return ctx.authFailed(reply(454, '4.7.0', 'Temporary authentication failure, try again later'));
  }
  return ctx.authFailed(reply(535, '5.7.8', 'Authentication credentials invalid'));
}

/** SASL over SMTP (RFC 4954 §4): challenges are `334 <base64>` lines. */
function saslTransport(ctx: SmtpSessionContext): SaslTransport {
  return {
    sendChallenge: (base64) => {
      ctx.send(reply(334, undefined, base64));
    },
    readResponse: (secret) => ctx.readContinuation(secret),
  };
}

/**
 * STARTTLS: 220 and the handshake; anything pipelined after the command is discarded (RFC 3207
 * §4.2, CVE-2011-0411) and everything learnt before TLS is forgotten: the client must EHLO again.
 */
export function starttlsCommand(ctx: SmtpSessionContext): SmtpReply {
  const context: SecureContext | undefined = ctx.options.tlsContext();
  if (ctx.conn.secure || context === undefined) return ctx.error(reply(454, '4.7.0', 'TLS not available'));
  ctx.state = { phase: 'fresh', user: null };
  return ctx.startTls(context, reply(220, '2.0.0', 'Ready to start TLS'));
}
