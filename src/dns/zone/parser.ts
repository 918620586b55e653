/**
 * The master-file parser (RFC 1035 §5): directives, owner/TTL/class/type resolution and includes,
 * producing records with their source locations. It is pure: `$INCLUDE` goes through an injected
 * `readFile`, so tests and embedders decide what a path means. Problems are collected rather than
 * thrown so one run reports every mistake in a file; callers must refuse the zone if there are any.
 *
 * TTL rule for records without one: `$TTL` (or the `defaultTtl` option, which acts as an initial
 * `$TTL`, RFC 2308 §4), else the last explicit TTL in the file (RFC 1035 §5.1), else for the SOA
 * itself its MINIMUM field (BIND's behaviour); otherwise it is an error. `$INCLUDE` restores the
 * origin and the current owner afterwards (RFC 1035 §5.1); a `$TTL` inside an include stays.
 */
import { posix } from 'node:path';
import { ErrorCodes, OutpostError } from '../../core/errors.js';
import { classFromString, isMetaType, RRClass, typeFromString, typeToString } from '../constants.js';
import { MAX_INCLUDE_DEPTH } from '../limits.js';
import { canonicalName } from '../name.js';
import type { ResourceRecord } from '../types.js';
import { lex, type Entry, type Token } from './lexer.js';
import type { ZoneProblem } from './problems.js';
import { parseRdataText, resolveName } from './rdata-text.js';
import { looksLikeTtl, parseTtl } from './ttl.js';

/** Reads an included file's text; throw to report it missing. */
export type ZoneFileReader = (path: string) => string;

/** Options of `parseZone` / `loadZone`. */
export interface ParseZoneOptions {
  /** The zone apex and initial `$ORIGIN`, e.g. `example.test` (taken as absolute). */
  readonly origin: string;
  /** Name used in problem locations and as the base directory for `$INCLUDE`. Default `<zone>`. */
  readonly fileName?: string;
  /** Reader for `$INCLUDE`; without it `$INCLUDE` is an error. */
  readonly readFile?: ZoneFileReader;
  /** Initial `$TTL` in seconds. */
  readonly defaultTtl?: number;
  /** Zone class (default IN). */
  readonly class?: number;
}

/** A parsed record with where it came from. */
export interface LocatedRecord {
  readonly record: ResourceRecord;
  readonly file: string;
  readonly line: number;
}

interface State {
  origin: string;
  owner: string | undefined;
  ttl: number | undefined;
  lastTtl: number | undefined;
}

function fail(text: string): never {
  throw new OutpostError(ErrorCodes.PARSE, text);
}

function message(err: unknown): string {
  if (err instanceof OutpostError) return err.message;
  throw err;
}

/** Parse master-file text into located records and problems (syntax only; see check.ts for semantics). */
export function parseZoneText(
  text: string,
  options: ParseZoneOptions,
): { records: LocatedRecord[]; problems: ZoneProblem[] } {
  const records: LocatedRecord[] = [];
  const problems: ZoneProblem[] = [];
  const zoneClass = options.class ?? RRClass.IN;
  const rootFile = options.fileName ?? '<zone>';
  let apex: string;
  try {
    apex = canonicalName(options.origin);
  } catch (err) {
    problems.push({ file: rootFile, line: 0, message: `bad origin: ${message(err)}` });
    return { records, problems };
  }
  const state: State = { origin: apex, owner: undefined, ttl: options.defaultTtl, lastTtl: undefined };

  const parseFile = (fileText: string, file: string, stack: readonly string[]): void => {
    const { entries, problems: lexProblems } = lex(fileText);
    for (const p of lexProblems) problems.push({ file, line: p.line, message: p.message });
    for (const entry of entries) {
      try {
        const first = entry.tokens[0];
        if (!entry.blankOwner && first !== undefined && !first.quoted && first.text.startsWith('$')) {
          directive(entry, file, stack);
        } else {
          record(entry, file);
        }
      } catch (err) {
        problems.push({ file, line: entry.line, message: message(err) });
      }
    }
  };

  const directive = (entry: Entry, file: string, stack: readonly string[]): void => {
    const [d, arg, arg2, extra] = entry.tokens as readonly (Token | undefined)[];
    const name = (d?.text ?? '').toUpperCase();
    const noExtra = (tok: Token | undefined): void => {
      if (tok !== undefined) fail(`unexpected "${tok.text}" after ${name}`);
    };
    if (name === '$ORIGIN') {
      if (arg === undefined) fail('$ORIGIN needs a domain name');
      noExtra(arg2);
      state.origin = resolveName(arg, state.origin, '$ORIGIN');
    } else if (name === '$TTL') {
      if (arg === undefined) fail('$TTL needs a value');
      noExtra(arg2);
      state.ttl = parseTtl(arg.text);
    } else if (name === '$INCLUDE') {
      if (arg === undefined) fail('$INCLUDE needs a file name');
      noExtra(extra);
      include(arg, arg2, file, stack);
    } else {
      fail(`unsupported directive ${d?.text ?? ''}`);
    }
  };

  const include = (
    pathTok: Token,
    originTok: Token | undefined,
    file: string,
    stack: readonly string[],
  ): void => {
    if (options.readFile === undefined) fail('$INCLUDE is not allowed here (no file reader)');
    const target = posix.normalize(
      posix.isAbsolute(pathTok.text) ? pathTok.text : posix.join(posix.dirname(file), pathTok.text),
    );
    if (stack.includes(target)) fail(`$INCLUDE loop: ${[...stack, target].join(' -> ')}`);
    if (stack.length >= MAX_INCLUDE_DEPTH) {
      fail(`$INCLUDE nested deeper than ${MAX_INCLUDE_DEPTH} files`);
    }
    const newOrigin =
      originTok === undefined ? state.origin : resolveName(originTok, state.origin, '$INCLUDE origin');
    let includedText: string;
    try {
      includedText = options.readFile(target);
    } catch (err) {
      fail(`cannot read $INCLUDE file ${target}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const saved = { origin: state.origin, owner: state.owner };
    state.origin = newOrigin;
    parseFile(includedText, target, [...stack, target]);
    state.origin = saved.origin;
    state.owner = saved.owner;
  };

  const record = (entry: Entry, file: string): void => {
    const tokens = entry.tokens;
    let idx = 0;
    let owner: string;
    if (entry.blankOwner) {
      if (state.owner === undefined) fail('record with a blank owner but no previous owner');
      owner = state.owner;
    } else {
      const tok = tokens[0];
      if (tok === undefined) return;
      owner = resolveName(tok, state.origin, 'owner');
      idx = 1;
    }
    state.owner = owner;
    let ttl: number | undefined;
    let cls: number | undefined;
    let typeTok: Token | undefined;
    for (; idx < tokens.length; idx++) {
      const tok = tokens[idx];
      if (tok === undefined) break;
      if (tok.quoted) fail(`quoted string "${tok.text}" where a type is expected`);
      if (ttl === undefined && looksLikeTtl(tok.text)) {
        ttl = parseTtl(tok.text);
        continue;
      }
      const c = cls === undefined ? classFromString(tok.text) : undefined;
      if (c !== undefined) {
        cls = c;
        continue;
      }
      typeTok = tok;
      idx++;
      break;
    }
    if (typeTok === undefined) fail('missing record type');
    const type = typeFromString(typeTok.text);
    if (type === undefined) fail(`unknown record type or class "${typeTok.text}"`);
    if (isMetaType(type)) fail(`${typeToString(type)} is a meta type and cannot appear in a zone`);
    const data = parseRdataText(type, tokens.slice(idx), state.origin);
    if (ttl !== undefined) state.lastTtl = ttl;
    else ttl = state.ttl ?? state.lastTtl;
    if (ttl === undefined) {
      if (data.type === 'SOA') ttl = state.lastTtl = data.minimum;
      else fail('no TTL given and no $TTL in effect');
    }
    records.push({
      record: { name: owner, type, class: cls ?? zoneClass, ttl, data },
      file,
      line: entry.line,
    });
  };

  parseFile(text, rootFile, [posix.normalize(rootFile)]);
  return { records, problems };
}
