/**
 * Caching proxy benchmark (issue 18): cache hits of a 1 KiB and a 1 MiB object through Outpost's
 * reverse proxy, nginx proxy_cache and Varnish, with Outpost's own static server serving the same
 * files in the same run; wrk (-t2 -c64, keep-alive) pinned to core 1 and each server to core 0,
 * all alternating in every round. The proxies sit in front of one bare origin
 * (bench/proxy/origin-server.ts) whose request counts show that each round was served from the
 * cache. Then the memory per cached object: PSS growth of each cache's process tree while it
 * caches `--objects` (10,000) distinct 1 KiB objects (and nginx's cache files on disk, which PSS
 * does not see). Prints req/s and MiB/s with the ratios and the issue's targets (1 KiB: proxy >=
 * 0.9x Outpost static; 1 MiB: proxy >= 0.8x nginx) and writes JSON + SVG to bench/results/. It
 * never asserts. Run: `npm run bench -- proxy [--duration S] [--rounds N] [--warmup S]
 * [--only outpost-static,outpost-proxy,nginx,varnish] [--objects N]`.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseBenchArgs, usage, type BenchDefaults } from './lib/args.js';
import { loadAverage, machineInfo } from './lib/machine.js';
import type { Peer } from './lib/peer.js';
import {
  outcomeResult,
  ratioOf,
  subjectResult,
  targetOf,
  type BenchReport,
  type SubjectResult,
} from './lib/report.js';
import { machineSummary, publishReport } from './lib/results.js';
import { alternate, markUnavailable, type RoundSubject } from './lib/rounds.js';
import { median } from './lib/stats.js';
import { formatNumber } from './lib/table.js';
import { makeTempDir } from './lib/temp.js';
import { canPin, requireCommand } from './lib/tools.js';
import { treePss } from './ftp/memory.js';
import { runWrk, type WrkResult } from './http/wrk.js';
import { fetchObjects, objectRequests, originCounts } from './proxy/fill.js';
import { PROXY_SERVERS, startOrigin, type ProxyBenchContext, type RunningServer } from './proxy/servers.js';

const DEFAULTS: BenchDefaults = { durationS: 5, rounds: 3, warmupS: 2 };
const FILES = [
  { key: '1k', name: '1k.bin', size: 1024, label: '1 KiB' },
  { key: '1m', name: '1m.bin', size: 1024 * 1024, label: '1 MiB' },
] as const;

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Takes `--objects N` out of argv (the shared parser does not know it). */
function takeObjects(argv: string[]): { objects: number; rest: string[] } {
  const rest: string[] = [];
  let objects = 10_000;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--objects' || a.startsWith('--objects=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      objects = Number(v);
      if (!Number.isInteger(objects) || objects < 1)
        throw new Error(`--objects: expected a positive integer, got "${v}"`);
    } else rest.push(a);
  }
  return { objects, rest };
}

/** One round's wrk figures plus how many requests for the file reached the origin meanwhile. */
interface ProxyRound extends WrkResult {
  readonly originRequests: number;
}

/** What the memory phase measured for one cache. */
interface MemoryDetail {
  readonly objects: number;
  /** Objects the second pass still fetched from the origin (not cached). */
  readonly uncached: number;
  readonly failed: number;
  readonly pssBefore: number;
  readonly pssAfter: number;
  /** nginx: bytes of its cache files (on disk, outside PSS). */
  readonly diskBytes?: number;
}

/** GETs `file` twice (the second from the cache, for the proxies) and checks the bytes. */
async function verify(port: number, file: (typeof FILES)[number], expected: Buffer): Promise<void> {
  for (let i = 0; i < 2; i++) {
    const res = await fetch(`http://127.0.0.1:${port}/${file.name}`);
    const body = Buffer.from(await res.arrayBuffer());
    if (res.status !== 200 || !body.equals(expected))
      throw new Error(
        `GET /${file.name}: status ${res.status}, ${body.length} bytes (expected ${file.size})`,
      );
  }
}

function duBytes(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const st = statSync(join(dir, name));
    if (st.isFile()) total += st.blocks * 512;
  }
  return total;
}

/** Caches `objects` distinct objects through `server` and measures its process tree's growth. */
async function measureMemory(
  name: string,
  server: RunningServer,
  originPort: number,
  objects: number,
  diskDir: string | undefined,
): Promise<MemoryDetail> {
  await sleep(2000);
  const pssBefore = treePss(server.peer.pid).bytes;
  const failed = await fetchObjects(server.port, objects);
  const afterFirst = objectRequests(await originCounts(originPort));
  const failedAgain = await fetchObjects(server.port, objects);
  const uncached = objectRequests(await originCounts(originPort)) - afterFirst;
  await sleep(2000);
  const pssAfter = treePss(server.peer.pid).bytes;
  log(
    `  memory    ${name.padEnd(14)} ${formatNumber((pssAfter - pssBefore) / objects)} bytes PSS/object${
      uncached > 0 ? ` (${uncached} of ${objects} not cached)` : ''
    }`,
  );
  return {
    objects,
    uncached,
    failed: failed + failedAgain,
    pssBefore,
    pssAfter,
    ...(diskDir === undefined ? {} : { diskBytes: duBytes(diskDir) }),
  };
}

async function main(): Promise<void> {
  const { objects, rest } = takeObjects(process.argv.slice(2));
  const names = PROXY_SERVERS.map((s) => s.name);
  const args = parseBenchArgs(rest, DEFAULTS, names);
  if (args.help) {
    console.log(
      `${usage('proxy', names, DEFAULTS)}\n  --objects N    distinct 1 KiB objects cached for the memory figure (default 10000)`,
    );
    return;
  }
  requireCommand('wrk');
  const loadArgs = args.loadArgs ?? ['-t2', '-c64'];
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  const tmp = makeTempDir('proxy', args.keep);
  const docroot = tmp.path('www');
  mkdirSync(docroot);
  chmodSync(tmp.dir, 0o755);
  chmodSync(docroot, 0o755);
  const contents = new Map<string, Buffer>();
  for (const f of FILES) {
    const bytes = randomBytes(f.size);
    contents.set(f.key, bytes);
    writeFileSync(join(docroot, f.name), bytes, { mode: 0o644 });
  }
  const peers: Peer[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.all(peers.map((p) => p.stop()));
    tmp.remove();
  };
  process.once('SIGINT', () => {
    void stopAll().finally(() => process.exit(130));
  });

  const selected = PROXY_SERVERS.filter((s) => args.only === undefined || args.only.includes(s.name));
  log(
    `proxy bench: ${selected.map((s) => s.name).join(', ')}; ${args.rounds} rounds of ${args.durationS} s; wrk ${loadArgs.join(' ')}; ${objects} objects for memory`,
  );
  log(`  temp dir ${tmp.dir}${canPin() ? '' : '  (NOT pinned: needs taskset and 2 cores)'}`);
  const unavailable = new Map<string, string>();
  const subjects: RoundSubject<ProxyRound>[] = [];
  const labels = new Map<string, string>();
  const running = new Map<string, RunningServer>();
  let outcomes: Awaited<ReturnType<typeof alternate<ProxyRound>>> | undefined;
  const memory = new Map<string, MemoryDetail>();
  try {
    const origin = await startOrigin(tmp, docroot);
    peers.push(origin.peer);
    const ctx: ProxyBenchContext = { tmp, docroot, originPort: origin.port };
    for (const def of selected) {
      try {
        const server = await def.start(ctx);
        peers.push(server.peer);
        running.set(def.name, server);
        for (const file of FILES) {
          await verify(server.port, file, contents.get(file.key) ?? Buffer.alloc(0));
          const name = `${def.name}-${file.key}`;
          labels.set(name, `${def.label()}: ${file.label}`);
          subjects.push({
            name,
            measure: async (durationS) => {
              const before = (await originCounts(origin.port)).get(`/${file.name}`) ?? 0;
              const r = await runWrk(`http://127.0.0.1:${server.port}/${file.name}`, durationS, loadArgs);
              const after = (await originCounts(origin.port)).get(`/${file.name}`) ?? 0;
              return { value: r.requestsPerSec, detail: { ...r, originRequests: after - before } };
            },
          });
        }
        log(
          `  ${def.name.padEnd(14)} ready on 127.0.0.1:${server.port} (pid ${server.peer.pid}), answers verified`,
        );
      } catch (err) {
        markUnavailable(unavailable, def.name, err, log, 14);
      }
    }

    outcomes = await alternate(subjects, args, log, (v) => `${formatNumber(v)} req/s`);

    log(`memory per cached object (${objects} distinct 1 KiB objects):`);
    for (const def of selected) {
      const server = running.get(def.name);
      if (!def.caches || server === undefined) continue;
      try {
        const disk = def.name === 'nginx' ? join(tmp.path('nginx'), 'cache') : undefined;
        memory.set(def.name, await measureMemory(def.name, server, origin.port, objects, disk));
      } catch (err) {
        log(`  memory    ${def.name}: FAILED: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  } finally {
    await stopAll();
  }

  const resultsFor = (key: string): SubjectResult[] => [
    ...selected
      .filter((d) => !unavailable.has(d.name))
      .map((d) => `${d.name}-${key}`)
      .map((n) => outcomeResult(n, labels.get(n) ?? n, outcomes.get(n))),
    ...[...unavailable].map(([name, reason]) => outcomeResult(`${name}-${key}`, name, undefined, reason)),
  ];
  const r1k = resultsFor('1k');
  const r1m = resultsFor('1m');
  const memResults: SubjectResult[] = selected
    .filter((d) => d.caches)
    .map((d) => {
      const m = memory.get(d.name);
      const label = `${d.label()}: PSS growth / cached object`;
      if (m === undefined)
        return subjectResult(d.name, label, [], [], {
          status: 'not available',
          reason: unavailable.get(d.name) ?? 'not measured',
        });
      return subjectResult(d.name, label, [(m.pssAfter - m.pssBefore) / m.objects], [m]);
    });
  const common = {
    startedAt,
    finishedAt: new Date().toISOString(),
    machine,
    loadAvgAfter: loadAverage(),
    pinned: canPin(),
    settings: {
      durationS: args.durationS,
      rounds: args.rounds,
      warmupS: args.warmupS,
      wrk: loadArgs.join(' '),
      objects,
    },
  };
  const reports: BenchReport[] = [
    {
      ...common,
      bench: 'proxy-1k',
      title: `Cache hits, 1 KiB: wrk ${loadArgs.join(' ')}`,
      unit: 'requests/s',
      reference: 'outpost-static-1k',
      subjects: r1k,
      ratios: [
        ratioOf(r1k, 'outpost-proxy-1k', 'outpost-static-1k'),
        ratioOf(r1k, 'outpost-proxy-1k', 'nginx-1k'),
        ratioOf(r1k, 'outpost-proxy-1k', 'varnish-1k'),
      ],
      targets: [
        targetOf(r1k, '1 KiB: proxy >= 0.9x Outpost static', 'outpost-proxy-1k', 'outpost-static-1k', 0.9),
      ],
    },
    {
      ...common,
      bench: 'proxy-1m',
      title: `Cache hits, 1 MiB: wrk ${loadArgs.join(' ')}`,
      unit: 'requests/s',
      reference: 'nginx-1m',
      subjects: r1m,
      ratios: [
        ratioOf(r1m, 'outpost-proxy-1m', 'nginx-1m'),
        ratioOf(r1m, 'outpost-proxy-1m', 'varnish-1m'),
        ratioOf(r1m, 'outpost-proxy-1m', 'outpost-static-1m'),
      ],
      targets: [targetOf(r1m, '1 MiB: proxy >= 0.8x nginx', 'outpost-proxy-1m', 'nginx-1m', 0.8)],
    },
    {
      ...common,
      bench: 'proxy-memory',
      title: `Memory per cached 1 KiB object, ${objects} objects (bytes of PSS growth; lower is better)`,
      unit: 'bytes/object',
      reference: 'outpost-proxy',
      subjects: memResults,
      ratios: [],
      targets: [],
    },
  ];
  for (const report of reports) publishReport(report);

  const mib = (b: number): string => (b / 1024 / 1024).toFixed(1);
  console.log('\nthroughput (medians):');
  for (const s of [...r1k, ...r1m]) {
    const details = (outcomes.get(s.name)?.details ?? []).map((d) => d.bytesPerSec);
    if (s.median === null || details.length === 0) continue;
    console.log(
      `  ${s.name.padEnd(20)} ${formatNumber(s.median).padStart(9)} req/s  ${mib(median(details)).padStart(8)} MiB/s`,
    );
  }
  for (const d of PROXY_SERVERS) {
    const m = memory.get(d.name);
    if (m === undefined) continue;
    const disk =
      m.diskBytes === undefined ? '' : `, plus ${formatNumber(m.diskBytes / m.objects)} bytes/object on disk`;
    const notes = [
      m.uncached > 0 ? `${m.uncached} objects not cached` : '',
      m.failed > 0 ? `${m.failed} failed requests` : '',
    ].filter((n) => n !== '');
    console.log(
      `memory ${d.name}: ${formatNumber((m.pssAfter - m.pssBefore) / m.objects)} bytes PSS/object${disk}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`,
    );
  }
  for (const s of subjects) {
    for (const d of outcomes.get(s.name)?.details ?? []) {
      if (d.non2xx > 0 || d.socketErrors > 0)
        console.log(
          `warning: ${s.name}: ${d.non2xx} non-2xx answers, ${d.socketErrors} socket errors in a round`,
        );
      if (d.originRequests > 0 && !s.name.startsWith('outpost-static'))
        console.log(
          `warning: ${s.name}: ${d.originRequests} requests reached the origin during a round (misses)`,
        );
    }
  }
  console.log(machineSummary(machine, common.loadAvgAfter));
}

main().catch((err: unknown) => {
  console.error(`proxy bench: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 2;
});
