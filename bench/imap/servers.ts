/**
 * The two IMAP servers the benchmark compares, each pinned to the server core on a free port of
 * 127.0.0.1 with its files in the run's temp directory and the same 10,000-message INBOX (none
 * \Seen): Dovecot 2.3 (the reference, bench/mail/dovecot.ts: `service_count = 0` imap-login and
 * imap processes, Maildir, enough processes and per-user connections for the 500 IDLE sessions,
 * `mail_fsync = optimized`: each APPENDed message file and its directory are fsync'ed before the
 * OK) and Outpost (the suite with `[imap]`, store seeded through `store.accept()`, SQLite with
 * synchronous=FULL and group commit: an APPEND is answered after its COMMIT's fsync).
 */
import { signalPeer, type Peer } from '../lib/peer.js';
import type { TempDir } from '../lib/temp.js';
import { dovecotVersion, startDovecot } from '../mail/dovecot.js';
import { startOutpostMail } from '../mail/outpost.js';

export const USER = 'alice@example.test';
export const PASSWORD = 'bench password 1';

/** A started server. */
export interface RunningServer {
  readonly peer: Peer;
  readonly port: number;
  /** Heap (V8 used + external) after a full GC, for Outpost; undefined where it cannot be asked. */
  heap?(): Promise<number>;
}

/** One contender. */
export interface ImapServerDef {
  readonly name: string;
  label(): string;
  start(tmp: TempDir, messages: readonly Buffer[], sessions: number): Promise<RunningServer>;
}

const outpost: ImapServerDef = {
  name: 'outpost',
  label: () => 'Outpost (suite, SQLite store)',
  async start(tmp, messages) {
    const { peer, port } = await startOutpostMail({
      tmp,
      protocol: 'imap',
      user: USER,
      password: PASSWORD,
      messages,
    });
    return { peer, port, heap: () => outpostHeap(peer) };
  },
};

/** Asks bench/mail/outpost-server.ts for its heap (SIGUSR2, a `heap N` line in its log). */
async function outpostHeap(peer: Peer): Promise<number> {
  const m = await signalPeer(peer, 'SIGUSR2', /^heap (\d+)$/m);
  return Number(m[1]);
}

const dovecot: ImapServerDef = {
  name: 'dovecot',
  label: () => `Dovecot ${dovecotVersion('imap')} (service_count = 0, Maildir)`,
  async start(tmp, messages, sessions) {
    const { peer, port } = await startDovecot({
      tmp,
      protocol: 'imap',
      user: USER,
      password: PASSWORD,
      messages,
      flags: '',
      settings: [
        'mail_fsync = optimized',
        `mail_max_userip_connections = ${String(sessions + 200)}`,
        `default_client_limit = ${String(sessions * 2 + 200)}`,
      ],
      serviceSettings: [`process_limit = ${String(sessions + 200)}`],
    });
    return { peer, port };
  },
};

/** Every contender; Dovecot is the reference. */
export const IMAP_SERVERS: readonly ImapServerDef[] = [outpost, dovecot];
