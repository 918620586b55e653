/**
 * Mailbox addresses as account names: parsing, validation and the canonical form every protocol
 * logs users in by (`alice@example.test`). The grammar is RFC 5321 §4.1.2's Mailbox restricted to
 * ASCII and to domain names (no address literals, no IDNA): a dot-atom or quoted local part, an
 * LDH domain. The domain is lowercased; the local part keeps its case for display but is matched
 * case-insensitively (`addressKey`), as the store's `COLLATE NOCASE` does. Spaces, controls
 * (CR, LF, NUL…) and angle brackets are refused even inside quotes, so an account name can never
 * smuggle a line break or a second command into a protocol line. Error messages never echo the raw
 * input, which may hold exactly such bytes.
 */
import { ErrorCodes, OutpostError } from '../errors.js';
import { ADDRESS_LIMITS } from '../limits.js';

/** A validated address split into its parts; `address` is the canonical `local@domain`. */
export interface ParsedAddress {
  readonly local: string;
  readonly domain: string;
  readonly address: string;
}

// RFC 5321 §4.1.2 Atom = 1*atext; atext per RFC 5322 §3.2.3.
const DOT_STRING = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+(?:\.[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+)*$/;
// RFC 1035 §2.3.1 LDH label (digits first allowed, RFC 1123 §2.1).
const LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
// Printable ASCII except space and angle brackets: what we allow anywhere in an address, quoted or not.
const SAFE_CHARS = /^[\x21-\x3b\x3d\x3f-\x7e]*$/;

function invalid(reason: string): OutpostError {
  return new OutpostError(ErrorCodes.INVALID_ADDRESS, `invalid address: ${reason}`);
}

/**
 * Validates and lowercases a domain name: LDH labels, each 1–63 octets, at most 255 in total
 * (RFC 5321 §4.5.3.1.2), no trailing dot, no address literals. Throws INVALID_ADDRESS.
 */
export function normalizeDomain(input: string): string {
  if (input.length === 0) throw invalid('empty domain');
  if (input.length > ADDRESS_LIMITS.domainMaxOctets) throw invalid('domain too long');
  const domain = input.toLowerCase();
  for (const label of domain.split('.')) {
    if (label.length > ADDRESS_LIMITS.labelMaxOctets) throw invalid('domain label too long');
    if (!LABEL.test(label)) throw invalid('malformed domain');
  }
  return domain;
}

/** Unquotes an RFC 5321 Quoted-string local part, or returns null if it is malformed. */
function unquote(quoted: string): string | null {
  if (quoted.length < 2 || !quoted.startsWith('"') || !quoted.endsWith('"')) return null;
  let out = '';
  for (let i = 1; i < quoted.length - 1; i++) {
    let ch = quoted[i];
    if (ch === '"') return null;
    if (ch === '\\') {
      i++;
      if (i >= quoted.length - 1) return null;
      ch = quoted[i];
    }
    out += ch ?? '';
  }
  return out;
}

/**
 * Parses `local@domain`. The local part is a dot-atom or a quoted string (which may contain `@`,
 * so the domain starts after the last `@`). A quoted local part that does not need quoting is
 * stored unquoted (RFC 5321 §4.1.2: it SHOULD NOT be quoted), so `"alice"@x` and `alice@x` are
 * the same account. Throws INVALID_ADDRESS.
 */
export function parseAddress(input: string): ParsedAddress {
  if (input.length > ADDRESS_LIMITS.pathMaxOctets - 2) throw invalid('too long');
  // Checked before anything else so no later message can be about a hostile byte sequence.
  if (!SAFE_CHARS.test(input))
    throw invalid('forbidden character (control, space, non-ASCII or angle bracket)');
  const at = input.lastIndexOf('@');
  if (at < 0) throw invalid('missing @');
  const rawLocal = input.slice(0, at);
  const domain = normalizeDomain(input.slice(at + 1));
  let local: string;
  if (rawLocal.startsWith('"')) {
    const content = unquote(rawLocal);
    if (content === null || content.length === 0) throw invalid('malformed quoted local part');
    local = DOT_STRING.test(content) ? content : `"${content.replace(/["\\]/g, '\\$&')}"`;
  } else {
    if (!DOT_STRING.test(rawLocal))
      throw invalid(rawLocal.length === 0 ? 'empty local part' : 'malformed local part');
    local = rawLocal;
  }
  if (local.length > ADDRESS_LIMITS.localPartMaxOctets) throw invalid('local part too long');
  const address = `${local}@${domain}`;
  if (address.length > ADDRESS_LIMITS.pathMaxOctets - 2) throw invalid('too long');
  return { local, domain, address };
}

/** Canonical form of an address (`parseAddress(input).address`). Throws INVALID_ADDRESS. */
export function normalizeAddress(input: string): string {
  return parseAddress(input).address;
}

/** True when `input` is an acceptable account address. */
export function isValidAddress(input: string): boolean {
  try {
    parseAddress(input);
    return true;
  } catch {
    return false;
  }
}

/**
 * The case-folded key two spellings of one account share (ASCII folding, the same as SQLite's
 * NOCASE). Use it for maps and throttling, never for display.
 */
export function addressKey(canonical: string): string {
  return canonical.toLowerCase();
}
