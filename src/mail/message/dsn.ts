/**
 * Delivery status notifications (RFC 3464): the bounce a queue sends when delivery fails for good
 * or expires. A multipart/report (RFC 6522) with report-type=delivery-status holding a
 * human-readable text/plain part, the message/delivery-status part (per-message fields: Reporting-MTA,
 * Original-Envelope-Id, Arrival-Date; per-recipient: Final-Recipient, Original-Recipient, Action,
 * Status, Remote-MTA, Diagnostic-Code, Last-Attempt-Date), and the original message
 * (message/rfc822 for RET=FULL) or only its header (text/rfc822-headers, RET=HDRS, RFC 6522 §4).
 * Also the reader for delivery-status parts (tests and future `outpost queue` views).
 */
import { ErrorCodes, OutpostError } from '../../core/errors.js';
import { formatDate } from './date.js';
import { encodeUnstructured, foldHeader } from './encoded-word.js';
import { parseHeaderSection, type HeaderField } from './headers.js';
import { generateMessageId } from './message-id.js';
import { newBoundary } from './mime-build.js';
import { encodeQuotedPrintable } from './transfer-encoding.js';

/** One recipient's line in a DSN. */
export interface DsnRecipient {
  /** The address we tried (Final-Recipient: rfc822;…). */
  readonly address: string;
  /** RFC 3461 ORCPT as kept with the recipient, e.g. `rfc822;bob@x`. */
  readonly originalRecipient?: string;
  readonly action: 'failed' | 'delayed' | 'delivered' | 'relayed' | 'expanded';
  /** RFC 3463 status, e.g. `5.1.1`. */
  readonly status: string;
  /** The remote host that answered (Remote-MTA: dns;…). */
  readonly remoteMta?: string;
  /** The SMTP reply text (Diagnostic-Code: smtp;…). */
  readonly diagnostic?: string;
  readonly lastAttempt?: Date;
}

/** What a DSN reports. */
export interface DsnSpec {
  /** Our host name (Reporting-MTA, From: MAILER-DAEMON@…, Message-ID). */
  readonly reportingMta: string;
  /** The bounce's recipient: the original envelope sender. */
  readonly to: string;
  readonly recipients: readonly DsnRecipient[];
  /** The original message. */
  readonly original: Buffer;
  /** RFC 3461 RET: FULL returns the whole message, HDRS (the default here) only its header. */
  readonly ret?: 'FULL' | 'HDRS';
  readonly envId?: string;
  readonly arrivalDate?: Date;
  readonly now: Date;
}

/** Printable ASCII only, for fields that must be 7-bit (RFC 3464 §2.1.1 text is US-ASCII). */
function ascii(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}

function statusLine(status: string): string {
  if (!/^[245]\.\d{1,3}\.\d{1,3}$/.test(status)) {
    throw new OutpostError(ErrorCodes.ENCODE, `bad DSN status ${JSON.stringify(status)}`);
  }
  return status;
}

/** Builds the bounce message (headers included), CRLF line endings. */
export function buildDsn(spec: DsnSpec): Buffer {
  const boundary = newBoundary();
  const failed = spec.recipients.filter((r) => r.action === 'failed');
  const delayed = spec.recipients.filter((r) => r.action === 'delayed');
  const subject =
    failed.length > 0
      ? 'Undelivered Mail Returned to Sender'
      : delayed.length > 0
        ? 'Delayed Mail (still being retried)'
        : 'Delivery Status Notification';
  const human: string[] = [
    `This is the mail system at host ${spec.reportingMta}.`,
    '',
    failed.length > 0
      ? 'I am sorry to have to inform you that your message could not be delivered to one or more recipients. It is attached below.'
      : 'This is a notice about the delivery of your message.',
    '',
  ];
  for (const r of spec.recipients) {
    human.push(`<${r.address}>: ${r.action}${r.diagnostic === undefined ? '' : `: ${r.diagnostic}`}`);
  }
  const perMessage = [foldHeader('Reporting-MTA', `dns; ${spec.reportingMta}`)];
  if (spec.envId !== undefined) perMessage.push(foldHeader('Original-Envelope-Id', ascii(spec.envId)));
  if (spec.arrivalDate) perMessage.push(`Arrival-Date: ${formatDate(spec.arrivalDate)}`);
  const groups = spec.recipients.map((r) => {
    const lines = [];
    if (r.originalRecipient !== undefined)
      lines.push(foldHeader('Original-Recipient', ascii(r.originalRecipient)));
    lines.push(foldHeader('Final-Recipient', `rfc822; ${ascii(r.address)}`));
    lines.push(`Action: ${r.action}`);
    lines.push(`Status: ${statusLine(r.status)}`);
    if (r.remoteMta !== undefined) lines.push(foldHeader('Remote-MTA', `dns; ${ascii(r.remoteMta)}`));
    if (r.diagnostic !== undefined) lines.push(foldHeader('Diagnostic-Code', `smtp; ${ascii(r.diagnostic)}`));
    if (r.lastAttempt) lines.push(`Last-Attempt-Date: ${formatDate(r.lastAttempt)}`);
    return lines.join('\r\n');
  });
  const status = [perMessage.join('\r\n'), ...groups].join('\r\n\r\n') + '\r\n';

  const section = parseHeaderSection(spec.original);
  const full = spec.ret === 'FULL';
  const returned = full ? spec.original : spec.original.subarray(0, section.headerEnd);
  const eightBit = returned.some((b) => b >= 0x80);
  const header = [
    `From: Mail Delivery System <MAILER-DAEMON@${spec.reportingMta}>`,
    `To: <${spec.to}>`,
    foldHeader('Subject', encodeUnstructured(subject)),
    `Date: ${formatDate(spec.now)}`,
    `Message-ID: ${generateMessageId(spec.reportingMta, spec.now)}`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
  ];
  const parts = [
    Buffer.from(
      `${header.join('\r\n')}\r\n\r\nThis is a MIME-encapsulated message.\r\n\r\n--${boundary}\r\n` +
        'Content-Description: Notification\r\nContent-Type: text/plain; charset=utf-8\r\n' +
        `Content-Transfer-Encoding: quoted-printable\r\n\r\n${encodeQuotedPrintable(Buffer.from(human.join('\n'), 'utf8'))}` +
        `\r\n--${boundary}\r\nContent-Description: Delivery report\r\nContent-Type: message/delivery-status\r\n\r\n${status}` +
        `\r\n--${boundary}\r\nContent-Description: ${full ? 'Undelivered Message' : 'Undelivered Message Headers'}\r\n` +
        `Content-Type: ${full ? 'message/rfc822' : 'text/rfc822-headers'}\r\n` +
        (eightBit ? 'Content-Transfer-Encoding: 8bit\r\n' : '') +
        '\r\n',
      'utf8',
    ),
    returned,
    Buffer.from(
      `${returned.length && returned[returned.length - 1] === 0x0a ? '' : '\r\n'}\r\n--${boundary}--\r\n`,
    ),
  ];
  return Buffer.concat(parts);
}

/** A parsed message/delivery-status body: the per-message fields and one field list per recipient. */
export interface DeliveryStatus {
  readonly perMessage: readonly HeaderField[];
  readonly recipients: readonly (readonly HeaderField[])[];
}

/** Reads a message/delivery-status body (RFC 3464 §2.1): blank-line separated field groups. */
export function parseDeliveryStatus(body: Buffer): DeliveryStatus {
  const groups: HeaderField[][] = [];
  let rest = body;
  while (rest.length) {
    // Skip blank lines between groups.
    while (rest[0] === 0x0d || rest[0] === 0x0a)
      rest = rest.subarray(rest[0] === 0x0d && rest[1] === 0x0a ? 2 : 1);
    if (!rest.length) break;
    const section = parseHeaderSection(rest);
    if (section.fields.length === 0) break;
    groups.push([...section.fields]);
    rest = rest.subarray(section.bodyOffset);
  }
  return { perMessage: groups[0] ?? [], recipients: groups.slice(1) };
}
