/**
 * The HTTP servers the benchmark compares, each pinned to the server core(s) on a free port of
 * 127.0.0.1 and serving the same files from the run's temp directory: Outpost (createHttpServer,
 * cluster workers with --workers), nginx (the reference: `nginx -c FILE -p DIR`, daemon off,
 * access log off, every temp path inside DIR, worker_processes = workers) and a bare node:http
 * server answering 1 KiB from memory (Node's own ceiling; it has no files, so no 1 MiB figure).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPeer, type Peer } from '../lib/peer.js';
import { freePort, tcpPortOpen } from '../lib/ports.js';
import type { TempDir } from '../lib/temp.js';
import { requireCommand, SERVER_CORE } from '../lib/tools.js';
import { ROOT } from '../lib/root.js';

/** Where and what to serve. */
export interface ServeContext {
  readonly tmp: TempDir;
  /** Directory holding the benchmark files. */
  readonly docroot: string;
  readonly workers: number;
  /** Core the server is pinned to (`taskset -c`); undefined with several workers. */
  readonly cores: number | undefined;
}

/** A started server. */
export interface RunningServer {
  readonly peer: Peer;
  readonly port: number;
}

/** One contender. */
export interface HttpServerDef {
  readonly name: string;
  /** True when it serves the files (false: fixed 1 KiB answer from memory). */
  readonly servesFiles: boolean;
  label(workers: number): string;
  start(ctx: ServeContext): Promise<RunningServer>;
}

function ready(port: number): () => Promise<boolean> {
  return () => tcpPortOpen(port);
}

function nginxConfig(ctx: ServeContext, port: number): string {
  const dir = ctx.tmp.path('nginx');
  return `daemon off;
worker_processes ${ctx.workers};
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  types { application/octet-stream bin; }
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  open_file_cache max=1000 inactive=20s;
  server {
    listen 127.0.0.1:${port};
    root ${ctx.docroot};
  }
}
`;
}

const nginx: HttpServerDef = {
  name: 'nginx',
  servesFiles: true,
  label(workers) {
    const out = spawnSync(requireCommand('nginx'), ['-v'], { encoding: 'utf8' });
    const version = /nginx\/(\S+)/.exec(`${out.stdout}${out.stderr}`)?.[1] ?? '?';
    return `nginx ${version}, ${workers} worker${workers === 1 ? '' : 's'}, sendfile`;
  },
  async start(ctx) {
    const port = await freePort();
    const dir = ctx.tmp.path('nginx');
    spawnSync('mkdir', ['-p', dir]);
    const conf = ctx.tmp.write('nginx.conf', nginxConfig(ctx, port));
    const peer = await startPeer({
      name: 'nginx',
      command: requireCommand('nginx'),
      args: ['-c', conf, '-p', dir],
      ...(ctx.cores === undefined ? {} : { core: ctx.cores }),
      logFile: ctx.tmp.path('nginx.out'),
      extraLogs: [join(dir, 'error.log')],
      ready: ready(port),
    });
    return { peer, port };
  },
};

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '?';
}

function nodeScript(
  name: string,
  script: string,
  args: (ctx: ServeContext) => string[],
): HttpServerDef['start'] {
  return async (ctx) => {
    const port = await freePort();
    const peer = await startPeer({
      name,
      command: process.execPath,
      args: ['--import', 'tsx', join(ROOT, 'bench', 'http', script), String(port), ...args(ctx)],
      cwd: ROOT,
      ...(ctx.cores === undefined ? {} : { core: ctx.cores }),
      logFile: ctx.tmp.path(`${name}.log`),
      ready: ready(port),
    });
    return { peer, port };
  };
}

const outpost: HttpServerDef = {
  name: 'outpost',
  servesFiles: true,
  label: (workers) =>
    `Outpost ${packageVersion()} (createHttpServer), ${workers} process${workers === 1 ? '' : 'es'}`,
  start: nodeScript('outpost', 'outpost-server.ts', (ctx) => [ctx.docroot, String(ctx.workers)]),
};

const nodeBare: HttpServerDef = {
  name: 'node-bare',
  servesFiles: false,
  label: (workers) =>
    `bare node:http, 1 KiB from memory, Node ${process.version}, ${workers} process${workers === 1 ? '' : 'es'}`,
  start: nodeScript('node-bare', 'node-bare-server.ts', (ctx) => [String(ctx.workers)]),
};

/** Every contender, in the order they are shown and measured. */
export const HTTP_SERVERS: readonly HttpServerDef[] = [outpost, nginx, nodeBare];

/** The core for the server: pinned to the server core with one process, unpinned with workers. */
export function serverCore(workers: number): number | undefined {
  return workers <= 1 ? SERVER_CORE : undefined;
}
