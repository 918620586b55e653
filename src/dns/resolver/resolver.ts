/**
 * The recursive caching resolver as one object: the cache, the server statistics and the
 * iteration engine wired together, plus what sits around a resolution. Identical questions in
 * flight share one resolution (RFC 5452 §5: several outstanding queries for the same question
 * multiply a spoofer's chances, the birthday attack). When every authority fails and the cache
 * still holds expired data for the question, that data is served with TTL 30 and EDE 3 "Stale
 * Answer" (RFC 8767 §4), and a client that waits longer than the client-response timer (1.8 s)
 * for a question the cache holds only expired data for gets that data meanwhile (§5). Popular entries the cache reports close to expiry are resolved again
 * in the background (prefetch). A query without RD is answered from the cache only. `answer` turns a client's query into the reply message: RA set,
 * the resolution's sections, and SERVFAIL always with an Extended DNS Error (RFC 8914).
 */
import { EdnsOption, Rcode, RRClass, RRType, isMetaType } from '../constants.js';
import { nameKey } from '../name.js';
import { edeOption, emptyReply, errorReply, message, SERVER_EDNS } from '../reply.js';
import type { EdnsOptionData, Message, Question } from '../types.js';
import { uncacheable } from '../server/query-processor.js';
import { ResolverCache } from './cache.js';
import { Ede, Iterator, type IterationStep, type Resolution, type UpstreamTransport } from './iterator.js';
import type { CacheLimits, TimingLimits, WorkLimits } from './limits.js';
import { DEFAULT_CLIENT_RESPONSE_MS, MAX_PENDING_RESOLUTIONS } from './limits.js';
import { hintsAreLoopback, type RootHints } from './root-hints.js';
import { ServerSelection } from './server-selection.js';
import { clientSubnetOption, NetworkUpstream } from './upstream.js';

export interface ResolverOptions {
  readonly hints: RootHints;
  /** Default: the real UDP/TCP transport. */
  readonly transport?: UpstreamTransport;
  readonly cache?: Partial<CacheLimits>;
  readonly limits?: Partial<WorkLimits>;
  readonly timing?: Partial<TimingLimits>;
  readonly now?: () => number;
  /** Port of every upstream server (default 53). */
  readonly upstreamPort?: number;
  /** Allow loopback upstreams although the hints are not loopback. */
  readonly allowLoopbackUpstreams?: boolean;
  /** Send the client's /24 or /56 upstream (RFC 7871). */
  readonly sendClientSubnet?: boolean;
  readonly qnameMinimisation?: boolean;
  /**
   * RFC 8767 §5 client-response timer, in ms: a client whose question has only expired data in
   * the cache gets that data (TTL 30, EDE 3) once this long passes without a fresh answer,
   * while the resolution goes on and refreshes the cache. Default 1800 (the RFC's suggestion);
   * 0 turns it off (stale data only once every authority failed).
   */
  readonly clientResponseMs?: number;
  readonly onStep?: (step: IterationStep) => void;
}

/** Options of one resolution. */
export interface ResolverQueryOptions {
  /** The client's address (for EDNS Client Subnet). */
  readonly client?: string;
  readonly bypassCache?: boolean;
  readonly onStep?: (step: IterationStep) => void;
}

/** An Extended DNS Error option with EXTRA-TEXT (RFC 8914 §2), text cut to 200 octets. */
export function edeWithText(code: number, text: string): EdnsOptionData {
  const base = edeOption(code).data;
  const extra = new TextEncoder().encode(text).subarray(0, 200);
  const data = new Uint8Array(base.length + extra.length);
  data.set(base);
  data.set(extra, base.length);
  return { code: EdnsOption.EDE, data };
}

export class Resolver {
  readonly cache: ResolverCache;
  readonly servers: ServerSelection;
  readonly iterator: Iterator;
  readonly #pending = new Map<string, Promise<Resolution>>();
  readonly #sendClientSubnet: boolean;
  readonly #clientResponseMs: number;
  /** Resolutions started by prefetch since creation. */
  prefetches = 0;

  constructor(options: ResolverOptions) {
    const now = options.now ?? Date.now;
    this.cache = new ResolverCache({
      ...options.cache,
      now,
      onPrefetch: (q) => {
        this.prefetches++;
        void this.resolve(q, { bypassCache: true });
      },
    });
    this.servers = new ServerSelection({
      now,
      ...(options.timing === undefined ? {} : { timing: options.timing }),
    });
    this.#sendClientSubnet = options.sendClientSubnet === true;
    this.#clientResponseMs = options.clientResponseMs ?? DEFAULT_CLIENT_RESPONSE_MS;
    this.iterator = new Iterator({
      hints: options.hints,
      transport: options.transport ?? new NetworkUpstream(),
      cache: this.cache,
      servers: this.servers,
      now,
      allowLoopback: options.allowLoopbackUpstreams === true || hintsAreLoopback(options.hints),
      ...(options.limits === undefined ? {} : { limits: options.limits }),
      ...(options.upstreamPort === undefined ? {} : { upstreamPort: options.upstreamPort }),
      ...(options.qnameMinimisation === undefined ? {} : { qnameMinimisation: options.qnameMinimisation }),
      ...(options.onStep === undefined ? {} : { onStep: options.onStep }),
    });
  }

  /** Questions being resolved right now. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Resolve one question; never rejects. */
  resolve(question: Question, options: ResolverQueryOptions = {}): Promise<Resolution> {
    const subnet =
      this.#sendClientSubnet && options.client !== undefined ? clientSubnetOption(options.client) : undefined;
    const key = `${nameKey(question.name)}/${question.type}/${question.class}/${options.bypassCache === true ? 'fresh' : ''}/${subnet === undefined ? '' : Buffer.from(subnet.data).toString('hex')}`;
    const running = this.#pending.get(key);
    if (running !== undefined && options.onStep === undefined) return running;
    if (this.#pending.size >= MAX_PENDING_RESOLUTIONS) {
      return Promise.resolve({
        rcode: Rcode.SERVFAIL,
        answers: [],
        authorities: [],
        ede: { code: Ede.OTHER, text: 'resolver busy' },
      });
    }
    const work = this.#resolve(question, {
      ...(options.bypassCache === undefined ? {} : { bypassCache: options.bypassCache }),
      ...(options.onStep === undefined ? {} : { onStep: options.onStep }),
      ...(subnet === undefined ? {} : { clientSubnet: subnet }),
    }).finally(() => {
      this.#pending.delete(key);
    });
    this.#pending.set(key, work);
    return work;
  }

  async #resolve(
    question: Question,
    options: { bypassCache?: boolean; onStep?: (step: IterationStep) => void; clientSubnet?: EdnsOptionData },
  ): Promise<Resolution> {
    let result: Resolution;
    try {
      result = await this.iterator.resolve(question, options);
    } catch (err) {
      result = {
        rcode: Rcode.SERVFAIL,
        answers: [],
        authorities: [],
        ede: { code: Ede.OTHER, text: err instanceof Error ? err.message : String(err) },
      };
    }
    if (result.rcode !== Rcode.SERVFAIL || result.ede?.code !== Ede.NO_REACHABLE_AUTHORITY) return result;
    return this.#stale(question, 'every authority failed') ?? result;
  }

  /** RFC 8767: expired data for the question, when the cache still has some. */
  #stale(question: Question, why: string): Resolution | undefined {
    const hit = this.cache.get(question.name, question.type, question.class, { allowStale: true });
    if (hit === undefined || !hit.stale) return undefined;
    if (hit.kind === 'rrset') {
      return {
        rcode: Rcode.NOERROR,
        answers: hit.records,
        authorities: [],
        stale: true,
        ede: { code: Ede.STALE_ANSWER, text: why },
      };
    }
    return {
      rcode: hit.kind === 'nxdomain' ? Rcode.NXDOMAIN : Rcode.NOERROR,
      answers: [],
      authorities: hit.records,
      stale: true,
      ede: {
        code: hit.kind === 'nxdomain' ? Ede.STALE_NXDOMAIN : Ede.STALE_ANSWER,
        text: why,
      },
    };
  }

  /**
   * RFC 8767 §5: `work`, or the stale data the cache holds for the question when `work` takes
   * longer than the client-response timer (the resolution keeps going and refreshes the cache).
   */
  async #staleAfterTimer(question: Question, work: Promise<Resolution>): Promise<Resolution> {
    if (this.#clientResponseMs <= 0) return work;
    const hit = this.cache.get(question.name, question.type, question.class, { allowStale: true });
    if (hit === undefined || !hit.stale) return work;
    let timer: NodeJS.Timeout | undefined;
    const stale = new Promise<Resolution | undefined>((resolve) => {
      timer = setTimeout(() => {
        resolve(this.#stale(question, 'client-response timer'));
      }, this.#clientResponseMs);
    });
    try {
      return (await Promise.race([work, stale])) ?? (await work);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * A query without Recursion Desired: answered from live cache data only, never with upstream
   * traffic. What the cache lacks is REFUSED with EDE 20 "Not Authoritative" (RFC 8914 §4.21):
   * Unbound refuses every RD=0 query unless the client is `allow_snoop`, which then gets cache
   * data; BIND answers from the cache and else with an upward referral, which we do not send
   * (a resolver takes an upward referral as lame, classify.ts does, and a stub would take an
   * empty NOERROR for NODATA).
   */
  #noRecursion(question: Question): Resolution {
    return (
      this.iterator.fromCache(question) ?? {
        rcode: Rcode.REFUSED,
        answers: [],
        authorities: [],
        ede: { code: Ede.NOT_AUTHORITATIVE, text: 'not in the cache, and RD=0 asks for no recursion' },
      }
    );
  }

  /**
   * The reply to a client's query (already decoded and checked for opcode by the transport).
   * One question, class IN, no zone transfers (REFUSED: a resolver serves no zones), no other
   * meta types (NOTIMP).
   */
  async answer(query: Message, client?: string): Promise<Message> {
    const question = query.questions[0];
    if (query.questions.length !== 1 || question === undefined) return errorReply(query, Rcode.FORMERR);
    if (query.header.opcode !== 0) return errorReply(query, Rcode.NOTIMP);
    if (question.class !== RRClass.IN) return errorReply(query, Rcode.REFUSED);
    if (question.type === RRType.AXFR || question.type === RRType.IXFR)
      return errorReply(query, Rcode.REFUSED);
    if (isMetaType(question.type) && question.type !== RRType.ANY) return errorReply(query, Rcode.NOTIMP);
    if (!query.header.rd) return replyFor(query, this.#noRecursion(question));
    const work = this.resolve(question, client === undefined ? {} : { client });
    const result = await this.#staleAfterTimer(question, work);
    // Stale data is an emergency answer (RFC 8767): the packet cache must not keep serving it.
    return result.stale === true ? uncacheable(replyFor(query, result)) : replyFor(query, result);
  }
}

/** The client's reply for `result`: RA set, RD copied, the EDE option when there is one. */
export function replyFor(query: Message, result: Resolution): Message {
  const options = result.ede === undefined ? undefined : [edeWithText(result.ede.code, result.ede.text)];
  const edns = query.edns === undefined ? undefined : SERVER_EDNS.reply(query.edns, options);
  const base = emptyReply(query.header, result.rcode, query.questions, edns);
  const header = { ...base.header, ra: true, cd: query.header.cd };
  return message(header, query.questions, result.answers, result.authorities, [], edns);
}
