/**
 * `outpost config check` beyond the schema: everything `outpost serve` would load for a
 * configuration (the data directory, the users' addresses and password hashes, `[tls]` files, zone
 * files, site roots, log files), in the
 * order the suite starts, through the very functions start-up calls, so that a config this
 * accepts is one `serve` can load and a refusal reads exactly as `serve`'s would. Nothing listens
 * and nothing is written.
 */
import { parseAddress } from '../core/accounts/address.js';
import { requirePasswordHash } from '../core/accounts/password.js';
import type { OutpostConfig } from '../core/config/schema.js';
import { checkDirectoryToCreate } from '../core/paths.js';
import type { ServiceDefinition } from '../core/service/service.js';
import { SERVICES } from './services.js';
import { SuiteTls } from './suite-tls.js';

/** The `[[users]]` as the account store takes them at start: valid addresses and hashes. */
function checkConfigUsers(config: OutpostConfig): void {
  for (const user of config.users) {
    parseAddress(user.address);
    if (user.password_hash !== undefined) requirePasswordHash(user.password_hash);
  }
}

/**
 * Throws the first error `Suite.start` would meet loading `config` from disk; returns the names
 * of the services it would run.
 */
export function checkSuiteConfig(
  config: OutpostConfig,
  definitions: readonly ServiceDefinition[] = SERVICES,
): string[] {
  checkDirectoryToCreate('data_dir', config.data_dir);
  checkConfigUsers(config);
  const enabled = definitions.filter((d) => d.enabled(config));
  SuiteTls.check(config);
  for (const definition of enabled) definition.check?.(config);
  return enabled.map((d) => d.name);
}
