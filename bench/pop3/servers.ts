/**
 * The two POP3 servers the benchmark compares, each pinned to the server core on a free port of
 * 127.0.0.1 with its files in the run's temp directory and the same 10,000-message INBOX:
 * Dovecot 2.3 (the reference, bench/mail/dovecot.ts: `service_count = 0`, Maildir, messages
 * \Seen, no flag updates on RETR) and Outpost (the suite with `[pop3]`, store seeded through
 * `store.accept()`, bench/mail/outpost.ts).
 */
import { dovecotVersion, startDovecot } from '../mail/dovecot.js';
import { startOutpostMail } from '../mail/outpost.js';
import type { Peer } from '../lib/peer.js';
import type { TempDir } from '../lib/temp.js';

export const USER = 'alice@example.test';
export const PASSWORD = 'bench password 1';

/** A started server. */
export interface RunningServer {
  readonly peer: Peer;
  readonly port: number;
}

/** One contender. */
export interface Pop3ServerDef {
  readonly name: string;
  label(): string;
  start(tmp: TempDir, messages: readonly Buffer[]): Promise<RunningServer>;
}

const outpost: Pop3ServerDef = {
  name: 'outpost',
  label: () => 'Outpost (suite, SQLite store)',
  start: (tmp, messages) =>
    startOutpostMail({ tmp, protocol: 'pop3', user: USER, password: PASSWORD, messages }),
};

const dovecot: Pop3ServerDef = {
  name: 'dovecot',
  label: () => `Dovecot ${dovecotVersion('pop3')} (service_count = 0, Maildir)`,
  start: (tmp, messages) =>
    startDovecot({
      tmp,
      protocol: 'pop3',
      user: USER,
      password: PASSWORD,
      messages,
      flags: 'S',
      settings: ['pop3_no_flag_updates = yes', 'pop3_uidl_format = %08Xu%08Xv'],
    }),
};

/** Every contender; Dovecot is the reference. */
export const POP3_SERVERS: readonly Pop3ServerDef[] = [outpost, dovecot];
