/**
 * `outpost user …` and `outpost domain …`: account administration acting directly on the data
 * directory's accounts database (safe while the server runs: SQLite WAL). Passwords are read
 * from `--password`, from stdin with `--password-stdin`, or generated and printed once.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfigFile } from '../core/config/load.js';
import { openAccounts, generatePassword } from '../suite/suite.js';
import { defaultDataDir } from '../suite/default-config.js';
import type { AccountStore } from '../core/accounts/store.js';

export interface DataOptions {
  data?: string;
  config?: string;
}

/** The data directory: --data, else the config's data_dir, else $OUTPOST_DATA, else ./data. */
export function resolveDataDir(options: DataOptions): string {
  if (options.data !== undefined) return resolve(options.data);
  if (options.config !== undefined) return loadConfigFile(options.config).data_dir;
  return resolve(defaultDataDir());
}

async function withAccounts<T>(
  options: DataOptions,
  fn: (accounts: AccountStore) => Promise<T> | T,
): Promise<T> {
  const { db, accounts } = openAccounts(resolveDataDir(options));
  try {
    return await fn(accounts);
  } finally {
    db.close();
  }
}

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
  await withAccounts(options, async (accounts) => {
    await accounts.addUser(address, { password });
  });
  process.stdout.write(generated ? `added ${address}  password: ${password}\n` : `added ${address}\n`);
}

export async function userPasswd(address: string, options: PasswordOptions): Promise<void> {
  const { password, generated } = choosePassword(options);
  await withAccounts(options, async (accounts) => {
    await accounts.setPassword(address, { password });
  });
  process.stdout.write(
    generated ? `password of ${address} set to: ${password}\n` : `password of ${address} changed\n`,
  );
}

export async function userList(domain: string | undefined, options: DataOptions): Promise<void> {
  const users = await withAccounts(options, (accounts) => accounts.listUsers(domain));
  for (const user of users) process.stdout.write(`${user.address}\n`);
}

export async function userRemove(address: string, options: DataOptions): Promise<void> {
  await withAccounts(options, (accounts) => {
    accounts.removeUser(address);
  });
  process.stdout.write(`removed ${address}\n`);
}

export async function domainAdd(name: string, options: DataOptions): Promise<void> {
  await withAccounts(options, (accounts) => {
    accounts.addDomain(name);
  });
  process.stdout.write(`added ${name}\n`);
}

export async function domainList(options: DataOptions): Promise<void> {
  const domains = await withAccounts(options, (accounts) => accounts.listDomains());
  for (const domain of domains) process.stdout.write(`${domain.name}\n`);
}

export async function domainRemove(name: string, options: DataOptions & { force?: boolean }): Promise<void> {
  await withAccounts(options, (accounts) => {
    accounts.removeDomain(name, { force: options.force === true });
  });
  process.stdout.write(`removed ${name}\n`);
}
