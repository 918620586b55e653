/**
 * HTTP static-file benchmark (issue 4, item 7): wrk (-t2 -c64) against Outpost, nginx and a bare
 * node:http server, serving the same 1 KiB and 1 MiB files from one directory, servers pinned to
 * core 0 and wrk to core 1, all servers alternating in every round. Prints each median req/s,
 * the ratios and whether the issue's targets are met (1 KiB: Outpost >= 60% of nginx and within
 * 10% of bare node:http; 1 MiB: Outpost >= 80% of nginx), and writes JSON + SVG to
 * bench/results/. It never asserts. `--workers N` runs N processes of each server (node:cluster,
 * nginx worker_processes), unpinned. Run: `npm run bench -- http [--workers N] [--duration S]
 * [--rounds N] [--only outpost,nginx,node-bare]`.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBenchArgs, usage, type BenchDefaults } from './lib/args.js';
import { machineInfo } from './lib/machine.js';
import { peerSet, runInfo } from './lib/run.js';
import { outcomeResult, ratioOf, targetOf, type BenchReport } from './lib/report.js';
import { machineSummary, publishReport } from './lib/results.js';
import { alternate, markUnavailable, type RoundSubject } from './lib/rounds.js';
import { formatNumber } from './lib/table.js';
import { makeTempDir } from './lib/temp.js';
import { canPin, requireCommand } from './lib/tools.js';
import { HTTP_SERVERS, serverCore, type ServeContext } from './http/servers.js';
import { runWrk, type WrkResult } from './http/wrk.js';

const DEFAULTS: BenchDefaults = { durationS: 10, rounds: 3, warmupS: 2 };
const FILES = [
  { key: '1k', name: '1k.bin', size: 1024, label: '1 KiB' },
  { key: '1m', name: '1m.bin', size: 1024 * 1024, label: '1 MiB' },
] as const;

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Takes `--workers N` out of argv (the shared parser does not know it). */
function takeWorkers(argv: string[]): { workers: number; rest: string[] } {
  const rest: string[] = [];
  let workers = 1;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--workers' || a.startsWith('--workers=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      workers = Number(v);
      if (!Number.isInteger(workers) || workers < 1)
        throw new Error(`--workers: expected a positive integer, got "${v}"`);
    } else rest.push(a);
  }
  return { workers, rest };
}

/** Checks a server answers the file with the right length before it is measured. */
async function verify(port: number, file: (typeof FILES)[number], servesFiles: boolean): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${port}/${file.name}`);
  const body = Buffer.from(await res.arrayBuffer());
  const expected = servesFiles ? file.size : 1024;
  if (res.status !== 200 || body.length !== expected)
    throw new Error(`GET /${file.name}: status ${res.status}, ${body.length} bytes (expected ${expected})`);
}

async function main(): Promise<void> {
  const { workers, rest } = takeWorkers(process.argv.slice(2));
  const names = HTTP_SERVERS.map((s) => s.name);
  const args = parseBenchArgs(rest, DEFAULTS, names);
  if (args.help) {
    console.log(
      `${usage('http', names, DEFAULTS)}\n  --workers N    server processes (node:cluster / nginx workers), unpinned when > 1`,
    );
    return;
  }
  requireCommand('wrk');
  const loadArgs = args.loadArgs ?? ['-t2', '-c64'];
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  const tmp = makeTempDir('http', args.keep);
  const docroot = tmp.path('www');
  mkdirSync(docroot);
  // nginx's workers drop to an unprivileged user when started as root: let them read the files.
  chmodSync(tmp.dir, 0o755);
  chmodSync(docroot, 0o755);
  for (const f of FILES) writeFileSync(join(docroot, f.name), randomBytes(f.size), { mode: 0o644 });
  const ctx: ServeContext = { tmp, docroot, workers, cores: serverCore(workers) };
  const selected = HTTP_SERVERS.filter((s) => args.only === undefined || args.only.includes(s.name));
  const { peers, stopAll } = peerSet(tmp);

  log(
    `http bench: ${selected.map((s) => s.name).join(', ')}; ${workers} worker(s); ${args.rounds} rounds of ${args.durationS} s; wrk ${loadArgs.join(' ')}`,
  );
  log(`  temp dir ${tmp.dir}${canPin() ? '' : '  (NOT pinned: needs taskset and 2 cores)'}`);
  const unavailable = new Map<string, string>();
  const subjects: RoundSubject<WrkResult>[] = [];
  const subjectNames: { name: string; server: string; label: string }[] = [];
  for (const def of selected) {
    try {
      const { peer, port } = await def.start(ctx);
      peers.push(peer);
      for (const file of FILES) {
        if (!def.servesFiles && file.key !== '1k') continue;
        await verify(port, file, def.servesFiles);
        const name = `${def.name}-${file.key}`;
        subjectNames.push({ name, server: def.name, label: `${def.label(workers)}: ${file.label}` });
        subjects.push({
          name,
          measure: async (durationS) => {
            const r = await runWrk(`http://127.0.0.1:${port}/${file.name}`, durationS, loadArgs);
            return { value: r.requestsPerSec, detail: r };
          },
        });
      }
      log(`  ${def.name.padEnd(10)} ready on 127.0.0.1:${port} (pid ${peer.pid}), answers verified`);
    } catch (err) {
      markUnavailable(unavailable, def.name, err, log, 10);
    }
  }

  let outcomes: Awaited<ReturnType<typeof alternate<WrkResult>>>;
  try {
    outcomes = await alternate(subjects, args, log, (v) => `${formatNumber(v)} req/s`);
  } finally {
    await stopAll();
  }

  const results = [
    ...subjectNames.map(({ name, label }) => outcomeResult(name, label, outcomes.get(name))),
    ...[...unavailable].map(([name, reason]) => outcomeResult(name, name, undefined, reason)),
  ];
  const report: BenchReport = {
    bench: workers === 1 ? 'http' : `http-workers${workers}`,
    title: `HTTP static files: wrk ${loadArgs.join(' ')}, 1 KiB and 1 MiB${workers === 1 ? '' : `, ${workers} workers`}`,
    unit: 'requests/s',
    ...runInfo('nginx-1k', startedAt, machine),
    pinned: canPin() && workers === 1,
    settings: {
      durationS: args.durationS,
      rounds: args.rounds,
      warmupS: args.warmupS,
      wrk: loadArgs.join(' '),
      workers,
    },
    subjects: results,
    ratios: [
      ratioOf(results, 'outpost-1k', 'nginx-1k'),
      ratioOf(results, 'outpost-1k', 'node-bare-1k'),
      ratioOf(results, 'outpost-1m', 'nginx-1m'),
    ],
    targets: [
      targetOf(results, '1 KiB: Outpost >= 60% of nginx', 'outpost-1k', 'nginx-1k', 0.6),
      targetOf(results, '1 KiB: Outpost within 10% of bare node:http', 'outpost-1k', 'node-bare-1k', 0.9),
      targetOf(results, '1 MiB: Outpost >= 80% of nginx', 'outpost-1m', 'nginx-1m', 0.8),
    ],
  };
  const notes = subjects.flatMap((s) =>
    (outcomes.get(s.name)?.details ?? [])
      .filter((d) => d.non2xx > 0 || d.socketErrors > 0)
      .map((d) => `${s.name}: ${d.non2xx} non-2xx answers, ${d.socketErrors} socket errors in a round`),
  );
  publishReport(report);
  for (const n of [...new Set(notes)]) console.log(`warning: ${n}`);
  console.log(machineSummary(machine, report.loadAvgAfter));
}

main().catch((err: unknown) => {
  console.error(`http bench: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 2;
});
