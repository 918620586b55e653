/**
 * `outpost dig +trace`: walk root → TLD → authoritative ourselves and print each step the way
 * `dig +trace` does. The given (or resolv.conf) server is asked for the root NS RRset first; its
 * answer, with the addresses it carries, becomes the root hints of a one-off resolver that sends
 * full names (no QNAME minimisation, as dig does), skips every cache, and reports each upstream
 * exchange: the referral's NS records, or the final answer (with the SOA of a negative one),
 * then `;; Received N bytes from ADDRESS#PORT(ADDRESS) in T ms`. Upstreams are asked on `-p`.
 */
import { ErrorCodes, OutpostError } from '../core/errors.js';
import { digRecordLine, formatWhen, queryDns, type ResolvedServer } from '../dns/client/index.js';
import { encodeMessage, RRType, type ResourceRecord } from '../dns/index.js';
import type { IterationStep } from '../dns/resolver/iterator.js';
import { Resolver } from '../dns/resolver/resolver.js';
import type { RootHints } from '../dns/resolver/root-hints.js';
import type { DigRequest } from './dig-args.js';

export interface TraceIo {
  readonly stdout: (text: string) => void;
  readonly args: readonly string[];
  readonly version?: string;
  readonly now?: () => Date;
}

/** dig's exit status when no server answered. */
const NO_REPLY = 9;

function received(bytes: number, server: { address: string; port: number }, ms: number): string {
  return `;; Received ${bytes} bytes from ${server.address}#${server.port}(${server.address}) in ${Math.round(ms)} ms\n\n`;
}

/** The records `dig +trace` shows for one reply. */
function shown(step: IterationStep): readonly ResourceRecord[] {
  const reply = step.reply;
  if (reply === undefined) return [];
  if (step.verdict === 'referral') return reply.authorities.filter((r) => r.type === RRType.NS);
  if (reply.answers.length > 0) return reply.answers;
  return reply.authorities.filter((r) => r.type === RRType.SOA);
}

/** How many root NS names are looked up when the reply carries no glue. */
const MAX_ROOT_LOOKUPS = 13;

/**
 * A recursive server's NS answer often carries no addresses (ours does not): like dig, which
 * asks its resolver for them, ask the same server for each root name server's A record.
 */
async function lookUpAddresses(
  server: ResolvedServer,
  targets: ReadonlySet<string>,
  request: DigRequest,
): Promise<ResourceRecord[]> {
  const found: ResourceRecord[] = [];
  for (const target of [...targets].filter((t) => t !== '').slice(0, MAX_ROOT_LOOKUPS)) {
    try {
      const reply = await queryDns({
        server,
        name: target,
        type: RRType.A,
        timeoutMs: request.timeoutMs,
        retries: request.retries,
      });
      found.push(
        ...reply.message.answers.filter((r) => r.type === RRType.A && r.name.toLowerCase() === target),
      );
    } catch (err) {
      if (!(err instanceof OutpostError)) throw err;
    }
  }
  return found;
}

/** Run the trace; resolves with dig's exit code. */
export async function runTrace(request: DigRequest, server: ResolvedServer, io: TraceIo): Promise<number> {
  const out = io.stdout;
  out(`\n; <<>> Outpost dig${io.version === undefined ? '' : ` ${io.version}`} <<>> ${io.args.join(' ')}\n`);
  out(';; global options: +cmd\n');
  let rootNs;
  try {
    rootNs = await queryDns({
      server,
      name: '.',
      type: RRType.NS,
      timeoutMs: request.timeoutMs,
      retries: request.retries,
    });
  } catch (err) {
    if (!(err instanceof OutpostError)) throw err;
    out(
      `;; ${err.code === ErrorCodes.TIMEOUT ? 'connection timed out' : err.message}; no servers could be reached\n`,
    );
    return NO_REPLY;
  }
  const ns = rootNs.message.answers.filter((r) => r.type === RRType.NS && r.name === '.');
  for (const r of ns) out(digRecordLine(r) + '\n');
  out(received(rootNs.bytes, server, rootNs.elapsedMs));
  const targets = new Set(ns.map((r) => (r.data.type === 'NS' ? r.data.target.toLowerCase() : '')));
  let addresses = rootNs.message.additionals.filter(
    (r) => (r.type === RRType.A || r.type === RRType.AAAA) && targets.has(r.name.toLowerCase()),
  );
  const first = ns[0];
  if (first === undefined) {
    out(';; no root NS records in the reply\n');
    return NO_REPLY;
  }
  if (addresses.length === 0) addresses = await lookUpAddresses(server, targets, request);
  if (addresses.length === 0 && first.data.type === 'NS') {
    // Still nothing: ask the root servers' own address, the one we were given.
    addresses = [
      {
        name: first.data.target,
        type: server.family === 6 ? RRType.AAAA : RRType.A,
        class: 1,
        ttl: 0,
        data: { type: server.family === 6 ? 'AAAA' : 'A', address: server.address },
      },
    ];
  }
  const hints: RootHints = { ns, addresses };
  let replies = 0;
  const resolver = new Resolver({
    hints,
    upstreamPort: request.port,
    allowLoopbackUpstreams: true, // the user named the server to start from
    qnameMinimisation: false,
  });
  await resolver.resolve(
    { name: request.name, type: request.type, class: request.class },
    {
      bypassCache: true,
      onStep: (step) => {
        if (step.reply === undefined) {
          out(`;; ${step.error ?? 'no reply'}\n\n`);
          return;
        }
        replies++;
        for (const r of shown(step)) out(digRecordLine(r) + '\n');
        out(received(encodeMessage(step.reply).length, step.server, step.elapsedMs ?? 0));
      },
    },
  );
  out(`;; WHEN: ${formatWhen(io.now?.() ?? new Date())}\n`);
  return replies > 0 ? 0 : NO_REPLY;
}
