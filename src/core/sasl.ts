/**
 * SASL shared by SMTP AUTH (RFC 4954), POP3 AUTH (RFC 5034) and IMAP AUTHENTICATE
 * (RFC 9051 §6.2.2): `runSaslExchange` drives PLAIN (RFC 4616) and LOGIN
 * (draft-murchison-sasl-login) over a small transport each protocol provides (how a challenge is
 * framed, how a response line is read), so every protocol offers the same mechanisms with the
 * same decoding, cancellation (`*`) and size bounds. The account store checks the credentials.
 */
import { AUTH_LIMITS } from './limits.js';

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

/** The mechanisms every protocol offers. Passwords are stored hashed, so none that needs the
 *  clear secret on the server (CRAM-MD5, SCRAM without stored keys). */
export const SASL_MECHANISMS = ['PLAIN', 'LOGIN'] as const;

/** One read of a client response line. */
export type SaslRead =
  | { readonly kind: 'line'; readonly text: string }
  | { readonly kind: 'overflow' }
  | { readonly kind: 'closed' };

/** What a protocol gives the exchange: its challenge framing and its line reader. */
export interface SaslTransport {
  /** Sends a server challenge, `base64` ('' for an empty one), framed as the protocol does
   *  (SMTP `334 <base64>`, POP3 `+ <base64>`). */
  sendChallenge(base64: string): void;
  /** Reads the client's response line; `secret` asks the transcript to redact it. A line longer
   *  than the connection allows is `overflow`; a timeout or hang-up is `closed`. */
  readResponse(secret: boolean): Promise<SaslRead>;
}

/** How an exchange ended. */
export type SaslOutcome =
  | { readonly kind: 'credentials'; readonly credentials: SaslCredentials }
  /** A mechanism not in SASL_MECHANISMS. */
  | { readonly kind: 'unsupported' }
  /** Not base64, or not a valid message of the mechanism. */
  | { readonly kind: 'malformed' }
  /** The client answered `*` (RFC 4954 §4, RFC 5034 §4). */
  | { readonly kind: 'cancelled' }
  /** A response longer than AUTH_LIMITS.maxSaslResponseOctets or the connection's line limit. */
  | { readonly kind: 'too-long' }
  /** The connection went away (or timed out) mid-exchange. */
  | { readonly kind: 'closed' };

// LOGIN's challenges, base64 of "Username:" and "Password:" as every client expects.
const LOGIN_USERNAME = 'VXNlcm5hbWU6';
const LOGIN_PASSWORD = 'UGFzc3dvcmQ6';

const MALFORMED: SaslOutcome = { kind: 'malformed' };

/** A decoded response, or the outcome that ends the exchange. */
function decodeLine(text: string): string | SaslOutcome {
  if (text === '*') return { kind: 'cancelled' };
  if (text.length > AUTH_LIMITS.maxSaslResponseOctets) return { kind: 'too-long' };
  return decodeSaslResponse(text) ?? MALFORMED;
}

async function ask(
  transport: SaslTransport,
  challenge: string,
  secret: boolean,
): Promise<string | SaslOutcome> {
  transport.sendChallenge(challenge);
  const read = await transport.readResponse(secret);
  if (read.kind === 'closed') return { kind: 'closed' };
  if (read.kind === 'overflow') return { kind: 'too-long' };
  return decodeLine(read.text);
}

/**
 * Runs one SASL exchange: `mechanism` (case-insensitive) with the optional initial response
 * given on the command line (RFC 4954 §4, RFC 5034 §4), asking for what is missing over
 * `transport`. Resolves with the credentials or why there are none; the caller answers.
 */
export async function runSaslExchange(
  mechanism: string,
  initial: string | undefined,
  transport: SaslTransport,
): Promise<SaslOutcome> {
  switch (mechanism.toUpperCase()) {
    case 'PLAIN': {
      const message = initial === undefined ? await ask(transport, '', true) : decodeLine(initial);
      if (typeof message !== 'string') return message;
      const credentials = decodeSaslPlain(message);
      return credentials === null ? MALFORMED : { kind: 'credentials', credentials };
    }
    case 'LOGIN': {
      const username =
        initial === undefined ? await ask(transport, LOGIN_USERNAME, false) : decodeLine(initial);
      if (typeof username !== 'string') return username;
      const password = await ask(transport, LOGIN_PASSWORD, true);
      if (typeof password !== 'string') return password;
      if (username === '' || password === '') return MALFORMED;
      return { kind: 'credentials', credentials: { authzid: '', username, password } };
    }
    default:
      return { kind: 'unsupported' };
  }
}
