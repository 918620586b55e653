/**
 * The incremental, resumable, bounded IMAP command parser. The session feeds it what the line
 * layer reads: each line (without its CRLF) through `push`, and the octets of each literal
 * through `pushLiteral`. A command is re-checked from its start each time a line completes
 * (bounded by maxCommandOctets and maxLiteralsPerCommand), so the parser knows, before the
 * client sends a literal, whether everything up to it is valid and where the literal sits:
 *
 * - a valid prefix and an acceptable size: `literal` (for `{n}` the session sends `+` first);
 * - a synchronising literal over its limit: `NO [TOOBIG]` at once, no `+` (RFC 9051 §7.1);
 * - a non-synchronising literal over its limit (RFC 7888 §4) or after a syntax error: `discard`
 *   (the session reads and drops the octets, then the rest of the command is skipped) and
 *   `BAD` at the end, or, beyond literalDiscardCapOctets, an error that closes the connection.
 *
 * No literal is ever buffered before its size has been checked, and none larger than its
 * limit is buffered at all. Stalwart's imap-proto receiver and Dovecot's imap-parser were read
 * for the shape; this one trades their token-level resumption for re-parsing a bounded prefix.
 */
import { ErrorCodes, OutpostError } from '../../core/errors.js';
import { IMAP_LIMITS, parserLimits, type ImapParserLimits } from '../limits.js';
import type { Command, CommandBody } from './command.js';
import { COMMAND_PARSERS, UID_COMMAND_PARSERS } from './commands/table.js';
import { isTagChar, NeedLiteral, ParseError, Reader, type LiteralMarker, type Segment } from './reader.js';

/** What the session does next, after `push`. */
export type ParseStep =
  /** A complete command. */
  | { readonly kind: 'command'; readonly command: Command }
  /**
   * The command so far is valid and continues with a literal of `size` octets: for a
   * synchronising one send `+ Ready…` first, then `readExactly(size)` and `pushLiteral`, then
   * read and `push` the next line.
   */
  | {
      readonly kind: 'literal';
      readonly tag: string;
      readonly size: number;
      readonly sync: boolean;
      readonly binary: boolean;
    }
  /** Read `size` octets and throw them away (never `+`), then read and `push` the next line. */
  | { readonly kind: 'discard'; readonly tag: string | null; readonly size: number }
  /**
   * The command failed: answer `tag status [code] reason` (`*` when tag is null) and, when
   * `close`, say BYE and close the connection (the client is sending octets we will not read).
   */
  | {
      readonly kind: 'error';
      readonly tag: string | null;
      readonly status: 'BAD' | 'NO';
      readonly code: 'TOOBIG' | null;
      readonly reason: string;
      readonly close: boolean;
    }
  /** An empty line between commands: ignored (as Dovecot does); read the next line. */
  | { readonly kind: 'empty' };

type ErrorStep = Extract<ParseStep, { kind: 'error' }>;

type State =
  | { readonly phase: 'idle' }
  | { readonly phase: 'collecting' }
  | { readonly phase: 'awaiting-literal'; readonly size: number }
  | { readonly phase: 'failing'; readonly error: ErrorStep; literals: number };

/** The options of a parser. */
export interface CommandParserOptions {
  /** Limit overrides; `maxAppendOctets` is the server's APPEND limit (`[imap] max_message_size`). */
  readonly limits?: Partial<ImapParserLimits>;
  /** Mailbox names in UTF-8 from the start (a rev2-only server); usually set later by ENABLE. */
  readonly utf8Names?: boolean;
}

/**
 * The literal marker at the end of a line (`{n}`, `{n+}`, `~{n}`, `~{n+}`) and where it starts,
 * or null. A size too large for 32 bits comes back as Infinity (refused by the caller).
 */
export function literalMarker(line: Buffer): { marker: LiteralMarker; start: number } | null {
  const n = line.length;
  if (n < 3 || line[n - 1] !== 0x7d) return null;
  let p = n - 2;
  const sync = line[p] !== 0x2b;
  if (!sync) p--;
  const digitsEnd = p + 1;
  while (p >= 0 && (line[p] ?? 0) >= 0x30 && (line[p] ?? 0) <= 0x39) p--;
  if (p < 0 || line[p] !== 0x7b || p + 1 === digitsEnd) return null;
  const binary = p > 0 && line[p - 1] === 0x7e;
  const digits = line.toString('latin1', p + 1, digitsEnd);
  const size = digits.length > 10 ? Infinity : Number(digits);
  return { marker: { size, sync, binary }, start: binary ? p - 1 : p };
}

/** The tag at the start of a command line, or null when there is none. */
export function readTag(line: Buffer, maxOctets: number): string | null {
  let p = 0;
  while (p < line.length && p <= maxOctets && isTagChar(line[p] ?? 0)) p++;
  if (p === 0 || p > maxOctets || line[p] !== 0x20) return null;
  return line.toString('latin1', 0, p);
}

/** One connection's command parser. Not re-entrant: one command at a time. */
export class CommandParser {
  readonly limits: ImapParserLimits;
  /** Mailbox names are UTF-8 (after ENABLE IMAP4rev2 or UTF8=ACCEPT), not modified UTF-7. */
  utf8Names: boolean;
  #segments: Segment[] = [];
  #octets = 0;
  #state: State = { phase: 'idle' };

  constructor(options: CommandParserOptions = {}) {
    this.limits = parserLimits(options.limits);
    this.utf8Names = options.utf8Names ?? false;
  }

  /** True between the first line of a command and its end (a read error then loses the command). */
  get inCommand(): boolean {
    return this.#state.phase !== 'idle';
  }

  /** Forgets any command in progress (after an overflowing line, a timeout, STARTTLS). */
  reset(): void {
    this.#segments = [];
    this.#octets = 0;
    this.#state = { phase: 'idle' };
  }

  /** Feeds one line, without its CRLF. */
  push(line: Buffer): ParseStep {
    const state = this.#state;
    if (state.phase === 'awaiting-literal') {
      throw new OutpostError(ErrorCodes.PARSE, 'IMAP parser: a literal was expected, not a line');
    }
    if (state.phase === 'failing') return this.#skip(line, state);
    if (state.phase === 'idle' && line.length === 0) return { kind: 'empty' };
    const found = literalMarker(line);
    const text = found ? line.subarray(0, found.start) : line;
    const marker = found?.marker ?? null;
    this.#segments.push({ text, literal: marker, data: null });
    if (marker && marker.size > IMAP_LIMITS.maxNumber) {
      // A size beyond 32 bits (RFC 9051 §9 number): a non-synchronising one cannot even be skipped.
      return this.#finish(this.#error('literal size is not a 32-bit number', null, !marker.sync));
    }
    this.#octets += line.length;
    this.#state = { phase: 'collecting' };
    if (this.#octets > this.limits.maxCommandOctets) return this.#failAt(marker, 'command too long');
    if (marker && this.#segments.length > this.limits.maxLiteralsPerCommand) {
      return this.#failAt(marker, 'too many literals in one command');
    }
    return this.#run(marker);
  }

  /** Feeds the octets of the literal the last `literal` step announced (exactly `size` of them). */
  pushLiteral(data: Buffer): void {
    const state = this.#state;
    const last = this.#segments[this.#segments.length - 1];
    if (state.phase !== 'awaiting-literal' || !last || data.length !== state.size) {
      throw new OutpostError(ErrorCodes.PARSE, 'IMAP parser: no literal of this size was announced');
    }
    last.data = data;
    this.#state = { phase: 'collecting' };
  }

  #tag(): string | null {
    const first = this.#segments[0];
    return first ? readTag(first.text, this.limits.maxTagOctets) : null;
  }

  #run(marker: LiteralMarker | null): ParseStep {
    const reader = new Reader(this.#segments, this.limits, this.utf8Names);
    let command: Command;
    try {
      command = parseCommand(reader, this.limits.maxTagOctets);
    } catch (e) {
      if (e instanceof ParseError) return this.#failAt(marker, e.message);
      if (!(e instanceof NeedLiteral) || marker === null) throw e;
      const limit = e.use === 'message' ? this.limits.maxAppendOctets : this.limits.maxLiteralOctets;
      const tag = this.#tag() ?? '*';
      if (marker.size > limit) {
        const reason = `literal of ${marker.size} octets is over the limit of ${limit}`;
        if (marker.sync) return this.#finish({ ...this.#error(reason, 'TOOBIG', false), status: 'NO' });
        return this.#failAt(marker, reason, 'TOOBIG');
      }
      this.#state = { phase: 'awaiting-literal', size: marker.size };
      return { kind: 'literal', tag, size: marker.size, sync: marker.sync, binary: marker.binary };
    }
    this.reset();
    return { kind: 'command', command };
  }

  #error(reason: string, code: 'TOOBIG' | null, close: boolean): ErrorStep {
    return { kind: 'error', tag: this.#tag(), status: 'BAD', code, reason, close };
  }

  /** The command failed at a line ending with `marker`: answer now, or skip a non-sync literal first. */
  #failAt(marker: LiteralMarker | null, reason: string, code: 'TOOBIG' | null = null): ParseStep {
    const error = this.#error(reason, code, false);
    if (marker === null || marker.sync) return this.#finish(error);
    return this.#discard(marker.size, { phase: 'failing', error, literals: 1 });
  }

  #discard(size: number, state: Extract<State, { phase: 'failing' }>): ParseStep {
    if (size > this.limits.literalDiscardCapOctets || state.literals > this.limits.maxLiteralsPerCommand) {
      return this.#finish({ ...state.error, close: true });
    }
    this.#state = state;
    return { kind: 'discard', tag: state.error.tag, size };
  }

  /** A line after a discarded literal: more to discard, or the end of the failed command. */
  #skip(line: Buffer, state: Extract<State, { phase: 'failing' }>): ParseStep {
    const found = literalMarker(line);
    if (found && !found.marker.sync) {
      return this.#discard(found.marker.size, { ...state, literals: state.literals + 1 });
    }
    return this.#finish(state.error);
  }

  #finish(error: ErrorStep): ParseStep {
    this.reset();
    return error;
  }
}

/** tag SP command [SP arguments], the UID prefix included. */
function parseCommand(r: Reader, maxTagOctets: number): Command {
  const tag = r.run(isTagChar, 'a tag');
  if (tag.length > maxTagOctets) r.fail('tag too long');
  if (!r.eat(0x20)) r.fail(r.atEnd() ? 'missing command' : 'expected a space after the tag');
  return { ...parseBody(r), tag };
}

/** The command name and its arguments. */
function parseBody(r: Reader): CommandBody {
  const name = r.keyword('a command name');
  if (name === 'UID') {
    r.sp();
    const sub = r.keyword('a command name after UID');
    const uidParser = UID_COMMAND_PARSERS.get(sub);
    if (!uidParser) r.fail(`unknown UID command ${sub.slice(0, 32)}`);
    return uidParser(r);
  }
  const parser = COMMAND_PARSERS.get(name);
  if (!parser) r.fail(`unknown command ${name.slice(0, 32)}`);
  return parser(r);
}
