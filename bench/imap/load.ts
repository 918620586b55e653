/**
 * The IMAP load tool of bench/imap.ts, run pinned to the load core, the same code against every
 * server (bench/imap/client.ts). Prints one JSON object on stdout.
 *   logins HOST PORT USER PASS SECONDS CLIENTS   CLIENTS loops of connect + LOGIN + SELECT INBOX +
 *                                                LOGOUT for SECONDS: {logins, seconds, exists}
 *   fetch  HOST PORT USER PASS SECONDS           one session, SELECT INBOX, `FETCH 1:* (ENVELOPE
 *                                                FLAGS)` repeated for SECONDS (at least once):
 *                                                {times, messages, octets}
 *   search HOST PORT USER PASS SECONDS NEEDLE    the same with `UID SEARCH TEXT "NEEDLE"`: {times, hits}
 *   append HOST PORT USER PASS SECONDS CLIENTS MAILBOX FILE
 *                                                CLIENTS sessions APPENDing FILE's message (LITERAL+)
 *                                                to MAILBOX for SECONDS: {appends, seconds}
 *   idle   HOST PORT USER PASS SESSIONS          SESSIONS sessions LOGIN + SELECT INBOX + IDLE;
 *                                                prints `ready N` when all idle, then on stdin's end
 *                                                DONE + LOGOUT each and prints {sessions}
 * Times are in seconds. Any NO/BAD or dropped connection fails the run (non-zero exit).
 */
import { readFileSync } from 'node:fs';
import { ImapClient, type Reply } from './client.js';

const [mode, host = '127.0.0.1', portText = '0', user = '', pass = '', ...rest] = process.argv.slice(2);
const port = Number(portText);

function quote(s: string): string {
  return `"${s.replace(/(["\\])/g, '\\$1')}"`;
}

/** Client `i`'s source address: 20 clients per address of 127.0.0.2-127.0.0.255 (on loopback). */
function sourceOf(i: number): string | undefined {
  return host.startsWith('127.') ? `127.0.0.${String(2 + (Math.floor(i / 20) % 254))}` : undefined;
}

async function session(i: number): Promise<ImapClient> {
  const c = await ImapClient.connect(host, port, sourceOf(i));
  await c.ok(`LOGIN ${quote(user)} ${quote(pass)}`);
  return c;
}

async function selectInbox(c: ImapClient): Promise<number> {
  const r = await c.ok('SELECT INBOX', true);
  const exists = r.lines.map((l) => /^\* (\d+) EXISTS/.exec(l)?.[1]).find((n) => n !== undefined);
  return Number(exists ?? -1);
}

async function logins(seconds: number, clients: number): Promise<object> {
  const start = performance.now();
  const until = start + seconds * 1000;
  let n = 0;
  let exists = -1;
  const worker = async (_: unknown, i: number): Promise<void> => {
    while (performance.now() < until) {
      const c = await session(i);
      exists = await selectInbox(c);
      await c.logout();
      n++;
    }
  };
  await Promise.all(Array.from({ length: clients }, worker));
  return { logins: n, seconds: (performance.now() - start) / 1000, exists };
}

async function repeat(seconds: number, command: string, keep: boolean) {
  const c = await session(0);
  const exists = await selectInbox(c);
  const times: number[] = [];
  const until = performance.now() + seconds * 1000;
  let last: Reply;
  do {
    const t0 = performance.now();
    last = await c.ok(command, keep);
    times.push((performance.now() - t0) / 1000);
  } while (performance.now() < until);
  await c.logout();
  return { times, exists, last };
}

async function idle(sessions: number): Promise<object> {
  const clients: ImapClient[] = [];
  // Opened a few at a time, as clients reconnecting after a restart would.
  for (let i = 0; i < sessions; i += 25) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(25, sessions - i) }, async (_, j) => {
        const c = await session(i + j);
        await selectInbox(c);
        await c.idle();
        return c;
      }),
    );
    clients.push(...batch);
  }
  process.stdout.write(`ready ${String(clients.length)}\n`);
  process.stdin.resume();
  await new Promise((resolve) => process.stdin.once('end', resolve));
  await Promise.all(
    clients.map(async (c) => {
      await c.done();
      await c.logout();
    }),
  );
  return { sessions: clients.length };
}

async function main(): Promise<object> {
  const seconds = Number(rest[0]);
  switch (mode) {
    case 'logins':
      return logins(seconds, Number(rest[1]));
    case 'fetch': {
      const r = await repeat(seconds, 'FETCH 1:* (ENVELOPE FLAGS)', false);
      return { times: r.times, exists: r.exists, messages: r.last.fetches, octets: r.last.octets };
    }
    case 'search': {
      const r = await repeat(seconds, `UID SEARCH TEXT ${quote(rest[1] ?? '')}`, true);
      const line = r.last.lines.find((l) => l.startsWith('* SEARCH')) ?? '* SEARCH';
      return { times: r.times, exists: r.exists, hits: line.split(' ').length - 2 };
    }
    case 'append': {
      const clients = Number(rest[1]);
      const mailbox = rest[2] ?? 'INBOX';
      const message = readFileSync(rest[3] ?? '');
      const setup = await session(0);
      await setup.command(`CREATE ${mailbox}`); // NO [ALREADYEXISTS] after the first round
      await setup.logout();
      const start = performance.now();
      const until = start + seconds * 1000;
      let n = 0;
      await Promise.all(
        Array.from({ length: clients }, async (_, i) => {
          const c = await session(i);
          while (performance.now() < until) {
            await c.append(mailbox, message);
            n++;
          }
          await c.logout();
        }),
      );
      return { appends: n, seconds: (performance.now() - start) / 1000 };
    }
    case 'idle':
      return idle(Number(rest[0]));
    default:
      throw new Error(`unknown mode ${String(mode)}`);
  }
}

main().then(
  (out) => {
    process.stdout.write(`${JSON.stringify(out)}\n`);
    process.exit(0);
  },
  (err: unknown) => {
    process.stderr.write(`imap load: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
