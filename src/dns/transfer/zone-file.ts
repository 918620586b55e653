/**
 * Persistence of a secondary's zone (as NSD keeps its zonefile): the last transferred version is
 * written as RFC 1035 §5 master-file text (one absolute-name record per line from the codec's
 * `recordToText`, the SOA first) so a restart serves the zone at once and an operator can read
 * it. Writes are atomic: a temp file in the same directory, fsync, then rename over the old file,
 * so a crash leaves the old or the new version, never half of one. Reading goes through the zone
 * parser (`loadZone`), which refuses a damaged file as a whole.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { RRType } from '../constants.js';
import { recordToText } from '../presentation.js';
import type { ResourceRecord } from '../types.js';
import { loadZone } from '../zone/index.js';

/** The zone as master-file text: a comment, `$ORIGIN`, the SOA, then every other record. */
export function zoneToText(apex: string, records: readonly ResourceRecord[], comment?: string): string {
  const soa = records.filter((rr) => rr.type === RRType.SOA);
  const rest = records.filter((rr) => rr.type !== RRType.SOA);
  const lines = [
    ...(comment === undefined ? [] : comment.split(/\r?\n/).map((l) => `; ${l}`)),
    `$ORIGIN ${apex}`,
    ...soa.map(recordToText),
    ...rest.map(recordToText),
    '',
  ];
  return lines.join('\n');
}

/** Write `records` to `path` atomically (temp file + fsync + rename). */
export async function writeZoneFile(
  path: string,
  apex: string,
  records: readonly ResourceRecord[],
  comment?: string,
): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(tmp, 'w', 0o644);
  try {
    await handle.writeFile(zoneToText(apex, records, comment), 'utf8');
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** A zone read back from disk, with the file's modification time (ms since the epoch). */
export interface StoredZone {
  readonly records: ResourceRecord[];
  readonly mtimeMs: number;
}

/**
 * Read a zone written by `writeZoneFile` (any valid master file works). Resolves `undefined`
 * when the file does not exist; throws the parser's ZoneError (ERR_PARSE) when it is damaged.
 */
export async function readZoneFile(path: string, apex: string): Promise<StoredZone | undefined> {
  let text: string;
  let mtimeMs: number;
  try {
    [text, mtimeMs] = await Promise.all([readFile(path, 'utf8'), stat(path).then((s) => s.mtimeMs)]);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const zone = loadZone(text, { origin: apex, fileName: path });
  return { records: zone.records, mtimeMs };
}
