/**
 * A delivered message as a test wants to look at it: the exact stored bytes plus the fields
 * people assert on (From, To, Subject, the text and HTML bodies, attachments), decoded with the
 * suite's own RFC 5322/MIME codec. Parsing is lenient: a header a test's app got wrong shows up
 * as undefined or empty instead of throwing, so the test can assert on it.
 */
import {
  decodedBody,
  decodeEncodedWords,
  flattenAddresses,
  getHeader,
  parseAddressList,
  parseMime,
  partFilename,
  textContent,
  walkParts,
  type MessageInfo,
} from '../mail/index.js';

/** One attachment (a part with a file name or `Content-Disposition: attachment`). */
export interface TestAttachment {
  readonly filename: string | null;
  readonly contentType: string;
  readonly content: Buffer;
}

/** A message in a mailbox. */
export interface TestMessage {
  readonly uid: number;
  readonly internalDate: Date;
  readonly flags: readonly string[];
  /** The exact stored bytes (Return-Path: and Received: added by Outpost first). */
  readonly raw: Buffer;
  /** A header's unfolded, encoded-word-decoded value (first occurrence), by case-insensitive name. */
  header(name: string): string | undefined;
  /** The From address (addr-spec only), if it parses. */
  readonly from: string | undefined;
  /** To and Cc addresses (addr-spec only). */
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly subject: string | undefined;
  readonly messageId: string | undefined;
  /** The first text/plain part that is not an attachment, decoded; '' when none. */
  readonly text: string;
  /** The first text/html part that is not an attachment, decoded; undefined when none. */
  readonly html: string | undefined;
  readonly attachments: readonly TestAttachment[];
}

function addresses(value: string | undefined): string[] {
  if (value === undefined) return [];
  try {
    return flattenAddresses(parseAddressList(value)).map((m) => m.address);
  } catch {
    return [];
  }
}

/** Parses stored bytes into a TestMessage. */
export function parseTestMessage(info: MessageInfo, raw: Buffer): TestMessage {
  const root = parseMime(raw);
  const headers = root.headers;
  const header = (name: string): string | undefined => {
    const value = getHeader(headers, name);
    return value === undefined ? undefined : decodeEncodedWords(value);
  };
  const parts = walkParts(root);
  const isAttachment = (p: (typeof parts)[number]): boolean =>
    p.children.length === 0 &&
    (p.disposition?.value.toLowerCase() === 'attachment' || partFilename(p) !== null);
  const firstText = (type: string): string | undefined => {
    const part = parts.find((p) => p.contentType === type && p.children.length === 0 && !isAttachment(p));
    return part ? textContent(part) : undefined;
  };
  return {
    uid: info.uid,
    internalDate: info.internalDate,
    flags: info.flags,
    raw,
    header,
    from: addresses(getHeader(headers, 'From'))[0],
    to: addresses(getHeader(headers, 'To')),
    cc: addresses(getHeader(headers, 'Cc')),
    subject: header('Subject'),
    messageId: getHeader(headers, 'Message-ID')?.trim(),
    text: firstText('text/plain') ?? '',
    html: firstText('text/html'),
    attachments: parts.filter(isAttachment).map((p) => ({
      filename: partFilename(p),
      contentType: p.contentType,
      content: decodedBody(p),
    })),
  };
}
