/**
 * `queryDns`: the stub resolver's one question to one server, the way dig asks it. UDP first
 * with a random 16-bit id, an EDNS OPT record (unless disabled) and replies checked against the
 * query (match.ts); a truncated reply (TC=1) is asked again over TCP (RFC 7766 §5: a client
 * MUST be able to fall back); `tcp: true` goes to TCP directly. Each attempt is bounded by
 * `timeoutMs` and failed attempts are retried `retries` times. This is the building block the
 * recursive resolver, the mail queue and `outpost dig` share, so it knows nothing about output.
 */
import { randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { ErrorCodes, OutpostError } from '../../core/errors.js';
import { RRClass } from '../constants.js';
import { encodeMessage } from '../encode.js';
import { requestHeader } from '../header.js';
import { canonicalName } from '../name.js';
import { MIN_EDNS_UDP_SIZE } from '../limits.js';
import type { Edns, Message } from '../types.js';
import {
  DEFAULT_EDNS_PAYLOAD,
  DEFAULT_RETRIES,
  DEFAULT_TIMEOUT_MS,
  MAX_RETRIES,
  MAX_TIMEOUT_MS,
} from './defaults.js';
import { randomizeCase } from './match.js';
import type { DnsReply } from './reply.js';
import { resolveServer, type DnsServerAddress, type ResolvedServer } from './server-address.js';
import { exchangeTcp } from './tcp.js';
import { exchangeUdp } from './udp.js';

export { exchangeTcp, type TcpExchangeOptions } from './tcp.js';
export { exchangeUdp, type UdpExchangeOptions } from './udp.js';
export type { DnsReply } from './reply.js';
export type { DnsServerAddress, ResolvedServer } from './server-address.js';

/** What to ask, and how. */
export interface QueryOptions {
  /** The server; a `ResolvedServer` skips the name lookup. */
  readonly server: DnsServerAddress | ResolvedServer;
  /** Query name in presentation form; taken as absolute. */
  readonly name: string;
  /** QTYPE number (see `RRType`). */
  readonly type: number;
  /** QCLASS number; default IN. */
  readonly class?: number;
  /** The RD bit; default true (a stub asks for recursion). */
  readonly recursionDesired?: boolean;
  /** Skip UDP and ask over TCP. Default false. */
  readonly tcp?: boolean;
  /** EDNS(0) with this UDP payload size, or `false` for none. Default `{ payload: 1232 }`. */
  readonly edns?: { readonly payload: number } | false;
  /** Per-attempt timeout in milliseconds (1..60000). Default 5000. */
  readonly timeoutMs?: number;
  /** Attempts after the first one per transport (0..10). Default 2. */
  readonly retries?: number;
  /** Message id; default a random 16-bit value (RFC 5452 §9.2). Tests pin it. */
  readonly id?: number;
  /** Randomise the query name's case and require it echoed exactly (DNS 0x20). Default false. */
  readonly randomizeCase?: boolean;
}

/** The answer to a query. */
export interface QueryResult {
  /** The decoded reply (the TCP one after a truncated UDP reply). */
  readonly message: Message;
  /** Size of the reply in octets, as dig's "MSG SIZE rcvd". */
  readonly bytes: number;
  readonly transport: 'udp' | 'tcp';
  /** Milliseconds from the first send to the final reply, fallback included. */
  readonly elapsedMs: number;
  readonly server: ResolvedServer;
  /** The query as sent (its id and, with 0x20, the name's case). */
  readonly query: Message;
}

function checkRange(what: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new OutpostError(
      ErrorCodes.CONFIG_INVALID,
      `${what} must be an integer in ${min}..${max}, got ${value}`,
    );
  }
  return value;
}

/** Build the query message `queryDns` sends (exported for tests and for callers that batch). */
export function buildQuery(options: QueryOptions): Message {
  const id = checkRange('id', options.id ?? randomInt(0x10000), 0, 0xffff);
  const canonical = canonicalName(options.name); // absolute, escapes normalised; ERR_PARSE if invalid
  const name = options.randomizeCase === true ? randomizeCase(canonical) : canonical;
  const ednsOption = options.edns ?? { payload: DEFAULT_EDNS_PAYLOAD };
  const base: Message = {
    header: requestHeader(id, { rd: options.recursionDesired ?? true }),
    questions: [{ name, type: options.type, class: options.class ?? RRClass.IN }],
    answers: [],
    authorities: [],
    additionals: [],
  };
  if (ednsOption === false) return base;
  const edns: Edns = {
    udpPayloadSize: checkRange('EDNS payload', ednsOption.payload, MIN_EDNS_UDP_SIZE, 0xffff),
    extendedRcode: 0,
    version: 0,
    dnssecOk: false,
    z: 0,
    options: [],
  };
  return { ...base, edns };
}

async function withRetries(attempts: number, exchange: () => Promise<DnsReply>): Promise<DnsReply> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await exchange();
    } catch (err) {
      if (!(err instanceof OutpostError)) throw err;
      last = err;
    }
  }
  throw last;
}

/**
 * Ask `options.server` one question. Resolves with the first reply that answers it, whatever
 * its rcode. Rejects with ERR_TIMEOUT when no attempt got a reply, ERR_PARSE when replies were
 * malformed or (on TCP) did not match, ERR_CONNECTION_CLOSED when the server cannot be reached
 * or hangs up, ERR_CONFIG_INVALID for out-of-range options and ERR_PARSE for an invalid name.
 */
export async function queryDns(options: QueryOptions): Promise<QueryResult> {
  const timeoutMs = checkRange('timeoutMs', options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 1, MAX_TIMEOUT_MS);
  const attempts = checkRange('retries', options.retries ?? DEFAULT_RETRIES, 0, MAX_RETRIES) + 1;
  const query = buildQuery(options);
  const bytes = encodeMessage(query);
  const server = await resolveServer(options.server);
  const match = { exactCase: options.randomizeCase === true };
  const started = performance.now();
  const done = (reply: DnsReply, transport: 'udp' | 'tcp'): QueryResult => ({
    message: reply.message,
    bytes: reply.bytes.length,
    transport,
    elapsedMs: performance.now() - started,
    server,
    query,
  });
  if (options.tcp !== true) {
    const reply = await withRetries(attempts, () => exchangeUdp(bytes, server, timeoutMs, match));
    if (!reply.message.header.tc) return done(reply, 'udp');
  }
  const reply = await withRetries(attempts, () => exchangeTcp(bytes, server, timeoutMs, match));
  return done(reply, 'tcp');
}
