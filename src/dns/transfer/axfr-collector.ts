/**
 * The client's check of an AXFR stream (RFC 5936 §2.2, §2.2.1), message by message, without I/O:
 * every message must be a response with our id, opcode QUERY, AA set, no TC and rcode NOERROR;
 * the first message must carry our question and later ones none or the same; the first record
 * must be the zone's SOA and the transfer ends at the next SOA with that serial, which must be the
 * last record. Records outside the zone are refused (a primary only sends its own zone, RFC 5936
 * §3.2). Every count is bounded: messages, octets and records. For an IXFR request (RFC 1995) a
 * first SOA whose serial is not newer than ours means "up to date"; a second record that is an SOA
 * means an incremental reply, reported as ERR_TRANSFER_INCREMENTAL so the caller can fall back to
 * AXFR.
 */
import { ErrorCodes, OutpostError } from '../../core/errors.js';
import { Opcode, Rcode, RRClass, RRType } from '../constants.js';
import { isSubdomain, namesEqual } from '../name.js';
import type { Message, ResourceRecord } from '../types.js';
import type { SoaRecord } from './axfr-out.js';
import { DnsRcodeError, TransferErrorCodes } from './errors.js';
import { serialGreater } from './serial.js';

/** What the collector checks against. */
export interface CollectorOptions {
  readonly apex: string;
  readonly id: number;
  /** RRType.AXFR, or RRType.IXFR with `ixfrSerial`. */
  readonly qtype: number;
  /** Our serial, for an IXFR request. */
  readonly ixfrSerial?: number;
  readonly maxRecords: number;
  readonly maxBytes: number;
  readonly maxMessages: number;
}

/** A finished transfer. */
export interface CollectedZone {
  /** The zone's SOA (the first and last record of the stream). */
  readonly soa: SoaRecord;
  /** Every record of the zone, the SOA first and once. Empty when `upToDate`. */
  readonly records: ResourceRecord[];
  /** IXFR only: the server said our copy is current (RFC 1995 §2); `records` is empty. */
  readonly upToDate: boolean;
  readonly messages: number;
  readonly bytes: number;
}

const parse = (text: string): never => {
  throw new OutpostError(ErrorCodes.PARSE, text);
};

/** Validates one transfer's messages in order. */
export class AxfrCollector {
  readonly #o: CollectorOptions;
  #soa: SoaRecord | undefined;
  readonly #records: ResourceRecord[] = [];
  #messages = 0;
  #bytes = 0;
  #result: CollectedZone | undefined;

  constructor(options: CollectorOptions) {
    this.#o = options;
  }

  /** The finished transfer, once `add` returned true. */
  get result(): CollectedZone | undefined {
    return this.#result;
  }

  /** Octets and messages seen so far (for error messages). */
  get progress(): { messages: number; bytes: number; records: number } {
    return { messages: this.#messages, bytes: this.#bytes, records: this.#records.length };
  }

  /** Check the next message (`octets` is its wire size). Returns true when the transfer is complete. */
  add(message: Message, octets: number): boolean {
    const o = this.#o;
    if (this.#result !== undefined) parse('data after the closing SOA');
    this.#messages++;
    this.#bytes += octets;
    if (this.#messages > o.maxMessages) this.#tooLarge(`more than ${o.maxMessages} messages`);
    if (this.#bytes > o.maxBytes) this.#tooLarge(`more than ${o.maxBytes} octets`);
    const h = message.header;
    if (!h.qr) parse('a message without QR (not a response)');
    if (h.id !== o.id) parse(`message id ${h.id}, expected ${o.id}`);
    if (h.opcode !== Opcode.QUERY) parse(`opcode ${h.opcode} in a transfer`);
    if (h.rcode !== Rcode.NOERROR) throw new DnsRcodeError(h.rcode, `transfer of ${o.apex} failed`);
    if (!h.aa) parse('a transfer message without AA (RFC 5936 §2.2.1)');
    if (h.tc) parse('a transfer message with TC set');
    this.#checkQuestion(message, this.#messages === 1);
    const answers = message.answers;
    for (let i = 0; i < answers.length; i++) {
      const rr = answers[i];
      if (rr === undefined) continue;
      if (this.#add(rr)) {
        if (i !== answers.length - 1) parse('records after the closing SOA');
        return true;
      }
    }
    return false;
  }

  #tooLarge(what: string): never {
    throw new OutpostError(ErrorCodes.INPUT_TOO_LARGE, `transfer of ${this.#o.apex}: ${what}`);
  }

  #checkQuestion(message: Message, first: boolean): void {
    const qs = message.questions;
    if (!first && qs.length === 0) return;
    const q = qs[0];
    if (qs.length !== 1 || q === undefined) parse(`${qs.length} questions in a transfer message`);
    else if (!namesEqual(q.name, this.#o.apex) || q.type !== this.#o.qtype || q.class !== RRClass.IN) {
      parse(`question ${q.name} type ${q.type} does not match the transfer of ${this.#o.apex}`);
    }
  }

  /** Adds one record; true when it was the closing SOA. */
  #add(rr: ResourceRecord): boolean {
    const o = this.#o;
    if (!isSubdomain(rr.name, o.apex)) parse(`record ${rr.name} is outside the zone ${o.apex}`);
    const soa = this.#soa;
    if (soa === undefined) {
      if (rr.type !== RRType.SOA || rr.data.type !== 'SOA' || !namesEqual(rr.name, o.apex)) {
        parse(`the transfer does not start with the SOA of ${o.apex}`);
      }
      const first = rr as SoaRecord;
      this.#soa = first;
      this.#records.push(first);
      if (o.ixfrSerial !== undefined && !serialGreater(first.data.serial, o.ixfrSerial)) {
        this.#finish(true);
        return true;
      }
      return false;
    }
    if (rr.data.type === 'SOA') {
      if (rr.data.serial === soa.data.serial && namesEqual(rr.name, o.apex)) {
        this.#finish(false);
        return true;
      }
      if (o.qtype === RRType.IXFR && this.#records.length === 1) {
        throw new OutpostError(TransferErrorCodes.INCREMENTAL, `incremental IXFR reply for ${o.apex}`);
      }
      parse(`an SOA with serial ${rr.data.serial} inside the transfer of serial ${soa.data.serial}`);
    }
    if (this.#records.length >= o.maxRecords) this.#tooLarge(`more than ${o.maxRecords} records`);
    this.#records.push(rr);
    return false;
  }

  #finish(upToDate: boolean): void {
    const soa = this.#soa;
    if (soa === undefined) return;
    this.#result = {
      soa,
      records: upToDate ? [] : this.#records,
      upToDate,
      messages: this.#messages,
      bytes: this.#bytes,
    };
  }
}
