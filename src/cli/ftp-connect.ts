/**
 * Opening an FTP session for `outpost ftp`: TLS choice (ftps:// implicit, --ftps explicit),
 * --insecure for self-signed servers, the password from the URL, OUTPOST_FTP_PASSWORD or a
 * prompt that does not echo, and anonymous login when no user is given.
 */
import { isIP } from 'node:net';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { FtpClient } from '../ftp/client/ftp-client.js';
import type { FtpTarget } from './ftp-url.js';

/** Command-line switches shared by every `outpost ftp` form. */
export interface FtpCliOptions {
  ftps?: boolean;
  insecure?: boolean;
  active?: boolean;
  verbose?: boolean;
}

/** Reads a line from the terminal without echoing it. */
export async function promptSecret(question: string): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (!muted) process.stderr.write(chunk);
      cb();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: process.stdin.isTTY });
  const answer = new Promise<string>((resolve) => {
    rl.question(question, resolve);
  });
  muted = true;
  const text = await answer;
  rl.close();
  process.stderr.write('\n');
  return text;
}

/** The password: URL, then $OUTPOST_FTP_PASSWORD, then a prompt. */
export async function passwordFor(target: FtpTarget, user: string): Promise<string> {
  if (target.password !== undefined) return target.password;
  const env = process.env['OUTPOST_FTP_PASSWORD'];
  if (env !== undefined && env !== '') return env;
  if (user === 'anonymous' || user === 'ftp') return 'outpost@';
  return promptSecret(`Password for ${user}@${target.host}: `);
}

/** Connects and logs in. */
export async function openFtp(
  target: FtpTarget,
  options: FtpCliOptions,
  log: (line: string) => void,
): Promise<FtpClient> {
  const client = await FtpClient.connect({
    host: target.host,
    port: target.port,
    secure: target.implicitTls ? 'implicit' : options.ftps === true ? 'explicit' : false,
    tls: {
      rejectUnauthorized: options.insecure !== true,
      ...(isIP(target.host) === 0 ? { servername: target.host } : {}),
    },
    passive: options.active !== true,
    activeFallback: false,
    // RFC 7151: a name picks the server's virtual host of that name.
    ...(isIP(target.host) === 0 ? { virtualHost: target.host } : {}),
    ...(options.verbose === true
      ? {
          onLine: (d: '>' | '<', l: string) => {
            log(`${d} ${l}`);
          },
        }
      : {}),
  });
  const user = target.user ?? 'anonymous';
  try {
    await client.login(user, await passwordFor(target, user));
    if (client.hostReply?.code === 504)
      log(`note: the server has no virtual host ${target.host}; it serves its default`);
  } catch (err) {
    client.close();
    throw err;
  }
  return client;
}
