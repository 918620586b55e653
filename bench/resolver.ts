/**
 * Recursive resolver benchmark (issue 17): Outpost's resolver against Unbound, both iterating
 * over the same NSD mini-Internet on 127.66.x.y#53 (bench/resolver/internet.ts: root, three TLDs,
 * 40 sites on eight servers, some behind out-of-zone NS names), resolvers pinned to core 0, load
 * and NSD to core 1, alternating in every round. Three figures:
 * - cache hits: dnsperf replays the 200 questions once they are cached, against both resolvers
 *   and bench/dns's bare node:dgram server (Node's UDP ceiling); target Outpost >= 0.9x of it;
 * - cold cache: the 200 distinct names asked with `--window` in flight right after the cache was
 *   emptied (Outpost: SIGUSR1; Unbound: unbound-control reload): wall time, p50/p95 per name and
 *   the upstream queries the NSD servers received; target Outpost's time <= 1.5x Unbound's;
 * - memory: a fresh process fills its cache with `--fill` names of a wildcard zone (one RRset
 *   each): RSS delta per 100k cached RRsets (and Outpost's heap after a full GC, Unbound's own
 *   cache accounting).
 * Writes JSON + SVG to bench/results/. It never asserts.
 * Run: `npm run bench -- resolver [--duration S] [--rounds N] [--warmup S] [--only a,b]
 *       [--window N] [--fill N]`.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseBenchArgs, usage, type BenchDefaults } from './lib/args.js';
import { dnsperfArgs, runDnsperf, type DnsperfResult } from './lib/dnsperf.js';
import { runLoad } from './lib/load.js';
import { machineInfo } from './lib/machine.js';
import type { Peer } from './lib/peer.js';
import { outcomeResults, ratioOf, targetOf, type BenchReport } from './lib/report.js';
import { machineSummary, publishReport } from './lib/results.js';
import { ROOT } from './lib/root.js';
import { peerSet, runInfo, subjectLabel } from './lib/run.js';
import { alternate, markUnavailable, type RoundOutcome, type RoundSubject } from './lib/rounds.js';
import { median } from './lib/stats.js';
import { formatNumber } from './lib/table.js';
import { makeTempDir } from './lib/temp.js';
import { canPin, LOAD_CORE, requireCommand } from './lib/tools.js';
import { verifyAnswers } from './dns/checks.js';
import { DNS_SERVERS } from './dns/servers.js';
import { coldQuestions, dnsperfFile, fillQuestions, questionFile } from './resolver/internet.js';
import { startNetwork, type Network } from './resolver/network.js';
import { RESOLVERS, type ResolverMemory, type RunningResolver } from './resolver/servers.js';

const DEFAULTS: BenchDefaults = { durationS: 10, rounds: 3, warmupS: 2 };
/** bench/dns's dnsperf shape (PEERS.md): 4 sockets, 2 threads, 200 queries in flight. */
const LOAD = { clients: 4, threads: 2, outstanding: 200 };
const CLIENT = join(ROOT, 'bench', 'resolver', 'client.ts');
const CEILING = 'node-dgram';
const MIB = 1024 * 1024;

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** What bench/resolver/client.ts prints. */
interface ClientResult {
  questions: number;
  window: number;
  wallMs: number;
  p50Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
  rcodes: Record<string, number>;
  wrong: number;
  wrongExamples: string[];
  timeouts: number;
  latenciesMs?: number[];
}

interface ColdDetail extends ClientResult {
  upstreamQueries: number;
}

interface MemoryDetail {
  filled: number;
  seconds: number;
  before: ResolverMemory;
  after: ResolverMemory;
  entries: number;
  timeouts: number;
  wrong: number;
}

async function ask(port: number, file: string, window: number, summary = false): Promise<ClientResult> {
  const out = await runLoad({
    command: process.execPath,
    args: [
      '--import',
      'tsx',
      CLIENT,
      '127.0.0.1',
      String(port),
      file,
      String(window),
      ...(summary ? ['--summary'] : []),
    ],
    core: LOAD_CORE,
    timeoutMs: 600_000,
  });
  return JSON.parse(out.stdout) as ClientResult;
}

function correct(r: ClientResult): void {
  if (r.wrong > 0 || r.timeouts > 0) {
    throw new Error(
      `${String(r.wrong)} wrong replies, ${String(r.timeouts)} timeouts of ${String(r.questions)}: ${r.wrongExamples.join('; ')}`,
    );
  }
}

/** Entries the fill added (Unbound's count may be missing from old versions: then the names). */
function filledEntries(d: MemoryDetail): number {
  const delta = (d.after.entries ?? Number.NaN) - (d.before.entries ?? Number.NaN);
  return Number.isFinite(delta) && delta > 0 ? delta : d.filled;
}
const per100k = (bytes: number, d: MemoryDetail): number => (bytes / filledEntries(d)) * 100_000;
const rssPer100kMiB = (d: MemoryDetail): number => per100k(d.after.rss - d.before.rss, d) / MIB;

function own(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i === -1 ? undefined : argv.splice(i, 2)[1];
}

async function main(): Promise<void> {
  const names = [...RESOLVERS.map((r) => r.name), CEILING];
  const argv = process.argv.slice(2);
  const window = Number(own(argv, 'window') ?? 20);
  const fill = Number(own(argv, 'fill') ?? 100_000);
  const args = parseBenchArgs(argv, DEFAULTS, names);
  if (args.help) {
    console.log(
      `${usage('resolver', names, DEFAULTS)}\n  --window N     cold-cache questions in flight (default 20)\n  --fill N       names cached for the memory figure (default 100000)`,
    );
    return;
  }
  requireCommand('dnsperf');
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  const selected = RESOLVERS.filter((r) => args.only === undefined || args.only.includes(r.name));
  const withCeiling = args.only === undefined || args.only.includes(CEILING);
  const tmp = makeTempDir('resolver', args.keep);
  const questions = coldQuestions();
  const coldFile = tmp.write('cold.txt', questionFile(questions));
  const hitsFile = tmp.write('hits.txt', dnsperfFile(questions));
  const fillFile = tmp.write('fill.txt', questionFile(fillQuestions(fill)));
  // Every process goes into `peers` (stopped at the end or on Ctrl-C); the resolvers and the
  // ceiling also into `servers`, stopped before the memory figure's fresh processes start.
  const { peers, stopAll } = peerSet(tmp);
  const servers: Peer[] = [];
  let network: Network | undefined;

  log(
    `resolver bench: ${names.filter((n) => (n === CEILING ? withCeiling : selected.some((r) => r.name === n))).join(', ')}; ${String(questions.length)} names, window ${String(window)}, fill ${String(fill)}`,
  );
  log(`  temp dir ${tmp.dir}${canPin() ? '' : '  (NOT pinned: needs taskset and 2 cores)'}`);
  const ceiling = DNS_SERVERS.find((d) => d.name === CEILING);
  const labels = [
    ...RESOLVERS.map((r) => ({ name: r.name, label: subjectLabel(r) })),
    { name: CEILING, label: ceiling === undefined ? CEILING : subjectLabel(ceiling) },
  ];
  const unavailable = new Map<string, string>();
  const cold: RoundSubject<ColdDetail>[] = [];
  const hits: RoundSubject<DnsperfResult>[] = [];
  const memory: RoundSubject<MemoryDetail>[] = [];
  const running = new Map<string, RunningResolver>();
  let coldOut: Map<string, RoundOutcome<ColdDetail>>;
  let hitsOut: Map<string, RoundOutcome<DnsperfResult>>;
  let memoryOut: Map<string, RoundOutcome<MemoryDetail>>;
  try {
    const t0 = Date.now();
    network = await startNetwork(tmp);
    peers.push(...network.peers);
    log(
      `  mini-Internet: ${String(network.peers.length)} NSD servers on 127.66.x.y#53 in ${String(Date.now() - t0)} ms`,
    );
    const dnsperf =
      (port: number): RoundSubject<DnsperfResult>['measure'] =>
      async (durationS) => {
        const r = await runDnsperf({
          host: '127.0.0.1',
          port,
          queryFile: hitsFile,
          durationS,
          ...LOAD,
          ...(args.loadArgs === undefined ? {} : { loadArgs: args.loadArgs }),
          core: LOAD_CORE,
        });
        return { value: r.qps, detail: r };
      };
    for (const def of selected) {
      try {
        const r = await def.start(tmp, network.hintsFile, def.name);
        peers.push(r.peer);
        servers.push(r.peer);
        running.set(def.name, r);
        await r.clear();
        const first = await ask(r.port, coldFile, window);
        correct(first);
        log(
          `  ${def.name.padEnd(10)} ready on 127.0.0.1#${String(r.port)} (pid ${String(r.peer.pid)}); all ${String(first.questions)} answers verified`,
        );
        cold.push({
          name: def.name,
          measure: async () => {
            await r.clear();
            await network?.upstreamQueries();
            const res = await ask(r.port, coldFile, window);
            correct(res);
            await sleep(300); // late queries (a resolver fetching more NS addresses) still count
            const upstreamQueries = (await network?.upstreamQueries()) ?? Number.NaN;
            return { value: res.questions / (res.wallMs / 1000), detail: { ...res, upstreamQueries } };
          },
        });
        hits.push({ name: def.name, measure: dnsperf(r.port) });
        memory.push({
          name: def.name,
          measure: async () => {
            const fresh = await def.start(
              tmp,
              network?.hintsFile ?? '',
              `${def.name}-fill-${String(Date.now())}`,
              true,
            );
            peers.push(fresh.peer);
            try {
              await sleep(1000);
              const before = await fresh.memory();
              const started = Date.now();
              const res = await ask(fresh.port, fillFile, 200, true);
              const seconds = (Date.now() - started) / 1000;
              await sleep(1000);
              const after = await fresh.memory();
              const d: MemoryDetail = {
                filled: res.questions - res.timeouts - res.wrong,
                seconds,
                before,
                after,
                entries: 0,
                timeouts: res.timeouts,
                wrong: res.wrong,
              };
              d.entries = filledEntries(d);
              return { value: rssPer100kMiB(d), detail: d };
            } finally {
              await fresh.peer.stop();
            }
          },
        });
      } catch (err) {
        markUnavailable(unavailable, def.name, err, log, 10);
      }
    }
    if (withCeiling) {
      try {
        const def = ceiling;
        if (def === undefined) throw new Error('bench/dns has no node-dgram server');
        const { peer, port } = await def.start({ tmp, zoneName: 'example.test', zoneFile: '' });
        peers.push(peer);
        servers.push(peer);
        const problems = await verifyAnswers(port, def.kind);
        if (problems.length > 0) throw new Error(`wrong answers: ${problems.join('; ')}`);
        hits.push({ name: CEILING, measure: dnsperf(port) });
      } catch (err) {
        markUnavailable(unavailable, CEILING, err, log, 10);
      }
    }

    log(
      `cold cache: ${String(questions.length)} names, ${String(window)} in flight (names/s; wall time, p50/p95, upstream queries below):`,
    );
    coldOut = await alternate(cold, { ...args, warmupS: args.warmupS > 0 ? 1 : 0 }, log, (v) => {
      return `${v.toFixed(0)} names/s (${((questions.length / v) * 1000).toFixed(0)} ms)`;
    });
    log('cache hits (dnsperf over the same names, cached):');
    for (const r of running.values()) correct(await ask(r.port, coldFile, window));
    hitsOut = await alternate(hits, args, log, (v) => `${formatNumber(v)} qps`);
    for (const peer of servers) await peer.stop();
    log(`memory: a fresh process caches ${String(fill)} names (MiB RSS per 100k RRsets):`);
    memoryOut = await alternate(memory, { ...args, warmupS: 0 }, log, (v) => `${v.toFixed(1)} MiB`);
  } finally {
    await stopAll();
  }

  const common = runInfo('unbound', startedAt, machine);
  const settings = {
    names: questions.length,
    window,
    fill,
    durationS: args.durationS,
    rounds: args.rounds,
    warmupS: args.warmupS,
    dnsperf: (
      args.loadArgs ?? dnsperfArgs({ ...LOAD, host: '', port: 0, queryFile: '', durationS: 0 }).slice(8)
    ).join(' '),
  };
  const resolverLabels = labels.filter((l) => l.name !== CEILING || withCeiling);
  const hitsR = outcomeResults(resolverLabels, hitsOut, unavailable);
  const coldR = outcomeResults(
    labels.filter((l) => l.name !== CEILING),
    coldOut,
    unavailable,
  );
  const memR = outcomeResults(
    labels.filter((l) => l.name !== CEILING),
    memoryOut,
    unavailable,
    rssPer100kMiB,
  );
  const reports: BenchReport[] = [
    {
      ...common,
      bench: 'resolver-hits',
      title: `Resolver cache hits over UDP: dnsperf, ${String(questions.length)} cached names`,
      unit: 'queries/s',
      settings,
      subjects: hitsR,
      ratios: [
        ratioOf(hitsR, 'outpost', CEILING),
        ratioOf(hitsR, 'outpost', 'unbound'),
        ratioOf(hitsR, CEILING, 'unbound'),
      ],
      targets: [targetOf(hitsR, `Outpost >= 0.9x ${CEILING}`, 'outpost', CEILING, 0.9)],
    },
    {
      ...common,
      bench: 'resolver-cold',
      title: `Resolver cold cache: ${String(questions.length)} names, ${String(window)} in flight (names/s)`,
      unit: 'names/s',
      settings,
      subjects: coldR,
      ratios: [ratioOf(coldR, 'outpost', 'unbound')],
      targets: [targetOf(coldR, "Outpost cold time <= 1.5x Unbound's", 'outpost', 'unbound', 1 / 1.5)],
    },
    {
      ...common,
      bench: 'resolver-memory',
      title: `Resolver memory per 100k cached RRsets (MiB RSS; lower is better)`,
      unit: 'MiB RSS/100k RRsets',
      settings,
      subjects: memR,
      ratios: [ratioOf(memR, 'unbound', 'outpost')],
      targets: [],
    },
  ];
  for (const report of reports) publishReport(report);
  const ms = (v: number): string => `${v.toFixed(1)} ms`;
  for (const s of coldR) {
    const details = coldOut.get(s.name)?.details ?? [];
    if (details.length === 0) continue;
    const med = (f: (d: ColdDetail) => number | null): number =>
      median(details.map((d) => f(d) ?? Number.NaN));
    console.log(
      `cold ${s.name}: wall ${ms(med((d) => d.wallMs))}, p50 ${ms(med((d) => d.p50Ms))}, p95 ${ms(med((d) => d.p95Ms))} per name, ${med((d) => d.upstreamQueries).toFixed(0)} upstream queries (medians of ${String(details.length)} runs)`,
    );
  }
  for (const s of memR) {
    const details = memoryOut.get(s.name)?.details ?? [];
    if (details.length === 0) continue;
    const heap = details.flatMap((d) =>
      d.after.heap === undefined || d.before.heap === undefined
        ? []
        : [per100k(d.after.heap - d.before.heap, d) / MIB],
    );
    const own = details.flatMap((d) =>
      d.after.cacheBytes === undefined || d.before.cacheBytes === undefined
        ? []
        : [per100k(d.after.cacheBytes - d.before.cacheBytes, d) / MIB],
    );
    console.log(
      `memory ${s.name}: ${(s.median ?? Number.NaN).toFixed(1)} MiB RSS per 100k RRsets${heap.length > 0 ? `, heap ${median(heap).toFixed(1)} MiB` : ''}${own.length > 0 ? `, its cache accounting ${median(own).toFixed(1)} MiB` : ''}; ${String(median(details.map((d) => d.entries)))} entries cached in ${median(details.map((d) => d.seconds)).toFixed(1)} s`,
    );
  }
  console.log(machineSummary(machine, common.loadAvgAfter));
}

main().catch((err: unknown) => {
  console.error(`resolver bench: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 2;
});
