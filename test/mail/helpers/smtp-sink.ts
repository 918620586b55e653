// Postfix's smtp-sink (a real SMTP server nobody here wrote) on a free loopback port, optionally
// dumping each message to a directory and refusing chosen commands with 4xx/5xx (-r / -f).
// Missing binary fails the test (team rule: peers never skip).
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { tempDir } from '../../helpers/temp.js';
import { eventually } from '../../helpers/eventually.js';
import { portAccepts } from '../../helpers/port.js';

const SINK = '/usr/sbin/smtp-sink';

export interface SmtpSink {
  readonly port: number;
  readonly dumpDir: string;
  /** Contents of every dumped message file (smtp-sink's own headers first, then the message). */
  messages(): string[];
  stop(): Promise<void>;
}

/** A port free right now on 127.0.0.1 (smtp-sink needs a number, not 0). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((resolve) => {
    srv.close(() => {
      resolve();
    });
  });
  return port;
}

async function waitForPort(port: number, proc: ChildProcess): Promise<void> {
  await eventually(
    () => {
      if (proc.exitCode !== null) throw new Error(`smtp-sink exited with ${String(proc.exitCode)}`);
      return portAccepts(port);
    },
    { timeoutMs: 5_000, intervalMs: 25, what: 'smtp-sink to listen' },
  );
}

/** Starts smtp-sink with extra `args` (e.g. ['-r', 'RCPT'] for 4xx, ['-f', 'RCPT'] for 5xx). */
export async function startSmtpSink(args: string[] = [], fixedPort?: number): Promise<SmtpSink> {
  if (!existsSync(SINK))
    throw new Error(`${SINK} is missing: install postfix (scripts/install-test-peers.sh)`);
  const dumpDir = tempDir('outpost-sink-');
  chmodSync(dumpDir, 0o777);
  const port = fixedPort ?? (await freePort());
  const root = process.getuid?.() === 0 ? ['-u', 'nobody'] : [];
  const proc = spawn(SINK, [...root, '-d', `${dumpDir}/%M.`, ...args, `127.0.0.1:${String(port)}`, '10'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await waitForPort(port, proc);
  return {
    port,
    dumpDir,
    messages: () =>
      readdirSync(dumpDir)
        .map((f) => join(dumpDir, f))
        .filter((f) => statSync(f).isFile())
        .sort()
        .map((f) => readFileSync(f, 'utf8')),
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      rmSync(dumpDir, { recursive: true, force: true });
    },
  };
}
