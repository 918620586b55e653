/**
 * The mail store's errors as IMAP answers them (RFC 5530 response codes): a missing mailbox is
 * `NO [NONEXISTENT]`, an existing one `NO [ALREADYEXISTS]`, an invalid name `NO [CANNOT]`, too
 * many subscriptions `NO [LIMIT]`. Anything else is rethrown for the session's error boundary.
 */
import { ErrorCodes, OutpostError } from '../../../core/errors.js';
import { no, type ImapReply } from '../reply.js';

/** Runs `op`; maps the store's expected errors to a tagged NO. */
export async function storeCall(tag: string, op: () => Promise<ImapReply>): Promise<ImapReply> {
  try {
    return await op();
  } catch (err) {
    if (!(err instanceof OutpostError)) throw err;
    switch (err.code) {
      case ErrorCodes.MAILBOX_NOT_FOUND:
        return no(tag, 'No such mailbox', { code: 'NONEXISTENT' });
      case ErrorCodes.MAILBOX_EXISTS:
        return no(tag, 'Mailbox already exists', { code: 'ALREADYEXISTS' });
      case ErrorCodes.MAILBOX_NAME_INVALID:
        return no(tag, safeReason(err.message), { code: 'CANNOT' });
      case ErrorCodes.INPUT_TOO_LARGE:
        return no(tag, safeReason(err.message), { code: 'LIMIT' });
      default:
        throw err;
    }
  }
}

/** The store's message, which names no path or internals, for the client (one line). */
function safeReason(message: string): string {
  return message.replace(/[\r\n]/g, ' ').slice(0, 200);
}
