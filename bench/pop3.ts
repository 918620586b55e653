/**
 * POP3 benchmark (issue 6): Outpost against Dovecot 2.3 on the same 10,000-message INBOX, servers
 * pinned to core 0 and the load tool (bench/pop3/load.py, Python) to core 1, alternating in every
 * round. Two figures: logins/s (poplib login + STAT + QUIT, sequential) and the time to RETR all
 * 10,000 messages one at a time in one session (reported as messages/s, higher is better). Prints
 * the medians, the ratios and the targets (logins >= 2x Dovecot, RETR-all no slower), and writes
 * JSON + SVG to bench/results/. It never asserts.
 * Run: `npm run bench -- pop3 [--duration S] [--rounds N] [--warmup S] [--only a,b] [--messages N]`.
 */
import { join } from 'node:path';
import { parseBenchArgs, usage, type BenchDefaults } from './lib/args.js';
import { runLoad } from './lib/load.js';
import { machineInfo } from './lib/machine.js';
import { peerSet, runInfo, subjectLabel } from './lib/run.js';
import { outcomeResults, ratioOf, targetOf, type BenchReport } from './lib/report.js';
import { machineSummary, publishReport } from './lib/results.js';
import { alternate, markUnavailable, type RoundOutcome, type RoundSubject } from './lib/rounds.js';
import { formatNumber } from './lib/table.js';
import { makeTempDir } from './lib/temp.js';
import { canPin, LOAD_CORE, requireCommand } from './lib/tools.js';
import { benchMailbox } from './mail/mailbox.js';
import { PASSWORD, POP3_SERVERS, USER } from './pop3/servers.js';
import { ROOT } from './lib/root.js';

const DEFAULTS: BenchDefaults = { durationS: 5, rounds: 3, warmupS: 2 };
const LOAD_SCRIPT = join(ROOT, 'bench', 'pop3', 'load.py');

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

interface LoginDetail {
  logins: number;
  seconds: number;
  messages: number;
}

interface RetrDetail {
  messages: number;
  octets: number;
  seconds: number;
  stat_octets: number;
}

async function loadTool<T>(args: string[], timeoutMs: number): Promise<T> {
  const out = await runLoad({ command: 'python3', args: [LOAD_SCRIPT, ...args], core: LOAD_CORE, timeoutMs });
  return JSON.parse(out.stdout) as T;
}

async function main(): Promise<void> {
  const names = POP3_SERVERS.map((s) => s.name);
  const argv = process.argv.slice(2);
  const mIndex = argv.indexOf('--messages');
  const count = mIndex === -1 ? 10_000 : Number(argv.splice(mIndex, 2)[1]);
  const args = parseBenchArgs(argv, DEFAULTS, names);
  if (args.help) {
    console.log(`${usage('pop3', names, DEFAULTS)}\n  --messages N   messages in the INBOX (default 10000)`);
    return;
  }
  requireCommand('python3');
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  const selected = POP3_SERVERS.filter((s) => args.only === undefined || args.only.includes(s.name));
  const tmp = makeTempDir('pop3', args.keep);
  const messages = benchMailbox(count);
  const totalOctets = messages.reduce((n, m) => n + m.length, 0);
  const { peers, stopAll } = peerSet(tmp);

  log(
    `pop3 bench: ${selected.map((s) => s.name).join(', ')}; ${String(count)} messages (${formatNumber(totalOctets)} octets)`,
  );
  log(`  ${String(args.rounds)} rounds of ${String(args.durationS)} s logins + one RETR-all pass each`);
  log(`  temp dir ${tmp.dir}${canPin() ? '' : '  (NOT pinned: needs taskset and 2 cores)'}`);
  const unavailable = new Map<string, string>();
  const labels: { name: string; label: string }[] = [];
  const logins: RoundSubject<LoginDetail>[] = [];
  const retrs: RoundSubject<RetrDetail>[] = [];
  for (const def of selected) {
    labels.push({ name: def.name, label: subjectLabel(def) });
    try {
      const t0 = Date.now();
      const { peer, port } = await def.start(tmp, messages);
      peers.push(peer);
      const probe = await loadTool<LoginDetail>(
        ['logins', '127.0.0.1', String(port), USER, PASSWORD, '0.01'],
        120_000,
      );
      if (probe.messages !== count)
        throw new Error(`STAT says ${String(probe.messages)} messages, expected ${String(count)}`);
      log(
        `  ${def.name.padEnd(10)} ready on 127.0.0.1:${String(port)} (pid ${String(peer.pid)}) in ${String(Date.now() - t0)} ms; STAT verified`,
      );
      logins.push({
        name: def.name,
        measure: async (durationS) => {
          const r = await loadTool<LoginDetail>(
            ['logins', '127.0.0.1', String(port), USER, PASSWORD, String(durationS)],
            (durationS + 60) * 1000,
          );
          return { value: r.logins / r.seconds, detail: r };
        },
      });
      retrs.push({
        name: def.name,
        measure: async () => {
          const r = await loadTool<RetrDetail>(
            ['retr', '127.0.0.1', String(port), USER, PASSWORD, String(count)],
            300_000,
          );
          if (r.octets < totalOctets)
            throw new Error(`RETR-all read ${String(r.octets)} octets, fewer than stored`);
          return { value: r.messages / r.seconds, detail: r };
        },
      });
    } catch (err) {
      markUnavailable(unavailable, def.name, err, log, 10);
    }
  }

  let loginOutcomes: Map<string, RoundOutcome<LoginDetail>>;
  let retrOutcomes: Map<string, RoundOutcome<RetrDetail>>;
  try {
    log('logins (login + STAT + QUIT, sequential poplib):');
    loginOutcomes = await alternate(logins, args, log, (v) => `${v.toFixed(1)} logins/s`);
    log(`RETR of all ${String(count)} messages, one session:`);
    retrOutcomes = await alternate(
      retrs,
      { ...args, warmupS: args.warmupS > 0 ? 1 : 0 },
      log,
      (v) => `${(count / v).toFixed(3)} s (${formatNumber(v)} msg/s)`,
    );
  } finally {
    await stopAll();
  }

  const common = runInfo('dovecot', startedAt, machine);
  const settings = {
    messages: count,
    octets: totalOctets,
    durationS: args.durationS,
    rounds: args.rounds,
    warmupS: args.warmupS,
  };
  const loginResults = outcomeResults(labels, loginOutcomes, unavailable);
  const retrResults = outcomeResults(labels, retrOutcomes, unavailable);
  const reports: BenchReport[] = [
    {
      ...common,
      bench: 'pop3-login',
      title: `POP3 logins: poplib login + STAT + QUIT on a ${String(count)}-message INBOX`,
      unit: 'logins/s',
      settings,
      subjects: loginResults,
      ratios: [ratioOf(loginResults, 'outpost', 'dovecot')],
      targets: [targetOf(loginResults, 'Outpost logins/s >= 2x Dovecot', 'outpost', 'dovecot', 2)],
    },
    {
      ...common,
      bench: 'pop3-retr',
      title: `POP3 RETR of all ${String(count)} messages in one session (messages/s)`,
      unit: 'messages/s',
      settings,
      subjects: retrResults,
      ratios: [ratioOf(retrResults, 'outpost', 'dovecot')],
      targets: [targetOf(retrResults, 'Outpost RETR-all no slower than Dovecot', 'outpost', 'dovecot', 1)],
    },
  ];
  for (const report of reports) {
    publishReport(report);
  }
  for (const r of retrResults) {
    if (r.median !== null) console.log(`RETR-all ${r.name}: ${(count / r.median).toFixed(3)} s (median)`);
  }
  console.log(machineSummary(machine, common.loadAvgAfter));
}

main().catch((err: unknown) => {
  console.error(`pop3 bench: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 2;
});
