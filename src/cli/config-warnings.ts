/**
 * How CLI commands other than `serve` (which logs them) show a configuration's deprecated keys:
 * one `outpost: warning: …` line each on stderr, so `outpost config check` and the commands that
 * read `--config` tell the user which key to rename without failing.
 */
import type { ConfigLoadOptions, ConfigWarning } from '../core/config/load.js';

/** Prints one deprecated-key warning on stderr. */
export function printConfigWarning(warning: ConfigWarning): void {
  process.stderr.write(`outpost: warning: ${warning.message}\n`);
}

/** Load options that print every deprecated-key warning on stderr. */
export const CLI_CONFIG_LOAD: ConfigLoadOptions = { onWarning: printConfigWarning };
