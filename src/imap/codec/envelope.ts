/**
 * ENVELOPE on the wire (RFC 9051 §7.5.2): the ten fields of the stored `Envelope` (computed at
 * delivery, src/mail/message/envelope.ts) as nstrings and address lists, with From written in
 * place of an absent Sender or Reply-To as the RFC requires.
 */
import type { Envelope, EnvelopeAddress } from '../../mail/index.js';
import { nstringText } from './encode.js';

function address(a: EnvelopeAddress, utf8: boolean): string {
  return `(${nstringText(a.name, utf8)} ${nstringText(a.adl, utf8)} ${nstringText(a.mailbox, utf8)} ${nstringText(a.host, utf8)})`;
}

function addressList(list: readonly EnvelopeAddress[] | null, utf8: boolean): string {
  if (list === null || list.length === 0) return 'NIL';
  return `(${list.map((a) => address(a, utf8)).join('')})`;
}

/** `envelope` as response text: `("date" "subject" (from) (sender) … "message-id")`. */
export function envelopeText(env: Envelope, utf8: boolean): string {
  const from = env.from;
  return `(${[
    nstringText(env.date, utf8),
    nstringText(env.subject, utf8),
    addressList(from, utf8),
    addressList(env.sender ?? from, utf8),
    addressList(env.replyTo ?? from, utf8),
    addressList(env.to, utf8),
    addressList(env.cc, utf8),
    addressList(env.bcc, utf8),
    nstringText(env.inReplyTo, utf8),
    nstringText(env.messageId, utf8),
  ].join(' ')})`;
}
