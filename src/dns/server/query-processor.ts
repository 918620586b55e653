/**
 * Bytes in, bytes out: the transport-independent pipeline of the DNS server. A header-only gate
 * first (RFC 1035 §4.1.1): responses (QR=1) are dropped so two servers can never loop, packets
 * shorter than a header are dropped, unparseable queries get FORMERR, opcodes nobody handles get
 * NOTIMP; only then the full decode and the handler. Replies are encoded within the transport's
 * size (512 octets, or the EDNS payload size clamped to our maximum, over UDP; 65535 over TCP),
 * truncating whole RRsets with TC=1 so the client retries over TCP (RFC 2181 §9, RFC 7766).
 */
import { decodeHeader, decodeMessage } from '../decode.js';
import { MessageEncoder } from '../encode.js';
import { Opcode, Rcode } from '../constants.js';
import { EDNS_PAYLOAD_SIZE, MAX_MESSAGE_SIZE, MAX_UDP_SIZE } from '../limits.js';
import { errorReply, formErr, notImp } from '../reply.js';
import type { Message } from '../types.js';
import { PacketCache, type PacketAging } from './packet-cache.js';

/** Where a query came from. */
export interface RequestContext {
  readonly transport: 'udp' | 'tcp';
  readonly remoteAddress: string;
  readonly remotePort: number;
}

/** What a handler returns: one message, several (a zone transfer over TCP), or null for no reply. */
export type HandlerResult = Message | readonly Message[] | null;

/**
 * Answers one decoded query, at once (the authoritative server) or later through a promise (the
 * recursive resolver). Throwing, or a rejected promise, yields SERVFAIL.
 */
export type DnsHandler = (query: Message, context: RequestContext) => HandlerResult | Promise<HandlerResult>;

const UNCACHEABLE = new WeakSet<Message>();

/**
 * Marks a reply the packet cache must not keep: one that depends on more than the query bytes
 * (the client's address picking a view) or changes from one answer to the next (rotation).
 */
export function uncacheable(reply: Message): Message {
  UNCACHEABLE.add(reply);
  return reply;
}

/** The packet cache of a QueryProcessor. */
export interface PacketCacheOptions {
  /** Replies kept; 0 turns the cache off. Default PACKET_CACHE_ENTRIES. */
  readonly cacheEntries?: number;
  /** Count stored replies' TTLs down (a resolver's answers) instead of keeping them as they are. */
  readonly cacheAging?: PacketAging;
  /**
   * Which requests may read or fill the cache (a resolver's allow-list: a refused client must
   * neither get a cached answer nor have its refusal kept); every request when absent.
   */
  readonly cacheGate?: (context: RequestContext) => boolean;
}

/** Opcodes a handler deals with; others are answered NOTIMP here. */
export const HANDLED_OPCODES: ReadonlySet<number> = new Set([Opcode.QUERY, Opcode.NOTIFY]);

/** Runs the gate, the handler and the encoder for one packet. One per thread (it owns an encoder). */
export class QueryProcessor {
  #handler: DnsHandler;
  readonly #encoder = new MessageEncoder();
  /** Called with a description when a handler throws (logging). */
  readonly #onError: (err: unknown) => void;
  /** Reply bytes by query bytes; null when caching is off. */
  readonly cache: PacketCache | null;
  /** Which requests may use the packet cache (read and fill); all when absent. */
  readonly #cacheGate: ((context: RequestContext) => boolean) | undefined;

  constructor(
    handler: DnsHandler,
    onError: (err: unknown) => void = () => undefined,
    options: PacketCacheOptions = {},
  ) {
    this.#handler = handler;
    this.#onError = onError;
    this.cache =
      options.cacheEntries === 0 ? null : new PacketCache(options.cacheEntries, options.cacheAging);
    this.#cacheGate = options.cacheGate;
  }

  /** Swaps the handler (zone reload); in-flight work finishes with the old one. */
  setHandler(handler: DnsHandler): void {
    this.#handler = handler;
    this.cache?.clear();
  }

  /** Drops cached replies: call whenever the data behind the handler changes. */
  invalidate(): void {
    this.cache?.clear();
  }

  /**
   * Returns the reply packets for one query packet (empty: send nothing); a promise of them when
   * the handler answers asynchronously.
   */
  process(packet: Uint8Array, context: RequestContext): Buffer[] | Promise<Buffer[]> {
    if (packet.length < 12) return [];
    const header = decodeHeader(packet);
    if (header.qr) return [];
    const cacheKey =
      this.cache !== null &&
      header.opcode === Opcode.QUERY &&
      (this.#cacheGate === undefined || this.#cacheGate(context))
        ? PacketCache.key(packet, context.transport)
        : null;
    if (cacheKey !== null) {
      const hit = this.cache?.get(cacheKey, packet);
      if (hit) return [hit];
    }
    let query: Message;
    try {
      query = decodeMessage(packet);
    } catch {
      return [this.#encoder.encode(formErr(header))];
    }
    const maxSize = context.transport === 'udp' ? udpLimit(query) : MAX_MESSAGE_SIZE;
    if (!HANDLED_OPCODES.has(header.opcode)) {
      return [this.#encoder.encode(notImp(query.header), { maxSize })];
    }
    let result: HandlerResult | Promise<HandlerResult>;
    try {
      result = this.#handler(query, context);
    } catch (err) {
      this.#onError(err);
      return [this.#encoder.encode(errorReply(query, Rcode.SERVFAIL), { maxSize })];
    }
    if (result instanceof Promise) {
      return result.then(
        (done) => this.#encodeResult(done, maxSize, cacheKey),
        (err: unknown) => {
          this.#onError(err);
          return [this.#encoder.encode(errorReply(query, Rcode.SERVFAIL), { maxSize })];
        },
      );
    }
    return this.#encodeResult(result, maxSize, cacheKey);
  }

  #encodeResult(result: HandlerResult, maxSize: number, cacheKey: string | null): Buffer[] {
    if (result === null) return [];
    if (!Array.isArray(result)) {
      const reply = this.#encoder.encode(result as Message, { maxSize });
      // Only plain answers are cached: never transfers, NOTIFY replies or failures.
      if (
        cacheKey !== null &&
        (result as Message).header.rcode !== Rcode.SERVFAIL &&
        !UNCACHEABLE.has(result as Message)
      )
        this.cache?.set(cacheKey, reply);
      return [reply];
    }
    return (result as readonly Message[]).map((m) => this.#encoder.encode(m, { maxSize }));
  }
}

/** The UDP reply size for a query: 512 without EDNS, else its payload size within [512, 1232]. */
export function udpLimit(query: Message): number {
  if (!query.edns) return MAX_UDP_SIZE;
  return Math.max(MAX_UDP_SIZE, Math.min(query.edns.udpPayloadSize, EDNS_PAYLOAD_SIZE));
}
