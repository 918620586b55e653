/**
 * What the POP3 and IMAP sessions share around a password login: `LoginSession`, the part of
 * their handler context that login handlers use (hang up, the plaintext and upgrade decisions,
 * the failure count); `tlsUpgradeOffered`, when STARTTLS/STLS is offered; `saslLineTransport`,
 * a SASL exchange (core/sasl.ts) over the line layer with the protocol's challenge framing; and
 * `checkPassword`, the account store's verdict with a failure counted against the session (which
 * ends at its limit) and a throttled one worded with its wait.
 */
import type { SecureContext } from 'node:tls';
import type { AccountStore } from '../accounts/store.js';
import type { LineConnection } from '../line/connection.js';
import type { SaslTransport } from '../sasl.js';

/** The session as its login handlers see it. */
export interface LoginSession {
  readonly conn: LineConnection;
  /** Hang up once the current command is answered. */
  end(): void;
  /** True when a password may be sent now (TLS, or plaintext where the login policy allows). */
  plaintextAuthAllowed(): boolean;
  /** True when the upgrade to TLS can be offered now (a certificate exists and the connection is
   *  plain). */
  tlsOffered(): boolean;
  /** The capabilities for the current state (IMAP CAPABILITY, POP3 CAPA lines). */
  capabilities(): string[];
  /** Counts a failed login; true when the session has had too many and must end. */
  loginFailed(): boolean;
}

/** True when `conn` is plain (not TLS, nor upgrading) and `tlsContext` has a certificate. */
export function tlsUpgradeOffered(
  conn: Pick<LineConnection, 'secure' | 'tlsSocket'>,
  tlsContext: () => SecureContext | undefined,
): boolean {
  return !conn.secure && conn.tlsSocket === null && tlsContext() !== undefined;
}

/** SASL over a line connection: `challenge(base64)` frames a challenge line (POP3 and IMAP:
 *  `+ <base64>`); a response is one line, redacted in the transcript when secret. */
export function saslLineTransport(
  conn: Pick<LineConnection, 'writeLine' | 'readLine' | 'redactNextInput'>,
  challenge: (base64: string) => string,
): SaslTransport {
  return {
    sendChallenge: (base64) => {
      conn.writeLine(challenge(base64));
    },
    readResponse: async (secret) => {
      if (secret) conn.redactNextInput();
      const read = await conn.readLine();
      if (read.kind === 'line') return { kind: 'line', text: read.text };
      return read.kind === 'overflow' ? { kind: 'overflow' } : { kind: 'closed' };
    },
  };
}

/** A password check: the user's address, or a refusal (`throttled` is the text of a throttled
 *  one, null for wrong credentials). */
export type PasswordCheck =
  { readonly ok: true; readonly user: string } | { readonly ok: false; readonly throttled: string | null };

/** Asks `accounts` about `address` and `password` for `session`; a refusal counts as a failed
 *  login, and the session ends when it has had too many. */
export async function checkPassword(
  session: LoginSession,
  accounts: Pick<AccountStore, 'authenticate'>,
  protocol: string,
  address: string,
  password: string,
): Promise<PasswordCheck> {
  const result = await accounts.authenticate(address, password, {
    ip: session.conn.remoteAddress,
    protocol,
  });
  if (result.ok) return { ok: true, user: result.user.address };
  if (session.loginFailed()) session.end();
  if (result.reason !== 'throttled') return { ok: false, throttled: null };
  const seconds = Math.ceil(result.retryAfterMs / 1000);
  return { ok: false, throttled: `Too many failed logins; try again in ${String(seconds)} s` };
}
