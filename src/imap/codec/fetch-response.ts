/**
 * FETCH responses (RFC 9051 §7.5.2): `* n FETCH (…)` assembled from the stored data, with the
 * response names of the requested items (`BODY[1.HEADER.FIELDS (FROM)]<0>`, `BINARY[2]`), and
 * message bodies added as literal chunks (see ResponseBuilder) rather than copied into text.
 */
import type { BodyStructure, Envelope } from '../../mail/index.js';
import { bodyStructureText } from './body-structure.js';
import type { FetchItem, Section } from './command.js';
import { formatDateTime } from './date.js';
import { quoteOrAtom, ResponseBuilder, type Chunk } from './encode.js';
import { envelopeText } from './envelope.js';

/** The section text inside the brackets: `1.2.HEADER.FIELDS (FROM TO)`. */
export function sectionText(section: Section): string {
  const part = section.part.join('.');
  if (section.text === null) return part;
  const fields = section.fields.length ? ` (${section.fields.map((f) => quoteOrAtom(f)).join(' ')})` : '';
  return `${part}${part ? '.' : ''}${section.text}${fields}`;
}

/** The name a FETCH response gives an item (RFC 9051 §7.5.2: PEEK dropped, partial as `<offset>`). */
export function fetchItemName(item: FetchItem): string {
  switch (item.kind) {
    case 'BODY[]':
      return `BODY[${sectionText(item.section)}]${item.partial ? `<${item.partial.offset}>` : ''}`;
    case 'BINARY[]':
      return `BINARY[${item.part.join('.')}]${item.partial ? `<${item.partial.offset}>` : ''}`;
    case 'BINARY.SIZE':
      return `BINARY.SIZE[${item.part.join('.')}]`;
    default:
      return item.kind;
  }
}

/** Builds one `* n FETCH (…)` response, item by item, in the order the session adds them. */
export class FetchResponseBuilder {
  readonly #b: ResponseBuilder;
  #first = true;

  constructor(seq: number, utf8 = false) {
    this.#b = new ResponseBuilder(utf8).text(`* ${seq} FETCH (`);
  }

  #item(name: string): ResponseBuilder {
    this.#b.text(this.#first ? `${name} ` : ` ${name} `);
    this.#first = false;
    return this.#b;
  }

  uid(uid: number): this {
    this.#item('UID').text(String(uid));
    return this;
  }

  /** FLAGS (system flags with their backslash, keywords as atoms). */
  flags(flags: readonly string[]): this {
    this.#item('FLAGS').text(`(${flags.join(' ')})`);
    return this;
  }

  internalDate(date: Date): this {
    this.#item('INTERNALDATE').text(formatDateTime(date));
    return this;
  }

  rfc822Size(octets: number): this {
    this.#item('RFC822.SIZE').text(String(octets));
    return this;
  }

  modSeq(modSeq: number): this {
    this.#item('MODSEQ').text(`(${modSeq})`);
    return this;
  }

  envelope(env: Envelope): this {
    this.#item('ENVELOPE').text(envelopeText(env, this.#b.utf8));
    return this;
  }

  /** BODYSTRUCTURE (extended) or BODY (not). */
  bodyStructure(body: BodyStructure, extended: boolean): this {
    this.#item(extended ? 'BODYSTRUCTURE' : 'BODY').text(bodyStructureText(body, extended, this.#b.utf8));
    return this;
  }

  /**
   * Message data for BODY[…], BINARY[…] or RFC822/RFC822.HEADER/RFC822.TEXT: the octets as a
   * literal (already sliced for a partial fetch), or NIL when the section does not exist.
   */
  section(item: FetchItem, data: Buffer | readonly Buffer[] | null): this {
    const b = this.#item(fetchItemName(item));
    if (data === null) b.text('NIL');
    else b.literal(data, item.kind === 'BINARY[]');
    return this;
  }

  /** BINARY.SIZE[part]: the decoded size in octets. */
  binarySize(item: FetchItem, octets: number): this {
    this.#item(fetchItemName(item)).text(String(octets));
    return this;
  }

  /** The response's chunks, ending in `)` CRLF. */
  finish(): Chunk[] {
    return this.#b.text(')').finish();
  }
}
