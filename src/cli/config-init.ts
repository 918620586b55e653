/**
 * `outpost config init [FILE]`: writes the sample configuration (the embedded default as a
 * commented TOML file, sample-config.ts) and the demo zone beside it, with the demo users'
 * passwords freshly generated, printed once and stored only as scrypt hashes. Existing files are
 * kept unless `--force`. The file is parsed back before it is written, so what it writes loads.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { hashPassword } from '../core/accounts/password.js';
import { parseConfigText } from '../core/config/load.js';
import { ErrorCodes, OutpostError } from '../core/errors.js';
import { DEMO_DOMAIN, DEMO_USERS } from '../suite/default-config.js';
import { writeDemoZone } from '../suite/demo-zone.js';
import { sampleConfigText } from '../suite/sample-config.js';
import { generatePassword, type Credential } from '../suite/suite.js';
import { formatCredentials } from '../suite/table.js';

/** The file written when none is named. */
export const DEFAULT_CONFIG_FILE = 'outpost.toml';

/** Writes the sample config at `file` and the demo zone beside it; prints the passwords. */
export async function configInit(file: string | undefined, options: { force?: boolean }): Promise<void> {
  const path = resolve(file ?? DEFAULT_CONFIG_FILE);
  const zoneName = `${DEMO_DOMAIN}.zone`;
  const zonePath = join(dirname(path), zoneName);
  if (options.force !== true) {
    for (const existing of [path, zonePath].filter((p) => existsSync(p))) {
      throw new OutpostError(
        ErrorCodes.FILE_EXISTS,
        `${existing} already exists; pass --force to overwrite it (and ${basename(path === existing ? zonePath : path)})`,
      );
    }
  }
  const credentials: Credential[] = DEMO_USERS.map((local) => ({
    address: `${local}@${DEMO_DOMAIN}`,
    password: generatePassword(),
  }));
  const users = await Promise.all(
    credentials.map(async (c) => ({ address: c.address, password_hash: await hashPassword(c.password) })),
  );
  const text = sampleConfigText({ dataDir: 'data', zoneFile: zoneName, users });
  parseConfigText(text, path);
  mkdirSync(dirname(path), { recursive: true });
  // The hashes are not for everyone's eyes: owner-only, like accounts.db.
  writeFileSync(path, text, { mode: 0o600 });
  writeDemoZone(zonePath);
  process.stdout.write(
    `wrote ${path}\nwrote ${zonePath}\n\n${formatCredentials(credentials)}\n\n` +
      `Check it with \`outpost config check ${file ?? DEFAULT_CONFIG_FILE}\`, ` +
      `run it with \`outpost serve --config ${file ?? DEFAULT_CONFIG_FILE}\` (data in ${join(dirname(path), 'data')}).\n`,
  );
}
