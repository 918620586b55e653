/**
 * Checks of the directories and files a configuration names, made before anything is created or
 * opened, so that `outpost serve` refuses an unusable path with one clear line and `outpost config
 * check` finds the same problem with the same words without writing anything: both call these.
 */
import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { ErrorCodes, OutpostError } from './errors.js';

/** The path's stats; null when it does not exist (or a parent is not a directory). */
function statOrNull(key: string, path: string): Stats | null {
  try {
    return statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw unusable(key, path, (err as Error).message);
  }
}

function unusable(key: string, path: string, reason: string): OutpostError {
  return new OutpostError(ErrorCodes.PATH_UNUSABLE, `${key} ${path}: ${reason}`);
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK | constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Throws ERR_PATH_UNUSABLE unless `path` (absolute) is a writable directory or can be created as
 * one: its nearest existing ancestor is a writable directory. `key` names the setting
 * (`data_dir`, `http.root`) in the message. Creates nothing.
 */
export function checkDirectoryToCreate(key: string, path: string): void {
  const stats = statOrNull(key, path);
  if (stats !== null) {
    if (!stats.isDirectory()) throw unusable(key, path, 'not a directory');
    if (!writable(path)) throw unusable(key, path, 'directory not writable');
    return;
  }
  let ancestor = dirname(path);
  let found = statOrNull(key, ancestor);
  while (found === null && dirname(ancestor) !== ancestor) {
    ancestor = dirname(ancestor);
    found = statOrNull(key, ancestor);
  }
  if (found === null || !found.isDirectory())
    throw unusable(key, path, `cannot be created: ${ancestor} is not a directory`);
  if (!writable(ancestor)) throw unusable(key, path, `cannot be created: ${ancestor} is not writable`);
}

/** Throws ERR_PATH_UNUSABLE unless `path` is an existing directory (a tree served read-only). */
export function checkExistingDirectory(key: string, path: string): void {
  const stats = statOrNull(key, path);
  if (stats === null) throw unusable(key, path, 'no such directory');
  if (!stats.isDirectory()) throw unusable(key, path, 'not a directory');
}

/**
 * Throws ERR_PATH_UNUSABLE unless `path` can be opened for appending: an existing file, or a new
 * one in an existing writable directory (nothing creates the directory of a log file).
 */
export function checkFileToAppend(key: string, path: string): void {
  const stats = statOrNull(key, path);
  if (stats !== null) {
    if (stats.isDirectory()) throw unusable(key, path, 'is a directory');
    return;
  }
  const parent = dirname(path);
  const parentStats = statOrNull(key, parent);
  if (parentStats === null || !parentStats.isDirectory())
    throw unusable(key, path, `cannot be created: no directory ${parent}`);
  if (!writable(parent)) throw unusable(key, path, `cannot be created: ${parent} is not writable`);
}
