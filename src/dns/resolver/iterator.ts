/**
 * The iteration engine (RFC 1034 §5.3.3): from the closest delegation the cache knows (else the
 * root hints), ask that zone's servers, follow referrals down, look up NS addresses (glue when
 * the referral carried it in bailiwick, else a sub-resolution of the NS name), chase CNAMEs and
 * DNAMEs across zones, and cache what each scrubbed reply (classify.ts) proves. It is pure apart
 * from the injected `UpstreamTransport`: time is an injected `now`, server choice is
 * server-selection.ts. Defences that live here:
 * - QNAME minimisation (RFC 9156, relaxed): each zone is asked only for the next label below it,
 *   with QTYPE A, so no server learns more of the name than it needs; an NXDOMAIN or a lame
 *   answer for a minimised name falls back to the full name (broken servers), and after
 *   `maxMinimiseSteps` the full name is sent (§2.3, long names as a DoS vector).
 * - Per-query work limits (limits.ts): upstream queries, NS names resolved (the NXNSAttack
 *   defence: a referral listing many glueless NS names must not fan out), referral depth, CNAME
 *   chain length, nested sub-resolutions, wall time. A query that exceeds one ends in SERVFAIL
 *   with an Extended DNS Error (RFC 8914), never in silence.
 * - Loopback upstreams only when allowed (a public zone delegating to 127.0.0.1 must not make the
 *   resolver query local services: request forgery towards the host itself).
 */
import { EdnsOption, RRType, Rcode } from '../constants.js';
import { parseClientSubnet } from '../ecs.js';
import { formatLabels, isSubdomain, nameKey, parseName } from '../name.js';
import type { EdnsOptionData, Message, Question, ResourceRecord } from '../types.js';
import { isLoopback } from '../../core/net.js';
import { ResolverCache, Trust, type TrustRank } from './cache.js';
import { classify, dnameSubstitute, type Verdict } from './classify.js';
import { DEFAULT_WORK_LIMITS, type WorkLimits } from './limits.js';
import type { RootHints } from './root-hints.js';
import { serverKey, type ServerAddress, type ServerSelection } from './server-selection.js';

/** One upstream query as the engine asks the transport to send it. */
export interface UpstreamRequest {
  readonly server: ServerAddress;
  /** Name (lower case; the transport may randomise its case), type and class. */
  readonly question: Question;
  readonly timeoutMs: number;
  /** An EDNS Client Subnet option to send (RFC 7871), when configured. */
  readonly clientSubnet?: EdnsOptionData;
}

/**
 * Sends one query and resolves with the reply that answers it (matched by id, question and, with
 * 0x20, case); rejects on timeout or when the server cannot be reached.
 */
export interface UpstreamTransport {
  query(request: UpstreamRequest): Promise<Message>;
}

/** Extended DNS Error info codes the resolver sends (RFC 8914 §4). */
export const Ede = {
  OTHER: 0,
  STALE_ANSWER: 3,
  STALE_NXDOMAIN: 19,
  NOT_AUTHORITATIVE: 20,
  NO_REACHABLE_AUTHORITY: 22,
  NETWORK_ERROR: 23,
} as const;

/** The outcome of one resolution: what the client's reply carries. */
export interface Resolution {
  readonly rcode: number;
  readonly answers: readonly ResourceRecord[];
  readonly authorities: readonly ResourceRecord[];
  readonly ede?: { readonly code: number; readonly text: string };
  /** Served from expired data (RFC 8767). */
  readonly stale?: boolean;
}

/** One exchange with an upstream server, for tracing (`outpost dig +trace`) and logs. */
export interface IterationStep {
  readonly zone: string;
  readonly server: ServerAddress;
  readonly question: Question;
  readonly reply?: Message;
  readonly error?: string;
  readonly verdict?: Verdict['kind'];
  /** Milliseconds from send to reply (or failure). */
  readonly elapsedMs?: number;
}

export interface IteratorOptions {
  readonly hints: RootHints;
  readonly transport: UpstreamTransport;
  readonly cache: ResolverCache;
  readonly servers: ServerSelection;
  readonly limits?: Partial<WorkLimits>;
  readonly now?: () => number;
  /** Port every upstream server is asked on (named.root carries none). Default 53. */
  readonly upstreamPort?: number;
  /** Whether loopback addresses may be queried (only for a loopback world). */
  readonly allowLoopback: boolean;
  /** QNAME minimisation (RFC 9156); default on. */
  readonly qnameMinimisation?: boolean;
  readonly onStep?: (step: IterationStep) => void;
}

/** Options of one resolution. */
export interface ResolveOptions {
  readonly clientSubnet?: EdnsOptionData;
  /** Skip the cache for the question itself (prefetch, +trace). */
  readonly bypassCache?: boolean;
  readonly onStep?: (step: IterationStep) => void;
}

/** A zone being iterated: its apex, NS names and the addresses known for them. */
interface Zone {
  readonly name: string;
  readonly ns: readonly string[];
  readonly addresses: Map<string, string[]>;
}

/** Work done so far for one client query (shared with its sub-resolutions). */
class Budget {
  upstream = 0;
  nsNames = 0;
  subDepth = 0;
  readonly resolvingNs = new Set<string>();
  /** The last reply answered for the client's subnet only (ECS scope > 0): it must not be cached. */
  lastReplyScoped = false;
  readonly deadline: number;
  readonly options: ResolveOptions;
  constructor(deadline: number, options: ResolveOptions) {
    this.deadline = deadline;
    this.options = options;
  }
}

type Step =
  | Exclude<Verdict, { kind: 'referral' } | { kind: 'lame' }>
  | { readonly kind: 'fail'; readonly code: number; readonly text: string; readonly lameOnly?: boolean };

function fail(code: number, text: string, lameOnly = false): Step {
  return { kind: 'fail', code, text, lameOnly };
}

function parentOf(name: string): string {
  return formatLabels(parseName(name).labels.slice(1));
}

/** The ancestor of `name` one label below `above` (or `name` itself). */
function childBelow(name: string, above: string): string {
  const labels = parseName(name).labels;
  const keep = parseName(above).labels.length + 1;
  return formatLabels(labels.slice(labels.length - Math.min(keep, labels.length)));
}

/** Group records into RRsets (owner, type, class), in first-seen order. */
export function rrsets(records: readonly ResourceRecord[]): ResourceRecord[][] {
  const sets = new Map<string, ResourceRecord[]>();
  for (const r of records) {
    const key = `${nameKey(r.name)}/${r.type}/${r.class}`;
    const set = sets.get(key);
    if (set === undefined) sets.set(key, [r]);
    else set.push(r);
  }
  return [...sets.values()];
}

/** The iteration engine; one per resolver, many resolutions at once. */
export class Iterator {
  readonly limits: WorkLimits;
  readonly #o: IteratorOptions;
  readonly #now: () => number;
  readonly #port: number;

  constructor(options: IteratorOptions) {
    this.#o = options;
    this.limits = { ...DEFAULT_WORK_LIMITS, ...options.limits };
    this.#now = options.now ?? Date.now;
    this.#port = options.upstreamPort ?? 53;
  }

  /** Resolve one question from the cache and by iteration. Never rejects for upstream trouble. */
  async resolve(question: Question, options: ResolveOptions = {}): Promise<Resolution> {
    const budget = new Budget(this.#now() + this.limits.maxQueryTimeMs, options);
    return this.#resolveChain(
      budget,
      question.name,
      question.type,
      question.class,
      options.bypassCache === true,
    );
  }

  async #resolveChain(
    budget: Budget,
    qname: string,
    qtype: number,
    qclass: number,
    bypassCache: boolean,
  ): Promise<Resolution> {
    const answers: ResourceRecord[] = [];
    const seen = new Set<string>();
    let name = qname;
    for (let restart = 0; ; restart++) {
      const key = nameKey(name);
      if (seen.has(key)) return servfail(Ede.OTHER, `CNAME loop at ${name}`);
      seen.add(key);
      const step = await this.#resolveName(budget, name, qtype, qclass, bypassCache && restart === 0);
      if (step.kind === 'fail') return servfail(step.code, step.text);
      answers.push(...step.chain);
      const links = answers.filter((r) => r.type === RRType.CNAME).length;
      if (links > this.limits.maxCnameChain) {
        return servfail(Ede.OTHER, `CNAME chain longer than ${this.limits.maxCnameChain}`);
      }
      switch (step.kind) {
        case 'answer':
          return { rcode: Rcode.NOERROR, answers: [...answers, ...step.records], authorities: [] };
        case 'nxdomain':
        case 'nodata':
          return {
            rcode: step.kind === 'nxdomain' ? Rcode.NXDOMAIN : Rcode.NOERROR,
            answers,
            authorities: step.soa,
          };
        case 'cname':
          name = step.target;
      }
    }
  }

  /**
   * The question answered from live cache data alone, CNAME/DNAME links included, or undefined
   * when some link is not cached (a client query with RD=0: no upstream traffic).
   */
  fromCache(question: Question): Resolution | undefined {
    const answers: ResourceRecord[] = [];
    const seen = new Set<string>();
    let name = question.name;
    for (;;) {
      const key = nameKey(name);
      if (seen.has(key) || seen.size > this.limits.maxCnameChain) return undefined;
      seen.add(key);
      const step = this.#cached(name, question.type, question.class);
      if (step === undefined) return undefined;
      answers.push(...step.chain);
      if (step.kind === 'answer')
        return { rcode: Rcode.NOERROR, answers: [...answers, ...step.records], authorities: [] };
      if (step.kind !== 'cname') {
        const rcode = step.kind === 'nxdomain' ? Rcode.NXDOMAIN : Rcode.NOERROR;
        return { rcode, answers, authorities: step.soa };
      }
      name = step.target;
    }
  }

  /** One name: the cache, else iteration. */
  async #resolveName(
    budget: Budget,
    name: string,
    qtype: number,
    qclass: number,
    bypassCache: boolean,
  ): Promise<Step> {
    if (!bypassCache) {
      const hit = this.#cached(name, qtype, qclass);
      if (hit !== undefined) return hit;
    }
    return this.#iterate(budget, name, qtype, qclass);
  }

  /** What the cache holds for one name: the RRset, a negative entry, or a CNAME/DNAME link. */
  #cached(name: string, qtype: number, qclass: number): Exclude<Step, { kind: 'fail' }> | undefined {
    if (qtype === RRType.ANY) return undefined;
    const cache = this.#o.cache;
    const hit = cache.get(name, qtype, qclass);
    if (hit?.kind === 'rrset') return { kind: 'answer', chain: [], records: hit.records };
    if (hit !== undefined) return { kind: hit.kind, chain: [], name, soa: hit.records };
    if (qtype === RRType.CNAME) return undefined;
    const cname = cache.getRRset(name, RRType.CNAME, qclass);
    const first = cname?.records[0];
    if (cname !== undefined && first?.data.type === 'CNAME') {
      return { kind: 'cname', chain: cname.records, target: first.data.target };
    }
    return this.#cachedDname(name, qclass);
  }

  /**
   * A cached DNAME at a proper ancestor of `name`, with our synthesised CNAME (RFC 6672 §3.2):
   * the DNAME goes into the answer, so the client sees why the name was rewritten.
   */
  #cachedDname(name: string, qclass: number): Extract<Step, { kind: 'cname' }> | undefined {
    const labels = parseName(name).labels;
    for (let i = 1; i < labels.length; i++) {
      const owner = formatLabels(labels.slice(i));
      const hit = this.#o.cache.getRRset(owner, RRType.DNAME, qclass);
      const dname = hit?.records[0];
      if (dname?.data.type !== 'DNAME') continue;
      const target = dnameSubstitute(name, owner, dname.data.target);
      if (target === undefined) return undefined;
      const synthesised: ResourceRecord = {
        name,
        type: RRType.CNAME,
        class: qclass,
        ttl: dname.ttl,
        data: { type: 'CNAME', target },
      };
      return { kind: 'cname', chain: [dname, synthesised], target };
    }
    return undefined;
  }

  async #iterate(budget: Budget, qname: string, qtype: number, qclass: number): Promise<Step> {
    let zone = this.#closestZone(qname, qtype, qclass);
    let known = zone.name;
    let minimise = this.#o.qnameMinimisation !== false && qtype !== RRType.DS;
    let minimiseSteps = 0;
    let referrals = 0;
    for (;;) {
      let name = qname;
      let type = qtype;
      if (minimise && minimiseSteps < this.limits.maxMinimiseSteps) {
        const next = childBelow(qname, known);
        if (nameKey(next) !== nameKey(qname)) {
          name = next;
          type = RRType.A;
          minimiseSteps++;
        }
      }
      const minimised = name !== qname;
      const verdict = await this.#ask(budget, zone, { name, type, class: qclass });
      if (verdict.kind === 'fail') {
        if (minimised && verdict.lameOnly === true) {
          minimise = false; // relaxed mode: broken servers get the full name
          continue;
        }
        return verdict;
      }
      if (verdict.kind === 'referral') {
        if (++referrals > this.limits.maxReferralDepth) {
          return fail(Ede.OTHER, `more than ${this.limits.maxReferralDepth} referrals`);
        }
        this.#cacheSets(verdict.ns, Trust.referral);
        this.#cacheSets(verdict.glue, Trust.glue);
        zone = this.#zoneOf(verdict.cut, verdict.ns, verdict.glue);
        known = verdict.cut;
        continue;
      }
      if (minimised) {
        if (verdict.kind === 'nxdomain')
          minimise = false; // relaxed: confirm with the full name
        else known = name; // no zone cut at `name`: go one label deeper with the same servers
        continue;
      }
      // RFC 7871 §7.3.1: an answer scoped to the client's subnet may serve only that subnet. The
      // cache is shared by every client, so such an answer is not cached (a CDN's per-client
      // answer would otherwise go to everyone who asks within its TTL).
      if (!budget.lastReplyScoped) this.#cacheVerdict(verdict, qtype, qclass);
      return verdict;
    }
  }

  /** Ask the zone's servers until one gives a usable (non-lame) reply. */
  async #ask(
    budget: Budget,
    zone: Zone,
    question: Question,
  ): Promise<Exclude<Verdict, { kind: 'lame' }> | Extract<Step, { kind: 'fail' }>> {
    const asked = { zone: zone.name, ...question };
    const tried = new Set<string>();
    const retry: ServerAddress[] = [];
    const resolvedNs = new Set<string>();
    let last = 'no server addresses';
    let lameOnly = true;
    const passes = this.#o.servers.timing.passes;
    for (let pass = 0; pass < passes; pass++) {
      const triedThisPass = new Set<string>();
      for (;;) {
        const pool = pass === 0 ? this.#addresses(zone) : retry;
        const candidates = pool.filter((s) => !(pass === 0 ? tried : triedThisPass).has(serverKey(s)));
        if (candidates.length === 0) {
          if (pass === 0 && (await this.#moreAddresses(budget, zone, resolvedNs, question.class))) continue;
          break;
        }
        const server = this.#o.servers.order(candidates)[0];
        if (server === undefined) break;
        tried.add(serverKey(server));
        triedThisPass.add(serverKey(server));
        const remaining = budget.deadline - this.#now();
        if (remaining <= 0)
          return { kind: 'fail', code: Ede.NO_REACHABLE_AUTHORITY, text: `time limit: ${last}` };
        if (budget.upstream >= this.limits.maxUpstreamQueries) {
          return {
            kind: 'fail',
            code: Ede.OTHER,
            text: `more than ${this.limits.maxUpstreamQueries} upstream queries`,
          };
        }
        budget.upstream++;
        const timeoutMs = Math.max(1, Math.min(this.#o.servers.timeoutFor(server, pass), remaining));
        const started = this.#now();
        let reply: Message;
        try {
          reply = await this.#o.transport.query({
            server,
            question,
            timeoutMs,
            ...(budget.options.clientSubnet === undefined
              ? {}
              : { clientSubnet: budget.options.clientSubnet }),
          });
        } catch (err) {
          this.#o.servers.failure(server);
          if (pass === 0) retry.push(server);
          last = `${server.address}#${server.port}: ${err instanceof Error ? err.message : String(err)}`;
          lameOnly = false;
          this.#step(budget, {
            zone: zone.name,
            server,
            question,
            error: last,
            elapsedMs: this.#now() - started,
          });
          continue;
        }
        this.#o.servers.success(server, this.#now() - started);
        budget.lastReplyScoped = budget.options.clientSubnet !== undefined && replyScope(reply) > 0;
        const verdict = classify(reply, asked);
        this.#step(budget, {
          zone: zone.name,
          server,
          question,
          reply,
          verdict: verdict.kind,
          elapsedMs: this.#now() - started,
        });
        if (verdict.kind !== 'lame') return verdict;
        last = `${server.address}#${server.port}: ${verdict.reason}`;
      }
    }
    return { kind: 'fail', code: Ede.NO_REACHABLE_AUTHORITY, text: `${zone.name}: ${last}`, lameOnly };
  }

  #step(budget: Budget, step: IterationStep): void {
    this.#o.onStep?.(step);
    budget.options.onStep?.(step);
  }

  /** Resolve one more glueless NS name of `zone`; false when none is left or the limits say no. */
  async #moreAddresses(budget: Budget, zone: Zone, done: Set<string>, qclass: number): Promise<boolean> {
    for (const ns of zone.ns) {
      const key = nameKey(ns);
      if (done.has(key) || budget.resolvingNs.has(key) || (zone.addresses.get(key)?.length ?? 0) > 0)
        continue;
      done.add(key);
      // NXNSAttack: the number of NS names we resolve per client query is capped.
      if (budget.nsNames >= this.limits.maxNsNames) return false;
      if (budget.subDepth >= this.limits.maxSubResolutionDepth) return false;
      budget.nsNames++;
      budget.subDepth++;
      budget.resolvingNs.add(key);
      const found: string[] = [];
      try {
        for (const type of [RRType.A, RRType.AAAA]) {
          const res = await this.#resolveChain(budget, ns, type, qclass, false);
          for (const r of res.answers) {
            if (
              (r.data.type === 'A' || r.data.type === 'AAAA') &&
              nameKey(r.name) === nameKey(res.answers.at(-1)?.name ?? '')
            ) {
              found.push(r.data.address);
            }
          }
          if (found.length > 0) break;
        }
      } finally {
        budget.subDepth--;
        budget.resolvingNs.delete(key);
      }
      const usable = found.filter((a) => this.#usable(a));
      if (usable.length > 0) {
        zone.addresses.set(key, usable);
        return true;
      }
    }
    return false;
  }

  /** Addresses of the zone's servers that we know and may ask. */
  #addresses(zone: Zone): ServerAddress[] {
    const out: ServerAddress[] = [];
    for (const ns of zone.ns) {
      for (const address of zone.addresses.get(nameKey(ns)) ?? []) out.push({ address, port: this.#port });
    }
    return out;
  }

  #usable(address: string): boolean {
    if (address === '0.0.0.0' || address === '::') return false;
    return this.#o.allowLoopback || !isLoopback(address);
  }

  /** The deepest delegation the cache holds for `qname` (DS lives in the parent), else the root hints. */
  #closestZone(qname: string, qtype: number, qclass: number): Zone {
    let name = qtype === RRType.DS && qname !== '.' ? parentOf(qname) : qname;
    for (;;) {
      const ns = this.#o.cache.getRRset(name, RRType.NS, qclass);
      if (ns !== undefined) {
        // The root's own servers may be known only from the hints (a primed `. NS` answer
        // carries no addresses): their addresses fill in what the cache lacks.
        const zone = this.#zoneOf(name, ns.records, name === '.' ? this.#o.hints.addresses : []);
        if (this.#addresses(zone).length > 0) return zone;
        // No address known: the NS names must be found elsewhere. When every one of them lies
        // inside the zone itself (its glue expired or never cached), asking the zone for them
        // would go in a circle, so start higher up instead.
        if (zone.ns.some((target) => !isSubdomain(target, name))) return zone;
      }
      if (name === '.') break;
      name = parentOf(name);
    }
    return this.#zoneOf('.', this.#o.hints.ns, this.#o.hints.addresses);
  }

  /** A zone from its NS RRset, with addresses from `glue` or else the cache. */
  #zoneOf(apex: string, nsRecords: readonly ResourceRecord[], glue: readonly ResourceRecord[]): Zone {
    const ns = nsRecords.flatMap((r) => (r.data.type === 'NS' ? [r.data.target] : []));
    const addresses = new Map<string, string[]>();
    for (const target of ns) {
      const key = nameKey(target);
      const list: string[] = [];
      const fromGlue = glue.filter((r) => nameKey(r.name) === key);
      const records =
        fromGlue.length > 0
          ? fromGlue
          : [RRType.A, RRType.AAAA].flatMap(
              (t) => this.#o.cache.getRRset(target, t, nsRecords[0]?.class ?? 1)?.records ?? [],
            );
      for (const r of records) {
        if ((r.data.type === 'A' || r.data.type === 'AAAA') && this.#usable(r.data.address))
          list.push(r.data.address);
      }
      addresses.set(key, list);
    }
    return { name: apex, ns, addresses };
  }

  #cacheSets(records: readonly ResourceRecord[], trust: TrustRank): void {
    for (const set of rrsets(records)) this.#o.cache.putRRset(set, trust);
  }

  #cacheVerdict(verdict: Exclude<Step, { kind: 'fail' }>, qtype: number, qclass: number): void {
    // Our synthesised CNAMEs (each right after its DNAME) are not cached: the DNAME is, and a
    // later answer synthesises again, so the client always gets the DNAME too.
    const kept = verdict.chain.filter(
      (r, i) => !(r.type === RRType.CNAME && verdict.chain[i - 1]?.type === RRType.DNAME),
    );
    this.#cacheSets(kept, Trust.answer);
    if (verdict.kind === 'answer') this.#cacheSets(verdict.records, Trust.answer);
    else if (verdict.kind === 'nxdomain' || verdict.kind === 'nodata') {
      if (qtype !== RRType.ANY)
        this.#o.cache.putNegative(verdict.kind, verdict.name, qtype, qclass, verdict.soa);
    }
  }
}

/** The SCOPE PREFIX-LENGTH of a reply's EDNS Client Subnet option (0 when absent or malformed). */
function replyScope(reply: Message): number {
  const option = reply.edns?.options.find((o) => o.code === EdnsOption.CLIENT_SUBNET);
  if (option === undefined) return 0;
  const parsed = parseClientSubnet(option.data, { query: false });
  return typeof parsed === 'string' ? 0 : parsed.scopePrefix;
}

function servfail(code: number, text: string): Resolution {
  return { rcode: Rcode.SERVFAIL, answers: [], authorities: [], ede: { code, text } };
}
