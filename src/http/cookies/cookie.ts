/**
 * Cookies on the wire (RFC 6265): the server side parses `Cookie` (§5.4 / §4.2.1) and builds
 * `Set-Cookie` (§4.1) with Expires, Max-Age, Domain, Path, Secure, HttpOnly and SameSite
 * (RFC 6265bis §4.1.2.7), refusing names and values outside the §4.1.1 grammar (so no CR, LF or
 * `;` can ever be injected into a header); the client side parses `Set-Cookie` leniently the
 * way §5.2 tells user agents to. Pure.
 */
import { ErrorCodes, OutpostError } from '../../core/errors.js';
import { HTTP_LIMITS } from '../limits.js';

/** RFC 6265 §4.1.1 cookie-name = token (RFC 9110 §5.6.2 tchar). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** RFC 6265 §4.1.1 cookie-octet: %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E, optionally in DQUOTEs. */
const COOKIE_VALUE =
  /^(?:"[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*"|[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*)$/;
/** av-octet for Path and extension attributes: any CHAR except CTLs or ';'. */
const AV_VALUE = /^[\x20-\x3a\x3c-\x7e]*$/;
/** A domain-value: an LDH name, optionally with a leading dot (ignored, §5.2.3). */
const DOMAIN =
  /^\.?[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** SameSite values (RFC 6265bis §4.1.2.7). */
export type SameSite = 'Strict' | 'Lax' | 'None';

/** Attributes of a Set-Cookie the server builds. */
export interface CookieOptions {
  readonly expires?: Date;
  /** Seconds; 0 or negative deletes the cookie (§5.2.2). */
  readonly maxAge?: number;
  readonly domain?: string;
  readonly path?: string;
  readonly secure?: boolean;
  readonly httpOnly?: boolean;
  readonly sameSite?: SameSite;
}

function invalid(message: string): OutpostError {
  return new OutpostError(ErrorCodes.COOKIE_INVALID, message);
}

/** True when `name` is a valid cookie-name. */
export function isCookieName(name: string): boolean {
  return TOKEN.test(name);
}

/** True when `value` is a valid cookie-value. */
export function isCookieValue(value: string): boolean {
  return COOKIE_VALUE.test(value);
}

/** Builds a Set-Cookie value; throws COOKIE_INVALID for anything outside RFC 6265 §4.1.1. */
export function serializeCookie(name: string, value: string, options: CookieOptions = {}): string {
  if (!isCookieName(name)) throw invalid('cookie name is not a token');
  if (!isCookieValue(value)) throw invalid('cookie value holds characters RFC 6265 §4.1.1 forbids');
  let out = `${name}=${value}`;
  if (options.expires !== undefined) {
    if (Number.isNaN(options.expires.getTime())) throw invalid('invalid Expires date');
    out += `; Expires=${options.expires.toUTCString()}`;
  }
  if (options.maxAge !== undefined) {
    if (!Number.isInteger(options.maxAge)) throw invalid('Max-Age must be an integer');
    out += `; Max-Age=${options.maxAge}`;
  }
  if (options.domain !== undefined) {
    if (!DOMAIN.test(options.domain)) throw invalid('invalid Domain');
    out += `; Domain=${options.domain}`;
  }
  if (options.path !== undefined) {
    if (!options.path.startsWith('/') || !AV_VALUE.test(options.path)) throw invalid('invalid Path');
    out += `; Path=${options.path}`;
  }
  if (options.secure === true) out += '; Secure';
  if (options.httpOnly === true) out += '; HttpOnly';
  if (options.sameSite !== undefined) {
    if (options.sameSite === 'None' && options.secure !== true)
      throw invalid('SameSite=None requires Secure (RFC 6265bis §4.1.2.7)');
    out += `; SameSite=${options.sameSite}`;
  }
  return out;
}

/**
 * Parses a Cookie request header (§4.2.1: `a=1; b=2`) into name → value (first occurrence
 * wins, §5.4 orders longer paths first). Malformed pairs are skipped, never thrown on; DQUOTEs
 * around a value are removed. At most `maxCookies` pairs are read.
 */
export function parseCookieHeader(header: string | undefined, maxCookies = 200): Map<string, string> {
  const out = new Map<string, string>();
  if (header === undefined || header.length > 64 * 1024) return out;
  let count = 0;
  for (const pair of header.split(';')) {
    if (++count > maxCookies) break;
    const eq = pair.indexOf('=');
    if (eq === -1) continue;
    const name = pair.slice(0, eq).trim();
    let value = pair.slice(eq + 1).trim();
    if (!isCookieName(name) || !isCookieValue(value)) continue;
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (!out.has(name)) out.set(name, value);
  }
  return out;
}

/** A Set-Cookie as a user agent reads it (RFC 6265 §5.2), before the storage model. */
export interface ParsedSetCookie {
  readonly name: string;
  readonly value: string;
  /** Absolute expiry from Max-Age (wins) or Expires, ms since epoch; undefined = session cookie. */
  readonly expiresMs: number | undefined;
  readonly domain: string | undefined;
  readonly path: string | undefined;
  readonly secure: boolean;
  readonly httpOnly: boolean;
  readonly sameSite: SameSite | undefined;
}

/** §5.1.1 cookie-date parsing (lenient, via Date.parse, which accepts the common forms). */
function parseCookieDate(value: string): number | undefined {
  const ms = Date.parse(value.replace(/-/g, ' '));
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * §5.2: parses one Set-Cookie value received at `nowMs`; undefined when it must be ignored
 * (no '=', empty name, control characters, over the size limit).
 */
export function parseSetCookie(header: string, nowMs: number): ParsedSetCookie | undefined {
  if (header.length > HTTP_LIMITS.maxCookieOctets) return undefined;
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(header)) return undefined;
  const [pair = '', ...attrs] = header.split(';');
  const eq = pair.indexOf('=');
  if (eq === -1) return undefined;
  const name = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim();
  if (name === '') return undefined;
  let expires: number | undefined;
  let maxAge: number | undefined;
  let domain: string | undefined;
  let path: string | undefined;
  let secure = false;
  let httpOnly = false;
  let sameSite: SameSite | undefined;
  for (const attr of attrs) {
    const i = attr.indexOf('=');
    const key = (i === -1 ? attr : attr.slice(0, i)).trim().toLowerCase();
    const val = i === -1 ? '' : attr.slice(i + 1).trim();
    if (key === 'expires') {
      const d = parseCookieDate(val);
      if (d !== undefined) expires = d;
    } else if (key === 'max-age') {
      // §5.2.2: digits with an optional leading '-'; anything else ignores the attribute.
      if (/^-?\d+$/.test(val)) {
        const seconds = Number(val);
        maxAge = seconds <= 0 ? 0 : nowMs + Math.min(seconds, 400 * 24 * 3600) * 1000;
      }
    } else if (key === 'domain') {
      // §5.2.3: a leading dot is ignored; an empty value ignores the attribute.
      if (val !== '') domain = (val.startsWith('.') ? val.slice(1) : val).toLowerCase();
    } else if (key === 'path') {
      // §5.2.4: a value not starting with '/' means the default path.
      path = val.startsWith('/') ? val : undefined;
    } else if (key === 'secure') secure = true;
    else if (key === 'httponly') httpOnly = true;
    else if (key === 'samesite') {
      const v = val.toLowerCase();
      sameSite = v === 'strict' ? 'Strict' : v === 'lax' ? 'Lax' : v === 'none' ? 'None' : undefined;
    }
  }
  return {
    name,
    value,
    expiresMs: maxAge ?? expires,
    domain,
    path,
    secure,
    httpOnly,
    sameSite,
  };
}
