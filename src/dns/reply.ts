/**
 * Shapes of the replies every part of the DNS server sends (transport, answer engine, zone
 * transfers), in one place: the normal answer header
 * (QR set, RD copied, everything else cleared as NSD does: RFC 1035 §4.1.1 leaves RA/Z/AD/CD to
 * the server and an authoritative server sets none of them), our OPT record (RFC 6891 §6.1.1, DO
 * copied per RFC 3225 §3), BADVERS (RFC 6891 §6.1.3), REFUSED with an Extended DNS Error (RFC
 * 8914), and the header-only error replies FORMERR and NOTIMP, which NSD sends without question
 * or OPT. Shared constant objects keep the hot path free of allocations.
 */
import { EdnsOption, Rcode } from './constants.js';
import { EDNS_PAYLOAD_SIZE, EDNS_VERSION } from './limits.js';
import type { Edns, EdnsOptionData, Header, Message, ResourceRecord } from './types.js';

const EMPTY: readonly ResourceRecord[] = [];

/** Header of a reply to `query`: QR, the query's id/opcode/RD, the given AA and rcode. */
export function replyHeader(query: Header, rcode: number, aa: boolean): Header {
  return {
    id: query.id,
    qr: true,
    opcode: query.opcode,
    aa,
    tc: false,
    rd: query.rd,
    ra: false,
    z: false,
    ad: false,
    cd: false,
    rcode,
  };
}

/** Builds OPT records for one advertised payload size, reusing objects where it can. */
export class EdnsReplies {
  private readonly plain: Edns;
  private readonly withDo: Edns;
  private readonly payload: number;

  constructor(payload: number) {
    this.payload = payload;
    this.plain = this.make(false, []);
    this.withDo = this.make(true, []);
  }

  /** Our OPT for a reply to a query with `edns`, DO copied (RFC 3225 §3). */
  reply(edns: Edns, options?: readonly EdnsOptionData[]): Edns {
    if (options === undefined) return edns.dnssecOk ? this.withDo : this.plain;
    return this.make(edns.dnssecOk, options);
  }

  /** OPT for a BADVERS reply: our version (0) and, as NSD sends it, DO clear. */
  badvers(): Edns {
    return this.plain;
  }

  private make(dnssecOk: boolean, options: readonly EdnsOptionData[]): Edns {
    return {
      udpPayloadSize: this.payload,
      extendedRcode: 0,
      version: EDNS_VERSION,
      dnssecOk,
      z: 0,
      options,
    };
  }
}

/** An Extended DNS Error option without extra text (RFC 8914 §2). */
export function edeOption(infoCode: number): EdnsOptionData {
  return { code: EdnsOption.EDE, data: Uint8Array.of(infoCode >> 8, infoCode & 0xff) };
}

/** Assemble a reply message, adding the OPT record only when there is one. */
export function message(
  header: Header,
  questions: Message['questions'],
  answers: readonly ResourceRecord[],
  authorities: readonly ResourceRecord[],
  additionals: readonly ResourceRecord[],
  edns: Edns | undefined,
): Message {
  return edns === undefined
    ? { header, questions, answers, authorities, additionals }
    : { header, questions, answers, authorities, additionals, edns };
}

/**
 * FORMERR as NSD sends it: no question, no OPT, opcode kept, RD kept unless `clearRd` (NSD clears
 * every flag when QDCOUNT > 1). Usable from the header alone, for packets that did not decode.
 */
export function formErr(query: Header, clearRd = false): Message {
  const header = replyHeader(query, Rcode.FORMERR, false);
  return message(clearRd ? { ...header, rd: false } : header, [], EMPTY, EMPTY, EMPTY, undefined);
}

/** NOTIMP for an opcode we do not implement: NSD echoes the query's flags, without question or OPT. */
export function notImp(query: Header): Message {
  return message({ ...query, qr: true, rcode: Rcode.NOTIMP }, [], EMPTY, EMPTY, EMPTY, undefined);
}

/** A reply with no records (REFUSED, SERVFAIL, BADVERS). */
export function emptyReply(
  query: Header,
  rcode: number,
  questions: Message['questions'],
  edns: Edns | undefined,
): Message {
  return message(replyHeader(query, rcode, false), questions, EMPTY, EMPTY, EMPTY, edns);
}

/** Our OPT record at the standard payload size (the transport's and the transfer module's). */
export const SERVER_EDNS = new EdnsReplies(EDNS_PAYLOAD_SIZE);

/** An error reply that keeps the question, with our OPT when the query had one. */
export function errorReply(query: Pick<Message, 'header' | 'questions' | 'edns'>, rcode: number): Message {
  const edns = query.edns === undefined ? undefined : SERVER_EDNS.reply(query.edns);
  return emptyReply(query.header, rcode, query.questions, edns);
}
