/**
 * \Seen for what a POP3 session downloaded: when the session ends (QUIT, a dropped connection, a
 * timeout), the messages RETR sent and that were not deleted get \Seen in one store write, as
 * Dovecot does by default (`pop3_no_flag_updates = no`), so an IMAP client of the same mailbox
 * shows them as read. TOP does not count (it is a peek). One write per session keeps the fsync
 * off RETR's path; a failure is logged and loses nothing but the flag.
 */
import type { Logger } from '../core/logger.js';
import type { MailStore } from '../mail/index.js';
import type { Maildrop } from './maildrop.js';

/** Adds \Seen to the messages `maildrop` says were retrieved (see the file comment). Never throws. */
export async function flagRetrievedSeen(
  store: Pick<MailStore, 'setFlags'>,
  maildrop: Maildrop,
  log: { readonly logger: Logger; readonly user: string; readonly session: string },
): Promise<void> {
  const uids = maildrop.retrievedUids();
  if (uids.length === 0) return;
  try {
    await store.setFlags(maildrop.index.mailboxId, uids, ['\\Seen'], 'add', {
      origin: `pop3-${log.session}`,
    });
  } catch (error) {
    log.logger.error({ err: error, user: log.user, session: log.session }, 'pop3: cannot set \\Seen');
  }
}
