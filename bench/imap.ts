/**
 * IMAP benchmark (issue 16): Outpost against Dovecot 2.3 on the same 10,000-message INBOX,
 * servers pinned to core 0 and the load tool (bench/imap/load.ts, one small Node client for both)
 * to core 1, alternating in every round. Five figures: logins/s (LOGIN + SELECT INBOX + LOGOUT,
 * 50 concurrent clients), the time of `FETCH 1:* (ENVELOPE FLAGS)` on the whole INBOX, the time
 * of `UID SEARCH TEXT "…"` (a needle one message holds, so every message is searched), APPEND
 * messages/s with durable commit (16 concurrent clients, 4 KiB message) and the memory per idle
 * IDLE session (500 sessions; PSS delta of the server's process tree, and for Outpost also its
 * heap after a full GC). Prints the medians, the ratios and the targets (logins >=
 * Dovecot, FETCH <= 1.5x Dovecot's time, SEARCH <= 2x, <= 64 KiB per IDLE session) and writes
 * JSON + SVG to bench/results/. It never asserts.
 * Run: `npm run bench -- imap [--duration S] [--rounds N] [--warmup S] [--only a,b]
 *       [--messages N] [--sessions N]`.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseBenchArgs, usage, type BenchDefaults } from './lib/args.js';
import { runLoad } from './lib/load.js';
import { machineInfo } from './lib/machine.js';
import { peerSet, runInfo, subjectLabel } from './lib/run.js';
import { outcomeResults, ratioOf, targetOf, type BenchReport } from './lib/report.js';
import { machineSummary, publishReport } from './lib/results.js';
import { ROOT } from './lib/root.js';
import { alternate, markUnavailable, type RoundOutcome, type RoundSubject } from './lib/rounds.js';
import { median } from './lib/stats.js';
import { formatNumber } from './lib/table.js';
import { makeTempDir } from './lib/temp.js';
import { canPin, LOAD_CORE, pinned } from './lib/tools.js';
import { treePss } from './ftp/memory.js';
import { IMAP_SERVERS, PASSWORD, USER, type RunningServer } from './imap/servers.js';
import { benchMailbox, benchMessage } from './mail/mailbox.js';
import { prng } from '../test/dns/helpers.js';

const DEFAULTS: BenchDefaults = { durationS: 5, rounds: 3, warmupS: 2 };
const LOAD_SCRIPT = join(ROOT, 'bench', 'imap', 'load.ts');
const LOGIN_CLIENTS = 50;
const APPEND_CLIENTS = 16;
const APPEND_MAILBOX = 'Appended';
/** Message 4999's Message-ID: in one message only, so TEXT must look at every message. */
const NEEDLE = 'bench-4999@example.net';
/** The ceiling for one idle IDLE session. */
const IDLE_TARGET_KIB = 64;

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

interface LoginDetail {
  logins: number;
  seconds: number;
  exists: number;
}
interface FetchDetail {
  times: number[];
  exists: number;
  messages: number;
  octets: number;
}
interface SearchDetail {
  times: number[];
  exists: number;
  hits: number;
}
interface AppendDetail {
  appends: number;
  seconds: number;
}
interface IdleDetail {
  sessions: number;
  pssBefore: number;
  pssAfter: number;
  processes: number;
  heapBefore?: number;
  heapAfter?: number;
}

const loadArgs = (mode: string, port: number, extra: (string | number)[]): string[] => [
  '--import',
  'tsx',
  LOAD_SCRIPT,
  mode,
  '127.0.0.1',
  String(port),
  USER,
  PASSWORD,
  ...extra.map(String),
];

async function loadTool<T>(
  mode: string,
  port: number,
  extra: (string | number)[],
  timeoutMs: number,
): Promise<T> {
  const out = await runLoad({
    command: process.execPath,
    args: loadArgs(mode, port, extra),
    core: LOAD_CORE,
    timeoutMs,
  });
  return JSON.parse(out.stdout) as T;
}

/**
 * The server's heap (after a full GC, where it can report it) and its tree's PSS. Two GCs two
 * seconds apart first, so pages V8 frees lazily after the earlier phases are gone before PSS is
 * read, and do not turn up as a negative delta later.
 */
async function settledMemory(
  server: RunningServer,
): Promise<{ heap: number | undefined; pss: ReturnType<typeof treePss> }> {
  await server.heap?.();
  await new Promise((r) => setTimeout(r, 2000));
  const heap = await server.heap?.();
  return { heap, pss: treePss(server.peer.pid) };
}

/** Opens `sessions` IDLE sessions, measures the server while they idle, then ends them. */
async function idleRound(server: RunningServer, sessions: number): Promise<IdleDetail> {
  const { heap: heapBefore, pss: before } = await settledMemory(server);
  const { command, args } = pinned(LOAD_CORE, process.execPath, loadArgs('idle', server.port, [sessions]));
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`IDLE sessions not ready after 120 s: ${stderr}`));
    }, 120_000);
    child.stdout.on('data', (c: string) => {
      stdout += c;
      if (stdout.includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`IDLE load exited (${String(code)}): ${stderr}`));
    });
  });
  const { heap: heapAfter, pss: after } = await settledMemory(server);
  child.stdin.end();
  const code = await exited;
  if (code !== 0) throw new Error(`IDLE load failed (${String(code)}): ${stderr}`);
  return {
    sessions,
    pssBefore: before.bytes,
    pssAfter: after.bytes,
    processes: after.processes,
    ...(heapBefore === undefined || heapAfter === undefined ? {} : { heapBefore, heapAfter }),
  };
}

const perSessionKiB = (d: IdleDetail): number => (d.pssAfter - d.pssBefore) / d.sessions / 1024;
const heapPerSessionKiB = (d: IdleDetail): number | null =>
  d.heapAfter === undefined || d.heapBefore === undefined
    ? null
    : (d.heapAfter - d.heapBefore) / d.sessions / 1024;

function own(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i === -1 ? undefined : argv.splice(i, 2)[1];
}

async function main(): Promise<void> {
  const names = IMAP_SERVERS.map((s) => s.name);
  const argv = process.argv.slice(2);
  const count = Number(own(argv, 'messages') ?? 10_000);
  const sessions = Number(own(argv, 'sessions') ?? 500);
  const args = parseBenchArgs(argv, DEFAULTS, names);
  if (args.help) {
    console.log(
      `${usage('imap', names, DEFAULTS)}\n  --messages N   messages in the INBOX (default 10000)\n  --sessions N   IDLE sessions for the memory figure (default 500)`,
    );
    return;
  }
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  const selected = IMAP_SERVERS.filter((s) => args.only === undefined || args.only.includes(s.name));
  const tmp = makeTempDir('imap', args.keep);
  const messages = benchMailbox(count);
  const totalOctets = messages.reduce((n, m) => n + m.length, 0);
  const appendFile = tmp.path('append.eml');
  const appendMessage = benchMessage(count, prng(16));
  tmp.write('append.eml', appendMessage.toString('latin1'));
  const { peers, stopAll } = peerSet(tmp);

  log(
    `imap bench: ${selected.map((s) => s.name).join(', ')}; ${String(count)} messages (${formatNumber(totalOctets)} octets)`,
  );
  log(
    `  ${String(args.rounds)} rounds of ${String(args.durationS)} s per figure; ${String(LOGIN_CLIENTS)} login clients, ${String(APPEND_CLIENTS)} APPEND clients, ${String(sessions)} IDLE sessions`,
  );
  log(`  temp dir ${tmp.dir}${canPin() ? '' : '  (NOT pinned: needs taskset and 2 cores)'}`);
  const unavailable = new Map<string, string>();
  const labels: { name: string; label: string }[] = [];
  const logins: RoundSubject<LoginDetail>[] = [];
  const fetches: RoundSubject<FetchDetail>[] = [];
  const searches: RoundSubject<SearchDetail>[] = [];
  const appends: RoundSubject<AppendDetail>[] = [];
  const idles: RoundSubject<IdleDetail>[] = [];
  for (const def of selected) {
    labels.push({ name: def.name, label: subjectLabel(def) });
    try {
      const t0 = Date.now();
      const server = await def.start(tmp, messages, sessions);
      peers.push(server.peer);
      const { port } = server;
      const probe = await loadTool<SearchDetail>('search', port, [0.001, NEEDLE], 300_000);
      if (probe.exists !== count)
        throw new Error(`SELECT says ${String(probe.exists)} EXISTS, expected ${String(count)}`);
      if (probe.hits !== 1) throw new Error(`SEARCH TEXT found ${String(probe.hits)} messages, expected 1`);
      log(
        `  ${def.name.padEnd(10)} ready on 127.0.0.1:${String(port)} (pid ${String(server.peer.pid)}) in ${String(Date.now() - t0)} ms; EXISTS and SEARCH verified`,
      );
      logins.push({
        name: def.name,
        measure: async (durationS) => {
          const r = await loadTool<LoginDetail>(
            'logins',
            port,
            [durationS, LOGIN_CLIENTS],
            (durationS + 60) * 1000,
          );
          if (r.exists !== count) throw new Error(`SELECT says ${String(r.exists)} EXISTS`);
          return { value: r.logins / r.seconds, detail: r };
        },
      });
      fetches.push({
        name: def.name,
        measure: async (durationS) => {
          const r = await loadTool<FetchDetail>('fetch', port, [durationS], (durationS + 300) * 1000);
          if (r.messages !== count) throw new Error(`FETCH answered ${String(r.messages)} messages`);
          return { value: median(r.times), detail: r };
        },
      });
      searches.push({
        name: def.name,
        measure: async (durationS) => {
          const r = await loadTool<SearchDetail>(
            'search',
            port,
            [durationS, NEEDLE],
            (durationS + 300) * 1000,
          );
          if (r.hits !== 1) throw new Error(`SEARCH found ${String(r.hits)} messages`);
          return { value: median(r.times), detail: r };
        },
      });
      appends.push({
        name: def.name,
        measure: async (durationS) => {
          const r = await loadTool<AppendDetail>(
            'append',
            port,
            [durationS, APPEND_CLIENTS, APPEND_MAILBOX, appendFile],
            (durationS + 60) * 1000,
          );
          return { value: r.appends / r.seconds, detail: r };
        },
      });
      idles.push({
        name: def.name,
        measure: async () => {
          const d = await idleRound(server, sessions);
          return { value: perSessionKiB(d), detail: d };
        },
      });
    } catch (err) {
      markUnavailable(unavailable, def.name, err, log, 10);
    }
  }

  let loginOut: Map<string, RoundOutcome<LoginDetail>>;
  let fetchOut: Map<string, RoundOutcome<FetchDetail>>;
  let searchOut: Map<string, RoundOutcome<SearchDetail>>;
  let appendOut: Map<string, RoundOutcome<AppendDetail>>;
  let idleOut: Map<string, RoundOutcome<IdleDetail>>;
  const seconds = (v: number): string => `${(v * 1000).toFixed(1)} ms`;
  try {
    log(`logins (LOGIN + SELECT INBOX + LOGOUT, ${String(LOGIN_CLIENTS)} concurrent clients):`);
    loginOut = await alternate(logins, args, log, (v) => `${v.toFixed(1)} logins/s`);
    log(`FETCH 1:* (ENVELOPE FLAGS) on ${String(count)} messages (median time of the repeats):`);
    fetchOut = await alternate(fetches, args, log, seconds);
    log(`UID SEARCH TEXT "${NEEDLE}" (median time of the repeats):`);
    searchOut = await alternate(searches, args, log, seconds);
    log(
      `APPEND (${String(APPEND_CLIENTS)} concurrent clients, ${String(appendMessage.length)} octets, durable):`,
    );
    appendOut = await alternate(appends, args, log, (v) => `${v.toFixed(1)} messages/s`);
    log(`memory per idle IDLE session (${String(sessions)} sessions on INBOX):`);
    idleOut = await alternate(idles, { ...args, warmupS: 0 }, log, (v) => `${v.toFixed(1)} KiB PSS/session`);
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
    loginClients: LOGIN_CLIENTS,
    appendClients: APPEND_CLIENTS,
    idleSessions: sessions,
    needle: NEEDLE,
  };
  // Times become rates (higher is better, as the tables expect): messages/s and searches/min.
  const fetchR = outcomeResults(labels, fetchOut, unavailable, (d) => d.messages / median(d.times));
  const searchR = outcomeResults(labels, searchOut, unavailable, (d) => 60 / median(d.times));
  const loginR = outcomeResults(labels, loginOut, unavailable);
  const appendR = outcomeResults(labels, appendOut, unavailable);
  const idleR = outcomeResults(labels, idleOut, unavailable, perSessionKiB);
  const reports: BenchReport[] = [
    {
      ...common,
      bench: 'imap-login',
      title: `IMAP logins: LOGIN + SELECT INBOX (${String(count)} messages) + LOGOUT, ${String(LOGIN_CLIENTS)} clients`,
      unit: 'logins/s',
      settings,
      subjects: loginR,
      ratios: [ratioOf(loginR, 'outpost', 'dovecot')],
      targets: [targetOf(loginR, 'Outpost logins/s >= Dovecot', 'outpost', 'dovecot', 1)],
    },
    {
      ...common,
      bench: 'imap-fetch',
      title: `IMAP FETCH 1:* (ENVELOPE FLAGS) on ${String(count)} messages (messages/s)`,
      unit: 'messages/s',
      settings,
      subjects: fetchR,
      ratios: [ratioOf(fetchR, 'outpost', 'dovecot')],
      targets: [targetOf(fetchR, "Outpost FETCH time <= 1.5x Dovecot's", 'outpost', 'dovecot', 1 / 1.5)],
    },
    {
      ...common,
      bench: 'imap-search',
      title: `IMAP UID SEARCH TEXT on ${String(count)} messages (searches/min)`,
      unit: 'searches/min',
      settings,
      subjects: searchR,
      ratios: [ratioOf(searchR, 'outpost', 'dovecot')],
      targets: [targetOf(searchR, "Outpost SEARCH time <= 2x Dovecot's", 'outpost', 'dovecot', 0.5)],
    },
    {
      ...common,
      bench: 'imap-append',
      title: `IMAP APPEND, ${String(APPEND_CLIENTS)} clients, durable (messages/s)`,
      unit: 'messages/s',
      settings,
      subjects: appendR,
      ratios: [ratioOf(appendR, 'outpost', 'dovecot')],
      targets: [],
    },
    {
      ...common,
      bench: 'imap-idle-memory',
      title: `IMAP memory per idle IDLE session, ${String(sessions)} sessions (KiB PSS; lower is better)`,
      unit: 'KiB PSS/session',
      settings,
      subjects: idleR,
      ratios: [ratioOf(idleR, 'dovecot', 'outpost')],
      targets: [],
    },
  ];
  for (const report of reports) publishReport(report);
  const ms = (d: number | null): string => (d === null ? 'n/a' : `${(d * 1000).toFixed(1)} ms`);
  for (const [what, r] of [
    ['FETCH', fetchR],
    ['SEARCH', searchR],
  ] as const) {
    for (const s of r) {
      if (s.median !== null)
        console.log(`${what} ${s.name}: ${ms(what === 'FETCH' ? count / s.median : 60 / s.median)} (median)`);
    }
  }
  for (const s of idleR) {
    const details = idleOut.get(s.name)?.details ?? [];
    const heaps = details.map(heapPerSessionKiB).filter((h): h is number => h !== null);
    const heap = heaps.length ? `, heap ${median(heaps).toFixed(1)} KiB/session` : '';
    if (s.median === null) continue;
    const verdict =
      s.name === 'outpost'
        ? ` (target <= ${String(IDLE_TARGET_KIB)} KiB: ${s.median <= IDLE_TARGET_KIB ? 'MET' : 'NOT MET'})`
        : '';
    console.log(`IDLE memory ${s.name}: ${s.median.toFixed(1)} KiB PSS/session${heap}${verdict}`);
  }
  console.log(machineSummary(machine, common.loadAvgAfter));
}

main().catch((err: unknown) => {
  console.error(`imap bench: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 2;
});
