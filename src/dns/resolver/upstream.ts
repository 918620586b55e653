/**
 * The resolver's real upstream transport: one query to one server over UDP, with TCP when the
 * reply is truncated (RFC 7766 §5). Each query gets a fresh socket on a random source port and
 * a random ID (RFC 5452 §9.2: together about 32 bits an off-path spoofer must guess, the answer
 * to the Kaminsky attack), the name's letters in random case that the reply must echo exactly
 * (DNS 0x20, draft-vixie-dnsext-dns0x20: more bits to guess), and EDNS with a 1232-octet payload
 * (DNS Flag Day 2020: no IP fragmentation, so no fragment-injection poisoning). Datagrams that
 * do not answer the query (another id, question or case, no question at all, or undecodable)
 * are ignored and the wait goes on (TuDoor, 2024: a malformed reply must never end a pending
 * query). The reply's names are lower-cased before they go further, so the random case never
 * reaches the cache or a client. An EDNS Client Subnet option (RFC 7871) is sent when asked.
 *
 * 0x20 fallback: some servers answer with the name in their own case (lower-cased, or as the
 * zone spells it). Their replies fail the 0x20 check, so without a fallback every query to them
 * would time out forever. When a query times out and the only reply that carried our id and
 * port answered our question but in another case, the server is remembered as not preserving
 * case (for `NO_CASE_MEMORY_MS`) and asked again at once with a fresh query, new id and port,
 * without random case; later queries to it skip 0x20. The case-mismatched reply itself is never
 * accepted, and a correct reply arriving meanwhile wins, so a spoofer (Kaminsky 2008, the attack
 * 0x20 answers: Dagon et al., "Increased DNS Forgery Resistance Through 0x20-Bit Encoding", CCS
 * 2008) gains nothing from forging one: it must still guess the next query's id and port, and
 * the id, port and question checks stay on for every server (Unbound's caps fallback, likewise,
 * drops only the case bits).
 */
import { isIPv6 } from 'node:net';
import { buildQuery, type ResolvedServer } from '../client/query.js';
import { exchangeTcp } from '../client/tcp.js';
import { exchangeUdp } from '../client/udp.js';
import { replyMismatch } from '../client/match.js';
import { EdnsOption } from '../constants.js';
import { encodeMessage } from '../encode.js';
import { parseIpv4, parseIpv6 } from '../ip.js';
import type { EdnsOptionData, Message, RecordData, ResourceRecord } from '../types.js';
import type { UpstreamRequest, UpstreamTransport } from './iterator.js';

/** Shortest wait given to the TCP retry after a truncated UDP reply, in ms. */
const MIN_TCP_TIMEOUT_MS = 1000;
/** How long a server that does not preserve case is asked without 0x20, in ms. */
export const NO_CASE_MEMORY_MS = 3_600_000;
/** Most servers remembered as not preserving case (the oldest is forgotten first). */
const MAX_NO_CASE_SERVERS = 10_000;

export interface NetworkUpstreamOptions {
  /** Called for each datagram ignored while waiting (tests, tracing). */
  readonly onIgnored?: (reason: string) => void;
  /** Milliseconds since the epoch; default `Date.now`. */
  readonly now?: () => number;
}

/** UDP (+TCP on TC) to real servers. */
export class NetworkUpstream implements UpstreamTransport {
  readonly #options: NetworkUpstreamOptions;
  /** Queries sent, by transport (metrics, tests). */
  readonly sent = { udp: 0, tcp: 0 };
  /** Servers (`address#port`) seen not to preserve case, until when (ms). */
  readonly #noCase = new Map<string, number>();
  readonly #now: () => number;

  constructor(options: NetworkUpstreamOptions = {}) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Whether `server` is currently asked without 0x20 (it did not echo our case). */
  preservesCase(server: { address: string; port: number }): boolean {
    const key = `${server.address}#${String(server.port)}`;
    const until = this.#noCase.get(key);
    if (until === undefined) return true;
    if (until > this.#now()) return false;
    this.#noCase.delete(key);
    return true;
  }

  async query(request: UpstreamRequest): Promise<Message> {
    if (!this.preservesCase(request.server)) return this.#query(request, false);
    const seen = { caseOnly: false };
    try {
      return await this.#query(request, true, () => {
        seen.caseOnly = true;
      });
    } catch (err) {
      if (!seen.caseOnly) throw err;
      const { address, port } = request.server;
      if (this.#noCase.size >= MAX_NO_CASE_SERVERS) {
        const oldest = this.#noCase.keys().next();
        if (oldest.done !== true) this.#noCase.delete(oldest.value);
      }
      this.#noCase.set(`${address}#${String(port)}`, this.#now() + NO_CASE_MEMORY_MS);
      return this.#query(request, false);
    }
  }

  /** One exchange; `onCaseOnly` hears of a reply that matched all but the name's case. */
  async #query(request: UpstreamRequest, randomizeCase: boolean, onCaseOnly?: () => void): Promise<Message> {
    const { address, port } = request.server;
    const base = buildQuery({
      server: { host: address, port },
      name: request.question.name,
      type: request.question.type,
      class: request.question.class,
      recursionDesired: false,
      randomizeCase,
    });
    const query =
      request.clientSubnet === undefined || base.edns === undefined
        ? base
        : { ...base, edns: { ...base.edns, options: [request.clientSubnet] } };
    const bytes = encodeMessage(query);
    const server: ResolvedServer = { host: address, port, address, family: isIPv6(address) ? 6 : 4 };
    const match = { exactCase: randomizeCase, requireQuestion: true };
    const started = Date.now();
    this.sent.udp++;
    const udp = await exchangeUdp(bytes, server, request.timeoutMs, {
      ...match,
      randomSourcePort: true,
      onIgnored: (reason, reply) => {
        this.#options.onIgnored?.(reason);
        if (
          onCaseOnly !== undefined &&
          reply !== undefined &&
          replyMismatch(query, reply, { requireQuestion: true }) === undefined
        ) {
          onCaseOnly();
        }
      },
    });
    if (!udp.message.header.tc) return lowerCaseNames(udp.message);
    this.sent.tcp++;
    const left = Math.max(MIN_TCP_TIMEOUT_MS, request.timeoutMs - (Date.now() - started));
    const tcp = await exchangeTcp(bytes, server, left, match);
    return lowerCaseNames(tcp.message);
  }
}

/** RFC 7871 §6 option for `client`: its /24 (IPv4) or /56 (IPv6), scope 0. */
export function clientSubnetOption(client: string): EdnsOptionData | undefined {
  const bare = client.toLowerCase().startsWith('::ffff:') && client.includes('.') ? client.slice(7) : client;
  let bytes: Uint8Array;
  let family: number;
  let prefix: number;
  try {
    if (isIPv6(bare)) {
      bytes = parseIpv6(bare);
      family = 2;
      prefix = 56;
    } else {
      bytes = parseIpv4(bare);
      family = 1;
      prefix = 24;
    }
  } catch {
    return undefined;
  }
  const kept = bytes.subarray(0, prefix / 8);
  const data = new Uint8Array(4 + kept.length);
  data[0] = 0;
  data[1] = family;
  data[2] = prefix;
  data[3] = 0;
  data.set(kept, 4);
  return { code: EdnsOption.CLIENT_SUBNET, data };
}

const lower = (name: string): string => name.replace(/[A-Z]/g, (c) => c.toLowerCase());

function lowerData(data: RecordData): RecordData {
  switch (data.type) {
    case 'NS':
    case 'CNAME':
    case 'PTR':
    case 'DNAME':
      return { ...data, target: lower(data.target) };
    case 'MX':
      return { ...data, exchange: lower(data.exchange) };
    case 'SRV':
      return { ...data, target: lower(data.target) };
    case 'SOA':
      return { ...data, mname: lower(data.mname), rname: lower(data.rname) };
    default:
      return data;
  }
}

function lowerRecord(r: ResourceRecord): ResourceRecord {
  return { ...r, name: lower(r.name), data: lowerData(r.data) };
}

/** The message with every owner and RDATA name lower-cased (after the 0x20 check). */
export function lowerCaseNames(m: Message): Message {
  return {
    ...m,
    questions: m.questions.map((q) => ({ ...q, name: lower(q.name) })),
    answers: m.answers.map(lowerRecord),
    authorities: m.authorities.map(lowerRecord),
    additionals: m.additionals.map(lowerRecord),
  };
}
