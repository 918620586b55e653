/**
 * Trace headers (RFC 5321 §4.4): the `Received:` line every hop prepends, with the
 * protocol names of RFC 3848 / RFC 6531 §3.7.3 (ESMTP, ESMTPS, ESMTPA, ESMTPSA, UTF8SMTP…), and
 * the `Return-Path:` the final delivery adds. Values from the peer (HELO name, addresses) are
 * already validated by the parser and cannot contain CR or LF.
 */
import { formatDate } from '../message/date.js';

/** What a Received: line records. */
export interface ReceivedInfo {
  /** The HELO/EHLO argument. */
  readonly helo: string;
  readonly remoteAddress: string;
  /** Our host name. */
  readonly by: string;
  readonly protocol: string;
  /** Our queue or session id. */
  readonly id: string;
  /** The recipient, when there is exactly one (RFC 5321 §4.4 "for" clause). */
  readonly for?: string;
  /** e.g. `TLSv1.3` — recorded as a comment. */
  readonly tls?: string;
  readonly date: Date;
}

/** RFC 3848 protocol name for a session. */
export function withProtocol(o: { esmtp: boolean; tls: boolean; auth: boolean; utf8: boolean }): string {
  if (!o.esmtp) return 'SMTP';
  return `${o.utf8 ? 'UTF8SMTP' : 'ESMTP'}${o.tls ? 'S' : ''}${o.auth ? 'A' : ''}`;
}

/** The `Received:` header field, folded, with its trailing CRLF. */
export function receivedHeader(r: ReceivedInfo): string {
  const ip = r.remoteAddress.includes(':') ? `IPv6:${r.remoteAddress}` : r.remoteAddress;
  let s = `Received: from ${r.helo} ([${ip}])\r\n\tby ${r.by} with ${r.protocol}`;
  if (r.tls !== undefined) s += ` (${r.tls})`;
  s += ` id ${r.id}`;
  if (r.for !== undefined) s += `\r\n\tfor <${r.for}>`;
  return `${s};\r\n\t${formatDate(r.date)}\r\n`;
}

/** `Return-Path: <sender>` with CRLF (RFC 5321 §4.4; `<>` for the null sender). */
export function returnPathHeader(mailFrom: string): string {
  return `Return-Path: <${mailFrom}>\r\n`;
}
