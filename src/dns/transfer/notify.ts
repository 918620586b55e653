/**
 * DNS NOTIFY (RFC 1996). Sending: a primary tells its secondaries that a zone changed with a
 * NOTIFY message (opcode NOTIFY, AA set, question = the zone's apex, type SOA, optionally the new
 * SOA in the answer section, §3.7), over UDP, retransmitted until each target answers or the
 * retries run out (§3.6). Receiving: `notifyReply` builds the answer to a NOTIFY we got (§4.7:
 * same id and question, QR and AA set), REFUSED when the sender is not one of our primaries (the
 * caller decides, §3.10 says to act only on NOTIFY from a known primary), FORMERR when the
 * question is not exactly one SOA question.
 */
import { randomInt } from 'node:crypto';
import { ErrorCodes, OutpostError } from '../../core/errors.js';
import { transcriptActive, transcriptTap } from '../../core/transcript.js';
import { exchangeUdp } from '../client/udp.js';
import type { DnsServerAddress } from '../client/server-address.js';
import { Opcode, Rcode, RRClass, RRType } from '../constants.js';
import { MessageEncoder } from '../encode.js';
import { requestHeader } from '../header.js';
import { describeQuery, describeReply } from '../server/transcript.js';
import type { Header, Message, ResourceRecord, SoaData } from '../types.js';
import { TRANSFER_LIMITS } from './limits.js';

/** Outcome of notifying one target. */
export interface NotifyOutcome {
  readonly target: DnsServerAddress;
  /** True when the target answered with NOERROR. */
  readonly ok: boolean;
  /** The target's rcode when it answered. */
  readonly rcode?: number;
  /** Messages sent (1 + retransmissions). */
  readonly attempts: number;
  /** Why it failed, when it did. */
  readonly error?: Error;
}

/** What to announce, to whom. */
export interface SendNotifyOptions {
  readonly apex: string;
  /** Targets as `host:port` (`[v6]:port`; port 53 when absent) or address objects. */
  readonly targets: readonly (string | DnsServerAddress)[];
  /** The new SOA, sent in the answer section as a hint (RFC 1996 §3.7). */
  readonly soa?: ResourceRecord & { readonly data: SoaData };
  /** Wait per attempt (ms). Default 2000. */
  readonly timeoutMs?: number;
  /** Retransmissions after the first attempt. Default 5 (RFC 1996 §3.6). */
  readonly retries?: number;
}

const encoder = new MessageEncoder(512);

/**
 * Parse `host:port`, `[v6]:port`, a bare host or a bare IPv6 literal (port `defaultPort`).
 * Throws ERR_CONFIG_INVALID when the port is not 1..65535.
 */
export function parseHostPort(text: string, defaultPort = 53): DnsServerAddress {
  const bad = (): never => {
    throw new OutpostError(ErrorCodes.CONFIG_INVALID, `invalid host:port "${text}"`);
  };
  let host = text.trim();
  let port = defaultPort;
  const bracket = /^\[([^\]]+)\](?::([0-9]+))?$/.exec(host);
  if (bracket !== null) {
    host = bracket[1] ?? bad();
    if (bracket[2] !== undefined) port = Number(bracket[2]);
  } else if (host.split(':').length === 2) {
    const [h, p] = host.split(':');
    if (h === undefined || p === undefined || !/^[0-9]+$/.test(p)) bad();
    host = h ?? '';
    port = Number(p);
  }
  if (host === '' || !Number.isInteger(port) || port < 1 || port > 0xffff) bad();
  return { host, port };
}

/** The NOTIFY request (RFC 1996 §3.7). */
export function buildNotify(apex: string, id: number, soa?: ResourceRecord): Message {
  return {
    header: requestHeader(id, { opcode: Opcode.NOTIFY, aa: true }),
    questions: [{ name: apex, type: RRType.SOA, class: RRClass.IN }],
    answers: soa === undefined ? [] : [soa],
    authorities: [],
    additionals: [],
  };
}

async function notifyOne(
  apex: string,
  target: DnsServerAddress,
  soa: ResourceRecord | undefined,
  timeoutMs: number,
  retries: number,
): Promise<NotifyOutcome> {
  let last: Error | undefined;
  for (let attempt = 1; attempt <= retries + 1; attempt++) {
    const notify = buildNotify(apex, randomInt(0x10000), soa);
    const query = encoder.encode(notify);
    // We are the client of this exchange: our NOTIFY is `C:`, the target's answer `S:`.
    const tap = transcriptActive() ? transcriptTap('dns', target.host) : undefined;
    tap?.('C', describeQuery(notify));
    try {
      const reply = await exchangeUdp(query, target, timeoutMs);
      if (tap) for (const line of describeReply([reply.message])) tap('S', line);
      const rcode = reply.message.header.rcode;
      return { target, ok: rcode === Rcode.NOERROR, rcode, attempts: attempt };
    } catch (err) {
      // RFC 1996 §3.6: retransmit on timeout; a socket error (port unreachable) gets the same.
      last = err instanceof Error ? err : new Error(String(err));
      tap?.('*', `no answer from ${target.host}:${target.port}: ${last.message}`);
      if (!(err instanceof OutpostError)) break;
    }
  }
  return { target, ok: false, attempts: retries + 1, ...(last === undefined ? {} : { error: last }) };
}

/**
 * Send NOTIFY for `apex` to every target in parallel, each retried until it answers (any
 * rcode ends the retries: the target heard us) or `retries` retransmissions went unanswered.
 * Never rejects for a target's failure: each outcome says what happened.
 */
export async function sendNotify(options: SendNotifyOptions): Promise<NotifyOutcome[]> {
  const timeoutMs = options.timeoutMs ?? TRANSFER_LIMITS.notifyTimeoutMs;
  const retries = options.retries ?? TRANSFER_LIMITS.notifyRetries;
  const targets = options.targets.map((t) => (typeof t === 'string' ? parseHostPort(t) : t));
  return Promise.all(targets.map((t) => notifyOne(options.apex, t, options.soa, timeoutMs, retries)));
}

/** The zone a NOTIFY is about, and the serial hint from its answer section (RFC 1996 §3.7). */
export function notifiedZone(query: Message): { apex: string; serial?: number } | undefined {
  const q = query.questions[0];
  if (query.header.opcode !== Opcode.NOTIFY || q === undefined || q.type !== RRType.SOA) return undefined;
  const soa = query.answers.find((rr) => rr.data.type === 'SOA');
  return soa?.data.type === 'SOA' ? { apex: q.name, serial: soa.data.serial } : { apex: q.name };
}

/**
 * The reply to a NOTIFY we received (RFC 1996 §4.7): same id, opcode NOTIFY, QR and AA set, the
 * question echoed. `allowed` says whether the source is one of the zone's primaries; if not the
 * reply is REFUSED. FORMERR when the query does not carry exactly one SOA question.
 */
export function notifyReply(query: Message, allowed: boolean): Message {
  const q = query.questions[0];
  const wellFormed = query.questions.length === 1 && q !== undefined && q.type === RRType.SOA;
  let rcode: number = Rcode.NOERROR;
  if (!wellFormed) rcode = Rcode.FORMERR;
  else if (!allowed) rcode = Rcode.REFUSED;
  const header: Header = {
    id: query.header.id,
    qr: true,
    opcode: Opcode.NOTIFY,
    aa: rcode === Rcode.NOERROR,
    tc: false,
    rd: query.header.rd,
    ra: false,
    z: false,
    ad: false,
    cd: false,
    rcode,
  };
  return { header, questions: query.questions, answers: [], authorities: [], additionals: [] };
}
