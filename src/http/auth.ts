/**
 * Who may write to a site. Writes (PUT, DELETE, POST uploads) need an account: HTTP Basic
 * credentials (RFC 7617) checked by the core's AccountStore (throttled), sent either over TLS or
 * from a loopback address; on a plain non-loopback connection the server refuses before any
 * password is sent. The account must be one of the site's `writers` (`*` = any account).
 * The decision functions are pure so the rules are tested without sockets.
 */
import type { AccountStore } from '../core/accounts/store.js';
import { isLoopback } from '../core/net.js';

/** Basic credentials from an Authorization header. */
export interface BasicCredentials {
  readonly user: string;
  readonly password: string;
}

/** RFC 7617 §2: `Basic base64(user-id ":" password)`; undefined when absent or malformed. */
export function parseBasicAuth(header: string | undefined): BasicCredentials | undefined {
  if (header === undefined || header.length > 4096) return undefined;
  const m = /^\s*basic\s+([A-Za-z0-9+/]+=*)\s*$/i.exec(header);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  const user = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  // RFC 7617 §2: the user-id cannot contain ':' and neither part may hold control characters.
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(decoded)) return undefined;
  return { user, password };
}

/** Credentials may be sent on this connection: TLS, or a loopback peer. */
export function transportAllowsCredentials(secure: boolean, remoteAddress: string): boolean {
  return secure || isLoopback(remoteAddress);
}

/** True when `address` is allowed by a writers list. */
export function isWriter(writers: readonly string[], address: string): boolean {
  const key = address.toLowerCase();
  return writers.some((w) => w === '*' || w.toLowerCase() === key);
}

/** The outcome of checking a write request's credentials. */
export type WriteAuth =
  | { readonly ok: true; readonly user: string }
  | {
      readonly ok: false;
      readonly status: 401 | 403 | 405 | 429;
      readonly reason: string;
      readonly retryAfterS?: number;
    };

/** The realm in WWW-Authenticate (RFC 7617 §2, with charset per §2.1). */
export const BASIC_CHALLENGE = 'Basic realm="outpost", charset="UTF-8"';

/**
 * Decides a write: 405 when the site takes no writes, 403 on a plain non-loopback connection,
 * 401 without valid credentials, 429 when throttled, 403 when the account is not a writer.
 */
export async function authorizeWrite(args: {
  readonly writers: readonly string[];
  readonly secure: boolean;
  readonly remoteAddress: string;
  readonly authorization: string | undefined;
  readonly accounts: AccountStore | undefined;
}): Promise<WriteAuth> {
  if (args.writers.length === 0 || args.accounts === undefined)
    return { ok: false, status: 405, reason: 'this site is read-only' };
  if (!transportAllowsCredentials(args.secure, args.remoteAddress))
    return { ok: false, status: 403, reason: 'writes need HTTPS' };
  const creds = parseBasicAuth(args.authorization);
  if (creds === undefined) return { ok: false, status: 401, reason: 'authentication required' };
  const result = await args.accounts.authenticate(creds.user, creds.password, {
    ip: args.remoteAddress,
    protocol: 'http',
  });
  if (!result.ok) {
    if (result.reason === 'throttled')
      return {
        ok: false,
        status: 429,
        reason: 'too many failed logins',
        retryAfterS: Math.ceil(result.retryAfterMs / 1000),
      };
    return { ok: false, status: 401, reason: 'invalid credentials' };
  }
  if (!isWriter(args.writers, result.user.address))
    return { ok: false, status: 403, reason: 'not allowed to write here' };
  return { ok: true, user: result.user.address };
}
