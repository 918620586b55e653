/**
 * Computes a message's ENVELOPE (envelope.ts) and MIME structure with byte ranges
 * (body-structure.ts) from its MIME tree (mime-parse.ts), once, when the message is stored: IMAP
 * FETCH then reads the result instead of parsing the message again. Pure; no I/O.
 *
 * Hostile MIME costs bounded work: `parseMime` stops descending at MESSAGE_LIMITS.maxMimeDepth
 * and maxMimePart. A part it did not divide is reported as an opaque leaf: a multipart without
 * parts as `TEXT/PLAIN` over its body (body-structure.ts requires at least one part), an
 * encapsulated message that was not parsed, or whose bytes are transfer-encoded so its ranges
 * would not point into the stored message, as a basic `MESSAGE/RFC822` part. A header section
 * over the limits makes the whole message one `TEXT/PLAIN` part with an empty envelope.
 *
 * Spelling: type, subtype, encoding and parameter names are upper-cased (as Cyrus and UW write
 * them), values as in the header. Envelope fields are raw, unfolded header values; address
 * display names, which address.ts decodes, are re-encoded as RFC 2047 words when not ASCII, so
 * the envelope never carries decoded text.
 */
import { ErrorCodes, hasCode } from '../../core/errors.js';
import { parseAddressList, type Address } from './address.js';
import type { BodyStructure, PartRange } from './body-structure.js';
import { needsEncoding, encodeWords } from './encoded-word.js';
import { EMPTY_ENVELOPE, groupEnd, groupStart, type Envelope, type EnvelopeAddress } from './envelope.js';
import { getHeader, type HeaderField } from './headers.js';
import { parseMime, type MimePart } from './mime-parse.js';

/** A message's envelope and structure. */
export interface MessageStructure {
  readonly envelope: Envelope;
  readonly body: BodyStructure;
}

/** Where the byte ranges of a subtree point: into the stored message, or nowhere. */
interface Origin {
  readonly root: Buffer;
}

function offsetIn(origin: Origin, buf: Buffer): number | null {
  const { root } = origin;
  if (buf.buffer !== root.buffer) return null;
  const at = buf.byteOffset - root.byteOffset;
  return at >= 0 && at + buf.length <= root.length ? at : null;
}

/** Lines of a body: its LFs, plus one for a last line without one (as Dovecot counts). */
export function countLines(body: Buffer): number {
  let n = 0;
  let at = body.indexOf(0x0a);
  while (at >= 0) {
    n++;
    at = body.indexOf(0x0a, at + 1);
  }
  return body.length > 0 && body[body.length - 1] !== 0x0a ? n + 1 : n;
}

function nonEmpty(value: string | undefined): string | null {
  const v = value?.trim();
  return v === undefined || v === '' ? null : v;
}

function phrase(name: string): string | null {
  if (name === '') return null;
  return needsEncoding(name) ? encodeWords(name) : name;
}

function addressStructures(list: readonly Address[]): EnvelopeAddress[] {
  const out: EnvelopeAddress[] = [];
  for (const a of list) {
    if (a.kind === 'group') {
      out.push(groupStart(phrase(a.name) ?? ''));
      for (const m of a.members)
        out.push({ name: phrase(m.name), adl: null, mailbox: m.local, host: m.domain });
      out.push(groupEnd());
    } else {
      out.push({ name: phrase(a.name), adl: null, mailbox: a.local, host: a.domain });
    }
  }
  return out;
}

function addresses(fields: readonly HeaderField[], name: string): EnvelopeAddress[] | null {
  const value = nonEmpty(getHeader(fields, name));
  if (value === null) return null;
  try {
    const list = addressStructures(parseAddressList(value));
    return list.length === 0 ? null : list;
  } catch (err) {
    if (!hasCode(err, ErrorCodes.PARSE)) throw err;
    // Unparseable: keep the text where a client shows it, marked as Dovecot marks it.
    return [{ name: null, adl: null, mailbox: value, host: 'MISSING_DOMAIN' }];
  }
}

/** The ENVELOPE of a header section (RFC 9051 §7.5.2); Sender/Reply-To stay null when absent. */
export function envelopeOf(fields: readonly HeaderField[]): Envelope {
  return {
    date: nonEmpty(getHeader(fields, 'Date')),
    subject: nonEmpty(getHeader(fields, 'Subject')),
    from: addresses(fields, 'From'),
    sender: addresses(fields, 'Sender'),
    replyTo: addresses(fields, 'Reply-To'),
    to: addresses(fields, 'To'),
    cc: addresses(fields, 'Cc'),
    bcc: addresses(fields, 'Bcc'),
    inReplyTo: nonEmpty(getHeader(fields, 'In-Reply-To')),
    messageId: nonEmpty(getHeader(fields, 'Message-ID')),
  };
}

function paramList(params: ReadonlyMap<string, string>): [string, string][] | null {
  return params.size === 0 ? null : [...params].map(([k, v]) => [k.toUpperCase(), v]);
}

function extension(part: MimePart): Pick<BodyStructure, 'disposition' | 'language' | 'location'> {
  const language = nonEmpty(getHeader(part.headers, 'Content-Language'));
  return {
    disposition:
      part.disposition === null || part.disposition.value === ''
        ? null
        : { type: part.disposition.value.toUpperCase(), params: paramList(part.disposition.params) },
    language:
      language === null
        ? null
        : language
            .split(',')
            .map((l) => l.trim())
            .filter((l) => l !== ''),
    location: nonEmpty(getHeader(part.headers, 'Content-Location')),
  };
}

function rangeOf(part: MimePart, origin: Origin): PartRange {
  const start = offsetIn(origin, part.raw);
  const body = offsetIn(origin, part.body);
  // Only parts inside the stored bytes are described (see structureOfPart), so this holds.
  if (start === null || body === null) return { headerStart: 0, bodyStart: 0, bodyEnd: 0 };
  return { headerStart: start, bodyStart: body, bodyEnd: body + part.body.length };
}

function structureOfPart(part: MimePart, origin: Origin): BodyStructure {
  const range = rangeOf(part, origin);
  const [type = 'text', subtype = 'plain'] = part.contentType.split('/');
  const ext = extension(part);
  if (type === 'multipart' && part.children.length > 0) {
    return {
      kind: 'multipart',
      subtype: subtype.toUpperCase(),
      parts: part.children.map((c) => structureOfPart(c, origin)),
      params: paramList(part.params),
      range,
      ...ext,
    };
  }
  const multipartLeaf = type === 'multipart';
  const single = {
    type: multipartLeaf ? 'TEXT' : type.toUpperCase(),
    subtype: multipartLeaf ? 'PLAIN' : subtype.toUpperCase(),
    params: paramList(part.params),
    id: nonEmpty(getHeader(part.headers, 'Content-ID')),
    description: nonEmpty(getHeader(part.headers, 'Content-Description')),
    encoding: (nonEmpty(getHeader(part.headers, 'Content-Transfer-Encoding')) ?? '7BIT').toUpperCase(),
    size: part.body.length,
    md5: nonEmpty(getHeader(part.headers, 'Content-MD5')),
    range,
    ...ext,
  };
  const nested = part.children[0];
  // A transfer-encoded encapsulated message was decoded into new bytes no range points into:
  // it stays a basic part.
  if (type === 'message' && nested !== undefined && offsetIn(origin, nested.raw) !== null) {
    return {
      kind: 'message',
      ...single,
      envelope: envelopeOf(nested.headers),
      body: structureOfPart(nested, origin),
      lines: countLines(part.body),
    };
  }
  if (multipartLeaf || type === 'text') return { kind: 'text', ...single, lines: countLines(part.body) };
  return { kind: 'basic', ...single };
}

/**
 * The envelope and structure of a stored message (see the file comment for the caps). Never
 * throws on content: a message whose header section is over the limits gets the fallback.
 */
export function structureOf(bytes: Buffer, root?: MimePart): MessageStructure {
  let tree = root;
  if (tree === undefined) {
    try {
      tree = parseMime(bytes);
    } catch (err) {
      if (!hasCode(err, ErrorCodes.INPUT_TOO_LARGE)) throw err;
      return fallbackStructure(bytes);
    }
  }
  return { envelope: envelopeOf(tree.headers), body: structureOfPart(tree, { root: bytes }) };
}

/** The structure of a message that could not be parsed: one text part, the whole message. */
export function fallbackStructure(bytes: Buffer): MessageStructure {
  return {
    envelope: EMPTY_ENVELOPE,
    body: {
      kind: 'text',
      type: 'TEXT',
      subtype: 'PLAIN',
      params: null,
      id: null,
      description: null,
      encoding: '7BIT',
      size: bytes.length,
      md5: null,
      lines: countLines(bytes),
      range: { headerStart: 0, bodyStart: 0, bodyEnd: bytes.length },
      disposition: null,
      language: null,
      location: null,
    },
  };
}
