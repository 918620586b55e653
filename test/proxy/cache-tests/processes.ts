/**
 * The processes of a cache-tests run: the suite's origin (origin-main.ts, its own process), and
 * the cache under test in front of it: Outpost's reverse proxy (`bin/outpost serve` with a
 * `[proxy]` config; needs the build in dist/) or nginx's `proxy_cache` (Debian nginx-light, the
 * reference; bench/install-peers.sh installs it), each on a free loopback port with its files in
 * a temp directory. Every process is one we spawned, and only it is signalled.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually } from '../../helpers/eventually.js';
import { findProgram, freePort, stopChild } from '../../helpers/nsd.js';
import { portAccepts } from '../../helpers/port.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..', '..');

/** The caches the harness can test. */
export const PROXY_KINDS = ['outpost', 'nginx'] as const;
export type ProxyKind = (typeof PROXY_KINDS)[number];

/** A process we started, serving on a loopback port. */
export interface Running {
  readonly port: number;
  /** What it is, e.g. "nginx 1.22.1 proxy_cache". */
  readonly label: string;
  /** Its output so far (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

function tail(text: string, lines = 30): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

/** Spawns `command`, output to `logFile`, and waits until `port` accepts (or the process dies). */
async function startDaemon(
  what: string,
  command: string,
  args: readonly string[],
  port: number,
  logFile: string,
  extraLogs: readonly string[] = [],
): Promise<{ child: ChildProcess; log: () => string }> {
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(command, args, { stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));
  const log = (): string =>
    [logFile, ...extraLogs]
      .map((f) => {
        try {
          return readFileSync(f, 'utf8');
        } catch {
          return '';
        }
      })
      .join('');
  try {
    await eventually(
      async () => {
        if (spawnError !== undefined) throw new Error(`cannot run ${command}: ${spawnError.message}`);
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`${what} exited (${child.exitCode ?? child.signalCode})`);
        return portAccepts(port);
      },
      { timeoutMs: 20_000, intervalMs: 50, what: `${what} listening on 127.0.0.1:${port}` },
    );
  } catch (err) {
    await stopChild(child);
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${tail(log())}`, { cause: err });
  }
  return { child, log };
}

/** The suite's origin server (origin-main.ts) on a free loopback port. */
export async function startOrigin(dir: string): Promise<Running> {
  const port = await freePort();
  const { child, log } = await startDaemon(
    'cache-tests origin',
    process.execPath,
    ['--import', 'tsx', join(HERE, 'origin-main.ts'), String(port)],
    port,
    join(dir, 'origin.log'),
  );
  return { port, label: 'http-cache-tests origin', log, stop: () => stopChild(child) };
}

/** nginx.conf for proxy_cache in front of `originPort`, as the suite's docker/nginx/nginx.conf sets it up. */
export function nginxProxyConfig(dir: string, port: number, originPort: number): string {
  return `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  proxy_temp_path ${dir}/proxy_temp;
  proxy_cache_path ${dir}/cache levels=1:2 keys_zone=cache:8m max_size=1000m inactive=600m;
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://127.0.0.1:${originPort};
      proxy_http_version 1.1;
      proxy_cache cache;
      proxy_cache_revalidate on;
    }
  }
}
`;
}

async function startNginx(dir: string, originPort: number): Promise<Running> {
  const nginx = findProgram('nginx');
  const home = join(dir, 'nginx');
  mkdirSync(home, { recursive: true });
  // Started as root, nginx's worker drops to an unprivileged user that must reach its cache.
  chmodSync(dir, 0o755);
  chmodSync(home, 0o755);
  const port = await freePort();
  const conf = join(home, 'nginx.conf');
  writeFileSync(conf, nginxProxyConfig(home, port, originPort));
  const { child, log } = await startDaemon(
    'nginx',
    nginx,
    ['-c', conf, '-p', home],
    port,
    join(home, 'nginx.out'),
    [join(home, 'error.log')],
  );
  const version = spawnSync(nginx, ['-v'], { encoding: 'utf8' });
  const v = /nginx\/(\S+)/.exec(`${version.stdout}${version.stderr}`)?.[1];
  return {
    port,
    label: `nginx${v === undefined ? '' : ` ${v}`} proxy_cache`,
    log,
    stop: () => stopChild(child),
  };
}

/** The `[proxy]` config of a reverse proxy in front of `originPort`. */
export function outpostProxyConfig(dataDir: string, port: number, originPort: number): string {
  const q = (s: string): string => JSON.stringify(s);
  return [
    `data_dir = ${q(dataDir)}`,
    '[proxy]',
    `listen = [${q(`127.0.0.1:${port}`)}]`,
    `origin = ${q(`http://127.0.0.1:${originPort}`)}`,
    'cache_size = 268435456',
    'origin_timeout_ms = 10000',
    '',
  ].join('\n');
}

async function startOutpost(dir: string, originPort: number): Promise<Running> {
  const home = join(dir, 'outpost');
  mkdirSync(home, { recursive: true });
  const port = await freePort();
  const conf = join(home, 'outpost.toml');
  writeFileSync(conf, outpostProxyConfig(join(home, 'data'), port, originPort));
  const { child, log } = await startDaemon(
    'outpost serve',
    process.execPath,
    [join(ROOT, 'bin', 'outpost'), 'serve', '--config', conf, '--log-level', 'warn'],
    port,
    join(home, 'outpost.log'),
  );
  return { port, label: 'Outpost reverse proxy (outpost serve)', log, stop: () => stopChild(child) };
}

/** Starts the cache under test in front of the origin on `originPort`. */
export function startProxy(kind: ProxyKind, dir: string, originPort: number): Promise<Running> {
  return kind === 'nginx' ? startNginx(dir, originPort) : startOutpost(dir, originPort);
}
