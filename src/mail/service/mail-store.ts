/**
 * The suite's one mail store: opened by whichever service asks first (SMTP, POP3, IMAP,
 * webmail) under the shared-resource key `mail-store`, in `<data_dir>/mail.db`, and closed by
 * the suite after every service has stopped.
 */
import { join } from 'node:path';
import type { ServiceContext } from '../../core/service/service.js';
import { resourceKey } from '../../core/service/shared-resources.js';
import { openSqliteMailStore } from '../store/sqlite-store.js';
import type { MailStore } from '../store/types.js';

/** The shared-resource key of the suite's mail store. */
export const MAIL_STORE = resourceKey<MailStore>('mail-store');

/** The mail store's database file inside a data directory. */
export function mailDatabasePath(dataDir: string): string {
  return join(dataDir, 'mail.db');
}

/** The mail store of a suite (opened on first use, closed by the suite after every service). */
export function sharedMailStore(context: ServiceContext): MailStore {
  return context.shared.get(MAIL_STORE, () =>
    openSqliteMailStore({ path: mailDatabasePath(context.config.data_dir) }),
  );
}
