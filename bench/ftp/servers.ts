/**
 * The two FTP servers the benchmark compares, each pinned to the server core on a free port of
 * 127.0.0.1 and serving the same directory: vsftpd (anonymous download from its root, anonymous
 * upload into incoming/) and Outpost (`outpost serve`, the same root as its anonymous_root for
 * downloads, a suite user's home for uploads, since anonymous is read-only there).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startPeer, type Peer } from '../lib/peer.js';
import { freePort, tcpPortOpen } from '../lib/ports.js';
import type { TempDir } from '../lib/temp.js';
import { requireCommand, SERVER_CORE } from '../lib/tools.js';
import { writeVsftpdConfig } from '../../test/ftp/vsftpd.js';

import { ROOT } from '../lib/root.js';

/** What a started server offers the load tools. */
export interface FtpTarget {
  readonly peer: Peer;
  readonly port: number;
  /** Download URL path and credentials. */
  readonly download: { readonly path: string; readonly user: string; readonly password: string };
  /** Upload directory URL path and credentials; `dir` is where files land on disk. */
  readonly upload: {
    readonly path: string;
    readonly user: string;
    readonly password: string;
    readonly dir: string;
  };
  /** Credentials for the login benchmark. */
  readonly login: { readonly user: string; readonly password: string };
}

/** One contender. */
export interface FtpServerDef {
  readonly name: string;
  label(): string;
  /** `root` holds the download file; `tmp` is the run's directory. */
  start(tmp: TempDir, root: string, file: string): Promise<FtpTarget>;
}

const BENCH_USER = 'bench@bench.test';
const BENCH_PASSWORD = 'bench-password-1';

const vsftpd: FtpServerDef = {
  name: 'vsftpd',
  label() {
    const out = spawnSync('sh', ['-c', `${requireCommand('vsftpd')} -v 0>&1`], { encoding: 'utf8' });
    return `${(out.stdout + out.stderr).trim().split('\n')[0] ?? 'vsftpd'} (process per session)`;
  },
  async start(tmp, root, file) {
    const port = await freePort();
    const layout = writeVsftpdConfig(tmp.path('vsftpd'), port);
    // Serve the shared root: the download file is linked into vsftpd's own chroot.
    spawnSync('ln', ['-f', join(root, file), join(layout.root, file)]);
    const peer = await startPeer({
      name: 'vsftpd',
      command: 'sh',
      // exec keeps the pid; fd 0 is a file because vsftpd reports fatal errors there.
      args: ['-c', `exec ${requireCommand('vsftpd')} ${layout.configFile} 0<>${layout.errorFile}`],
      core: SERVER_CORE,
      logFile: tmp.path('vsftpd.log'),
      extraLogs: [layout.errorFile],
      ready: () => tcpPortOpen(port),
    });
    return {
      peer,
      port,
      download: { path: `/${file}`, user: 'anonymous', password: 'bench@' },
      upload: { path: '/incoming/', user: 'anonymous', password: 'bench@', dir: layout.incoming },
      login: { user: 'anonymous', password: 'bench@' },
    };
  },
};

function packageVersion(): string {
  return (
    (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version?: string }).version ?? '?'
  );
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Runs from dist/ when it has an up-to-date FTP server, else from the sources through tsx. */
function outpostCommand(config: string): { command: string; args: string[]; how: string } {
  // tsc rewrites only the outputs whose sources changed, so compare the newest file on each side.
  const built = join(ROOT, 'dist', 'src', 'ftp');
  if (existsSync(built) && newestSource(built) >= newestSource(join(ROOT, 'src', 'ftp'))) {
    return {
      command: process.execPath,
      args: [join(ROOT, 'bin', 'outpost'), 'serve', '--config', config, '--log-level', 'silent'],
      how: 'outpost serve',
    };
  }
  return {
    command: process.execPath,
    args: ['--import', 'tsx', join(ROOT, 'bench', 'ftp', 'outpost-serve.ts'), config],
    how: 'sources via tsx',
  };
}

let outpostHow = '';

function outpostDef(name: string, fsync: boolean): FtpServerDef {
  return {
    name,
    label: () =>
      `Outpost ${packageVersion()} (${outpostHow || 'outpost serve'}${fsync ? '' : ', fsync = false'}), Node ${process.version}`,
    async start(tmp, root, file) {
      const port = await freePort();
      const homes = tmp.path(`${name}-homes`);
      const q = (s: string): string => JSON.stringify(s);
      const config = tmp.write(
        `${name}.toml`,
        [
          `data_dir = ${q(tmp.path(`${name}-data`))}`,
          '[log]',
          'level = "silent"',
          '[[users]]',
          `address = ${q(BENCH_USER)}`,
          `password = ${q(BENCH_PASSWORD)}`,
          '[ftp]',
          `listen = ["127.0.0.1:${port}"]`,
          `anonymous_root = ${q(root)}`,
          `home_root = ${q(homes)}`,
          'max_connections_per_ip = 2000',
          `fsync = ${fsync}`,
          '',
        ].join('\n'),
      );
      const { command, args, how } = outpostCommand(config);
      outpostHow = how;
      const peer = await startPeer({
        name,
        command,
        args,
        cwd: ROOT,
        core: SERVER_CORE,
        logFile: tmp.path(`${name}.log`),
        ready: () => tcpPortOpen(port),
        readyTimeoutMs: 30_000,
      });
      return {
        peer,
        port,
        download: { path: `/${file}`, user: 'anonymous', password: 'bench@' },
        upload: { path: '/', user: BENCH_USER, password: BENCH_PASSWORD, dir: join(homes, BENCH_USER) },
        login: { user: BENCH_USER, password: BENCH_PASSWORD },
      };
    },
  };
}

/** Outpost as configured by default (uploads fsync'ed before 226), and without fsync (as vsftpd). */
export const FTP_SERVERS: readonly FtpServerDef[] = [
  outpostDef('outpost', true),
  outpostDef('outpost-nofsync', false),
  vsftpd,
];
