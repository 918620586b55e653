/**
 * The MIME structure of a message as plain, JSON-safe data: what IMAP's BODYSTRUCTURE and BODY
 * (RFC 9051 §7.5.2, RFC 3501 §7.4.2) report, plus each part's byte ranges so FETCH
 * BODY[1.2.MIME], BODY[1.TEXT] and BINARY[2] read a slice of the stored message instead of
 * parsing it again. The mail store computes it once at delivery (from `parseMime`), the IMAP
 * codec serialises it (src/imap/codec/body-structure.ts), and `partAt` resolves a section
 * number to a part. Values are as in the headers (type and subtype upper- or lower-case as the
 * store chooses; the codec writes them as they are), sizes in octets of the stored bytes.
 */
import type { Envelope } from './envelope.js';

/**
 * Where a part sits in the stored message, as absolute octet offsets. The structure of an
 * encapsulated message (`MessagePart.body`) starts where its part's body starts: its
 * `headerStart` is the message part's `bodyStart`.
 */
export interface PartRange {
  /** First octet of the part's MIME header (for the message itself: 0). */
  readonly headerStart: number;
  /** First octet of the part's body (after the blank line that ends its header). */
  readonly bodyStart: number;
  /** One past the last octet of the body (the CRLF before a boundary belongs to the boundary). */
  readonly bodyEnd: number;
}

/** `Content-Disposition`: the value and its parameters (RFC 2183). */
export interface BodyDisposition {
  readonly type: string;
  /** Parameters in header order, names as written; null when there are none. */
  readonly params: readonly (readonly [string, string])[] | null;
}

/** The extension data every part may carry (RFC 9051 §7.5.2 body-ext-1part / body-ext-mpart). */
export interface BodyExtension {
  readonly disposition: BodyDisposition | null;
  /** Content-Language tags (RFC 3282), null when absent. */
  readonly language: readonly string[] | null;
  /** Content-Location (RFC 2557), null when absent. */
  readonly location: string | null;
}

/** Fields every non-multipart part has (RFC 9051 body-fields). */
export interface SinglePartFields extends BodyExtension {
  /** Media type, e.g. `TEXT`, `IMAGE`, `APPLICATION`. */
  readonly type: string;
  readonly subtype: string;
  /** Content-Type parameters in header order (RFC 2231 continuations already joined); null when none. */
  readonly params: readonly (readonly [string, string])[] | null;
  readonly id: string | null;
  readonly description: string | null;
  /** Content-Transfer-Encoding as written, `7BIT` when absent. */
  readonly encoding: string;
  /** Octets of the body as stored (still transfer-encoded). */
  readonly size: number;
  /** Content-MD5, null when absent. */
  readonly md5: string | null;
  readonly range: PartRange;
}

/** Any non-multipart, non-text, non-message part. */
export interface BasicPart extends SinglePartFields {
  readonly kind: 'basic';
}

/** A `text/*` part: IMAP adds its size in lines. */
export interface TextPart extends SinglePartFields {
  readonly kind: 'text';
  /** Lines of the (encoded) body. */
  readonly lines: number;
}

/** A `message/rfc822` (or `message/global`) part: the nested message's envelope and structure. */
export interface MessagePart extends SinglePartFields {
  readonly kind: 'message';
  readonly envelope: Envelope;
  readonly body: BodyStructure;
  readonly lines: number;
}

/** A `multipart/*` part. */
export interface MultiPart extends BodyExtension {
  readonly kind: 'multipart';
  readonly subtype: string;
  /** At least one part (a multipart with none is stored as an empty text/plain part). */
  readonly parts: readonly BodyStructure[];
  /** Content-Type parameters (boundary included), null when none. */
  readonly params: readonly (readonly [string, string])[] | null;
  readonly range: PartRange;
}

/** The structure of a message or of one of its parts. */
export type BodyStructure = BasicPart | TextPart | MessagePart | MultiPart;

/**
 * The part a section number names (RFC 9051 §6.4.5): `[]` is the whole message; `[1]` of a
 * non-multipart message is its body; parts of a multipart are numbered from 1; the parts of a
 * message/rfc822 part are those of its nested message (whose own body is part 1 when it is not
 * multipart). Returns null when the number names nothing.
 */
export function partAt(root: BodyStructure, path: readonly number[]): BodyStructure | null {
  let part: BodyStructure = root;
  for (let i = 0; i < path.length; i++) {
    const n = path[i] ?? 0;
    // The numbers address a message's body: the root's, or an encapsulated message's.
    const messageBody = i === 0 ? root : part.kind === 'message' ? part.body : null;
    const container = messageBody ?? (part.kind === 'multipart' ? part : null);
    if (container === null) return null;
    if (container.kind === 'multipart') {
      const next = container.parts[n - 1];
      if (next === undefined) return null;
      part = next;
    } else if (n === 1) {
      part = container;
    } else {
      return null;
    }
  }
  return part;
}
