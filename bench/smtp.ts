/**
 * SMTP receiving benchmark (issue 5, performance target): Postfix's smtp-source (-s 20 -l 1024,
 * a new connection per message) against Outpost's MX (every message committed to SQLite with
 * synchronous=FULL before 250; group commit), a real Postfix smtpd with its disk queue, and
 * smtp-sink (stores nothing), servers pinned to core 0 and smtp-source to core 1, alternating in
 * every round. Each round sends about `duration` seconds' worth of messages (from the server's
 * previous rate) and reports messages/s. After the rounds, Outpost's store must hold every
 * message it acknowledged. Prints the ratios and whether Outpost >= 3x Postfix, writes JSON + SVG
 * to bench/results/. It never asserts. Run: `npm run bench -- smtp [--duration S] [--rounds N]`.
 */
import { parseBenchArgs, usage, type BenchDefaults } from './lib/args.js';
import { runLoad } from './lib/load.js';
import { machineInfo } from './lib/machine.js';
import { peerSet, runInfo } from './lib/run.js';
import { outcomeResult, ratioOf, targetOf, type BenchReport } from './lib/report.js';
import { machineSummary, publishReport } from './lib/results.js';
import { alternate, markUnavailable, type RoundSubject } from './lib/rounds.js';
import { formatNumber } from './lib/table.js';
import { makeTempDir } from './lib/temp.js';
import { canPin, LOAD_CORE, requireCommand } from './lib/tools.js';
import { BENCH_RECIPIENT, SMTP_SERVERS, type RunningServer } from './smtp/servers.js';

const DEFAULTS: BenchDefaults = { durationS: 10, rounds: 3, warmupS: 2 };
/** The load shape: 20 parallel sessions, 1 KiB bodies, one connection per message. */
const LOAD = ['-s', '20', '-l', '1024'];
/** Guess for the first measurement of each server, in messages/s. */
const FIRST_RATE = 500;

interface SourceRun {
  readonly messages: number;
  readonly seconds: number;
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function smtpSource(port: number, messages: number, loadArgs: readonly string[]): Promise<SourceRun> {
  const started = process.hrtime.bigint();
  await runLoad({
    command: requireCommand('smtp-source', 'postfix'),
    args: [
      ...loadArgs,
      '-m',
      String(messages),
      '-f',
      'load@source.test',
      '-t',
      BENCH_RECIPIENT,
      `127.0.0.1:${port}`,
    ],
    core: LOAD_CORE,
    timeoutMs: 300_000,
  });
  return { messages, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

async function main(): Promise<void> {
  const names = SMTP_SERVERS.map((s) => s.name);
  const args = parseBenchArgs(process.argv.slice(2), DEFAULTS, names);
  if (args.help) {
    console.log(usage('smtp', names, DEFAULTS));
    return;
  }
  requireCommand('smtp-source', 'postfix');
  const loadArgs = args.loadArgs ?? LOAD;
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  const selected = SMTP_SERVERS.filter((s) => args.only === undefined || args.only.includes(s.name));
  const tmp = makeTempDir('smtp', args.keep);
  const { peers, stopAll } = peerSet(tmp);

  log(`smtp bench: ${selected.map((s) => s.name).join(', ')}; ${args.rounds} rounds of ~${args.durationS} s`);
  log(`  temp dir ${tmp.dir}${canPin() ? '' : '  (NOT pinned: needs taskset and 2 cores)'}`);
  const unavailable = new Map<string, string>();
  const running = new Map<string, RunningServer>();
  const sent = new Map<string, number>();
  const subjects: RoundSubject<SourceRun>[] = [];
  for (const def of selected) {
    try {
      const server = await def.start(tmp);
      peers.push(server.peer);
      running.set(def.name, server);
      await smtpSource(server.port, 5, ['-s', '1']);
      sent.set(def.name, 5);
      log(
        `  ${def.name.padEnd(10)} ready on 127.0.0.1:${server.port} (pid ${server.peer.pid}), accepts mail`,
      );
      let rate = FIRST_RATE;
      subjects.push({
        name: def.name,
        measure: async (durationS) => {
          const messages = Math.max(100, Math.round(rate * durationS));
          const r = await smtpSource(server.port, messages, loadArgs);
          sent.set(def.name, (sent.get(def.name) ?? 0) + messages);
          rate = r.messages / r.seconds;
          return { value: rate, detail: r };
        },
      });
    } catch (err) {
      markUnavailable(unavailable, def.name, err, log, 10);
    }
  }

  let outcomes: Awaited<ReturnType<typeof alternate<SourceRun>>>;
  const notes: string[] = [];
  try {
    outcomes = await alternate(subjects, args, log, (v) => `${formatNumber(v)} msg/s`);
    for (const [name, server] of running) {
      const stored = server.stored();
      if (stored === null) continue;
      const expected = sent.get(name) ?? 0;
      const line = `${name}: ${stored} messages in the store, ${expected} sent`;
      notes.push(stored === expected ? `${line} (all acknowledged messages stored)` : `WARNING ${line}`);
    }
  } finally {
    await stopAll();
  }

  const results = selected.map((def) =>
    outcomeResult(def.name, def.label(), outcomes.get(def.name), unavailable.get(def.name)),
  );
  const report: BenchReport = {
    bench: 'smtp',
    title: 'SMTP receiving: smtp-source -s 20 -l 1024, one connection per message',
    unit: 'messages/s',
    ...runInfo('postfix', startedAt, machine),
    settings: {
      durationS: args.durationS,
      rounds: args.rounds,
      warmupS: args.warmupS,
      smtpSource: loadArgs.join(' '),
    },
    subjects: results,
    ratios: [ratioOf(results, 'outpost', 'postfix'), ratioOf(results, 'outpost', 'smtp-sink')],
    targets: [targetOf(results, 'Outpost >= 3x Postfix', 'outpost', 'postfix', 3)],
  };
  publishReport(report);
  for (const n of notes) console.log(n);
  console.log(machineSummary(machine, report.loadAvgAfter));
}

main().catch((err: unknown) => {
  console.error(`smtp bench: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 2;
});
