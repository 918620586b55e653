/**
 * Load script for the FTP login benchmark (run pinned to the load core): opens N control
 * connections, at most IN_FLIGHT logins in progress at a time (vsftpd listens with a backlog of
 * 32: a burst of hundreds of SYNs leaves some connections ungreeted for good, which would measure
 * the kernel's accept queue rather than the server), logs each in (USER/PASS, waiting for 230),
 * and keeps every session open. Prints one JSON line
 * `{ms, ok, failed}` when every session is logged in, keeps them open until a line arrives on
 * stdin (the bench measures the server's memory meanwhile), then QUITs them all and exits.
 * Usage: logins.ts PORT COUNT USER PASSWORD
 */
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';

const [portText = '21', countText = '300', user = 'anonymous', password = 'bench@'] = process.argv.slice(2);
const port = Number(portText);
const count = Number(countText);

/** Resolves with the next complete reply code on `socket` (multi-line replies skipped through). */
function replies(socket: Socket): () => Promise<number> {
  let buffer = '';
  const queue: number[] = [];
  const waiters: ((code: number) => void)[] = [];
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    for (let i = buffer.indexOf('\r\n'); i !== -1; i = buffer.indexOf('\r\n')) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 2);
      if (!/^\d{3} /.test(line)) continue;
      const code = Number(line.slice(0, 3));
      const w = waiters.shift();
      if (w) w(code);
      else queue.push(code);
    }
  });
  let closed = false;
  socket.on('close', () => {
    closed = true;
    for (const w of waiters.splice(0)) w(0);
  });
  return () => {
    const q = queue.shift();
    if (q !== undefined) return Promise.resolve(q);
    if (closed) return Promise.resolve(0);
    return new Promise((resolve) => waiters.push(resolve));
  };
}

async function login(): Promise<{ socket: Socket; ok: boolean }> {
  const socket = connect({ port, host: '127.0.0.1' });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  const next = replies(socket);
  if ((await next()) !== 220) return { socket, ok: false };
  socket.write(`USER ${user}\r\n`);
  const u = await next();
  // vsftpd with no_anon_password logs anonymous in at USER (230).
  if (u === 230) return { socket, ok: true };
  if (u !== 331) return { socket, ok: false };
  socket.write(`PASS ${password}\r\n`);
  return { socket, ok: (await next()) === 230 };
}

/** Logins in progress at once. */
const IN_FLIGHT = 32;
let next = 0;
const sessions: ({ socket: Socket; ok: boolean } | null)[] = [];
async function worker(): Promise<void> {
  while (next < count) {
    next++;
    sessions.push(await login().catch(() => null));
  }
}
const started = process.hrtime.bigint();
await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, count) }, () => worker()));
const ms = Number(process.hrtime.bigint() - started) / 1e6;
const ok = sessions.filter((s) => s?.ok === true).length;
process.stdout.write(`${JSON.stringify({ ms, ok, failed: count - ok })}\n`);
process.stdin.once('data', () => {
  for (const s of sessions) s?.socket.end('QUIT\r\n');
  setTimeout(() => process.exit(0), 500).unref();
});
