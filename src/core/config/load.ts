/**
 * Reading and validating configuration: TOML text -> renamed keys -> schema -> absolute paths.
 * Every failure is a ConfigError naming the file and the key path (`smtp.listen[0]`), so
 * `outpost config check` and start-up can print one precise line and exit non-zero; a deprecated
 * key name is moved to its new one and reported through `onWarning`.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import type { z } from 'zod';
import { ConfigError, ErrorCodes, OutpostError } from '../errors.js';
import type { Logger } from '../logger.js';
import { applyRenamedKeys, type ConfigWarning } from './renamed-keys.js';
import { configSchema, type OutpostConfig, type OutpostConfigInput } from './schema.js';

export type { ConfigWarning } from './renamed-keys.js';

/** What loading may be told besides the input. */
export interface ConfigLoadOptions {
  /** Called once per deprecated key found (src/core/config/renamed-keys.ts); ignored when absent. */
  onWarning?: (warning: ConfigWarning) => void;
}

/** An `onWarning` that logs each deprecated key at `warn`, naming the file, old key and new key. */
export function logConfigWarnings(logger: Pick<Logger, 'warn'>): (warning: ConfigWarning) => void {
  return (warning) => {
    logger.warn({ file: warning.file, key: warning.key, use: warning.replacement }, warning.message);
  };
}

/** Formats a zod issue path the way people write keys: `dns.zones[0].name`. */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += (out === '' ? '' : '.') + String(part);
  }
  return out === '' ? '(top level)' : out;
}

/** Validates a config object; relative paths are resolved against `baseDir`. */
export function validateConfig(
  input: unknown,
  options: ConfigLoadOptions & { file?: string; baseDir?: string } = {},
): OutpostConfig {
  const { data, warnings } = applyRenamedKeys(input, options.file);
  const result = configSchema.safeParse(data);
  if (!result.success) throw toConfigError(result.error, options.file);
  for (const warning of warnings) options.onWarning?.(warning);
  return resolvePaths(result.data, options.baseDir ?? process.cwd());
}

/** Reads, parses and validates a TOML config file. */
export function loadConfigFile(file: string, options: ConfigLoadOptions = {}): OutpostConfig {
  return parseConfigText(readConfigText(file), file, options);
}

/** The text of a TOML file (a config, world.toml); ERR_CONFIG_READ naming the file when unreadable. */
export function readConfigText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new OutpostError(ErrorCodes.CONFIG_READ, `${file}: cannot read: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** TOML text as a table; a syntax error is a ConfigError at `file:line:column`. */
export function parseConfigToml(text: string, file: string): Record<string, unknown> {
  try {
    return parseToml(text);
  } catch (err) {
    if (err instanceof TomlError) {
      throw new ConfigError(
        `${file}:${err.line}:${err.column}: TOML syntax: ${firstLine(err.message)}`,
        '(syntax)',
        file,
        {
          cause: err,
        },
      );
    }
    throw err;
  }
}

/** Parses TOML text; `file` names it in errors and anchors relative paths. */
export function parseConfigText(
  text: string,
  file = 'config.toml',
  options: ConfigLoadOptions = {},
): OutpostConfig {
  const data = parseConfigToml(text, file);
  return validateConfig(data, { ...options, file, baseDir: dirname(resolve(file)) });
}

/** Builds a config from a library caller's object (defaults applied). */
export function configFromObject(
  input: OutpostConfigInput,
  baseDir = process.cwd(),
  options: ConfigLoadOptions = {},
): OutpostConfig {
  return validateConfig(input, { ...options, baseDir });
}

function toConfigError(error: z.ZodError, file: string | undefined): ConfigError {
  const issue = error.issues[0];
  const keyPath = issue ? formatKeyPath(issue.path) : '(top level)';
  const message = issue ? describeIssue(issue) : 'invalid configuration';
  const where = file === undefined ? '' : `${file}: `;
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : '';
  const err = new ConfigError(`${where}${keyPath}: ${message}${more}`, keyPath, file, { cause: error });
  return err;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
  return issue.message;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}

function resolvePaths(config: OutpostConfig, baseDir: string): OutpostConfig {
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(baseDir, p));
  const out: OutpostConfig = { ...config, data_dir: abs(config.data_dir) };
  if (config.tls) out.tls = { cert: abs(config.tls.cert), key: abs(config.tls.key) };
  if (config.dns) {
    out.dns = {
      ...config.dns,
      zones: config.dns.zones.map((zone) =>
        zone.file === undefined
          ? zone
          : {
              ...zone,
              file: abs(zone.file),
              views: zone.views.map((view) => ({ ...view, file: abs(view.file) })),
            },
      ),
    };
  }
  if (config.resolver) out.resolver = { ...config.resolver, root_hints: abs(config.resolver.root_hints) };
  if (config.http) {
    const http = { ...config.http, sites: config.http.sites.map((s) => ({ ...s, root: abs(s.root) })) };
    if (config.http.root !== undefined) http.root = abs(config.http.root);
    out.http = http;
  }
  if (config.proxy?.origin_ca !== undefined)
    out.proxy = { ...config.proxy, origin_ca: abs(config.proxy.origin_ca) };
  if (config.ftp) {
    const ftp = { ...config.ftp };
    if (ftp.anonymous_root !== undefined) ftp.anonymous_root = abs(ftp.anonymous_root);
    if (ftp.home_root !== undefined) ftp.home_root = abs(ftp.home_root);
    ftp.virtual_hosts = Object.fromEntries(
      Object.entries(config.ftp.virtual_hosts).map(([name, host]) => [
        name,
        host.anonymous_root === undefined ? host : { ...host, anonymous_root: abs(host.anonymous_root) },
      ]),
    );
    out.ftp = ftp;
  }
  return out;
}
