/**
 * The interactive `outpost ftp` shell (node:readline): open, user, ls/dir, cd, pwd, get, put,
 * reget (resume), mget, mput, mkdir, rmdir, rm, rename, size, passive/active, binary/ascii,
 * status, help, quit. Each command's errors are printed and the shell goes on.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import type { FtpClient } from '../ftp/client/ftp-client.js';
import { openFtp, passwordFor, type FtpCliOptions } from './ftp-connect.js';
import { startProgress } from './ftp-progress.js';
import { hasWildcard, parseFtpUrl, wildcard, type FtpTarget } from './ftp-url.js';

const HELP: Record<string, string> = {
  open: 'open HOST [PORT] | open ftp://user@host:port/  connect and log in',
  user: 'user NAME [PASSWORD]                 log in again as NAME',
  ls: 'ls [PATH]                              list a directory (dir: the raw LIST)',
  cd: 'cd PATH                                change directory',
  pwd: 'pwd                                    print the remote directory',
  get: 'get REMOTE [LOCAL]                     download',
  reget: 'reget REMOTE [LOCAL]                   resume a download (REST)',
  put: 'put LOCAL [REMOTE]                     upload',
  mget: 'mget PATTERN...                        download every match (* and ?)',
  mput: 'mput PATTERN...                        upload every local match',
  mkdir: 'mkdir PATH',
  rmdir: 'rmdir PATH',
  rm: 'rm PATH',
  rename: 'rename FROM TO',
  size: 'size PATH',
  passive: 'passive                                passive data connections (default)',
  active: 'active                                 active data connections (PORT/EPRT)',
  binary: 'binary                                 TYPE I (default)',
  ascii: 'ascii                                  TYPE A (CRLF conversion)',
  status: 'status',
  quit: 'quit (also bye, exit)',
};

/** Splits a command line into words, honouring double quotes. */
export function words(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line))
    out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? ''));
  return out;
}

/** Runs the shell until quit or end of input. */
export async function runShell(initial: FtpTarget | undefined, options: FtpCliOptions): Promise<number> {
  const rl: Interface = createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: process.stdin.isTTY,
  });
  // Iterate from the start: lines (and the end of a piped stdin) arriving while the first
  // connection is being opened must not be lost.
  const lines = rl[Symbol.asyncIterator]();
  const print = (text: string): void => {
    process.stdout.write(`${text}\n`);
  };
  let client: FtpClient | null = null;
  let target: FtpTarget | undefined = initial;
  let ascii = false;
  const opts = { ...options };
  const connect = async (t: FtpTarget): Promise<void> => {
    if (client) await client.quit();
    client = null;
    client = await openFtp(t, opts, print);
    target = t;
    print(
      `Connected to ${t.host}:${t.port}${client.secure ? ' (TLS)' : ''}, logged in as ${t.user ?? 'anonymous'}.`,
    );
  };
  const need = (): FtpClient => {
    if (!client) throw new Error('not connected (use open)');
    return client;
  };
  const download = async (c: FtpClient, remote: string, local: string, resume: boolean): Promise<void> => {
    const total = await c.size(remote);
    let offset = 0;
    if (resume) {
      try {
        offset = statSync(local).size;
      } catch {
        offset = 0;
      }
    }
    const bar = startProgress(basename(remote), total);
    try {
      const n = await c.get(remote, local, {
        offset,
        ascii,
        onProgress: (b) => {
          bar.update(b + offset);
        },
      });
      bar.stop();
      print(`${remote}: ${n} bytes received${offset > 0 ? ` (resumed at ${offset})` : ''}`);
    } finally {
      bar.stop();
    }
  };
  const upload = async (c: FtpClient, local: string, remote: string): Promise<void> => {
    const bar = startProgress(basename(local), statSync(local).size);
    try {
      const n = await c.put(local, remote, {
        ascii,
        onProgress: (b) => {
          bar.update(b);
        },
      });
      bar.stop();
      print(`${local}: ${n} bytes sent`);
    } finally {
      bar.stop();
    }
  };
  const commands: Record<string, (args: string[]) => Promise<boolean | undefined>> = {
    open: async (a) => {
      const first = a[0];
      if (first === undefined) throw new Error(HELP['open']);
      const t = first.includes('://')
        ? parseFtpUrl(first)
        : parseFtpUrl(`ftp://${first}${a[1] !== undefined ? `:${a[1]}` : ''}/`);
      await connect(t);
      return undefined;
    },
    user: async (a) => {
      if (!target || a[0] === undefined) throw new Error(HELP['user']);
      const t: FtpTarget = {
        ...target,
        user: a[0],
        password: a[1] ?? (await passwordFor({ ...target, password: undefined }, a[0])),
      };
      await connect(t);
      return undefined;
    },
    ls: async (a) => {
      for (const e of await need().list(a[0]))
        print(
          `${e.type === 'dir' ? 'd' : '-'} ${String(e.size ?? '').padStart(12)} ${e.modified?.toISOString().slice(0, 16).replace('T', ' ') ?? ''.padEnd(16)} ${e.name}`,
        );
      return undefined;
    },
    dir: async (a) => {
      process.stdout.write(await need().listRaw(a[0]));
      return undefined;
    },
    cd: async (a) => {
      await need().cd(a[0] ?? '/');
      return undefined;
    },
    pwd: async () => {
      print(await need().pwd());
      return undefined;
    },
    get: async (a) => {
      if (a[0] === undefined) throw new Error(HELP['get']);
      await download(need(), a[0], a[1] ?? basename(a[0]), false);
      return undefined;
    },
    reget: async (a) => {
      if (a[0] === undefined) throw new Error(HELP['reget']);
      await download(need(), a[0], a[1] ?? basename(a[0]), true);
      return undefined;
    },
    put: async (a) => {
      if (a[0] === undefined) throw new Error(HELP['put']);
      await upload(need(), a[0], a[1] ?? basename(a[0]));
      return undefined;
    },
    mget: async (a) => {
      const c = need();
      for (const pattern of a) {
        const names = hasWildcard(pattern)
          ? (await c.list())
              .filter((e) => e.type === 'file' && wildcard(pattern).test(e.name))
              .map((e) => e.name)
          : [pattern];
        for (const name of names) await download(c, name, basename(name), false);
      }
      return undefined;
    },
    mput: async (a) => {
      const c = need();
      for (const pattern of a) {
        const names = hasWildcard(pattern)
          ? readdirSync('.').filter((n) => wildcard(pattern).test(n) && statSync(n).isFile())
          : [pattern];
        for (const name of names) await upload(c, name, basename(name));
      }
      return undefined;
    },
    mkdir: async (a) => {
      await need().mkdir(a[0] ?? '');
      return undefined;
    },
    rmdir: async (a) => {
      await need().rmdir(a[0] ?? '');
      return undefined;
    },
    rm: async (a) => {
      await need().delete(a[0] ?? '');
      return undefined;
    },
    rename: async (a) => {
      if (a[0] === undefined || a[1] === undefined) throw new Error(HELP['rename']);
      await need().rename(a[0], a[1]);
      return undefined;
    },
    size: async (a) => {
      print(String(await need().size(a[0] ?? '')));
      return undefined;
    },
    passive: () => {
      opts.active = false;
      if (client) client.passive = true;
      print('Passive mode on.');
      return Promise.resolve(undefined);
    },
    active: () => {
      opts.active = true;
      if (client) client.passive = false;
      print('Active mode on.');
      return Promise.resolve(undefined);
    },
    binary: () => {
      ascii = false;
      print('Type set to I.');
      return Promise.resolve(undefined);
    },
    ascii: () => {
      ascii = true;
      print('Type set to A.');
      return Promise.resolve(undefined);
    },
    status: () => {
      print(
        client && target
          ? `Connected to ${target.host}:${target.port}; ${client.passive ? 'passive' : 'active'}; ${ascii ? 'ascii' : 'binary'}; ${client.secure ? 'TLS' : 'no TLS'}`
          : 'Not connected.',
      );
      return Promise.resolve(undefined);
    },
    help: (a) => {
      const h = a[0] !== undefined ? HELP[a[0]] : undefined;
      print(h ?? Object.values(HELP).join('\n'));
      return Promise.resolve(undefined);
    },
    quit: async () => {
      if (client) await client.quit();
      client = null;
      return true;
    },
  };
  commands['bye'] = commands['quit'] as (args: string[]) => Promise<boolean | undefined>;
  commands['exit'] = commands['quit'] as (args: string[]) => Promise<boolean | undefined>;
  commands['delete'] = commands['rm'] as (args: string[]) => Promise<boolean | undefined>;

  if (initial) {
    try {
      await connect(initial);
    } catch (err) {
      print(`error: ${(err as Error).message}`);
    }
  }
  rl.setPrompt('ftp> ');
  // No prompts when commands come from a pipe or a file.
  const prompt = (): void => {
    if (process.stdin.isTTY) rl.prompt();
  };
  prompt();
  let status = 0;
  for await (const line of { [Symbol.asyncIterator]: () => lines }) {
    const [name, ...args] = words(line);
    if (name === undefined) {
      prompt();
      continue;
    }
    const command = commands[name.toLowerCase()];
    if (!command) {
      print(`unknown command ${name} (try help)`);
      prompt();
      continue;
    }
    try {
      if ((await command(args)) === true) break;
      status = 0;
    } catch (err) {
      print(`error: ${(err as Error).message}`);
      status = 1;
    }
    prompt();
  }
  rl.close();
  const last = client as FtpClient | null;
  if (last) await last.quit();
  return status;
}
