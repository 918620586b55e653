/**
 * A mailbox's keyword list (RFC 9051 §7.1 FLAGS and PERMANENTFLAGS): every keyword ever set on
 * one of its messages, sorted, matched case-insensitively like flags (flags.ts), capped at
 * STORE_LIMITS.keywordsPerMailbox so a client cannot grow SELECT's response without end. Both
 * backends keep it with the mailbox and update it in the write that sets the flags.
 */
import { ErrorCodes, OutpostError } from '../../core/errors.js';
import { STORE_LIMITS } from './limits.js';

/**
 * The mailbox's keywords once `flags` (canonical, see flags.ts) are stored there, or null when
 * nothing new was added. Throws OutpostError INPUT_TOO_LARGE past the cap.
 */
export function mergeKeywords(
  current: readonly string[],
  flags: readonly string[],
  max: number = STORE_LIMITS.keywordsPerMailbox,
): string[] | null {
  const known = new Set(current.map((k) => k.toLowerCase()));
  const added = flags.filter((f) => !f.startsWith('\\') && !known.has(f.toLowerCase()));
  if (added.length === 0) return null;
  if (current.length + added.length > max) {
    throw new OutpostError(ErrorCodes.INPUT_TOO_LARGE, `a mailbox holds at most ${String(max)} keywords`);
  }
  return [...current, ...added].sort();
}
