/**
 * `outpost user …` and `outpost domain …`: account administration acting directly on the data
 * directory's accounts database (safe while the server runs: SQLite WAL). Passwords are read
 * from `--password`, from stdin with `--password-stdin`, or generated and printed once. Only
 * `domain add` sets a data directory up (and says so); the other commands need its accounts
 * database and otherwise stop without creating anything (data-dir.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { accountsDatabasePath, openAccounts, generatePassword } from '../suite/suite.js';
import type { AccountStore } from '../core/accounts/store.js';
import { requireSuiteData, resolveDataDir, type DataOptions } from './data-dir.js';

/**
 * Opens the accounts of the data directory. `setup`: creates the directory and database when
 * missing and prints so; otherwise they must exist (ERR_NO_DATA), `hint` telling how to start.
 */
async function withAccounts<T>(
  options: DataOptions,
  mode: { setup: true } | { setup: false; hint: string },
  fn: (accounts: AccountStore) => Promise<T>,
): Promise<T> {
  const dataDir = resolveDataDir(options);
  const file = accountsDatabasePath(dataDir);
  const fresh = !existsSync(file);
  if (!mode.setup) requireSuiteData(dataDir, file, mode.hint);
  const { db, accounts } = openAccounts(dataDir);
  if (fresh) process.stdout.write(`created suite data in ${dataDir}\n`);
  try {
    return await fn(accounts);
  } finally {
    db.close();
  }
}

const START = 'start with `outpost serve` (the demo domain) or `outpost domain add DOMAIN`';

export interface PasswordOptions extends DataOptions {
  password?: string;
  passwordStdin?: boolean;
}

function choosePassword(options: PasswordOptions): { password: string; generated: boolean } {
  if (options.password !== undefined) return { password: options.password, generated: false };
  if (options.passwordStdin === true) {
    const password = readFileSync(0, 'utf8').split(/\r?\n/)[0] ?? '';
    if (password === '') throw new Error('no password on standard input');
    return { password, generated: false };
  }
  return { password: generatePassword(), generated: true };
}

export async function userAdd(address: string, options: PasswordOptions): Promise<void> {
  const { password, generated } = choosePassword(options);
  const domain = address.slice(address.lastIndexOf('@') + 1);
  const hint = `add its domain first with \`outpost domain add ${domain}\``;
  await withAccounts(options, { setup: false, hint }, async (accounts) => {
    await accounts.addUser(address, { password });
  });
  process.stdout.write(generated ? `added ${address}  password: ${password}\n` : `added ${address}\n`);
}

export async function userPasswd(address: string, options: PasswordOptions): Promise<void> {
  const { password, generated } = choosePassword(options);
  await withAccounts(options, { setup: false, hint: START }, async (accounts) => {
    await accounts.setPassword(address, { password });
  });
  process.stdout.write(
    generated ? `password of ${address} set to: ${password}\n` : `password of ${address} changed\n`,
  );
}

export async function userList(domain: string | undefined, options: DataOptions): Promise<void> {
  const users = await withAccounts(options, { setup: false, hint: START }, (accounts) =>
    accounts.listUsers(domain),
  );
  for (const user of users) process.stdout.write(`${user.address}\n`);
}

export async function userRemove(address: string, options: DataOptions): Promise<void> {
  await withAccounts(options, { setup: false, hint: START }, async (accounts) => {
    await accounts.removeUser(address);
  });
  process.stdout.write(`removed ${address}\n`);
}

export async function domainAdd(name: string, options: DataOptions): Promise<void> {
  await withAccounts(options, { setup: true }, async (accounts) => {
    await accounts.addDomain(name);
  });
  process.stdout.write(`added ${name}\n`);
}

export async function domainList(options: DataOptions): Promise<void> {
  const domains = await withAccounts(options, { setup: false, hint: START }, (accounts) =>
    accounts.listDomains(),
  );
  for (const domain of domains) process.stdout.write(`${domain.name}\n`);
}

export async function domainRemove(name: string, options: DataOptions & { force?: boolean }): Promise<void> {
  await withAccounts(options, { setup: false, hint: START }, async (accounts) => {
    await accounts.removeDomain(name, { force: options.force === true });
  });
  process.stdout.write(`removed ${name}\n`);
}
