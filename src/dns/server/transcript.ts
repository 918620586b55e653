/**
 * The DNS transcript on the shared tap (src/core/transcript.ts): one `C:` line per query
 * (`C: 4660 www.example.test. A IN rd edns=1232 do`) and one `S:` line per answer
 * (`S: 4660 NOERROR qr aa rd an=1 ns=0 ar=0`), followed by the answer records in presentation
 * format (recordToText, as `outpost dig` prints them), at most TRANSCRIPT_MAX_RECORDS and then
 * `… N more records`. A zone transfer (AXFR/IXFR over TCP, many messages) gets one `S:` line
 * with the totals and the message count; NOTIFY shows its opcode. The server calls in here only
 * after transcriptActive() said yes, and after the reply went out: the packet-cache fast path
 * decodes nothing extra for a server nobody watches.
 */
import type { TranscriptTap } from '../../core/transcript.js';
import { flagList } from '../client/dig-format.js';
import { classToString, Opcode, opcodeToString, rcodeToString, typeToString } from '../constants.js';
import { decodeHeader, decodeMessage } from '../decode.js';
import { recordToText } from '../presentation.js';
import type { Edns, HeaderWithCounts, Message, ResourceRecord } from '../types.js';

/** Records listed after an `S:` line before the rest is only counted. */
export const TRANSCRIPT_MAX_RECORDS = 20;

/** Opcode, header flags and EDNS of a message, dig's spelling: `opcode=NOTIFY aa rd edns=1232 do`. */
function flagsText(m: Message): string {
  const parts: string[] = [];
  if (m.header.opcode !== Opcode.QUERY) parts.push(`opcode=${opcodeToString(m.header.opcode)}`);
  const flags = flagList(m).trim();
  if (flags !== '') parts.push(flags);
  if (m.edns !== undefined) parts.push(ednsText(m.edns));
  return parts.join(' ');
}

function ednsText(edns: Edns): string {
  return `edns=${edns.udpPayloadSize}${edns.dnssecOk ? ' do' : ''}`;
}

/** `an=1 ns=0 ar=0` (ar counts the OPT record, as the wire does). */
function countsText(an: number, ns: number, ar: number): string {
  return `an=${an} ns=${ns} ar=${ar}`;
}

/** The `C:` line of a query. */
export function describeQuery(m: Message): string {
  const q = m.questions[0];
  const parts = [String(m.header.id)];
  parts.push(
    q === undefined ? '(no question)' : `${q.name} ${typeToString(q.type)} ${classToString(q.class)}`,
  );
  if (m.questions.length > 1) parts.push(`qd=${m.questions.length}`);
  const flags = flagsText(m);
  if (flags !== '') parts.push(flags);
  // A NOTIFY may carry the new SOA (RFC 1996 §3.7); a plain query has empty sections.
  const ar = m.additionals.length + (m.edns === undefined ? 0 : 1);
  if (m.answers.length + m.authorities.length + m.additionals.length > 0)
    parts.push(countsText(m.answers.length, m.authorities.length, ar));
  return parts.join(' ');
}

/** One record on one line (recordToText's tabs become spaces). */
function recordLine(rr: ResourceRecord, prefix = ''): string {
  return prefix + recordToText(rr).replaceAll('\t', ' ');
}

/**
 * The `S:` lines of one reply or of a transfer's messages: the header line with the totals, then
 * the first records (answers; the authority section when there is no answer, e.g. the SOA of a
 * negative answer or the NS of a referral). `decoded` are fully decoded messages, `headers`
 * the headers of messages beyond them (only peeked at, so a large transfer is not decoded twice).
 */
export function describeReply(decoded: readonly Message[], more: readonly HeaderWithCounts[] = []): string[] {
  const first = decoded[0];
  if (first === undefined) return [];
  let an = 0;
  let ns = 0;
  let ar = 0;
  for (const m of decoded) {
    an += m.answers.length;
    ns += m.authorities.length;
    ar += m.additionals.length + (m.edns === undefined ? 0 : 1);
  }
  for (const h of more) {
    an += h.ancount;
    ns += h.nscount;
    ar += h.arcount;
  }
  const parts = [String(first.header.id), rcodeToString(first.header.rcode)];
  const flags = flagsText(first);
  if (flags !== '') parts.push(flags);
  parts.push(countsText(an, ns, ar));
  const messages = decoded.length + more.length;
  if (messages > 1) parts.push(`messages=${messages}`);
  const lines = [parts.join(' ')];
  const answers = decoded.flatMap((m) => m.answers);
  const listed =
    answers.length > 0
      ? answers.map((rr) => recordLine(rr))
      : decoded.flatMap((m) => m.authorities).map((rr) => recordLine(rr, 'authority: '));
  const total = an > 0 ? an : ns;
  lines.push(...listed.slice(0, TRANSCRIPT_MAX_RECORDS));
  const shown = Math.min(listed.length, TRANSCRIPT_MAX_RECORDS);
  if (total > shown) lines.push(`… ${(total - shown).toLocaleString('en-US')} more records`);
  return lines;
}

/**
 * Publishes one exchange: the query packet and the reply packets that went out (none: the query
 * was dropped, e.g. a response or a runt). Replies are decoded until TRANSCRIPT_MAX_RECORDS
 * records are in hand; later messages of a transfer are only counted from their headers.
 */
export function tapExchange(tap: TranscriptTap, query: Uint8Array, replies: readonly Uint8Array[]): void {
  let decodedQuery: Message | undefined;
  try {
    decodedQuery = decodeMessage(query);
  } catch {
    decodedQuery = undefined;
  }
  tap(
    'C',
    decodedQuery === undefined
      ? `[${query.length} octets, not a decodable message]`
      : describeQuery(decodedQuery),
  );
  if (replies.length === 0) {
    tap('*', 'no reply');
    return;
  }
  const decoded: Message[] = [];
  const more: HeaderWithCounts[] = [];
  let records = 0;
  for (const packet of replies) {
    try {
      if (records < TRANSCRIPT_MAX_RECORDS || decoded.length === 0) {
        const m = decodeMessage(packet);
        decoded.push(m);
        records += m.answers.length;
      } else {
        more.push(decodeHeader(packet));
      }
    } catch {
      tap('S', `[${packet.length} octets, not a decodable message]`);
    }
  }
  for (const line of describeReply(decoded, more)) tap('S', line);
}
