/**
 * The SMTP command table: for each verb its allowed phases, argument rule, whether a
 * submission listener gates it behind TLS+AUTH, its HELP text, the EHLO keyword it contributes,
 * and its handler. The session's one gate (`isAllowed`) enforces the table; HELP and EHLO are
 * generated from it. Message bodies (DATA, BDAT) are in transaction.ts.
 */
import { parseMailArgs, parseRcptArgs } from './command.js';
import { checkSubmissionSender, decideRecipient } from './policy.js';
import { reply } from './reply.js';
import {
  isProxyAuthorization,
  runSaslExchange,
  SASL_MECHANISMS,
  type SaslTransport,
} from '../../core/sasl.js';
import type { SmtpSession } from './session.js';
import { withoutTransaction, type Phase } from './state.js';
import { runBdat, runData } from './transaction.js';

/** One row of the table. */
export interface CommandSpec {
  readonly verb: string;
  readonly syntax: string;
  readonly help: string;
  readonly phases: readonly Phase[];
  readonly args: 'none' | 'optional' | 'required';
  /** On submission listeners: needs TLS (or allowed loopback) and, except AUTH itself, a login. */
  readonly gated: boolean;
  /** The EHLO keyword line this command adds now, or null. */
  readonly ehlo?: (s: SmtpSession) => string | null;
  readonly run: (s: SmtpSession, args: string) => void | Promise<void>;
}

const ANY: readonly Phase[] = ['fresh', 'ready', 'mail', 'chunking'];
const NOT_CHUNKING: readonly Phase[] = ['fresh', 'ready', 'mail'];

/** Extensions that are not commands (RFC 2920, 6152, 6531, 2034, 3461). */
const EXTENSIONS = ['PIPELINING', '8BITMIME', 'SMTPUTF8', 'ENHANCEDSTATUSCODES', 'DSN'];

// A HELO/EHLO argument: a domain or an address literal; leniently any printable token.
const HELO_ARG = /^[\x21-\x7e]{1,255}$/;

function greet(s: SmtpSession, args: string, esmtp: boolean): void {
  const name = args.split(' ')[0] ?? '';
  if (!HELO_ARG.test(name)) {
    s.error(reply(501, '5.5.4', `Syntax: ${esmtp ? 'EHLO' : 'HELO'} hostname`));
    return;
  }
  // RFC 5321 §4.1.4: EHLO/HELO also resets any transaction.
  s.state = { phase: 'ready', greeting: { name, esmtp }, user: s.state.user };
  const first = `${s.options.hostname} Hello ${name} [${s.conn.remoteAddress}]`;
  if (!esmtp) {
    s.reply(reply(250, undefined, first));
    return;
  }
  const keywords = [...EXTENSIONS];
  for (const spec of COMMANDS.values()) {
    const k = spec.ehlo?.(s);
    if (k != null) keywords.push(k);
  }
  s.reply(reply(250, undefined, first, ...keywords));
}

function mail(s: SmtpSession, args: string): void {
  const state = s.state;
  if (state.phase !== 'ready') return;
  const parsed = parseMailArgs(args);
  if (!parsed.ok) {
    s.error(parsed.reply);
    return;
  }
  const { path, params } = parsed.value;
  const max = s.options.limits.maxMessageOctets;
  if (params.size !== undefined && params.size > max) {
    s.reply(reply(552, '5.3.4', `Message size exceeds fixed limit of ${max} octets`));
    return;
  }
  if ((params.smtputf8 || (path.kind === 'mailbox' && path.mailbox.utf8)) && !state.greeting.esmtp) {
    s.error(reply(553, '5.6.7', 'SMTPUTF8 needs EHLO'));
    return;
  }
  if (path.kind === 'mailbox' && path.mailbox.utf8 && !params.smtputf8) {
    s.error(reply(553, '5.6.7', 'Non-ASCII address without SMTPUTF8'));
    return;
  }
  if (path.kind === 'mailbox' && path.sourceRoute.length > 0) {
    s.error(reply(553, '5.1.7', 'Source routes are not accepted'));
    return;
  }
  if (state.user !== null || s.isSubmission) {
    const refusal = checkSubmissionSender(path, state.user ?? '');
    if (refusal !== null) {
      s.error(refusal);
      return;
    }
  }
  const mailFrom = path.kind === 'mailbox' ? path.mailbox.address : '';
  s.state = { ...state, phase: 'mail', envelope: { mailFrom, params, recipients: [] } };
  s.reply(reply(250, '2.1.0', 'Sender OK'));
}

async function rcpt(s: SmtpSession, args: string): Promise<void> {
  const state = s.state;
  if (state.phase !== 'mail') return;
  const parsed = parseRcptArgs(args);
  if (!parsed.ok) {
    s.error(parsed.reply);
    return;
  }
  const { path, params } = parsed.value;
  if (path.kind === 'mailbox' && path.mailbox.utf8 && !state.envelope.params.smtputf8) {
    s.error(reply(553, '5.6.7', 'Non-ASCII address without SMTPUTF8'));
    return;
  }
  const recipients = state.envelope.recipients;
  if (recipients.length >= s.options.limits.maxRecipients) {
    // RFC 5321 §4.5.3.1.10: 452 for too many recipients.
    s.reply(reply(452, '4.5.3', 'Too many recipients'));
    return;
  }
  const verdict = await decideRecipient(path, { authenticated: state.user !== null }, s.options.hooks);
  if (!verdict.ok) {
    s.error(verdict.reply);
    return;
  }
  if (!recipients.some((r) => r.address.toLowerCase() === verdict.address.toLowerCase())) {
    const next = [...recipients, { address: verdict.address, route: verdict.route, params }];
    s.state = { ...state, envelope: { ...state.envelope, recipients: next } };
  }
  s.reply(reply(250, '2.1.5', 'Recipient OK'));
}

async function auth(s: SmtpSession, args: string): Promise<void> {
  const state = s.state;
  if (state.phase !== 'ready') return;
  if (!s.authOffered) {
    s.error(reply(538, '5.7.11', 'Encryption required for requested authentication mechanism'));
    return;
  }
  if (state.user !== null) {
    s.error(reply(503, '5.5.1', 'Already authenticated'));
    return;
  }
  const [mechanism = '', initial, extra] = args.split(' ');
  if (extra !== undefined) {
    s.error(reply(501, '5.5.4', 'Syntax: AUTH mechanism [initial-response]'));
    return;
  }
  const outcome = await runSaslExchange(mechanism, initial, saslTransport(s));
  switch (outcome.kind) {
    case 'closed':
      return;
    case 'unsupported':
      s.error(reply(504, '5.5.4', 'Unrecognized authentication mechanism'));
      return;
    case 'cancelled':
      s.error(reply(501, '5.7.0', 'Authentication cancelled'));
      return;
    case 'malformed':
    case 'too-long':
      s.error(reply(501, '5.5.2', 'Cannot decode the response'));
      return;
  }
  const credentials = outcome.credentials;
  if (isProxyAuthorization(credentials)) {
    // We do not let one user act as another (RFC 4616 §2 authzid).
    s.authFailed(reply(535, '5.7.8', 'Authentication credentials invalid'));
    return;
  }
  const result = await s.options.hooks.authenticate(
    credentials.username,
    credentials.password,
    s.conn.remoteAddress,
  );
  if (result.ok) {
    s.state = { ...state, user: result.user };
    s.reply(reply(235, '2.7.0', 'Authentication successful'));
  } else if (result.reason === 'throttled') {
    s.authFailed(reply(454, '4.7.0', 'Temporary authentication failure, try again later'));
  } else {
    s.authFailed(reply(535, '5.7.8', 'Authentication credentials invalid'));
  }
}

/** SASL over SMTP (RFC 4954 §4): challenges are `334 <base64>` lines. */
function saslTransport(s: SmtpSession): SaslTransport {
  return {
    sendChallenge: (base64) => {
      s.reply(reply(334, undefined, base64));
    },
    readResponse: (secret) => s.readContinuation(secret),
  };
}

async function starttls(s: SmtpSession): Promise<void> {
  const context = s.options.tlsContext();
  if (s.conn.secure || context === undefined) {
    s.error(reply(454, '4.7.0', 'TLS not available'));
    return;
  }
  s.flush();
  try {
    // Discards anything pipelined after STARTTLS (RFC 3207 §4.2, CVE-2011-0411).
    await s.conn.startTls(context, '220 2.0.0 Ready to start TLS');
  } catch (err) {
    s.options.logger.debug({ err, session: s.conn.id }, 'smtp: STARTTLS handshake failed');
    s.finish();
    return;
  }
  // RFC 3207 §4.2: forget everything learnt before TLS, the client must EHLO again.
  s.state = { phase: 'fresh', user: null };
}

function help(s: SmtpSession): void {
  const lines = [...COMMANDS.values()].map((c) => `${c.syntax.padEnd(28)} ${c.help}`);
  s.reply(reply(214, '2.0.0', 'Commands:', ...lines, 'End of HELP'));
}

const SPECS: CommandSpec[] = [
  {
    verb: 'EHLO',
    syntax: 'EHLO hostname',
    help: 'extended hello (RFC 5321 section 4.1.1.1)',
    phases: NOT_CHUNKING,
    args: 'required',
    gated: false,
    run: (s, a) => {
      greet(s, a, true);
    },
  },
  {
    verb: 'HELO',
    syntax: 'HELO hostname',
    help: 'hello, without extensions',
    phases: NOT_CHUNKING,
    args: 'required',
    gated: false,
    run: (s, a) => {
      greet(s, a, false);
    },
  },
  {
    verb: 'STARTTLS',
    syntax: 'STARTTLS',
    help: 'switch to TLS (RFC 3207)',
    phases: ['fresh', 'ready'],
    args: 'none',
    gated: false,
    ehlo: (s) => (s.startTlsOffered ? 'STARTTLS' : null),
    run: starttls,
  },
  {
    verb: 'AUTH',
    syntax: 'AUTH PLAIN|LOGIN [response]',
    help: 'log in (RFC 4954)',
    phases: ['ready'],
    args: 'required',
    gated: true,
    ehlo: (s) => (s.authOffered ? `AUTH ${SASL_MECHANISMS.join(' ')}` : null),
    run: auth,
  },
  {
    verb: 'MAIL',
    syntax: 'MAIL FROM:<address> [params]',
    help: 'start a transaction',
    phases: ['ready'],
    args: 'required',
    gated: true,
    ehlo: (s) => `SIZE ${s.options.limits.maxMessageOctets}`,
    run: mail,
  },
  {
    verb: 'RCPT',
    syntax: 'RCPT TO:<address> [params]',
    help: 'add a recipient',
    phases: ['mail'],
    args: 'required',
    gated: true,
    run: rcpt,
  },
  {
    verb: 'DATA',
    syntax: 'DATA',
    help: 'send the message, ended by a line with a single dot',
    phases: ['mail'],
    args: 'none',
    gated: true,
    run: runData,
  },
  {
    verb: 'BDAT',
    syntax: 'BDAT size [LAST]',
    help: 'send a chunk of the message (RFC 3030)',
    phases: ['ready', 'mail', 'chunking'],
    args: 'required',
    gated: false,
    ehlo: () => 'CHUNKING',
    run: runBdat,
  },
  {
    verb: 'RSET',
    syntax: 'RSET',
    help: 'abort the transaction',
    phases: ANY,
    args: 'none',
    gated: false,
    run: (s) => {
      s.state = withoutTransaction(s.state);
      s.reply(reply(250, '2.0.0', 'Reset OK'));
    },
  },
  {
    verb: 'VRFY',
    syntax: 'VRFY address',
    help: 'not answered (RFC 5321 section 3.5.3: 252)',
    phases: NOT_CHUNKING,
    args: 'required',
    gated: false,
    run: (s) => {
      s.reply(reply(252, '2.5.0', 'Cannot VRFY user, but will accept message and attempt delivery'));
    },
  },
  {
    verb: 'NOOP',
    syntax: 'NOOP',
    help: 'do nothing',
    phases: ANY,
    args: 'optional',
    gated: false,
    run: (s) => {
      s.reply(reply(250, '2.0.0', 'OK'));
    },
  },
  {
    verb: 'HELP',
    syntax: 'HELP',
    help: 'this list',
    phases: NOT_CHUNKING,
    args: 'optional',
    gated: false,
    ehlo: () => 'HELP',
    run: help,
  },
  {
    verb: 'QUIT',
    syntax: 'QUIT',
    help: 'close the connection',
    phases: ANY,
    args: 'none',
    gated: false,
    run: (s) => {
      s.end(reply(221, '2.0.0', `${s.options.hostname} Bye`));
    },
  },
];

/** The table, by verb. */
export const COMMANDS: ReadonlyMap<string, CommandSpec> = new Map(SPECS.map((c) => [c.verb, c]));
