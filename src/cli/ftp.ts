/**
 * `outpost ftp`: the FTP client on the command line. With no subcommand, an interactive shell
 * (optionally opening a URL first); `get`, `put` and `ls` are one-shot commands on
 * `ftp://user@host:port/path` URLs (`ftps://` for implicit TLS, `--ftps` for AUTH TLS).
 * The password comes from the URL, $OUTPOST_FTP_PASSWORD, or a prompt.
 */
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import type { FtpClient } from '../ftp/client/ftp-client.js';
import { openFtp, type FtpCliOptions } from './ftp-connect.js';
import { startProgress } from './ftp-progress.js';
import { runShell } from './ftp-shell.js';
import { parseFtpUrl, type FtpTarget } from './ftp-url.js';

function withCommon(cmd: Command): Command {
  return cmd
    .option('--ftps', 'explicit TLS (AUTH TLS) on an ftp:// URL')
    .option('-k, --insecure', 'accept any server certificate (self-signed test servers)')
    .option('--active', 'active data connections (PORT/EPRT) instead of passive')
    .option('-v, --verbose', 'show the control connection (password masked)');
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function session<T>(
  target: FtpTarget,
  options: FtpCliOptions,
  body: (c: FtpClient) => Promise<T>,
): Promise<T> {
  const client = await openFtp(target, options, log);
  try {
    return await body(client);
  } finally {
    await client.quit();
  }
}

/** One-shot download; `-` writes to stdout. */
export async function ftpGet(
  url: string,
  local: string | undefined,
  options: FtpCliOptions & { continue?: boolean },
): Promise<void> {
  const target = parseFtpUrl(url);
  const dest = local ?? basename(target.path);
  await session(target, options, async (c) => {
    const total = await c.size(target.path);
    let offset = 0;
    if (options.continue === true && dest !== '-') {
      try {
        offset = statSync(dest).size;
      } catch {
        offset = 0;
      }
    }
    if (total !== undefined && offset >= total && offset > 0) {
      log(`${dest}: already complete (${offset} bytes)`);
      return;
    }
    const bar = startProgress(basename(target.path), total);
    try {
      await c.get(target.path, dest === '-' ? process.stdout : dest, {
        offset,
        onProgress: (b) => {
          bar.update(b + offset);
        },
      });
    } finally {
      bar.stop();
    }
  });
}

/** One-shot upload; a URL ending in `/` takes the local file's name. */
export async function ftpPut(
  local: string,
  url: string,
  options: FtpCliOptions & { append?: boolean },
): Promise<void> {
  const target = parseFtpUrl(url);
  const remote =
    target.path === '' || target.path.endsWith('/') ? `${target.path}${basename(local)}` : target.path;
  await session(target, options, async (c) => {
    const bar = startProgress(basename(local), statSync(local).size);
    try {
      await c.put(local, remote, {
        append: options.append === true,
        onProgress: (b) => {
          bar.update(b);
        },
      });
    } finally {
      bar.stop();
    }
  });
}

/** One-shot listing (raw LIST lines, like `curl ftp://host/dir/`). */
export async function ftpLs(url: string, options: FtpCliOptions): Promise<void> {
  const target = parseFtpUrl(url);
  await session(target, options, async (c) => {
    process.stdout.write(await c.listRaw(target.path === '' ? undefined : target.path));
  });
}

/** Registers `outpost ftp` and its subcommands. */
export function registerFtpCommand(program: Command): void {
  const ftp = withCommon(
    program
      .command('ftp')
      .description('FTP client: interactive shell, or get/put/ls on ftp:// and ftps:// URLs')
      .argument('[url]', 'ftp://user@host:port/ to open at start'),
  ).action(async (url: string | undefined, opts: FtpCliOptions) => {
    process.exitCode = await runShell(url === undefined ? undefined : parseFtpUrl(url), opts);
  });
  withCommon(ftp.command('get <url> [local]').description('download a file (LOCAL "-" = stdout)'))
    .option('-C, --continue', 'resume a partial download (REST)')
    .action(async (url: string, local: string | undefined, opts: FtpCliOptions & { continue?: boolean }) => {
      await ftpGet(url, local, opts);
    });
  withCommon(ftp.command('put <local> <url>').description('upload a file'))
    .option('--append', 'append to the remote file (APPE)')
    .action(async (local: string, url: string, opts: FtpCliOptions & { append?: boolean }) => {
      await ftpPut(local, url, opts);
    });
  withCommon(ftp.command('ls <url>').description('list a directory')).action(
    async (url: string, opts: FtpCliOptions) => {
      await ftpLs(url, opts);
    },
  );
}
