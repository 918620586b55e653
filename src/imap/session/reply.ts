/**
 * What an IMAP command handler returns: the untagged lines it produced and its tagged status
 * line (RFC 9051 §7.1). The session writes the untagged lines, then any untagged updates it owes
 * the client (mailbox changes), then the status line. Helpers build the common shapes.
 */
import type { ResponseWriter } from '../../core/line/connection.js';
import { statusLine, type ResponseCode } from '../codec/index.js';

/** A status of a tagged reply. */
export type ImapStatus = 'OK' | 'NO' | 'BAD';

/** A handler's reply. */
export interface ImapReply {
  /** Untagged response lines (without CRLF), written before the status line. */
  readonly untagged: readonly string[];
  /**
   * Untagged responses streamed after `untagged` (FETCH data with literals read from the store
   * message by message); a failure once it started ends the session.
   */
  readonly write?: (w: ResponseWriter) => Promise<void>;
  /**
   * RFC 9051 §7.5.1: no `* n EXPUNGE` may follow this command (FETCH, STORE, SEARCH by
   * sequence number); pending expunges wait for the next command that allows them.
   */
  readonly noExpunge?: boolean;
  readonly status: ImapStatus;
  /** The tagged status line. */
  readonly line: string;
}

function reply(
  tag: string,
  status: ImapStatus,
  text: string,
  code: ResponseCode | null,
  untagged: readonly string[],
): ImapReply {
  return { untagged, status, line: statusLine(tag, status, text, code) };
}

/** `tag OK [code] text`, after the untagged lines. */
export function ok(
  tag: string,
  text: string,
  code: ResponseCode | null = null,
  untagged: readonly string[] = [],
): ImapReply {
  return reply(tag, 'OK', text, code, untagged);
}

/** `tag NO [code] text`. */
export function no(tag: string, text: string, code: ResponseCode | null = null): ImapReply {
  return reply(tag, 'NO', text, code, []);
}

/** `tag BAD [code] text`. */
export function bad(tag: string, text: string, code: ResponseCode | null = null): ImapReply {
  return reply(tag, 'BAD', text, code, []);
}

/** The reply to a command that failed unexpectedly (the session's error boundary). */
export function serverBug(tag: string): ImapReply {
  return no(tag, 'Internal error; try again later', { code: 'SERVERBUG' });
}

/**
 * The reply to a command on a selected mailbox another session deleted (SelectedMailbox.gone);
 * `noExpunge` for FETCH, STORE and SEARCH by number, which may not be followed by EXPUNGE
 * whatever their status (RFC 9051 §7.5.1).
 */
export function mailboxGone(tag: string, noExpunge = false): ImapReply {
  return { ...no(tag, 'The selected mailbox was deleted', { code: 'NONEXISTENT' }), noExpunge };
}
