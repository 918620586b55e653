/**
 * The ENVELOPE of a message as plain, JSON-safe data (RFC 9051 §7.5.2 "ENVELOPE", RFC 3501
 * §7.4.2): computed once at delivery by the mail store from the top-level header section, kept
 * with the message, and written on the wire by the IMAP codec (src/imap/codec/envelope.ts).
 * It lives here, beside the MIME codec, because the store (and webmail) compute and read it
 * without depending on IMAP. No field is decoded: RFC 2047 encoded words stay as they are in
 * the header, as the RFC requires; header values are unfolded (CRLF before WSP removed).
 */

/**
 * One address structure: `(name adl mailbox host)`. RFC 9051 §7.5.2 also uses this shape to
 * mark a group (RFC 5322 §3.4): the group's start is `{name: null, adl: null, mailbox: <group
 * name>, host: null}` and its end `{name: null, adl: null, mailbox: null, host: null}` (see
 * `groupStart` and `groupEnd`).
 */
export interface EnvelopeAddress {
  /** The display name (phrase), without its quotes; null when there is none. */
  readonly name: string | null;
  /** The obsolete source route (`@a,@b`), almost always null. */
  readonly adl: string | null;
  /** The local part, or the group name of a group start; null at a group end. */
  readonly mailbox: string | null;
  /** The domain; null for group markers (and for a bare local part). */
  readonly host: string | null;
}

/**
 * The ten envelope fields in wire order. A field is null when its header is absent or empty
 * (an address list that parses to no address is null too, never `[]`). Sender and Reply-To are
 * stored as the header says: the IMAP encoder writes From in their place when they are null
 * (RFC 9051 §7.5.2), so the store need not duplicate it.
 */
export interface Envelope {
  /** The Date header as written (not normalised). */
  readonly date: string | null;
  readonly subject: string | null;
  readonly from: readonly EnvelopeAddress[] | null;
  readonly sender: readonly EnvelopeAddress[] | null;
  readonly replyTo: readonly EnvelopeAddress[] | null;
  readonly to: readonly EnvelopeAddress[] | null;
  readonly cc: readonly EnvelopeAddress[] | null;
  readonly bcc: readonly EnvelopeAddress[] | null;
  readonly inReplyTo: string | null;
  readonly messageId: string | null;
}

/** The marker that opens a group in an address list (RFC 9051 §7.5.2). */
export function groupStart(groupName: string): EnvelopeAddress {
  return { name: null, adl: null, mailbox: groupName, host: null };
}

/** The marker that closes a group in an address list. */
export function groupEnd(): EnvelopeAddress {
  return { name: null, adl: null, mailbox: null, host: null };
}

/** An envelope with every field null (a message without headers). */
export const EMPTY_ENVELOPE: Envelope = {
  date: null,
  subject: null,
  from: null,
  sender: null,
  replyTo: null,
  to: null,
  cc: null,
  bcc: null,
  inReplyTo: null,
  messageId: null,
};
