/**
 * FTP benchmark (issue 7): curl downloads and uploads a large file (1 GiB by default) from/to
 * Outpost and vsftpd on loopback, and 300 sessions log in at once (time, and the servers' memory
 * as PSS with every session open). Servers pinned to core 0, the load to core 1, servers
 * alternating within each round. Prints MB/s, logins/s, MiB and the ratios against the issue's
 * targets (download >= 90% of vsftpd, upload >= vsftpd, logins faster and leaner), plus the disk's
 * own write-then-fdatasync rate beside Outpost's default (fsync'ed) uploads, and writes
 * JSON + SVG per measurement to bench/results/. It never asserts.
 * Run: `npm run bench -- ftp [--size MiB] [--logins N] [--rounds N] [--only outpost,vsftpd]`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseBenchArgs, usage, type BenchDefaults } from './lib/args.js';
import { runLoad } from './lib/load.js';
import { machineInfo } from './lib/machine.js';
import { peerSet, runInfo } from './lib/run.js';
import { outcomeResult, ratioOf, targetOf, type BenchReport, type SubjectResult } from './lib/report.js';
import { machineSummary, publishReport } from './lib/results.js';
import { alternate, markUnavailable, type RoundOutcome, type RoundSubject } from './lib/rounds.js';
import { formatNumber } from './lib/table.js';
import { makeTempDir } from './lib/temp.js';
import { canPin, LOAD_CORE, pinned, requireCommand } from './lib/tools.js';
import { FTP_SERVERS, type FtpTarget } from './ftp/servers.js';
import { ROOT } from './lib/root.js';
import { treePss } from './ftp/memory.js';

const DEFAULTS: BenchDefaults = { durationS: 0, rounds: 3, warmupS: 1 };
const FILE = 'bench.bin';
const DISK = 'disk';

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function writeRandomFile(path: string, bytes: number): Promise<void> {
  const out = createWriteStream(path);
  const block = randomBytes(1024 * 1024);
  for (let left = bytes; left > 0; left -= block.length) {
    const chunk = left >= block.length ? block : block.subarray(0, left);
    if (!out.write(chunk))
      await new Promise<void>((r) =>
        out.once('drain', () => {
          r();
        }),
      );
  }
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => {
      if (err) reject(err);
      else resolve();
    }),
  );
}

const url = (t: FtpTarget, path: string): string => `ftp://127.0.0.1:${t.port}${path}`;

async function curlRate(args: string[], field: 'speed_download' | 'speed_upload'): Promise<number> {
  const out = await runLoad({
    command: requireCommand('curl'),
    args: ['-sS', '--fail', '-w', `%{${field}}`, ...args],
    core: LOAD_CORE,
    timeoutMs: 600_000,
  });
  const bytesPerS = Number(out.stdout.trim());
  if (!Number.isFinite(bytesPerS) || bytesPerS <= 0) throw new Error(`curl: ${out.stderr}`);
  return bytesPerS / 1e6;
}

interface LoginDetail {
  ms: number;
  ok: number;
  failed: number;
  pssBytes: number;
  idlePssBytes: number;
  processes: number;
}

async function loginRound(t: FtpTarget, count: number): Promise<LoginDetail> {
  const idle = treePss(t.peer.pid);
  const { command, args } = pinned(LOAD_CORE, process.execPath, [
    '--import',
    'tsx',
    join(ROOT, 'bench', 'ftp', 'logins.ts'),
    String(t.port),
    String(count),
    t.login.user,
    t.login.password,
  ]);
  const child = spawn(command, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (c: string) => {
      buf += c;
      const i = buf.indexOf('\n');
      if (i !== -1) resolve(buf.slice(0, i));
    });
    child.once('exit', (code) => {
      reject(new Error(`login load exited with ${code}`));
    });
    setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('logins did not complete within 120 s'));
    }, 120_000).unref();
  });
  const result = JSON.parse(line) as { ms: number; ok: number; failed: number };
  const peak = treePss(t.peer.pid);
  child.stdin.end('quit\n');
  await new Promise((r) => child.once('exit', r));
  if (result.failed > 0) throw new Error(`${result.failed} of ${count} logins failed`);
  return { ...result, pssBytes: peak.bytes, idlePssBytes: idle.bytes, processes: peak.processes };
}

function results<D>(
  names: readonly string[],
  labels: Map<string, string>,
  outcomes: Map<string, RoundOutcome<D>>,
  unavailable: Map<string, string>,
  value?: (d: D) => number,
): SubjectResult[] {
  return names.map((name) =>
    outcomeResult(name, labels.get(name) ?? name, outcomes.get(name), unavailable.get(name), value),
  );
}

async function main(): Promise<void> {
  const names = FTP_SERVERS.map((s) => s.name);
  const argv = process.argv.slice(2);
  // --size and --logins are this bench's own; the rest are the shared options.
  const own = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i === -1 ? undefined : argv[i + 1];
  };
  const rest = argv.filter(
    (a, i) => !['--size', '--logins'].includes(a) && !['--size', '--logins'].includes(argv[i - 1] ?? ''),
  );
  const args = parseBenchArgs(rest, DEFAULTS, names);
  if (args.help) {
    console.log(
      `${usage('ftp', names, DEFAULTS)}\n  --size MiB     file size for download/upload (default 1024)\n  --logins N     concurrent logins (default 300)\n  (--duration is unused: transfers are sized, not timed)`,
    );
    return;
  }
  const sizeMiB = Number(own('size') ?? 1024);
  const loginCount = Number(own('logins') ?? 300);
  requireCommand('curl');
  requireCommand('vsftpd');
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  const selected = FTP_SERVERS.filter((s) => args.only === undefined || args.only.includes(s.name));
  const tmp = makeTempDir('ftp', args.keep);
  const root = tmp.path('root');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(root, { recursive: true });
  log(
    `ftp bench: ${selected.map((s) => s.name).join(', ')}; ${sizeMiB} MiB file, ${loginCount} logins, ${args.rounds} rounds`,
  );
  log(`  temp dir ${tmp.dir}${canPin() ? '' : '  (NOT pinned: needs taskset and 2 cores)'}`);
  await writeRandomFile(join(root, FILE), sizeMiB * 1024 * 1024);
  const uploadSource = join(root, FILE);
  const targets = new Map<string, FtpTarget>();
  const labels = new Map<string, string>();
  const unavailable = new Map<string, string>();
  const { peers, stopAll } = peerSet(tmp);
  for (const def of selected) {
    try {
      const t = await def.start(tmp, root, FILE);
      targets.set(def.name, t);
      peers.push(t.peer);
      labels.set(def.name, def.label());
      log(
        `  ${def.name.padEnd(8)} ready on 127.0.0.1:${t.port} (pid ${t.peer.pid}): ${labels.get(def.name) ?? ''}`,
      );
    } catch (err) {
      markUnavailable(unavailable, def.name, err, log, 8);
      labels.set(def.name, def.name);
    }
  }
  const rounds = { rounds: args.rounds, durationS: 0, warmupS: args.warmupS };
  let counter = 0;
  const subjects = (kind: 'download' | 'upload'): RoundSubject<number>[] =>
    [...targets].map(([name, t]) => ({
      name,
      measure: async () => {
        // Start each transfer with no dirty pages: writeback left by an earlier upload (or by
        // writing the test file) would otherwise land on whichever server runs next.
        spawnSync('sync');
        let value: number;
        if (kind === 'download') {
          value = await curlRate(
            [
              '--user',
              `${t.download.user}:${t.download.password}`,
              '-o',
              '/dev/null',
              url(t, t.download.path),
            ],
            'speed_download',
          );
        } else {
          const remote = `up-${++counter}.bin`;
          value = await curlRate(
            [
              '--user',
              `${t.upload.user}:${t.upload.password}`,
              '-T',
              uploadSource,
              url(t, `${t.upload.path}${remote}`),
            ],
            'speed_upload',
          );
          rmSync(join(t.upload.dir, remote), { force: true });
        }
        return { value, detail: value };
      },
    }));
  // The disk's durable write rate in the same rounds, for reading the fsync'ed (default) upload
  // figures: dd writes, then syncs once; Outpost starts writeback while the upload still arrives.
  const diskSubject: RoundSubject<number> = {
    name: DISK,
    measure: async () => {
      spawnSync('sync');
      const target = tmp.path('dd.bin');
      const out = await runLoad({
        command: requireCommand('dd'),
        args: [`if=${uploadSource}`, `of=${target}`, 'bs=1M', 'conv=fdatasync'],
        core: LOAD_CORE,
        timeoutMs: 600_000,
      });
      rmSync(target, { force: true });
      const m = /^(\d+) bytes .* copied, ([\d.]+) s/m.exec(out.stderr);
      if (!m) throw new Error(`dd: ${out.stderr}`);
      const value = Number(m[1]) / Number(m[2]) / 1e6;
      return { value, detail: value };
    },
  };
  labels.set(DISK, 'dd bs=1M conv=fdatasync: the same file written, then synced once (no overlap)');
  const loginSubjects: RoundSubject<LoginDetail>[] = [...targets].map(([name, t]) => ({
    name,
    measure: async () => {
      const d = await loginRound(t, loginCount);
      return { value: loginCount / (d.ms / 1000), detail: d };
    },
  }));
  let down, up, logins;
  try {
    log('download (curl RETR, MB/s):');
    down = await alternate(subjects('download'), rounds, log, (v) => `${v.toFixed(0)} MB/s`);
    log('upload (curl STOR, MB/s):');
    up = await alternate(
      [...subjects('upload'), diskSubject],
      { ...rounds, warmupS: 0 },
      log,
      (v) => `${v.toFixed(0)} MB/s`,
    );
    log(`${loginCount} concurrent logins (logins/s):`);
    logins = await alternate(
      loginSubjects,
      { ...rounds, warmupS: 0 },
      log,
      (v) => `${v.toFixed(0)} logins/s`,
    );
  } finally {
    await stopAll();
  }
  const order = selected.map((s) => s.name);
  const base = runInfo('vsftpd', startedAt, machine);
  const settings = {
    sizeMiB,
    logins: loginCount,
    rounds: args.rounds,
    warmupS: args.warmupS,
    client: 'curl (load core)',
  };
  const downR = results(order, labels, down, unavailable);
  const upR = results([...order, DISK], labels, up, unavailable);
  const loginR = results(order, labels, logins, unavailable);
  const memR = results(order, labels, logins, unavailable, (d) => d.pssBytes / 2 ** 20);
  const reports: BenchReport[] = [
    {
      ...base,
      bench: 'ftp-download',
      title: `FTP download, ${sizeMiB} MiB, curl on loopback`,
      unit: 'MB/s',
      settings,
      subjects: downR,
      ratios: [ratioOf(downR, 'outpost', 'vsftpd')],
      targets: [targetOf(downR, 'Outpost download >= 90% of vsftpd', 'outpost', 'vsftpd', 0.9)],
    },
    {
      ...base,
      bench: 'ftp-upload',
      title: `FTP upload, ${sizeMiB} MiB, curl on loopback (Outpost fsyncs before 226)`,
      unit: 'MB/s',
      settings,
      subjects: upR,
      ratios: [
        ratioOf(upR, 'outpost', 'vsftpd'),
        ratioOf(upR, 'outpost-nofsync', 'vsftpd'),
        ratioOf(upR, 'outpost', DISK),
      ],
      targets: [
        targetOf(upR, 'Outpost upload >= vsftpd', 'outpost', 'vsftpd', 1),
        targetOf(upR, 'Outpost (fsync = false, as vsftpd) upload >= vsftpd', 'outpost-nofsync', 'vsftpd', 1),
      ],
    },
    {
      ...base,
      bench: 'ftp-logins',
      title: `${loginCount} concurrent FTP logins`,
      unit: 'logins/s',
      settings,
      subjects: loginR,
      ratios: [ratioOf(loginR, 'outpost', 'vsftpd')],
      targets: [targetOf(loginR, 'Outpost logs in faster than vsftpd', 'outpost', 'vsftpd', 1)],
    },
    {
      ...base,
      bench: 'ftp-memory',
      title: `Server memory (PSS, MiB; lower is better) with ${loginCount} sessions logged in`,
      unit: 'MiB PSS',
      settings,
      subjects: memR,
      ratios: [ratioOf(memR, 'vsftpd', 'outpost')],
      targets: [targetOf(memR, 'vsftpd PSS / Outpost PSS >= 1 (Outpost leaner)', 'vsftpd', 'outpost', 1)],
    },
  ];
  for (const report of reports) {
    publishReport(report);
  }
  for (const s of loginR) {
    const d = s.details as LoginDetail[];
    for (const x of d)
      console.log(
        `  ${s.name}: ${x.ok} logins in ${formatNumber(Math.round(x.ms))} ms, PSS ${(x.pssBytes / 2 ** 20).toFixed(1)} MiB (idle ${(x.idlePssBytes / 2 ** 20).toFixed(1)} MiB) in ${x.processes} process(es)`,
      );
  }
  console.log(machineSummary(machine, base.loadAvgAfter));
}

main().catch((err: unknown) => {
  console.error(`ftp bench: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 2;
});
