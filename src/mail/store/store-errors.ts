/**
 * The errors every mail-store backend raises for the same conditions, with the same codes and
 * words, so callers (and the contract suite) see one behaviour whatever the backend.
 */
import { ErrorCodes, OutpostError } from '../../core/errors.js';

/** No mailbox by that name or id. */
export function mailboxNotFound(what: string): OutpostError {
  return new OutpostError(ErrorCodes.MAILBOX_NOT_FOUND, `no mailbox ${what}`);
}

/** A mailbox of that name already exists. */
export function mailboxExists(name: string): OutpostError {
  return new OutpostError(ErrorCodes.MAILBOX_EXISTS, `mailbox ${name} exists`);
}

/** RENAME of a mailbox to a name below itself (`a` to `a/b`). */
export function mailboxUnderItself(from: string, to: string): OutpostError {
  return new OutpostError(ErrorCodes.MAILBOX_NAME_INVALID, `cannot rename ${from} to ${to}, below itself`);
}

/** A subscription past STORE_LIMITS.subscriptionsPerUser. */
export function tooManySubscriptions(max: number): OutpostError {
  return new OutpostError(ErrorCodes.INPUT_TOO_LARGE, `at most ${String(max)} subscriptions`);
}
