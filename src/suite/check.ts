/**
 * `outpost config check` beyond the schema: everything `outpost serve` would load from disk for a
 * configuration (the data directory, `[tls]` files, zone files, site roots, log files), in the
 * order the suite starts, through the very functions start-up calls, so that a config this
 * accepts is one `serve` can load and a refusal reads exactly as `serve`'s would. Nothing listens
 * and nothing is written.
 */
import type { OutpostConfig } from '../core/config/schema.js';
import { checkDirectoryToCreate } from '../core/paths.js';
import type { ServiceDefinition } from './service.js';
import { SERVICES } from './services.js';
import { SuiteTls } from './suite-tls.js';

/**
 * Throws the first error `Suite.start` would meet loading `config` from disk; returns the names
 * of the services it would run.
 */
export function checkSuiteConfig(
  config: OutpostConfig,
  definitions: readonly ServiceDefinition[] = SERVICES,
): string[] {
  checkDirectoryToCreate('data_dir', config.data_dir);
  const enabled = definitions.filter((d) => d.enabled(config));
  SuiteTls.check(config);
  for (const definition of enabled) definition.check?.(config);
  return enabled.map((d) => d.name);
}
