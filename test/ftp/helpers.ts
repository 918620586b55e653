/**
 * Test helpers for FTP: a suite with FTP on 127.0.0.1 port 0 and a user alice@example.test,
 * plus small process runners for the peer clients (curl, lftp, python3).
 */
import { once } from 'node:events';
import { connect as netConnect, type Socket } from 'node:net';
import { ReplyParser, parseEpsvReply, type FtpReply } from '../../src/ftp/codec/index.js';
import { RawClient } from '../helpers/line-client.js';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestOutpost, type TestOutpost } from '../../src/testing/index.js';
import type { OutpostConfigInput } from '../../src/core/config/schema.js';

export const USER = 'alice@example.test';
export const PASSWORD = 'wonderland-42';

/** A running suite with FTP. */
export interface FtpFixture extends AsyncDisposable {
  readonly outpost: TestOutpost;
  readonly port: number;
  readonly implicitPort: number | undefined;
  /** alice's home (created before the first login so tests can seed it). */
  readonly home: string;
  readonly ca: string;
  close(): Promise<void>;
}

/** Starts Outpost with `[ftp]` on 127.0.0.1:0 (and implicit FTPS when asked). */
export async function startFtp(
  ftp: Partial<NonNullable<OutpostConfigInput['ftp']>> = {},
  implicit = false,
): Promise<FtpFixture> {
  const outpost = await startTestOutpost({
    users: [
      { address: USER, password: PASSWORD },
      { address: 'bob@example.test', password: 'builder-42' },
    ],
    config: {
      ftp: {
        listen: ['127.0.0.1:0'],
        ...(implicit ? { tls_listen: ['127.0.0.1:0'] } : {}),
        ...ftp,
      },
    },
  });
  const endpoints = outpost.endpoints().filter((e) => e.service === 'ftp');
  const plain = endpoints.find((e) => e.tls !== 'implicit');
  const imp = endpoints.find((e) => e.tls === 'implicit');
  if (!plain) throw new Error('no ftp endpoint');
  const home = join(ftp.home_root ?? join(outpost.dataDir, 'ftp'), USER);
  mkdirSync(home, { recursive: true });
  const ca = readFileSync(join(outpost.dataDir, 'tls', 'dev-cert.pem'), 'utf8');
  return {
    outpost,
    port: plain.port,
    implicitPort: imp?.port,
    home,
    ca,
    close: () => outpost.close(),
    [Symbol.asyncDispose]: () => outpost.close(),
  };
}

export { run, type RunResult } from '../helpers/run.js';

/** curl's `user:password` with the @ encoded for URLs. */
export const CURL_USER = `${USER}:${PASSWORD}`;

/** A raw control connection that reads whole FTP replies (multi-line joined). */
export class RawFtp {
  readonly raw: RawClient;
  readonly #parser = new ReplyParser();

  private constructor(raw: RawClient) {
    this.raw = raw;
  }

  static async open(port: number): Promise<RawFtp> {
    const raw = await RawClient.connect(port);
    const ftp = new RawFtp(raw);
    const greeting = await ftp.reply();
    if (greeting.code !== 220) throw new Error(`greeting ${greeting.code}`);
    return ftp;
  }

  /** Reads the next complete reply. */
  async reply(timeoutMs = 10_000): Promise<FtpReply> {
    for (;;) {
      const line = await this.raw.line(timeoutMs);
      if (line === null) throw new Error('server closed the connection');
      const r = this.#parser.push(line);
      if (r) return r;
    }
  }

  /** Sends one command line and reads its reply. */
  async cmd(line: string): Promise<FtpReply> {
    this.raw.send(`${line}\r\n`);
    return this.reply();
  }

  /** USER + PASS as alice. */
  async login(user = USER, password = PASSWORD): Promise<void> {
    const u = await this.cmd(`USER ${user}`);
    if (u.code !== 331) throw new Error(`USER: ${u.code} ${u.lines.join(' ')}`);
    const p = await this.cmd(`PASS ${password}`);
    if (p.code !== 230) throw new Error(`PASS: ${p.code} ${p.lines.join(' ')}`);
  }

  /** EPSV and a connected data socket (from `localAddress` when given). */
  async passiveData(localAddress?: string): Promise<Socket> {
    const r = await this.cmd('EPSV');
    if (r.code !== 229) throw new Error(`EPSV: ${r.code}`);
    const port = parseEpsvReply(r.lines[0] ?? '');
    if (port === null) throw new Error('EPSV reply');
    const socket = netConnect({
      port,
      host: '127.0.0.1',
      ...(localAddress === undefined ? {} : { localAddress }),
    });
    socket.on('error', () => undefined);
    await once(socket, 'connect');
    return socket;
  }

  close(): void {
    this.raw.socket.destroy();
  }
}

/** Reads a socket to its end. */
export async function readAll(socket: Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of socket) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
