/**
 * Zone loading glue: a master file on disk (with its `$INCLUDE`s) through the zone parser into a
 * ZoneIndex. All or nothing: any parse or check error throws the parser's ZoneError, whose
 * message lists every problem as `file:line: message`, so a server never serves half a zone
 * (issue 3, "Zone files"). Reads are synchronous because a (re)load builds the whole index before
 * it is swapped in; callers on a busy event loop can run it in a worker.
 */
import { readFileSync } from 'node:fs';
import { loadZone, type ZoneFileReader, type ZoneProblem } from '../zone/index.js';
import { ZoneError } from '../zone/problems.js';
import { ZoneIndex } from './zone-index.js';

/** Options of `loadZoneFile`. */
export interface LoadZoneFileOptions {
  /** Reader for the file and its includes (default: the local file system, UTF-8). */
  readonly readFile?: ZoneFileReader;
  /** Initial `$TTL` in seconds (RFC 2308 §4). */
  readonly defaultTtl?: number;
  /** Receives the parser's warnings (duplicates merged, occluded data, …). */
  readonly onWarning?: (problem: ZoneProblem) => void;
}

const readUtf8: ZoneFileReader = (path) => readFileSync(path, 'utf8');

/**
 * Read the zone `apex` from the master file at `path` and index it. Throws ZoneError (code
 * ERR_PARSE) naming file and line for every problem, including a file that cannot be read.
 */
export function loadZoneFile(apex: string, path: string, options: LoadZoneFileOptions = {}): ZoneIndex {
  const readFile = options.readFile ?? readUtf8;
  let text: string;
  try {
    text = readFile(path);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ZoneError(apex, [{ file: path, line: 0, message: `cannot read: ${reason}` }]);
  }
  const zone = loadZone(text, {
    origin: apex,
    fileName: path,
    readFile,
    ...(options.defaultTtl === undefined ? {} : { defaultTtl: options.defaultTtl }),
  });
  if (options.onWarning !== undefined) for (const w of zone.warnings) options.onWarning(w);
  return ZoneIndex.fromRecords(zone.origin, zone.records);
}

/** Parse zone text already in memory (tests, embedded zones); same errors as `loadZoneFile`. */
export function loadZoneText(apex: string, text: string, fileName = '<zone>'): ZoneIndex {
  const zone = loadZone(text, { origin: apex, fileName });
  return ZoneIndex.fromRecords(zone.origin, zone.records);
}
