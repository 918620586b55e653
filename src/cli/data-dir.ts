/**
 * The data directory the administration commands act on (`--data`, else the config's
 * `data_dir`, else $OUTPOST_DATA, else ./data), and the rule that keeps them from littering:
 * commands that only read or change existing data (`user list`, `queue list`, …) first make sure
 * the directory holds the suite's file they need, and otherwise say where they looked and stop
 * (ERR_NO_DATA) without creating anything; only commands that set something up create it. Also
 * the configuration a command acts on (`resolveServeConfig`: the file, or the embedded default).
 */
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import { configFromObject, loadConfigFile, type ConfigLoadOptions } from '../core/config/load.js';
import type { OutpostConfig } from '../core/config/schema.js';
import { CLI_CONFIG_LOAD } from './config-warnings.js';
import { ErrorCodes, OutpostError } from '../core/errors.js';
import { defaultDataDir, embeddedDefaultConfig } from '../suite/default-config.js';

/** Where a command was told to look. */
export interface DataOptions {
  data?: string;
  config?: string;
}

/** Adds `--data DIR` and `--config FILE` (whose data_dir is taken) to a command. */
export function dataOptions(cmd: Command): Command {
  return cmd
    .option('-d, --data <dir>', 'data directory (default $OUTPOST_DATA, else ./data)')
    .option('-c, --config <file>', 'take data_dir from this config');
}

/** The data directory: --data, else the config's data_dir, else $OUTPOST_DATA, else ./data. */
export function resolveDataDir(options: DataOptions): string {
  if (options.data !== undefined) return resolve(options.data);
  if (options.config !== undefined) return loadConfigFile(options.config, CLI_CONFIG_LOAD).data_dir;
  return resolve(defaultDataDir());
}

/**
 * Throws ERR_NO_DATA, naming the directory, unless the suite file `file` (a path inside a data
 * directory, e.g. its accounts.db) exists. `hint` says how to get there.
 */
export function requireSuiteData(dataDir: string, file: string, hint: string): void {
  if (existsSync(file)) return;
  const what = existsSync(dataDir) ? `no ${basename(file)} there` : 'no such directory';
  throw new OutpostError(
    ErrorCodes.NO_DATA,
    `${dataDir} holds no suite data (${what}); ${hint}, or point at a data directory with --data DIR or --config FILE`,
  );
}

/** Loads the config file, or the embedded default when none is given; deprecated keys go to `onWarning`. */
export function resolveServeConfig(
  options: { config?: string; data?: string },
  loadOptions: ConfigLoadOptions = {},
): OutpostConfig {
  if (options.config !== undefined) {
    const config = loadConfigFile(options.config, loadOptions);
    return options.data === undefined ? config : { ...config, data_dir: resolve(options.data) };
  }
  return configFromObject(embeddedDefaultConfig(resolve(options.data ?? defaultDataDir())));
}
