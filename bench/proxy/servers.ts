/**
 * The servers bench/proxy.ts compares, each pinned to the server core on a free port of
 * 127.0.0.1: Outpost's reverse proxy (`outpost serve` with `[proxy]` in front of the bench
 * origin), nginx `proxy_cache` (one worker, cache files in the run's temp directory, sendfile),
 * Varnish (`varnishd -F -j none`, malloc storage, the built-in VCL with `-b` pointing at the
 * origin) and, as the figure the proxy is held to, Outpost's own static server (`outpost serve`
 * with `[http]` serving the same files from disk). The origin (origin-server.ts) runs unpinned:
 * it only sees the misses.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPeer, type Peer } from '../lib/peer.js';
import { freePort, tcpPortOpen } from '../lib/ports.js';
import { ROOT } from '../lib/root.js';
import type { TempDir } from '../lib/temp.js';
import { requireCommand, SERVER_CORE } from '../lib/tools.js';

/** What the servers share. */
export interface ProxyBenchContext {
  readonly tmp: TempDir;
  /** Directory holding the benchmark files (the static server's root, the origin's content). */
  readonly docroot: string;
  /** The origin's port. */
  readonly originPort: number;
}

/** A started server. */
export interface RunningServer {
  readonly peer: Peer;
  readonly port: number;
}

/** One contender. */
export interface ProxyServerDef {
  readonly name: string;
  /** True for caches (their memory per cached object is measured). */
  readonly caches: boolean;
  label(): string;
  start(ctx: ProxyBenchContext): Promise<RunningServer>;
}

function ready(port: number): () => Promise<boolean> {
  return () => tcpPortOpen(port);
}

function outpostVersion(): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '?';
}

function versionOf(command: string, args: readonly string[], pattern: RegExp): string {
  const out = spawnSync(requireCommand(command), args, { encoding: 'utf8' });
  return pattern.exec(`${out.stdout}${out.stderr}`)?.[1] ?? '?';
}

/** Starts `outpost serve` on `toml` (a function of the chosen port). */
async function startOutpost(
  ctx: ProxyBenchContext,
  name: string,
  toml: (port: number, dataDir: string) => string,
): Promise<RunningServer> {
  const port = await freePort();
  const conf = ctx.tmp.write(`${name}.toml`, toml(port, ctx.tmp.path(`${name}-data`)));
  const peer = await startPeer({
    name,
    command: process.execPath,
    args: [join(ROOT, 'bin', 'outpost'), 'serve', '--config', conf, '--log-level', 'warn'],
    cwd: ctx.tmp.dir,
    core: SERVER_CORE,
    logFile: ctx.tmp.path(`${name}.log`),
    ready: ready(port),
    readyTimeoutMs: 30_000,
  });
  return { peer, port };
}

const q = (s: string): string => JSON.stringify(s);

const outpostStatic: ProxyServerDef = {
  name: 'outpost-static',
  caches: false,
  label: () => `Outpost ${outpostVersion()} static files ([http], outpost serve)`,
  start: (ctx) =>
    startOutpost(ctx, 'outpost-static', (port, dataDir) =>
      [
        `data_dir = ${q(dataDir)}`,
        '[http]',
        `listen = [${q(`127.0.0.1:${port}`)}]`,
        `root = ${q(ctx.docroot)}`,
        '',
      ].join('\n'),
    ),
};

const outpostProxy: ProxyServerDef = {
  name: 'outpost-proxy',
  caches: true,
  label: () => `Outpost ${outpostVersion()} reverse proxy ([proxy], outpost serve)`,
  start: (ctx) =>
    startOutpost(ctx, 'outpost-proxy', (port, dataDir) =>
      [
        `data_dir = ${q(dataDir)}`,
        '[proxy]',
        `listen = [${q(`127.0.0.1:${port}`)}]`,
        `origin = ${q(`http://127.0.0.1:${ctx.originPort}`)}`,
        'cache_size = 268435456',
        '',
      ].join('\n'),
    ),
};

function nginxConfig(dir: string, port: number, originPort: number): string {
  return `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy_temp;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  proxy_cache_path ${dir}/cache levels=1:2 keys_zone=bench:16m max_size=1g inactive=1d use_temp_path=off;
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://127.0.0.1:${originPort};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache bench;
      add_header X-Cache-Status $upstream_cache_status;
    }
  }
}
`;
}

const nginx: ProxyServerDef = {
  name: 'nginx',
  caches: true,
  label: () => `nginx ${versionOf('nginx', ['-v'], /nginx\/(\S+)/)} proxy_cache, 1 worker, sendfile`,
  async start(ctx) {
    const port = await freePort();
    const dir = ctx.tmp.path('nginx');
    mkdirSync(dir);
    // nginx's worker drops to an unprivileged user when started as root: let it reach its cache.
    chmodSync(ctx.tmp.dir, 0o755);
    chmodSync(dir, 0o755);
    const conf = ctx.tmp.write('nginx.conf', nginxConfig(dir, port, ctx.originPort));
    const peer = await startPeer({
      name: 'nginx',
      command: requireCommand('nginx'),
      args: ['-c', conf, '-p', dir],
      core: SERVER_CORE,
      logFile: ctx.tmp.path('nginx.out'),
      extraLogs: [join(dir, 'error.log')],
      ready: ready(port),
    });
    return { peer, port };
  },
};

const varnish: ProxyServerDef = {
  name: 'varnish',
  caches: true,
  label: () => `Varnish ${versionOf('varnishd', ['-V'], /varnish-(\S+)/)}, malloc storage, built-in VCL`,
  async start(ctx) {
    const port = await freePort();
    const peer = await startPeer({
      name: 'varnish',
      command: requireCommand('varnishd', 'varnish'),
      args: [
        '-F',
        // No privilege separation: the bench's own user runs it, in the run's temp directory.
        ...['-j', 'none', '-n', ctx.tmp.path('varnish')],
        ...['-a', `127.0.0.1:${port}`, '-b', `127.0.0.1:${ctx.originPort}`],
        ...['-s', 'malloc,512m'],
      ],
      core: SERVER_CORE,
      logFile: ctx.tmp.path('varnish.log'),
      ready: ready(port),
      readyTimeoutMs: 30_000,
    });
    return { peer, port };
  },
};

/** Every contender, in the order they are shown and measured. */
export const PROXY_SERVERS: readonly ProxyServerDef[] = [outpostStatic, outpostProxy, nginx, varnish];

/** Starts the bench origin (unpinned) serving `docroot`. */
export async function startOrigin(tmp: TempDir, docroot: string): Promise<RunningServer> {
  const port = await freePort();
  const peer = await startPeer({
    name: 'origin',
    command: process.execPath,
    args: ['--import', 'tsx', join(ROOT, 'bench', 'proxy', 'origin-server.ts'), String(port), docroot],
    cwd: ROOT,
    logFile: tmp.path('origin.log'),
    ready: ready(port),
  });
  return { peer, port };
}
