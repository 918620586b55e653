/**
 * Which addresses are ours, as the SMTP server (accept or refuse a recipient) and the queue
 * runner (deliver a bounce locally or relay it) both ask: a domain is local when the accounts
 * hold it; an address is a local user when an enabled account has it (canonical form returned).
 */
import type { AccountStore } from '../core/accounts/store.js';

export interface LocalRecipients {
  isLocalDomain(domain: string): boolean;
  /** The canonical address of an enabled local user, or null. */
  localUser(address: string): string | null;
}

/** The local-recipient rules over the suite's accounts. */
export function localRecipients(accounts: AccountStore): LocalRecipients {
  return {
    isLocalDomain: (domain) => accounts.hasDomain(domain),
    localUser: (address) => {
      const user = accounts.getUser(address);
      return user === undefined || user.disabled ? null : user.address;
    },
  };
}
