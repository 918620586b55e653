/**
 * Mailbox names as the store accepts them: `/` is the hierarchy separator, `INBOX` is matched
 * case-insensitively and always spelled `INBOX` (RFC 9051 §5.1), other names are case-sensitive.
 * Names with control characters, empty levels or surrounding separators are refused so that no
 * protocol ever has to quote a line break out of a mailbox name.
 */
import { ErrorCodes, OutpostError } from '../../core/errors.js';
import { STORE_LIMITS } from './limits.js';

/** The hierarchy separator. */
export const MAILBOX_SEPARATOR = '/';

/** The canonical form of a mailbox name; throws OutpostError MAILBOX_NAME_INVALID. */
export function canonicalMailboxName(name: string): string {
  if (name.length === 0 || name.length > STORE_LIMITS.mailboxNameChars) {
    throw new OutpostError(ErrorCodes.MAILBOX_NAME_INVALID, 'mailbox name is empty or too long');
  }
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(name)) {
    throw new OutpostError(ErrorCodes.MAILBOX_NAME_INVALID, 'mailbox name contains a control character');
  }
  if (name.split(MAILBOX_SEPARATOR).some((level) => level === '')) {
    throw new OutpostError(ErrorCodes.MAILBOX_NAME_INVALID, 'mailbox name has an empty hierarchy level');
  }
  if (name.toUpperCase() === 'INBOX') return 'INBOX';
  return name;
}

/** True for INBOX in any case. */
export function isInbox(name: string): boolean {
  return name.toUpperCase() === 'INBOX';
}

/** The superior levels of a (canonical) name, outermost first: `a/b/c` gives `a`, `a/b`. */
export function superiorNames(name: string): string[] {
  const levels = name.split(MAILBOX_SEPARATOR);
  const out: string[] = [];
  for (let i = 1; i < levels.length; i++)
    out.push(canonicalMailboxName(levels.slice(0, i).join(MAILBOX_SEPARATOR)));
  return out;
}

/** True when `name` is `ancestor` or lies below it in the hierarchy. */
export function isSameOrUnder(name: string, ancestor: string): boolean {
  return name === ancestor || name.startsWith(ancestor + MAILBOX_SEPARATOR);
}
