/**
 * Who may send what to whom: the relay decision for each recipient, the envelope-sender rule of
 * submission (when plaintext AUTH is allowed is src/core/auth/login-policy.ts). Functions of what
 * the session knows and what the (async) local directory answers, no other I/O,
 * so every open-relay trick (`user%other@us`, source routes `<@a:b@c>`, address literals
 * `user@[127.0.0.1]`, unknown domains) is decided — and tested — in one place.
 */
import { addressKey } from '../../core/accounts/address.js';
import { reply, type SmtpReply } from './codec/reply.js';
import type { SmtpPath } from './codec/command.js';

/** The three kinds of listener (RFC 5321 MX, RFC 6409 submission, RFC 8314 implicit TLS). */
export type ListenerKind = 'mx' | 'submission' | 'smtps';

/** What the server knows about local mail. */
export interface LocalDirectory {
  /** True when the domain is one of ours. */
  isLocalDomain(domain: string): Promise<boolean>;
  /** The canonical address of an existing local user, or null. */
  localUser(address: string): Promise<string | null>;
  /**
   * The local account that receives postmaster mail (RFC 5321 §4.5.1), or null when there is
   * none. Without this hook `<Postmaster>` is refused and `postmaster@` needs a real account.
   */
  postmaster?(): Promise<string | null>;
}

/** The decision for one RCPT. */
export type RecipientVerdict =
  | { readonly ok: true; readonly route: 'local' | 'remote'; readonly address: string }
  | { readonly ok: false; readonly reply: SmtpReply };

const relayDenied = (): RecipientVerdict => ({
  ok: false,
  reply: reply(550, '5.7.1', 'Relay access denied'),
});

/**
 * RFC 5321 §4.5.1: `<Postmaster>` and `postmaster@<our domain>` MUST be accepted, also when no
 * account of that name exists: they go to the directory's postmaster account.
 */
async function toPostmaster(directory: LocalDirectory): Promise<RecipientVerdict> {
  const address = (await directory.postmaster?.()) ?? null;
  if (address === null) return { ok: false, reply: reply(550, '5.1.1', 'No postmaster mailbox here') };
  return { ok: true, route: 'local', address };
}

/**
 * Decides a RCPT TO. Relaying (a non-local recipient) needs an authenticated session; a local
 * recipient must exist, except the postmaster (see `toPostmaster`). Source routes and address
 * literals are refused outright: the route would name a relay, and a literal is not one of our
 * domains.
 */
export async function decideRecipient(
  path: SmtpPath,
  session: { readonly authenticated: boolean },
  directory: LocalDirectory,
): Promise<RecipientVerdict> {
  if (path.kind === 'null') return { ok: false, reply: reply(501, '5.1.3', 'Bad recipient address syntax') };
  if (path.kind === 'postmaster') return toPostmaster(directory);
  const { mailbox, sourceRoute } = path;
  if (sourceRoute.length > 0)
    return { ok: false, reply: reply(550, '5.7.1', 'Source routes are not accepted') };
  if (mailbox.literal) return relayDenied();
  const domain = mailbox.domain.toLowerCase();
  // An existing user implies a local domain: one lookup for the common case.
  const user = mailbox.utf8 ? null : await directory.localUser(`${mailbox.local}@${domain}`);
  if (user !== null) return { ok: true, route: 'local', address: user };
  if (await directory.isLocalDomain(domain)) {
    // RFC 5321 §2.4: "Postmaster" is matched without regard to case.
    if (!mailbox.utf8 && mailbox.local.toLowerCase() === 'postmaster') return toPostmaster(directory);
    return { ok: false, reply: reply(550, '5.1.1', 'User unknown') };
  }
  if (!session.authenticated) return relayDenied();
  return { ok: true, route: 'remote', address: `${mailbox.local}@${domain}` };
}

/**
 * RFC 6409 §6.1: on submission the envelope sender must be the authenticated user (the null
 * sender and anybody else's address are refused with 553 5.7.1).
 */
export function checkSubmissionSender(path: SmtpPath, user: string): SmtpReply | null {
  if (path.kind === 'mailbox' && path.sourceRoute.length === 0) {
    const { local, domain } = path.mailbox;
    if (addressKey(`${local}@${domain}`) === addressKey(user)) return null;
  }
  return reply(553, '5.7.1', `Sender address rejected: not owned by ${user}`);
}
