/**
 * DNS authoritative benchmark (issue 3, item 8): dnsperf replays a realistic query mix for
 * test/dns/fixtures/example.test.zone against Outpost, NSD, a bare node:dgram fixed reply (Node's
 * UDP ceiling) and the dns2 npm server, servers pinned to core 0 and dnsperf to core 1, the
 * servers alternating in every round. Prints each median QPS, the ratios and whether the issue's
 * targets are met (Outpost >= 50% of NSD and >= 6x dns2), and writes JSON + SVG to bench/results/.
 * It never asserts. Run: `npm run bench -- dns [--duration S] [--rounds N] [--only a,b]`.
 */
import { resolve } from 'node:path';
import { parseBenchArgs, usage, type BenchDefaults } from './lib/args.js';
import { dnsperfArgs, runDnsperf, type DnsperfResult } from './lib/dnsperf.js';
import { machineInfo } from './lib/machine.js';
import { peerSet, runInfo, subjectLabel } from './lib/run.js';
import { outcomeResult, ratioOf, targetOf, type BenchReport } from './lib/report.js';
import { machineSummary, publishReport } from './lib/results.js';
import { alternate, markUnavailable, type RoundSubject } from './lib/rounds.js';
import { formatNumber } from './lib/table.js';
import { makeTempDir } from './lib/temp.js';
import { canPin, LOAD_CORE, requireCommand } from './lib/tools.js';
import { verifyAnswers } from './dns/checks.js';
import { queryFileText } from './dns/queries.js';
import { DNS_SERVERS, type ServeContext } from './dns/servers.js';
import { ROOT } from './lib/root.js';

const DEFAULTS: BenchDefaults = { durationS: 10, rounds: 3, warmupS: 2 };
/**
 * dnsperf's load shape (PEERS.md's): 4 sockets, 2 threads, 200 queries in flight. On the load
 * core this drove NSD to ~160k qps with no loss, more than any wider window we tried (-q 500,
 * -q 1000, -c 16 -q 2000 lose queries or stay lower); NSD is still client-bound there, so its
 * figure is a lower bound. Override with `--load-args`.
 */
const LOAD = { clients: 4, threads: 2, outstanding: 200 };
const ZONE_NAME = 'example.test';
const ZONE_FILE = resolve(ROOT, 'test', 'dns', 'fixtures', 'example.test.zone');

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Loss or error rcodes make a figure suspect: say so under the table. */
function warnings(name: string, details: readonly DnsperfResult[]): string[] {
  const out: string[] = [];
  for (const d of details) {
    const lostPct = d.sent === 0 ? 0 : (d.lost / d.sent) * 100;
    if (lostPct > 1) out.push(`${name}: ${lostPct.toFixed(1)}% of queries lost in a round`);
    const bad = Object.entries(d.rcodes).filter(([rc]) => rc !== 'NOERROR' && rc !== 'NXDOMAIN');
    if (bad.length > 0)
      out.push(`${name}: unexpected rcodes ${bad.map(([rc, n]) => `${rc} ${n}`).join(', ')}`);
  }
  return [...new Set(out)];
}

async function main(): Promise<void> {
  const names = DNS_SERVERS.map((s) => s.name);
  const args = parseBenchArgs(process.argv.slice(2), DEFAULTS, names);
  if (args.help) {
    console.log(usage('dns', names, DEFAULTS));
    return;
  }
  requireCommand('dnsperf');
  const load = { ...LOAD, ...(args.loadArgs === undefined ? {} : { loadArgs: args.loadArgs }) };
  const loadText = (
    args.loadArgs ?? dnsperfArgs({ ...LOAD, host: '', port: 0, queryFile: '', durationS: 0 }).slice(8)
  ).join(' ');
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  const selected = DNS_SERVERS.filter((s) => args.only === undefined || args.only.includes(s.name));
  const tmp = makeTempDir('dns', args.keep);
  const ctx: ServeContext = { tmp, zoneName: ZONE_NAME, zoneFile: ZONE_FILE };
  const queryFile = tmp.write('queries.txt', queryFileText());
  const { peers, stopAll } = peerSet(tmp);

  log(`dns bench: ${selected.map((s) => s.name).join(', ')}; ${args.rounds} rounds of ${args.durationS} s`);
  log(`  temp dir ${tmp.dir}${canPin() ? '' : '  (NOT pinned: needs taskset and 2 cores)'}`);
  const unavailable = new Map<string, string>();
  const subjects: RoundSubject<DnsperfResult>[] = [];
  for (const def of selected) {
    try {
      const { peer, port } = await def.start(ctx);
      peers.push(peer);
      const problems = await verifyAnswers(port, def.kind);
      if (problems.length > 0) {
        await peer.stop();
        throw new Error(`wrong answers: ${problems.join('; ')}`);
      }
      log(`  ${def.name.padEnd(12)} ready on 127.0.0.1#${port} (pid ${peer.pid}), answers verified`);
      subjects.push({
        name: def.name,
        measure: async (durationS) => {
          const r = await runDnsperf({
            host: '127.0.0.1',
            port,
            queryFile,
            durationS,
            ...load,
            core: LOAD_CORE,
          });
          return { value: r.qps, detail: r };
        },
      });
    } catch (err) {
      markUnavailable(unavailable, def.name, err, log, 12);
    }
  }

  let outcomes: Awaited<ReturnType<typeof alternate<DnsperfResult>>>;
  try {
    outcomes = await alternate(subjects, args, log, (v) => `${formatNumber(v)} qps`);
  } finally {
    await stopAll();
  }

  const results = selected.map((def) =>
    outcomeResult(def.name, subjectLabel(def), outcomes.get(def.name), unavailable.get(def.name)),
  );
  const report: BenchReport = {
    bench: 'dns',
    title: 'DNS authoritative over UDP: dnsperf, example.test zone',
    unit: 'queries/s',
    ...runInfo('nsd', startedAt, machine),
    settings: {
      durationS: args.durationS,
      rounds: args.rounds,
      warmupS: args.warmupS,
      dnsperf: loadText,
      queries: queryFileText()
        .split('\n')
        .filter((l) => l !== '').length,
    },
    subjects: results,
    ratios: [
      ratioOf(results, 'outpost', 'nsd'),
      ratioOf(results, 'outpost', 'node-dgram'),
      ratioOf(results, 'outpost', 'dns2'),
    ],
    targets: [
      targetOf(results, 'Outpost >= 50% of NSD', 'outpost', 'nsd', 0.5),
      targetOf(results, 'Outpost >= 6x dns2', 'outpost', 'dns2', 6),
    ],
  };
  const notes = subjects.flatMap((s) => warnings(s.name, outcomes.get(s.name)?.details ?? []));
  publishReport(report);
  for (const n of notes) console.log(`warning: ${n}`);
  console.log(machineSummary(machine, report.loadAvgAfter));
}

main().catch((err: unknown) => {
  console.error(`dns bench: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 2;
});
