/**
 * Renamed configuration keys. Every rename is one row of `RENAMED_KEYS`; `applyRenamedKeys`
 * runs before schema validation and moves an old key to its new name, so users' files keep
 * working, and reports a warning naming the file, the old key and the new one. Giving both
 * names in one table is an error: which one was meant cannot be guessed.
 */
import { ConfigError } from '../errors.js';

/** One rename: `[section] old` is read as `[section] key`. */
export interface RenamedKey {
  readonly section: string;
  readonly old: string;
  readonly key: string;
}

/** Every rename, oldest first (issue #15: units in duration names, `tls_listen` everywhere). */
export const RENAMED_KEYS: readonly RenamedKey[] = [
  { section: 'smtp', old: 'allow_plaintext_auth_on_loopback', key: 'allow_plaintext_on_loopback' },
  { section: 'ftp', old: 'implicit_tls_listen', key: 'tls_listen' },
  { section: 'ftp', old: 'idle_timeout', key: 'idle_timeout_seconds' },
  { section: 'ftp', old: 'data_timeout', key: 'data_timeout_seconds' },
];

/** A deprecated key found in a configuration. */
export interface ConfigWarning {
  /** The file it came from; undefined for a library caller's object. */
  readonly file: string | undefined;
  /** The old key path, `ftp.idle_timeout`. */
  readonly key: string;
  /** The key path to use instead, `ftp.idle_timeout_seconds`. */
  readonly replacement: string;
  /** One line for people: `outpost.toml: ftp.idle_timeout is deprecated; use ftp.idle_timeout_seconds`. */
  readonly message: string;
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Returns `input` with every old key moved to its new name (the caller's object is not
 * changed) and the warnings; throws a ConfigError when a table gives both names.
 */
export function applyRenamedKeys(
  input: unknown,
  file: string | undefined,
): { data: unknown; warnings: ConfigWarning[] } {
  const warnings: ConfigWarning[] = [];
  if (!isTable(input)) return { data: input, warnings };
  const data: Record<string, unknown> = { ...input };
  const where = file === undefined ? '' : `${file}: `;
  for (const { section, old, key } of RENAMED_KEYS) {
    const table = data[section];
    if (!isTable(table) || !Object.hasOwn(table, old)) continue;
    const oldPath = `${section}.${old}`;
    const newPath = `${section}.${key}`;
    if (Object.hasOwn(table, key)) {
      throw new ConfigError(
        `${where}${oldPath}: both ${old} (deprecated) and ${key} are given; keep only ${key}`,
        oldPath,
        file,
      );
    }
    const { [old]: value, ...rest } = table;
    data[section] = { ...rest, [key]: value };
    warnings.push({
      file,
      key: oldPath,
      replacement: newPath,
      message: `${where}${oldPath} is deprecated; use ${newPath} (same meaning)`,
    });
  }
  return { data, warnings };
}
