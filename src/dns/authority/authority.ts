/**
 * The authoritative answer engine: the zones we serve and `answer(query)`, a pure function from a
 * decoded query to the reply (no sockets, no clock). It first gates the query like NSD's
 * query_process (drop responses; NOTIFY and zone transfers go elsewhere; NOTIMP for other opcodes;
 * FORMERR for anything but exactly one question and an otherwise empty query; BADVERS for EDNS
 * versions above 0; REFUSED for classes other than IN and ANY), then runs RFC 1034 §4.3.2 in
 * answer-builder.ts. Zones are swapped whole with `setZone` (a reload never shows half a zone,
 * since `answer` is synchronous), and the zone for a name is the one with the longest matching
 * apex, case-insensitively.
 */
import { Opcode, Rcode, RRClass, RRType } from '../constants.js';
import type { Message } from '../types.js';
import { AnswerBuilder, type ZoneFinder } from './answer-builder.js';
import { echoCase } from './case-echo.js';
import { EDNS_PAYLOAD_SIZE } from '../limits.js';
import { EDE_NOT_AUTHORITATIVE, EDE_NOT_SUPPORTED, MAX_ALIAS_CHAIN } from './limits.js';
import { nextLabel, queryKey } from './names.js';
import { edeOption, EdnsReplies, emptyReply, formErr, message, notImp, replyHeader } from '../reply.js';
import type { ZoneIndex } from './zone-index.js';

/**
 * What `answer` returns instead of a message when the query is not its business:
 * `'notify'` — opcode NOTIFY (RFC 1996), for the notify handler;
 * `'transfer'` — QTYPE AXFR or IXFR (RFC 5936, RFC 1995), for the transfer module;
 * `'drop'` — the packet is a response (QR set): answering it could start a loop between two
 * servers, so like NSD and miekg/dns we send nothing.
 */
export type Deferral = 'notify' | 'transfer' | 'drop';

/** Options of `Authority`. */
export interface AuthorityOptions {
  /** UDP payload size advertised in our OPT records (default 1232, RFC 6891 §6.2.5). */
  readonly ednsPayloadSize?: number;
  /** Most alias (CNAME/DNAME) links followed for one answer (default MAX_ALIAS_CHAIN). */
  readonly maxAliasChain?: number;
}

/** The zones we are authoritative for, and the answers they give. */
export class Authority implements ZoneFinder {
  private readonly byApex = new Map<string, ZoneIndex>();
  private readonly edns: EdnsReplies;
  private readonly maxChain: number;
  private readonly refusedOptions = [edeOption(EDE_NOT_AUTHORITATIVE)];
  private readonly unsupportedOptions = [edeOption(EDE_NOT_SUPPORTED)];

  constructor(zones: Iterable<ZoneIndex> = [], options: AuthorityOptions = {}) {
    this.edns = new EdnsReplies(options.ednsPayloadSize ?? EDNS_PAYLOAD_SIZE);
    this.maxChain = options.maxAliasChain ?? MAX_ALIAS_CHAIN;
    for (const zone of zones) this.setZone(zone);
  }

  /** Add a zone, or replace the zone with the same apex (atomically: one Map write). */
  setZone(zone: ZoneIndex): void {
    this.byApex.set(zone.apexKey, zone);
  }

  /** Stop serving the zone at `apex`; false when there was none. */
  removeZone(apex: string): boolean {
    return this.byApex.delete(queryKey(apex));
  }

  /** The zone whose apex is exactly `apex` (any case). */
  zone(apex: string): ZoneIndex | undefined {
    return this.byApex.get(queryKey(apex));
  }

  /** Every zone served, in the order they were first added. */
  get zones(): ZoneIndex[] {
    return [...this.byApex.values()];
  }

  /** The zone responsible for `name`: the longest apex that `name` is at or below. */
  zoneFor(name: string): ZoneIndex | undefined {
    return this.zoneForKey(queryKey(name));
  }

  /** `zoneFor` for a lower-cased key (the hot path: a few Map lookups, no parsing). */
  zoneForKey(key: string): ZoneIndex | undefined {
    const zones = this.byApex;
    let zone = zones.get(key);
    let i = 0;
    while (zone === undefined && i < key.length) {
      i = nextLabel(key, i);
      zone = zones.get(i >= key.length ? '.' : key.slice(i));
    }
    return zone;
  }

  /**
   * Answer one decoded query. Never throws: an unexpected failure becomes SERVFAIL. Returns a
   * Deferral for NOTIFY, AXFR/IXFR and responses (see `Deferral`). `zones` replaces this
   * Authority as the source of zone data (a client's view, see src/dns/service/views.ts).
   */
  answer(query: Message, zones: ZoneFinder = this): Message | Deferral {
    try {
      return this.answerQuery(query, zones);
    } catch {
      const question = query.questions.length === 1 ? query.questions : [];
      const edns = query.edns === undefined ? undefined : this.edns.reply(query.edns);
      return emptyReply(query.header, Rcode.SERVFAIL, question, edns);
    }
  }

  private answerQuery(query: Message, zones: ZoneFinder): Message | Deferral {
    const h = query.header;
    if (h.qr) return 'drop';
    if (h.opcode !== Opcode.QUERY) return h.opcode === Opcode.NOTIFY ? 'notify' : notImp(h);
    const questions = query.questions;
    const q = questions[0];
    if (q === undefined) return formErr(h);
    if (questions.length !== 1) return formErr(h, true);
    let key: string;
    try {
      key = queryKey(q.name); // decoded names are always valid; hand-built ones may not be
    } catch {
      return formErr(h);
    }
    // A query carries nothing but its question (RFC 1035 §4.1; IXFR puts an SOA in authority,
    // RFC 1995 §3). We implement no TSIG, so any additional record but OPT is a format error.
    if (query.answers.length !== 0 || (query.authorities.length !== 0 && q.type !== RRType.IXFR)) {
      return formErr(h);
    }
    if (query.additionals.length !== 0) return formErr(h);
    const edns = query.edns;
    if (edns !== undefined && edns.version > 0) {
      return emptyReply(h, Rcode.BADVERS, questions, this.edns.badvers()); // RFC 6891 §6.1.3
    }
    if (q.class !== RRClass.IN && q.class !== RRClass.ANY) {
      // NSD keeps the question for CHAOS and drops it for other classes.
      const opt = edns === undefined ? undefined : this.edns.reply(edns, this.unsupportedOptions);
      return emptyReply(h, Rcode.REFUSED, q.class === RRClass.CH ? questions : [], opt);
    }
    if (q.type === RRType.AXFR || q.type === RRType.IXFR) return 'transfer';
    const b = new AnswerBuilder(zones, q.type, q.class, this.maxChain).run(q.name, key);
    if (b.refused) {
      const opt = edns === undefined ? undefined : this.edns.reply(edns, this.refusedOptions);
      return emptyReply(h, Rcode.REFUSED, questions, opt); // RFC 1034 §4.3.2 step 2; RFC 8914 §4.21
    }
    const labels = b.closestLabels;
    return message(
      replyHeader(h, b.rcode, b.aa),
      questions,
      echoCase(b.answers, q.name, labels),
      echoCase(b.authorities, q.name, labels),
      echoCase(b.additionals, q.name, labels),
      edns === undefined ? undefined : this.edns.reply(edns),
    );
  }
}
