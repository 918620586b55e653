/**
 * `outpost ftp` argument helpers: ftp:// and ftps:// URLs (user, password, host, port, path;
 * `ftps://` is implicit TLS on 990), and the `*`/`?` wildcards of mget/mput.
 */
import { OutpostError, ErrorCodes } from '../core/errors.js';

/** A parsed FTP URL. */
export interface FtpTarget {
  readonly host: string;
  readonly port: number;
  readonly implicitTls: boolean;
  readonly user: string | undefined;
  readonly password: string | undefined;
  /** Decoded path, without the leading slash of the URL (RFC 1738 §3.2.2: relative to login). */
  readonly path: string;
}

/** Parses `ftp://[user[:password]@]host[:port]/path` (user may contain a literal or encoded @). */
export function parseFtpUrl(text: string): FtpTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new OutpostError(ErrorCodes.PARSE, `not a URL: ${text}`);
  }
  if (url.protocol !== 'ftp:' && url.protocol !== 'ftps:') {
    throw new OutpostError(ErrorCodes.PARSE, `expected ftp:// or ftps://, got ${url.protocol}`);
  }
  const implicitTls = url.protocol === 'ftps:';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return {
    host,
    port: url.port === '' ? (implicitTls ? 990 : 21) : Number(url.port),
    implicitTls,
    user: url.username === '' ? undefined : decodeURIComponent(url.username),
    password: url.password === '' ? undefined : decodeURIComponent(url.password),
    path: decodeURIComponent(url.pathname.replace(/^\//, '')),
  };
}

/** A RegExp for a shell-style wildcard (`*`, `?`); other characters are literal. */
export function wildcard(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** True when the text contains a wildcard. */
export function hasWildcard(text: string): boolean {
  return /[*?]/.test(text);
}
