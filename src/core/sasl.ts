/**
 * SASL pieces shared by SMTP AUTH (RFC 4954), POP3 AUTH (RFC 5034) and IMAP AUTHENTICATE
 * (RFC 9051 §6.2.2): decoding a base64 client response (`=` is the empty response) and the PLAIN
 * mechanism (RFC 4616). Pure; the sessions run the exchange, the account store checks.
 */

/** Credentials from a SASL exchange. */
export interface SaslCredentials {
  /** The authorization identity; '' when the client asked for none. */
  readonly authzid: string;
  /** The authentication identity (our login: the full address). */
  readonly username: string;
  readonly password: string;
}

/** Canonical padded base64 (RFC 4648 §4), which the SASL profiles require. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes one base64 client response (`=` is the empty response); null when malformed. */
export function decodeSaslResponse(text: string): string | null {
  if (text === '=') return '';
  if (!BASE64.test(text)) return null;
  return Buffer.from(text, 'base64').toString('utf8');
}

/** Decodes a PLAIN message `[authzid] NUL authcid NUL passwd` (RFC 4616 §2); null when malformed. */
export function decodeSaslPlain(message: string): SaslCredentials | null {
  const parts = message.split('\0');
  if (parts.length !== 3) return null;
  const [authzid, username, password] = parts as [string, string, string];
  if (username === '' || password === '') return null;
  return { authzid, username, password };
}

/**
 * True when the client asks to act as someone else (an authorization identity that is not its
 * own): we do not proxy, so sessions refuse it.
 */
export function isProxyAuthorization(credentials: SaslCredentials): boolean {
  return (
    credentials.authzid !== '' && credentials.authzid.toLowerCase() !== credentials.username.toLowerCase()
  );
}

/** The base64 of a PLAIN message, for clients and tests. */
export function encodeSaslPlain(username: string, password: string): string {
  return Buffer.from(`\0${username}\0${password}`).toString('base64');
}
