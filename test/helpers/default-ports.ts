/**
 * The embedded default's fixed ports (10053, 18080, 10587, …) are shared by every test run on the
 * machine: a test that starts `outpost serve` without a config holds /tmp/default-ports.lock
 * (flock(1), the same lock other runs take) for as long as the suite runs.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';

const LOCK = '/tmp/default-ports.lock';

/** Runs `fn` while holding the default-ports lock; the lock goes when `fn` settles (or we die). */
export async function withDefaultPorts<T>(fn: () => Promise<T>): Promise<T> {
  // flock holds the lock for `cat`, which lives until its stdin (our pipe) closes.
  const holder = spawn('flock', [LOCK, '-c', 'echo locked; exec cat'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  holder.stdout.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    holder.on('error', reject);
    holder.on('exit', (code) => {
      reject(new Error(`flock exited with ${String(code)} before taking ${LOCK}`));
    });
    holder.stdout.on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('locked')) resolve();
    });
  });
  holder.removeAllListeners('exit');
  try {
    return await fn();
  } finally {
    const exited = once(holder, 'exit');
    holder.stdin.end();
    await exited;
  }
}
