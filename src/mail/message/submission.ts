/**
 * Submission fix-ups (RFC 6409 §8.2 and §8.3): a message submitted without Message-ID: or Date:
 * gets them added by the submission server. Nothing else of the message is changed.
 */
import { formatDate } from './date.js';
import { getHeader, parseHeaderSection } from './headers.js';
import { generateMessageId } from './message-id.js';

/** Options for completeForSubmission. */
export interface SubmissionOptions {
  /** Our host name, the right side of generated Message-IDs. */
  readonly hostname: string;
  /** The time written into a missing Date: (and used in the Message-ID). */
  readonly now: Date;
}

/**
 * Returns `bytes` with `Message-ID:` and `Date:` prepended when missing (the same Buffer when
 * nothing is missing). A message with no header section at all (its first line is not a field)
 * gets the fields followed by an empty line. Line endings follow the message's first line.
 * Throws OutpostError INPUT_TOO_LARGE when the header section is over MESSAGE_LIMITS (answer
 * `554 5.6.0` or `552 5.3.4`).
 */
export function completeForSubmission(bytes: Buffer, opts: SubmissionOptions): Buffer {
  const section = parseHeaderSection(bytes);
  const added: string[] = [];
  if (getHeader(section.fields, 'Message-ID') === undefined) {
    added.push(`Message-ID: ${generateMessageId(opts.hostname, opts.now)}`);
  }
  if (getHeader(section.fields, 'Date') === undefined) added.push(`Date: ${formatDate(opts.now)}`);
  if (added.length === 0) return bytes;
  const eol = section.eol;
  const noHeaders = section.fields.length === 0 && !section.hasSeparator;
  const prefix = added.map((l) => l + eol).join('') + (noHeaders ? eol : '');
  return Buffer.concat([Buffer.from(prefix, 'utf8'), bytes]);
}
