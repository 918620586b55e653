/**
 * Which addresses are ours, as the SMTP server (accept or refuse a recipient) and the queue
 * runner (deliver a bounce locally or relay it) both ask: a domain is local when the accounts
 * hold it; an address is a local user when an enabled account has it (canonical form returned).
 *
 * It also says who the postmaster is. RFC 5321 §4.5.1 requires every server to accept
 * `RCPT TO:<Postmaster>` and `postmaster@<each of its domains>`; like Postfix's `postmaster`
 * alias, mail for them that no real `postmaster@` account takes goes to one chosen account:
 * `[smtp] postmaster` when set (it must be an enabled local account), else the default of
 * `defaultPostmaster`. The queue runner sends the same account the DSNs for local senders that
 * have no enabled account (double bounces).
 */
import type { AccountStore, User } from '../core/accounts/store.js';
import { ConfigError } from '../core/errors.js';

export interface LocalRecipients {
  isLocalDomain(domain: string): Promise<boolean>;
  /** The canonical address of an enabled local user, or null. */
  localUser(address: string): Promise<string | null>;
  /**
   * The account that receives mail for `<Postmaster>` and for `postmaster@<local domain>` when
   * that domain has no enabled postmaster account of its own; null when there is no account.
   */
  postmaster(): Promise<string | null>;
}

/** Who receives postmaster mail, and why (logged at start and reload). */
export interface PostmasterChoice {
  readonly address: string;
  /** `config`: `[smtp] postmaster`; `postmaster-account`: an existing `postmaster@` account;
   *  `first-account`: the first account of the first domain. */
  readonly source: 'config' | 'postmaster-account' | 'first-account';
}

const byName = (a: User, b: User): number =>
  a.domain.localeCompare(b.domain, 'en') || a.address.localeCompare(b.address, 'en');

/**
 * The postmaster when `[smtp] postmaster` is unset: an enabled `postmaster@<domain>` account if
 * one exists (whoever created it meant it to get postmaster mail), else the first enabled
 * account of the first domain, both by name. By name, not by age: accounts from the config are
 * created in parallel, so their age says nothing, and a rule the administrator can predict from
 * the account list is what a default needs (the choice is logged at every start and reload; set
 * `[smtp] postmaster` to pin it). Null when there is no enabled account at all.
 */
export async function defaultPostmaster(accounts: AccountStore): Promise<PostmasterChoice | null> {
  const users = (await accounts.listUsers()).filter((u) => !u.disabled).sort(byName);
  const named = users.find((u) => u.address.toLowerCase().startsWith('postmaster@'));
  if (named) return { address: named.address, source: 'postmaster-account' };
  const first = users[0];
  return first ? { address: first.address, source: 'first-account' } : null;
}

/**
 * The postmaster for a configuration: `configured` (`[smtp] postmaster`) must be an enabled
 * local account, else ConfigError naming `smtp.postmaster`; absent, the default.
 */
export async function choosePostmaster(
  accounts: AccountStore,
  configured: string | undefined,
): Promise<PostmasterChoice | null> {
  if (configured === undefined) return defaultPostmaster(accounts);
  const user = await accounts.getUser(configured);
  if (user === undefined || user.disabled) {
    throw new ConfigError(
      `smtp.postmaster: ${JSON.stringify(configured)} is not an enabled local account ` +
        '(add it to [[users]] or with `outpost user add`)',
      'smtp.postmaster',
    );
  }
  return { address: user.address, source: 'config' };
}

/**
 * The local-recipient rules over the suite's accounts. `postmaster` is `[smtp] postmaster`:
 * the choice is made on first use and kept while its account stays enabled; if the account is
 * removed or disabled at run time (`outpost user …`), the next use chooses again (the default
 * when the configured account is gone, since the RFC does not let us refuse postmaster mail).
 */
export function localRecipients(accounts: AccountStore, postmaster?: string): LocalRecipients {
  const localUser = async (address: string): Promise<string | null> => {
    const user = await accounts.getUser(address);
    return user === undefined || user.disabled ? null : user.address;
  };
  let chosen: string | null = null;
  return {
    isLocalDomain: (domain) => accounts.hasDomain(domain),
    localUser,
    postmaster: async () => {
      const current = chosen === null ? null : await localUser(chosen);
      if (current !== null) return current;
      const configured = postmaster === undefined ? null : await localUser(postmaster);
      chosen = configured ?? (await defaultPostmaster(accounts))?.address ?? null;
      return chosen;
    },
  };
}
