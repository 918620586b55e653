/**
 * The SMTP servers the benchmark compares, each started pinned to the server core on a free port
 * of 127.0.0.1 with its files in the run's temp directory: Outpost's MX (`outpost serve`,
 * every message committed durably before 250), a real Postfix (smtpd + cleanup + its disk queue,
 * delivering to `discard:` so only the receiving half is measured; run as `master -c DIR -d`
 * with its own queue and data directories, PEERS.md), and Postfix's smtp-sink (no storage, the
 * fast reference).
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { startPeer, type Peer } from '../lib/peer.js';
import { freePort, tcpPortOpen } from '../lib/ports.js';
import type { TempDir } from '../lib/temp.js';
import { requireCommand, SERVER_CORE } from '../lib/tools.js';

import { ROOT } from '../lib/root.js';

/** The domain and mailbox every server accepts. */
export const BENCH_DOMAIN = 'bench.test';
export const BENCH_RECIPIENT = `bob@${BENCH_DOMAIN}`;

/** A started server. */
export interface RunningServer {
  readonly peer: Peer;
  readonly port: number;
  /** Messages the server durably holds, when it can tell (Outpost's store); null otherwise. */
  stored(): number | null;
}

/** One contender. */
export interface SmtpServerDef {
  readonly name: string;
  label(): string;
  start(tmp: TempDir): Promise<RunningServer>;
}

function version(cmd: string, args: string[], re: RegExp): string {
  const out = spawnSync(cmd, args, { encoding: 'utf8' });
  return re.exec(`${out.stdout}${out.stderr}`)?.[1] ?? '?';
}

/** Newest modification time under `dir` of files ending in `ext`, in ms (0 when none). */
function newest(dir: string, ext: string): number {
  if (!existsSync(dir)) return 0;
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p, ext));
    else if (e.name.endsWith(ext)) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

/** `outpost serve` from dist/ when it is newer than the mail sources, else the Suite through tsx. */
function outpostCommand(conf: string): { args: string[]; how: string } {
  const built = newest(join(ROOT, 'dist', 'src', 'mail'), '.js');
  if (built > 0 && built >= newest(join(ROOT, 'src', 'mail'), '.ts')) {
    return {
      args: [join(ROOT, 'bin', 'outpost'), 'serve', '--config', conf, '--log-level', 'silent'],
      how: 'dist',
    };
  }
  const script = join(ROOT, 'bench', 'smtp', 'outpost-serve.ts');
  return { args: ['--import', 'tsx', script, conf], how: 'sources via tsx: dist/ is stale' };
}

const outpost: SmtpServerDef = {
  name: 'outpost',
  label: () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    return `Outpost ${pkg.version} MX, SQLite WAL synchronous=FULL, group commit (${outpostCommand('').how})`;
  },
  async start(tmp) {
    const port = await freePort();
    const dataDir = tmp.path('outpost-data');
    const q = (s: string): string => JSON.stringify(s);
    const conf = tmp.write(
      'outpost.toml',
      [
        `data_dir = ${q(dataDir)}`,
        `hostname = "outpost.${BENCH_DOMAIN}"`,
        '[[domains]]',
        `name = ${q(BENCH_DOMAIN)}`,
        '[[users]]',
        `address = ${q(BENCH_RECIPIENT)}`,
        'password = "bench-password-1"',
        '[smtp]',
        `listen = [${q(`127.0.0.1:${port}`)}]`,
        '',
      ].join('\n'),
    );
    const peer = await startPeer({
      name: 'outpost',
      command: process.execPath,
      args: outpostCommand(conf).args,
      cwd: ROOT,
      core: SERVER_CORE,
      logFile: tmp.path('outpost.log'),
      ready: () => tcpPortOpen(port),
      readyTimeoutMs: 20_000,
    });
    return {
      peer,
      port,
      stored: () => countOutpostMessages(join(dataDir, 'mail.db')),
    };
  },
};

function countOutpostMessages(path: string): number | null {
  const out = spawnSync(
    process.execPath,
    [
      '-e',
      `const D=require('better-sqlite3');const d=new D(process.argv[1],{readonly:true});` +
        `console.log(d.prepare('SELECT COUNT(*) AS n FROM mail_messages').get().n)`,
      path,
    ],
    { encoding: 'utf8', cwd: ROOT },
  );
  const n = Number(out.stdout.trim());
  return out.status === 0 && Number.isFinite(n) ? n : null;
}

function postfixMainCf(dir: string): string {
  return [
    'compatibility_level = 3.6',
    `queue_directory = ${dir}/queue`,
    `data_directory = ${dir}/data`,
    'command_directory = /usr/sbin',
    'daemon_directory = /usr/lib/postfix/sbin',
    'meta_directory = /etc/postfix',
    'shlib_directory = /usr/lib/postfix',
    'mail_owner = postfix',
    'setgid_group = postdrop',
    `myhostname = postfix.${BENCH_DOMAIN}`,
    'inet_interfaces = 127.0.0.1',
    'inet_protocols = ipv4',
    `mydestination = ${BENCH_DOMAIN}`,
    'local_recipient_maps =',
    'mynetworks = 127.0.0.0/8',
    'smtpd_recipient_restrictions = permit_mynetworks, reject',
    // Measure the receiving half: smtpd, cleanup and the fsync'd queue file; delivery is discarded.
    'local_transport = discard:',
    'default_transport = discard:',
    `maillog_file = ${dir}/maillog`,
    `maillog_file_prefixes = ${dir}`,
    'biff = no',
    '',
  ].join('\n');
}

const postfix: SmtpServerDef = {
  name: 'postfix',
  label: () =>
    `Postfix ${version('postconf', ['-d', 'mail_version'], /= (\S+)/)} smtpd + disk queue (discard delivery)`,
  async start(tmp) {
    const port = await freePort();
    const dir = tmp.path('postfix');
    for (const sub of ['conf', 'queue', 'data']) mkdirSync(join(dir, sub), { recursive: true });
    // mkdtemp makes the run directory 0700; Postfix's unprivileged daemons must traverse it.
    chmodSync(tmp.dir, 0o755);
    // Postfix insists that its data directory belongs to mail_owner (PEERS.md).
    const pf = spawnSync('id', ['-u', 'postfix'], { encoding: 'utf8' });
    if (pf.status === 0) chownSync(join(dir, 'data'), Number(pf.stdout.trim()), -1);
    writeFileSync(join(dir, 'conf', 'main.cf'), postfixMainCf(dir));
    const master = readFileSync('/etc/postfix/master.cf', 'utf8').replace(
      /^smtp\s+inet\s.*$/m,
      `127.0.0.1:${port} inet n - n - - smtpd`,
    );
    writeFileSync(join(dir, 'conf', 'master.cf'), master);
    const check = spawnSync(requireCommand('postfix'), ['-c', join(dir, 'conf'), 'check'], {
      encoding: 'utf8',
    });
    if (check.status !== 0) throw new Error(`postfix check failed: ${check.stderr}`);
    const peer = await startPeer({
      name: 'postfix',
      command: '/usr/lib/postfix/sbin/master',
      args: ['-c', join(dir, 'conf'), '-d'],
      core: SERVER_CORE,
      logFile: join(dir, 'master.out'),
      extraLogs: [join(dir, 'maillog')],
      ready: () => tcpPortOpen(port),
    });
    return { peer, port, stored: () => null };
  },
};

const smtpSink: SmtpServerDef = {
  name: 'smtp-sink',
  label: () => 'Postfix smtp-sink (stores nothing: the fast reference)',
  async start(tmp) {
    const port = await freePort();
    const peer = await startPeer({
      name: 'smtp-sink',
      command: requireCommand('smtp-sink'),
      // As root smtp-sink needs an unprivileged user to run as.
      args: [...(process.getuid?.() === 0 ? ['-u', 'postfix'] : []), `127.0.0.1:${port}`, '1024'],
      core: SERVER_CORE,
      logFile: tmp.path('smtp-sink.log'),
      ready: () => tcpPortOpen(port),
    });
    return { peer, port, stored: () => null };
  },
};

/** Every contender, in the order they are shown and measured. */
export const SMTP_SERVERS: readonly SmtpServerDef[] = [outpost, postfix, smtpSink];
