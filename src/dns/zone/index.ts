/**
 * Public API of the zone-file loader. `parseZone` returns records plus every problem it found;
 * `loadZone` is the all-or-nothing form servers use (it throws a ZoneError listing every problem,
 * so a zone is never half loaded); `checkZone` produces the named-checkzone style summary behind
 * `outpost dns check-zone ZONE FILE`.
 */
import { readFileSync } from 'node:fs';
import { classToString, RRClass } from '../constants.js';
import { canonicalName } from '../name.js';
import type { ResourceRecord, SoaData } from '../types.js';
import { checkRecords } from './check.js';
import { parseZoneText, type ParseZoneOptions, type ZoneFileReader } from './parser.js';
import { formatProblem, ZoneError, type ZoneProblem } from './problems.js';

export { formatProblem, ZoneError, type ZoneProblem } from './problems.js';
export type { ParseZoneOptions, ZoneFileReader, LocatedRecord } from './parser.js';
export { parseTtl } from './ttl.js';
export { decodeCharString } from './rdata-text.js';

/** Result of `parseZone`. `records` is only trustworthy when `errors` is empty. */
export interface ZoneParseResult {
  readonly origin: string;
  readonly records: ResourceRecord[];
  readonly soa: (ResourceRecord & { readonly data: SoaData }) | undefined;
  readonly errors: ZoneProblem[];
  readonly warnings: ZoneProblem[];
}

/** A successfully loaded zone. */
export interface LoadedZone {
  readonly origin: string;
  readonly records: ResourceRecord[];
  readonly soa: ResourceRecord & { readonly data: SoaData };
  readonly warnings: ZoneProblem[];
}

/** Parse and check master-file text (RFC 1035 §5). Never throws for problems in the text. */
export function parseZone(text: string, options: ParseZoneOptions): ZoneParseResult {
  const parsed = parseZoneText(text, options);
  const file = options.fileName ?? '<zone>';
  let origin: string;
  try {
    origin = canonicalName(options.origin);
  } catch {
    return { origin: options.origin, records: [], soa: undefined, errors: parsed.problems, warnings: [] };
  }
  const checked = checkRecords(parsed.records, origin, file);
  const errors = [...parsed.problems, ...checked.errors];
  return { origin, records: checked.records, soa: checked.soa, errors, warnings: checked.warnings };
}

/** Parse, check and return the zone, or throw a ZoneError (code ERR_PARSE) listing every error. */
export function loadZone(text: string, options: ParseZoneOptions): LoadedZone {
  const r = parseZone(text, options);
  if (r.errors.length > 0 || r.soa === undefined) throw new ZoneError(r.origin, r.errors);
  return { origin: r.origin, records: r.records, soa: r.soa, warnings: r.warnings };
}

/** Summary printed by `outpost dns check-zone`. */
export interface CheckZoneSummary {
  readonly ok: boolean;
  readonly origin: string;
  readonly serial?: number;
  readonly recordCount: number;
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
  /** The text to print, named-checkzone style, ending with a newline. */
  readonly output: string;
}

/**
 * Load `file` as zone `origin` and summarise like named-checkzone: `zone NAME/IN: loaded serial N`
 * then `OK`, or the problems (as `file:line: message`) and `zone NAME/IN: not loaded due to
 * errors.`. Reads through `readFile` (default: the local file system, UTF-8), also for includes.
 */
export function checkZone(
  origin: string,
  file: string,
  options: { readonly readFile?: ZoneFileReader; readonly defaultTtl?: number } = {},
): CheckZoneSummary {
  const readFile = options.readFile ?? ((path: string): string => readFileSync(path, 'utf8'));
  const label = `zone ${origin.replace(/\.$/, '') || '.'}/${classToString(RRClass.IN)}`;
  let text: string;
  try {
    text = readFile(file);
  } catch (err) {
    const msg = `${file}: cannot read: ${err instanceof Error ? err.message : String(err)}`;
    return {
      ok: false,
      origin,
      recordCount: 0,
      errors: [msg],
      warnings: [],
      output: `${label}: ${msg}\n${label}: not loaded due to errors.\n`,
    };
  }
  const r = parseZone(text, {
    origin,
    fileName: file,
    readFile,
    ...(options.defaultTtl === undefined ? {} : { defaultTtl: options.defaultTtl }),
  });
  const warnings = r.warnings.map(formatProblem);
  const warningText = warnings.map((w) => `${label}: warning: ${w}\n`).join('');
  if (r.errors.length > 0 || r.soa === undefined) {
    const errors = r.errors.map(formatProblem);
    return {
      ok: false,
      origin: r.origin,
      recordCount: 0,
      errors,
      warnings,
      output: `${warningText}${errors.map((e) => `${label}: ${e}\n`).join('')}${label}: not loaded due to errors.\n`,
    };
  }
  return {
    ok: true,
    origin: r.origin,
    serial: r.soa.data.serial,
    recordCount: r.records.length,
    errors: [],
    warnings,
    output: `${warningText}${label}: loaded serial ${r.soa.data.serial}\nOK\n`,
  };
}
