/**
 * Password hashing with scrypt (RFC 7914) from node:crypto, encoded as a PHC-style string
 * `$scrypt$ln=15,r=8,p=1$<salt>$<hash>` (unpadded standard base64) so that hashes can be written
 * into a config file (`[[users]] password_hash`) and their cost raised later without breaking old
 * ones. Verification takes the cost from the string but only within AUTH_LIMITS bounds: a hash is
 * input too, and one with ln=30 would cost each login gigabytes of memory. Comparison is
 * constant-time. Passwords are hashed as their UTF-8 bytes without normalisation and are never
 * logged or put in an error message.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { ErrorCodes, OutpostError } from '../errors.js';
import { AUTH_LIMITS } from '../limits.js';

/** scrypt cost parameters; `ln` is log2 of N. */
export interface ScryptParams {
  readonly ln: number;
  readonly r: number;
  readonly p: number;
}

/** The cost new hashes get: N = 2^15, r = 8, p = 1 (32 MiB, the RFC 7914 §2 interactive-login class). */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { ln: 15, r: 8, p: 1 };

const SALT_OCTETS = 16;
const KEY_OCTETS = 32;
const MIN_SALT_OCTETS = 8;
const MAX_SALT_OCTETS = 64;
const MIN_KEY_OCTETS = 16;
const MAX_KEY_OCTETS = 64;

const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

interface ParsedHash extends ScryptParams {
  readonly salt: Buffer;
  readonly hash: Buffer;
}

function malformed(reason: string): OutpostError {
  return new OutpostError(ErrorCodes.INVALID_PASSWORD_HASH, `invalid password hash: ${reason}`);
}

/** Throws unless the cost is within the DoS bounds of AUTH_LIMITS. */
function checkParams({ ln, r, p }: ScryptParams): void {
  if (!Number.isInteger(ln) || ln < AUTH_LIMITS.scryptMinLn || ln > AUTH_LIMITS.scryptMaxLn) {
    throw malformed(`ln must be ${AUTH_LIMITS.scryptMinLn}..${AUTH_LIMITS.scryptMaxLn}`);
  }
  if (!Number.isInteger(r) || r < 1 || r > AUTH_LIMITS.scryptMaxR) throw malformed('r out of range');
  if (!Number.isInteger(p) || p < 1 || p > AUTH_LIMITS.scryptMaxP) throw malformed('p out of range');
  if (memoryOf({ ln, r, p }) > AUTH_LIMITS.scryptMaxMemoryBytes) throw malformed('memory cost too high');
  if (2 ** ln * r * p > AUTH_LIMITS.scryptMaxWork) throw malformed('work factor too high');
}

/** Bytes scrypt's V array needs (128 * N * r); maxmem must exceed it, so we allow twice that. */
function memoryOf({ ln, r }: ScryptParams): number {
  return 128 * 2 ** ln * r;
}

function decodeB64(text: string, min: number, max: number, what: string): Buffer {
  const buf = Buffer.from(text, 'base64');
  // Reject non-canonical encodings (stray bits in the last character) so one hash has one spelling.
  if (buf.toString('base64').replace(/=+$/, '') !== text) throw malformed(`${what} is not canonical base64`);
  if (buf.length < min || buf.length > max) throw malformed(`${what} length out of range`);
  return buf;
}

function parseHash(encoded: string): ParsedHash {
  const m = PHC.exec(encoded);
  if (m === null) throw malformed('expected $scrypt$ln=N,r=N,p=N$salt$hash');
  const [, ln, r, p, salt, hash] = m;
  const params = { ln: Number(ln), r: Number(r), p: Number(p) };
  checkParams(params);
  return {
    ...params,
    salt: decodeB64(salt ?? '', MIN_SALT_OCTETS, MAX_SALT_OCTETS, 'salt'),
    hash: decodeB64(hash ?? '', MIN_KEY_OCTETS, MAX_KEY_OCTETS, 'hash'),
  };
}

function passwordBytes(plain: string): Buffer | null {
  const bytes = Buffer.from(plain, 'utf8');
  return bytes.length > AUTH_LIMITS.maxPasswordOctets ? null : bytes;
}

function derive(password: Buffer, salt: Buffer, keylen: number, params: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      password,
      salt,
      keylen,
      { N: 2 ** params.ln, r: params.r, p: params.p, maxmem: 2 * memoryOf(params) },
      (err, key) => {
        if (err) reject(err);
        else resolve(key);
      },
    );
  });
}

/**
 * Hashes `plain` with a fresh 16-byte salt into a 32-byte key. `params` defaults to
 * DEFAULT_SCRYPT_PARAMS (tests may pass a cheaper ln, down to AUTH_LIMITS.scryptMinLn).
 * Throws RangeError for a password longer than AUTH_LIMITS.maxPasswordOctets.
 */
export async function hashPassword(
  plain: string,
  params: ScryptParams = DEFAULT_SCRYPT_PARAMS,
): Promise<string> {
  checkParams(params);
  const bytes = passwordBytes(plain);
  if (bytes === null) throw new RangeError(`password longer than ${AUTH_LIMITS.maxPasswordOctets} octets`);
  const salt = randomBytes(SALT_OCTETS);
  const key = await derive(bytes, salt, KEY_OCTETS, params);
  const b64 = (b: Buffer): string => b.toString('base64').replace(/=+$/, '');
  return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${b64(salt)}$${b64(key)}`;
}

/**
 * True when `plain` matches `encoded`, compared in constant time. Throws INVALID_PASSWORD_HASH
 * when `encoded` is malformed or its cost is outside the AUTH_LIMITS bounds. An over-long
 * password is simply wrong (after the same work, so length does not show in the timing).
 */
export async function verifyPassword(plain: string, encoded: string): Promise<boolean> {
  const parsed = parseHash(encoded);
  const bytes = passwordBytes(plain);
  const key = await derive(bytes ?? Buffer.alloc(0), parsed.salt, parsed.hash.length, parsed);
  return timingSafeEqual(key, parsed.hash) && bytes !== null;
}

/**
 * Throws INVALID_PASSWORD_HASH unless `encoded` is a hash this code accepts: what the account
 * store refuses to store, and what `outpost config check` finds in `[[users]]` beforehand.
 */
export function requirePasswordHash(encoded: string): void {
  if (!isPasswordHash(encoded)) {
    throw new OutpostError(
      ErrorCodes.INVALID_PASSWORD_HASH,
      'password hash is malformed or its cost is out of bounds',
    );
  }
}

/** True when `s` is a well-formed scrypt hash this code would accept (for config validation). */
export function isPasswordHash(s: string): boolean {
  try {
    parseHash(s);
    return true;
  } catch {
    return false;
  }
}
