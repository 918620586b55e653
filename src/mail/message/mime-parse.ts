/**
 * Walking a MIME message (RFC 2045, RFC 2046): each part's headers, content type, parameters and
 * raw body; multipart bodies split at their boundaries (§5.1.1, preamble and epilogue ignored),
 * message/rfc822 parts parsed as nested messages, and bodies decoded from their transfer
 * encoding on demand. Bounded by MESSAGE_LIMITS.maxMimeDepth and maxMimeParts: past either, a part
 * is kept as an undivided leaf rather than failing, so hostile nesting costs bounded work.
 * POP3, IMAP (BODYSTRUCTURE) and webmail read messages through this.
 */
import { parseParamHeader, type ParamHeader } from './content-type.js';
import { decodeEncodedWords } from './encoded-word.js';
import { getHeader, parseHeaderSection, type HeaderField } from './headers.js';
import { MESSAGE_LIMITS, type MessageLimits } from './limits.js';
import { decodeTransfer } from './transfer-encoding.js';

/** One MIME entity. */
export interface MimePart {
  /** The whole entity as it is in the message: header section, separator line and body. */
  readonly raw: Buffer;
  readonly headers: readonly HeaderField[];
  /** Lower-cased `type/subtype`; `text/plain` by default (RFC 2045 §5.2), or
   *  `message/rfc822` inside multipart/digest (RFC 2046 §5.1.5). */
  readonly contentType: string;
  readonly params: ReadonlyMap<string, string>;
  /** Lower-cased Content-Transfer-Encoding, `7bit` by default. */
  readonly transferEncoding: string;
  readonly disposition: ParamHeader | null;
  /** The body as it is in the message (still transfer-encoded). */
  readonly body: Buffer;
  /** Multipart children, or the one nested message of a message/rfc822 part. */
  readonly children: readonly MimePart[];
  /** Nesting depth, 0 for the message itself. */
  readonly depth: number;
}

/** The body decoded from its transfer encoding. */
export function decodedBody(part: MimePart): Buffer {
  return decodeTransfer(part.body, part.transferEncoding);
}

/** A text part's content as a string, decoded with its charset (UTF-8 when unknown). */
export function textContent(part: MimePart): string {
  const charset = part.params.get('charset') ?? 'utf-8';
  const bytes = decodedBody(part);
  try {
    return new TextDecoder(charset.toLowerCase()).decode(bytes);
  } catch {
    return bytes.toString('utf8');
  }
}

/** The file name of an attachment (Content-Disposition filename, else Content-Type name). */
export function partFilename(part: MimePart): string | null {
  const name = part.disposition?.params.get('filename') ?? part.params.get('name');
  return name === undefined ? null : decodeEncodedWords(name);
}

/** Splits a multipart body at `--boundary` lines; returns the parts between the delimiters. */
function splitMultipart(body: Buffer, boundary: string, maxParts: number): Buffer[] {
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const parts: Buffer[] = [];
  let start = -1;
  let pos = 0;
  while (pos <= body.length) {
    const idx = body.indexOf(delimiter, pos);
    if (idx < 0) break;
    const atLineStart = idx === 0 || body[idx - 1] === 0x0a;
    const after = idx + delimiter.length;
    const close = body[after] === 0x2d && body[after + 1] === 0x2d;
    // The delimiter must be followed by optional whitespace then the line end (RFC 2046 §5.1.1).
    let j = close ? after + 2 : after;
    while (body[j] === 0x20 || body[j] === 0x09) j++;
    const lineEnd = j >= body.length || body[j] === 0x0d || body[j] === 0x0a;
    if (!atLineStart || !(lineEnd || close)) {
      pos = after;
      continue;
    }
    if (start >= 0) {
      // The CRLF before the delimiter belongs to the delimiter.
      let end = idx;
      if (body[end - 1] === 0x0a) end--;
      if (body[end - 1] === 0x0d) end--;
      parts.push(body.subarray(start, Math.max(start, end)));
      if (parts.length >= maxParts) return parts;
    }
    if (close) return parts;
    const lf = body.indexOf(0x0a, j);
    start = lf < 0 ? body.length : lf + 1;
    pos = start;
  }
  // No closing delimiter: the last part runs to the end (tolerated).
  if (start >= 0 && start < body.length) parts.push(body.subarray(start));
  return parts;
}

interface Budget {
  parts: number;
}

function parseEntity(
  bytes: Buffer,
  depth: number,
  defaultType: string,
  limits: Required<MessageLimits>,
  budget: Budget,
): MimePart {
  budget.parts++;
  const section = parseHeaderSection(bytes, limits);
  const body = bytes.subarray(section.bodyOffset);
  const ct = getHeader(section.fields, 'Content-Type');
  const parsed = ct === undefined ? null : parseParamHeader(ct);
  const contentType = parsed && /^[^/\s]+\/[^/\s]+$/.test(parsed.value) ? parsed.value : defaultType;
  const params = parsed?.params ?? new Map<string, string>();
  const cd = getHeader(section.fields, 'Content-Disposition');
  const base = {
    raw: bytes,
    headers: section.fields,
    contentType,
    params,
    transferEncoding: (getHeader(section.fields, 'Content-Transfer-Encoding') ?? '7bit').trim().toLowerCase(),
    disposition: cd === undefined ? null : parseParamHeader(cd),
    body,
    depth,
  };
  const canDescend = depth < limits.maxMimeDepth && budget.parts < limits.maxMimeParts;
  const boundary = params.get('boundary');
  if (canDescend && contentType.startsWith('multipart/') && boundary !== undefined && boundary !== '') {
    const childDefault = contentType === 'multipart/digest' ? 'message/rfc822' : 'text/plain';
    const children: MimePart[] = [];
    for (const raw of splitMultipart(body, boundary, limits.maxMimeParts)) {
      if (budget.parts >= limits.maxMimeParts) break;
      children.push(parseEntity(raw, depth + 1, childDefault, limits, budget));
    }
    return { ...base, children };
  }
  if (canDescend && (contentType === 'message/rfc822' || contentType === 'message/global')) {
    return {
      ...base,
      children: [
        parseEntity(decodeTransfer(body, base.transferEncoding), depth + 1, 'text/plain', limits, budget),
      ],
    };
  }
  return { ...base, children: [] };
}

/** Parses a whole message into its MIME tree. Throws only when a header section is over limits. */
export function parseMime(bytes: Buffer, limits?: MessageLimits): MimePart {
  const all = { ...MESSAGE_LIMITS, ...limits } as Required<MessageLimits>;
  return parseEntity(bytes, 0, 'text/plain', all, { parts: 0 });
}

/** Every part of the tree, depth first (the root included). */
export function walkParts(root: MimePart): MimePart[] {
  const out: MimePart[] = [];
  const stack: MimePart[] = [root];
  while (stack.length) {
    const part = stack.pop();
    if (!part) break;
    out.push(part);
    for (let i = part.children.length - 1; i >= 0; i--) {
      const child = part.children[i];
      if (child) stack.push(child);
    }
  }
  return out;
}
