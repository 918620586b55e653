/**
 * The primary's side of a zone transfer: answering AXFR (RFC 5936) and IXFR (RFC 1995) queries
 * for one zone. Pure: it turns a decoded query and a zone snapshot into the reply messages, which
 * a `DnsHandler` returns as an array so the TCP transport streams them in order.
 *
 * Rules applied, in order:
 * - AXFR over UDP gets FORMERR: RFC 5936 §4.2 leaves AXFR over UDP undefined, so such a query is
 *   malformed for its transport (BIND answers the same; NOTIMP would wrongly suggest that AXFR
 *   itself is not implemented).
 * - A client not on the allow-list gets REFUSED (RFC 5936 §2.2.1).
 * - A question that is not the zone's apex gets NOTAUTH (RFC 5936 §2.2.1).
 * - IXFR without the client's SOA in the authority section gets FORMERR (RFC 1995 §3). We keep no
 *   journal, so IXFR is answered with one SOA when the client is up to date (RFC 1995 §2), with
 *   one SOA over UDP otherwise (it tells the client to retry over TCP, RFC 1995 §2), and with the
 *   whole zone in AXFR format over TCP (RFC 1995 §4).
 * - The AXFR stream (RFC 5936 §2.2): the SOA first and last, every other record once, packed
 *   into as few messages of at most 65535 octets as fit; the question only in the first message
 *   (§2.2.1 makes it optional later); same id, QR and AA set in every message.
 */
import { ErrorCodes, OutpostError } from '../../core/errors.js';
import { Rcode, RRType } from '../constants.js';
import { MessageEncoder } from '../encode.js';
import { requestHeader } from '../header.js';
import { HEADER_SIZE } from '../limits.js';
import { namesEqual } from '../name.js';
import { errorReply, replyHeader, SERVER_EDNS } from '../reply.js';
import type { RequestContext } from '../server/query-processor.js';
import type { Message, ResourceRecord, SoaData } from '../types.js';
import { isTransferAllowed, type AllowEntry } from './allow-list.js';
import { TRANSFER_LIMITS } from './limits.js';
import { serialGreater } from './serial.js';

/** A zone as the primary serves it: its apex and every record, the SOA included. */
export interface TransferZone {
  readonly apex: string;
  readonly records: readonly ResourceRecord[];
}

/** An SOA record with its typed data. */
export type SoaRecord = ResourceRecord & { readonly data: SoaData };

/** Who may transfer: the allow-list (IPs and CIDRs, see allow-list.ts). */
export interface TransferPolicy {
  readonly allowTransfer: readonly (string | AllowEntry)[];
}

const encoder = new MessageEncoder(64 * 1024);

/** Sizes of each record encoded alone, cached per records array (zones are immutable snapshots). */
const sizeCache = new WeakMap<readonly ResourceRecord[], number[]>();

/** Any header will do for measuring a record's encoded size. */
const SIZING_HEADER = requestHeader(0);

/** True for a query whose question asks for AXFR or IXFR (the queries this module answers). */
export function isTransferQuery(query: Message): boolean {
  const q = query.questions[0];
  return q !== undefined && (q.type === RRType.AXFR || q.type === RRType.IXFR);
}

/** The zone's SOA (at the apex); throws ERR_PARSE when the snapshot has none. */
export function zoneSoa(zone: TransferZone): SoaRecord {
  for (const rr of zone.records) {
    if (rr.type === RRType.SOA && rr.data.type === 'SOA' && namesEqual(rr.name, zone.apex)) {
      return rr as SoaRecord;
    }
  }
  throw new OutpostError(ErrorCodes.PARSE, `zone ${zone.apex} has no SOA at its apex`);
}

function recordSizes(records: readonly ResourceRecord[]): number[] {
  let sizes = sizeCache.get(records);
  if (sizes === undefined) {
    sizes = records.map(
      (rr) =>
        encoder.encode({
          header: SIZING_HEADER,
          questions: [],
          answers: [rr],
          authorities: [],
          additionals: [],
        }).length - HEADER_SIZE,
    );
    sizeCache.set(records, sizes);
  }
  return sizes;
}

/** RFC 6891 §7: a reply to a query with OPT carries OPT too (in every message of the stream). */
function withEdns(query: Message, message: Message): Message {
  return query.edns === undefined ? message : { ...message, edns: SERVER_EDNS.reply(query.edns) };
}

function fits(message: Message): boolean {
  try {
    encoder.encode(message);
    return true;
  } catch (err) {
    if (err instanceof OutpostError && err.code === ErrorCodes.INPUT_TOO_LARGE) return false;
    throw err;
  }
}

/** Split `chunk` into messages that each encode within 65535 octets (halving on overflow). */
function pack(query: Message, chunk: readonly ResourceRecord[], first: boolean, out: Message[]): void {
  const message = withEdns(query, {
    header: replyHeader(query.header, Rcode.NOERROR, true),
    questions: first ? query.questions : [],
    answers: chunk,
    authorities: [],
    additionals: [],
  });
  if (chunk.length <= 1 || fits(message)) {
    out.push(message);
    return;
  }
  const half = Math.ceil(chunk.length / 2);
  pack(query, chunk.slice(0, half), first, out);
  pack(query, chunk.slice(half), false, out);
}

/**
 * The AXFR reply stream for `zone` (RFC 5936 §2.2): SOA, every other record once, SOA; as many
 * RRs per message as fit in about `TRANSFER_LIMITS.axfrMessageBudget` octets; each message is
 * checked to encode within 65535 octets. Also used for IXFR's AXFR-format reply (RFC 1995 §4),
 * whose question then stays IXFR.
 */
export function axfrMessages(query: Message, zone: TransferZone): Message[] {
  const soa = zoneSoa(zone);
  const sizes = recordSizes(zone.records);
  const soaSize = sizes[zone.records.indexOf(soa)] ?? 0;
  const budget = TRANSFER_LIMITS.axfrMessageBudget;
  const out: Message[] = [];
  let chunk: ResourceRecord[] = [soa];
  let used = soaSize;
  const flush = (): void => {
    pack(query, chunk, out.length === 0, out);
    chunk = [];
    used = 0;
  };
  zone.records.forEach((rr, i) => {
    if (rr === soa || rr.type === RRType.SOA) return; // RFC 5936 §2.2: the SOA only first and last
    const size = sizes[i] ?? 0;
    if (used + size > budget && chunk.length > 0) flush();
    chunk.push(rr);
    used += size;
  });
  if (used + soaSize > budget && chunk.length > 0) flush();
  chunk.push(soa);
  flush();
  return out;
}

function singleSoa(query: Message, soa: SoaRecord): Message {
  return withEdns(query, {
    header: replyHeader(query.header, Rcode.NOERROR, true),
    questions: query.questions,
    answers: [soa],
    authorities: [],
    additionals: [],
  });
}

/** The client's serial from an IXFR query's authority section (RFC 1995 §3), if present. */
function clientSerial(query: Message, apex: string): number | undefined {
  for (const rr of query.authorities) {
    if (rr.data.type === 'SOA' && namesEqual(rr.name, apex)) return rr.data.serial;
  }
  return undefined;
}

/**
 * Answer an AXFR or IXFR query for `zone` (see the file comment for the rules). Returns one
 * message or the list a TCP transfer streams. Call it only for queries where
 * `isTransferQuery(query)` holds.
 */
export function answerTransfer(
  query: Message,
  zone: TransferZone,
  context: Pick<RequestContext, 'transport' | 'remoteAddress'>,
  policy: TransferPolicy,
): Message | Message[] {
  const question = query.questions[0];
  if (question === undefined || query.questions.length !== 1) return errorReply(query, Rcode.FORMERR);
  const ixfr = question.type === RRType.IXFR;
  if (!ixfr && context.transport === 'udp') return errorReply(query, Rcode.FORMERR);
  if (!isTransferAllowed(context.remoteAddress, policy.allowTransfer))
    return errorReply(query, Rcode.REFUSED);
  if (!namesEqual(question.name, zone.apex)) return errorReply(query, Rcode.NOTAUTH);
  if (!ixfr) return axfrMessages(query, zone);
  const theirs = clientSerial(query, zone.apex);
  if (theirs === undefined) return errorReply(query, Rcode.FORMERR);
  const soa = zoneSoa(zone);
  if (!serialGreater(soa.data.serial, theirs)) return singleSoa(query, soa);
  if (context.transport === 'udp') return singleSoa(query, soa);
  return axfrMessages(query, zone);
}
