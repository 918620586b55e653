/**
 * Building messages (RFC 5322 + MIME, RFC 2045-2049) for `outpost mail send`, bounces and tests:
 * text/plain, text/html or both (multipart/alternative, RFC 2046 §5.1.4), attachments
 * (multipart/mixed, Content-Disposition with RFC 2231 file names), quoted-printable or base64
 * bodies with 76-column lines, RFC 2047 encoded words for non-ASCII headers, or raw UTF-8 headers
 * (RFC 6532) when the message will travel with SMTPUTF8. Output uses CRLF everywhere.
 */
import { randomBytes } from 'node:crypto';
import { ErrorCodes, OutpostError } from '../../core/errors.js';
import { formatAddressList, parseAddressList, type Address } from './address.js';
import { formatParams } from './content-type.js';
import { formatDate } from './date.js';
import { encodeUnstructured, foldHeader, needsEncoding } from './encoded-word.js';
import { generateMessageId } from './message-id.js';
import { encodeBase64, encodeQuotedPrintable } from './transfer-encoding.js';

/** One attachment. */
export interface AttachmentSpec {
  readonly filename: string;
  readonly content: Buffer;
  /** Defaults to a type guessed from the file name, else application/octet-stream. */
  readonly contentType?: string;
}

/** What to build. Address fields take header text (`Name <a@b>, c@d`) or parsed addresses. */
export interface MessageSpec {
  readonly from: string | readonly Address[];
  readonly to?: string | readonly Address[];
  readonly cc?: string | readonly Address[];
  readonly replyTo?: string | readonly Address[];
  readonly subject?: string;
  readonly text?: string;
  readonly html?: string;
  readonly attachments?: readonly AttachmentSpec[];
  /** Extra header fields, values as text (encoded when needed). */
  readonly headers?: readonly (readonly [string, string])[];
  /** Date: (default `now`) and the host for Message-ID:. */
  readonly date?: Date;
  readonly hostname?: string;
  readonly messageId?: string;
  /** RFC 6532: write non-ASCII header text raw (only for SMTPUTF8 transport). */
  readonly utf8Headers?: boolean;
}

const TYPES: Record<string, string> = {
  txt: 'text/plain',
  html: 'text/html',
  htm: 'text/html',
  css: 'text/css',
  csv: 'text/csv',
  json: 'application/json',
  pdf: 'application/pdf',
  zip: 'application/zip',
  gz: 'application/gzip',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  svg: 'image/svg+xml',
  webp: 'image/webp',
  eml: 'message/rfc822',
  ics: 'text/calendar',
  xml: 'application/xml',
};

/** A content type from a file name's extension. */
export function guessContentType(filename: string): string {
  const ext = /\.([A-Za-z0-9]+)$/.exec(filename)?.[1]?.toLowerCase() ?? '';
  return TYPES[ext] ?? 'application/octet-stream';
}

/** A boundary that cannot occur in QP or base64 output (`=_` never appears in either). */
export function newBoundary(): string {
  return `=_outpost_${randomBytes(12).toString('hex')}`;
}

interface Part {
  readonly headers: string[];
  readonly body: string | Buffer;
}

/** Chooses 7bit for short-lined ASCII text, quoted-printable otherwise. */
function textPart(text: string, subtype: string): Part {
  const crlf = text.replace(/\r\n|\r|\n/g, '\r\n');
  const plain =
    !/[^\x20-\x7e\r\n\t]/.test(crlf) &&
    crlf.split('\r\n').every((l) => l.length <= 76 && !l.startsWith('.') && !/[ \t]$/.test(l));
  const headers = [`Content-Type: text/${subtype}; charset=utf-8`];
  if (plain) {
    headers.push('Content-Transfer-Encoding: 7bit');
    return { headers, body: crlf.endsWith('\r\n') || crlf === '' ? crlf : crlf + '\r\n' };
  }
  headers.push('Content-Transfer-Encoding: quoted-printable');
  return { headers, body: encodeQuotedPrintable(Buffer.from(text, 'utf8')) };
}

function attachmentPart(a: AttachmentSpec): Part {
  const type = a.contentType ?? guessContentType(a.filename);
  return {
    headers: [
      foldHeader('Content-Type', `${type}${formatParams([['name', a.filename]])}`),
      foldHeader('Content-Disposition', `attachment${formatParams([['filename', a.filename]])}`),
      'Content-Transfer-Encoding: base64',
    ],
    body: encodeBase64(a.content),
  };
}

function multipart(subtype: string, parts: readonly Part[]): Part {
  const boundary = newBoundary();
  const chunks: Buffer[] = [Buffer.from('This is a multi-part message in MIME format.\r\n')];
  for (const p of parts) {
    chunks.push(Buffer.from(`\r\n--${boundary}\r\n${p.headers.join('\r\n')}\r\n\r\n`));
    chunks.push(typeof p.body === 'string' ? Buffer.from(p.body, 'utf8') : p.body);
  }
  chunks.push(Buffer.from(`\r\n--${boundary}--\r\n`));
  return {
    headers: [`Content-Type: multipart/${subtype}; boundary="${boundary}"`],
    body: Buffer.concat(chunks),
  };
}

function addresses(value: string | readonly Address[]): readonly Address[] {
  return typeof value === 'string' ? parseAddressList(value) : value;
}

/** Builds a complete message (headers + MIME body), CRLF line endings. */
export function buildMessage(spec: MessageSpec): Buffer {
  const utf8 = spec.utf8Headers === true;
  const date = spec.date ?? new Date();
  const header: string[] = [];
  const addrHeader = (name: string, value: string | readonly Address[] | undefined): void => {
    if (value === undefined) return;
    const list = addresses(value);
    if (list.length) header.push(foldHeader(name, formatAddressList(list, utf8)));
  };
  const text = (name: string, value: string): void => {
    if (/[\r\n\0]/.test(value))
      throw new OutpostError(ErrorCodes.UNSAFE_OUTPUT, `${name}: CR, LF or NUL in a header value`);
    header.push(foldHeader(name, utf8 || !needsEncoding(value) ? value : encodeUnstructured(value)));
  };
  addrHeader('From', spec.from);
  addrHeader('To', spec.to);
  addrHeader('Cc', spec.cc);
  addrHeader('Reply-To', spec.replyTo);
  if (spec.subject !== undefined) text('Subject', spec.subject);
  header.push(`Date: ${formatDate(date)}`);
  header.push(`Message-ID: ${spec.messageId ?? generateMessageId(spec.hostname ?? 'localhost', date)}`);
  for (const [name, value] of spec.headers ?? []) {
    if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name))
      throw new OutpostError(ErrorCodes.UNSAFE_OUTPUT, `bad header name ${JSON.stringify(name)}`);
    text(name, value);
  }
  header.push('MIME-Version: 1.0');

  const bodies: Part[] = [];
  if (spec.text !== undefined || spec.html === undefined) bodies.push(textPart(spec.text ?? '', 'plain'));
  if (spec.html !== undefined) bodies.push(textPart(spec.html, 'html'));
  let root: Part = bodies.length === 1 && bodies[0] ? bodies[0] : multipart('alternative', bodies);
  if (spec.attachments?.length) root = multipart('mixed', [root, ...spec.attachments.map(attachmentPart)]);
  return Buffer.concat([
    Buffer.from([...header, ...root.headers].join('\r\n') + '\r\n\r\n', 'utf8'),
    typeof root.body === 'string' ? Buffer.from(root.body, 'utf8') : root.body,
  ]);
}
