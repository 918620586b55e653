/**
 * Writing responses (RFC 9051 §7, §9): status lines with response codes (RFC 5530's set, the
 * UIDPLUS, CONDSTORE and QRESYNC codes), continuation requests, and the string rules: a string
 * goes out quoted when it can (printable, no CR/LF/NUL, 8-bit only for UTF-8 clients, short),
 * as a literal otherwise, and as literal8 (`~{n}`) when it holds NUL (RFC 3516 §4.2). A response
 * is built as chunks: text, and large literal bodies as the Buffers they already are, so a
 * 25 MiB message is never copied into one string.
 */
import { ErrorCodes, OutpostError } from '../../core/errors.js';
import { formatNumberSet } from './sequence-set.js';

/** A piece of a response: text, or the octets of a literal (written as they are). */
export type Chunk = string | Buffer;

/**
 * Response codes (RFC 9051 §7.1, RFC 5530, RFC 4315 UIDPLUS, RFC 7162 CONDSTORE, RFC 3516
 * UNKNOWN-CTE, RFC 5182 NOTSAVED, RFC 6154 USEATTR, RFC 4978). No quota exists, so no OVERQUOTA.
 */
export type ResponseCode =
  | {
      readonly code:
        | 'ALERT'
        | 'PARSE'
        | 'READ-ONLY'
        | 'READ-WRITE'
        | 'TRYCREATE'
        | 'UIDNOTSTICKY'
        | 'NOMODSEQ'
        | 'CLOSED'
        | 'UNAVAILABLE'
        | 'AUTHENTICATIONFAILED'
        | 'AUTHORIZATIONFAILED'
        | 'EXPIRED'
        | 'PRIVACYREQUIRED'
        | 'CONTACTADMIN'
        | 'NOPERM'
        | 'INUSE'
        | 'EXPUNGEISSUED'
        | 'CORRUPTION'
        | 'SERVERBUG'
        | 'CLIENTBUG'
        | 'CANNOT'
        | 'LIMIT'
        | 'ALREADYEXISTS'
        | 'NONEXISTENT'
        | 'TOOBIG'
        | 'HASCHILDREN'
        | 'UNKNOWN-CTE'
        | 'NOTSAVED'
        | 'USEATTR'
        | 'COMPRESSIONACTIVE';
    }
  | { readonly code: 'UIDVALIDITY' | 'UIDNEXT' | 'HIGHESTMODSEQ' | 'UNSEEN'; readonly value: number }
  | { readonly code: 'PERMANENTFLAGS'; readonly flags: readonly string[] }
  | { readonly code: 'CAPABILITY'; readonly capabilities: readonly string[] }
  | { readonly code: 'BADCHARSET'; readonly charsets: readonly string[] }
  | { readonly code: 'APPENDUID'; readonly uidValidity: number; readonly uids: readonly number[] }
  | {
      readonly code: 'COPYUID';
      readonly uidValidity: number;
      readonly sourceUids: readonly number[];
      readonly destinationUids: readonly number[];
    }
  /** RFC 7162 §3.1.3: the messages STORE did not change because of UNCHANGEDSINCE. */
  | { readonly code: 'MODIFIED'; readonly set: readonly number[] };

/** The bracketed text of a response code: `[COPYUID 38505 304,319:320 3956:3958]`. */
export function formatResponseCode(rc: ResponseCode): string {
  switch (rc.code) {
    case 'UIDVALIDITY':
    case 'UIDNEXT':
    case 'HIGHESTMODSEQ':
    case 'UNSEEN':
      return `[${rc.code} ${rc.value}]`;
    case 'PERMANENTFLAGS':
      return `[PERMANENTFLAGS (${rc.flags.join(' ')})]`;
    case 'CAPABILITY':
      return `[CAPABILITY ${rc.capabilities.join(' ')}]`;
    case 'BADCHARSET':
      return rc.charsets.length
        ? `[BADCHARSET (${rc.charsets.map((c) => quoteOrAtom(c)).join(' ')})]`
        : '[BADCHARSET]';
    case 'APPENDUID':
      return `[APPENDUID ${rc.uidValidity} ${formatNumberSet(rc.uids)}]`;
    case 'COPYUID':
      // RFC 4315 §3: the two sets list UIDs in corresponding order, so they are written as given.
      return `[COPYUID ${rc.uidValidity} ${orderedSet(rc.sourceUids)} ${orderedSet(rc.destinationUids)}]`;
    case 'MODIFIED':
      return `[MODIFIED ${formatNumberSet(rc.set)}]`;
    default:
      return `[${rc.code}]`;
  }
}

/** A list of numbers in its given order, runs of +1 compressed (COPYUID pairs must correspond). */
function orderedSet(numbers: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < numbers.length) {
    const start = numbers[i] ?? 0;
    let end = start;
    while (numbers[i + 1] === end + 1) {
      end++;
      i++;
    }
    parts.push(start === end ? String(start) : `${start}:${end}`);
    i++;
  }
  return parts.join(',');
}

/** Human text in a response line: control characters (CR, LF, NUL…) become spaces. */
export function safeText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x1f\x7f]/g, ' ');
}

/** `tag OK|NO|BAD [code] text` (or `*` untagged when tag is null), without CRLF. */
export function statusLine(
  tag: string | null,
  status: 'OK' | 'NO' | 'BAD' | 'PREAUTH' | 'BYE',
  text: string,
  code: ResponseCode | null = null,
): string {
  const codeText = code ? `${formatResponseCode(code)} ` : '';
  return `${tag ?? '*'} ${status} ${codeText}${safeText(text)}`;
}

/** A continuation request: `+ text` (`+ ` alone when text is empty; SASL challenges are base64). */
export function continuation(text = ''): string {
  return `+ ${safeText(text)}`;
}

const ATOM_SAFE = /^[!#$&'+,\-./0-9:;<=>?@A-Z^_`a-z|~\x5b]+$/;

/** An atom when the value is one (and not NIL), else a quoted string or literal. For capabilities, charsets. */
export function quoteOrAtom(value: string, utf8 = false): string {
  if (ATOM_SAFE.test(value) && value.toUpperCase() !== 'NIL') return value;
  return stringText(value, utf8);
}

/** Longest string written quoted; longer ones go as literals (cheaper to scan for the client). */
const MAX_QUOTED_OCTETS = 1024;

/**
 * The quoted form of `value`, or null when it must be a literal: CR, LF or NUL inside, 8-bit
 * for a client without UTF-8 (RFC 9051 §4.3 quoted is 7-bit; `utf8-quoted` needs rev2 or
 * UTF8=ACCEPT), or longer than MAX_QUOTED_OCTETS.
 */
export function quoted(value: string, utf8: boolean, maxOctets = MAX_QUOTED_OCTETS): string | null {
  if (value.length > maxOctets) return null;
  // One pass (this runs for every ENVELOPE field of every message a FETCH returns).
  let ascii = true;
  let escapes = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20) {
      if (c !== 0x09) return null;
    } else if (c > 0x7e) {
      if (!utf8) return null;
      ascii = false;
    } else if (c === 0x22 || c === 0x5c) {
      escapes = true;
    }
  }
  if (!ascii && Buffer.byteLength(value) > maxOctets) return null;
  return escapes ? `"${value.replace(/[\\"]/g, '\\$&')}"` : `"${value}"`;
}

/** A `string` as response text: quoted when possible, else an inline literal `{n}\r\n…`. */
export function stringText(value: string, utf8: boolean): string {
  return quoted(value, utf8) ?? `{${Buffer.byteLength(value)}}\r\n${value}`;
}

/**
 * A string that must stay on one line (mailbox names in LIST and STATUS, tags): quoted
 * whatever its length. Throws UNSAFE_OUTPUT for CR, LF, NUL, or 8-bit text for a client
 * without UTF-8 (callers encode names first, and the store refuses control characters).
 */
export function quotedLine(value: string, utf8: boolean): string {
  const q = quoted(value, utf8, Infinity);
  if (q === null)
    throw new OutpostError(ErrorCodes.UNSAFE_OUTPUT, 'string cannot be quoted on one response line');
  return q;
}

/** `nstring`: NIL for null. */
export function nstringText(value: string | null, utf8: boolean): string {
  return value === null ? 'NIL' : stringText(value, utf8);
}

/**
 * Accumulates one response as chunks. Text is joined; `literal` closes the current text chunk
 * with the `{n}` (or `~{n}`) header and adds the octets as their own chunk(s), uncopied.
 */
export class ResponseBuilder {
  readonly #chunks: Chunk[] = [];
  #text = '';
  /** Strings may be written as UTF-8 quoted strings (rev2 or UTF8=ACCEPT). */
  readonly utf8: boolean;

  constructor(utf8 = false) {
    this.utf8 = utf8;
  }

  /** Raw response text (the caller guarantees it is safe). */
  text(s: string): this {
    this.#text += s;
    return this;
  }

  /** A string, quoted or literal. */
  string(value: string): this {
    return this.text(stringText(value, this.utf8));
  }

  /** An nstring. */
  nstring(value: string | null): this {
    return this.text(nstringText(value, this.utf8));
  }

  /**
   * Octets as a literal followed by the data chunks: `{n}`, or `~{n}` when `binary` (the answer
   * to a BINARY fetch) and the data contains NUL (RFC 3516 §4.2).
   */
  literal(data: Buffer | readonly Buffer[], binary = false): this {
    const parts = Buffer.isBuffer(data) ? [data] : data;
    let size = 0;
    for (const p of parts) size += p.length;
    const eight = binary && parts.some((p) => p.includes(0));
    this.#text += `${eight ? '~' : ''}{${size}}\r\n`;
    this.#chunks.push(this.#text);
    this.#text = '';
    for (const p of parts) if (p.length) this.#chunks.push(p);
    return this;
  }

  /** The chunks of the response, ending with CRLF. */
  finish(): Chunk[] {
    this.#chunks.push(`${this.#text}\r\n`);
    this.#text = '';
    return this.#chunks;
  }
}

/** Total octets of a chunk list (for metrics, tests and transcripts). */
export function chunksLength(chunks: readonly Chunk[]): number {
  let n = 0;
  for (const c of chunks) n += typeof c === 'string' ? Buffer.byteLength(c) : c.length;
  return n;
}
