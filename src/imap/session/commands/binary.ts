/**
 * FETCH BINARY[part]<partial>, BINARY.PEEK and BINARY.SIZE (RFC 3516, RFC 9051 §6.4.5): a part's
 * content with its Content-Transfer-Encoding undone (base64, quoted-printable; 7bit, 8bit and
 * binary as they are), read from the stored bytes of that part only, so decoding is bounded by
 * the part's size (both decoders only shrink their input). `BINARY[]` is the whole message as
 * stored. A transfer encoding we cannot decode fails the whole FETCH with `NO [UNKNOWN-CTE]`,
 * checked before anything is sent. The codec writes the data as literal8 (`~{n}`) when it holds
 * NUL, as a normal literal otherwise.
 */
import {
  decodeBase64,
  decodeQuotedPrintable,
  partAt,
  type BodyStructure,
  type MailStore,
} from '../../../mail/index.js';
import type { Partial } from '../../codec/index.js';

/** The stored message a BINARY item reads: where it is, its size and its body structure. */
export interface BinaryMessage {
  readonly store: MailStore;
  readonly mailboxId: number;
  readonly uid: number;
  readonly size: number;
  /** Undefined when the structure is missing. */
  readonly root: BodyStructure | undefined;
}

/** How a part's stored body becomes its content. */
type Decoding = 'identity' | 'base64' | 'quoted-printable';

/** A part to decode: its body's byte range in the stored message, and how. */
interface BinaryTarget {
  readonly start: number;
  readonly end: number;
  readonly decoding: Decoding;
  /** A text part: decoded line ends are sent as CRLF (RFC 3516 §6). */
  readonly text: boolean;
}

function decodingOf(encoding: string): Decoding | null {
  switch (encoding.trim().toLowerCase()) {
    case '':
    case '7bit':
    case '8bit':
    case 'binary':
      return 'identity';
    case 'base64':
      return 'base64';
    case 'quoted-printable':
      return 'quoted-printable';
    default:
      return null;
  }
}

/**
 * The body a non-empty BINARY section names: null when the part does not exist (empty
 * content, as BODY gives), `unknown-cte` when its encoding is not one we decode. A multipart
 * part is its body as is (MIME allows it only identity encodings).
 */
function targetOf(root: BodyStructure, part: readonly number[]): BinaryTarget | null | 'unknown-cte' {
  const p = partAt(root, part);
  if (p === null) return null;
  const { bodyStart: start, bodyEnd: end } = p.range;
  if (p.kind === 'multipart') return { start, end, decoding: 'identity', text: false };
  const decoding = decodingOf(p.encoding);
  if (decoding === null) return 'unknown-cte';
  return { start, end, decoding, text: p.kind === 'text' };
}

/** True when a BINARY or BINARY.SIZE of `part` would fail with UNKNOWN-CTE for this message. */
export function unknownTransferEncoding(root: BodyStructure | undefined, part: readonly number[]): boolean {
  return part.length > 0 && root !== undefined && targetOf(root, part) === 'unknown-cte';
}

/** Bare LF (and CR) line ends as CRLF. */
function crlf(data: Buffer): Buffer {
  if (!data.includes(0x0a) && !data.includes(0x0d)) return data;
  const text = data.toString('latin1');
  const fixed = text.replace(/\r\n|\r|\n/g, '\r\n');
  return fixed.length === text.length ? data : Buffer.from(fixed, 'latin1');
}

async function decoded(message: BinaryMessage, target: BinaryTarget): Promise<Buffer | null> {
  const raw = await message.store.readRange(
    message.mailboxId,
    message.uid,
    target.start,
    target.end - target.start,
  );
  if (raw === null) return null;
  switch (target.decoding) {
    case 'identity':
      return raw;
    case 'base64': {
      const data = decodeBase64(raw);
      return target.text ? crlf(data) : data;
    }
    case 'quoted-printable':
      return decodeQuotedPrintable(raw);
  }
}

/**
 * The content of BINARY[part]<partial> (the whole stored message for `[]`, of which only the
 * partial range is read), or null when the message is gone or its structure is missing. The
 * caller has ruled out UNKNOWN-CTE. `partial` counts octets of the decoded content.
 */
export async function binaryContent(
  message: BinaryMessage,
  part: readonly number[],
  partial: Partial | null,
): Promise<Buffer | null> {
  const { store, mailboxId, uid, size, root } = message;
  if (part.length === 0) {
    return partial
      ? store.readRange(mailboxId, uid, partial.offset, partial.length)
      : store.readRange(mailboxId, uid, 0, size);
  }
  if (root === undefined) return null;
  const target = targetOf(root, part);
  if (target === null) return Buffer.alloc(0);
  if (target === 'unknown-cte') return null;
  const data = await decoded(message, target);
  return data && partial ? data.subarray(partial.offset, partial.offset + partial.length) : data;
}

/**
 * BINARY.SIZE[part]: the size BINARY[part] would send. Identity-encoded parts are not read;
 * the others are decoded (RFC 3516 warns clients that this may be costly).
 */
export async function binarySize(message: BinaryMessage, part: readonly number[]): Promise<number | null> {
  if (part.length === 0) return message.size;
  if (message.root === undefined) return null;
  const target = targetOf(message.root, part);
  if (target === null) return 0;
  if (target === 'unknown-cte') return null;
  if (target.decoding === 'identity') return target.end - target.start;
  return (await decoded(message, target))?.length ?? null;
}
