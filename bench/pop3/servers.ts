/**
 * The two POP3 servers the benchmark compares, each pinned to the server core on a free port of
 * 127.0.0.1 with its files in the run's temp directory and the same 10,000-message INBOX:
 * Dovecot 2.3 (the reference: passwd-file userdb with {PLAIN} passwords, `service_count = 0`
 * login processes, Maildir with real-looking file names carrying S= and W= sizes, no flag
 * updates on RETR) and Outpost (the suite with `[pop3]`, store seeded through `store.accept()`).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSqliteMailStore } from '../../src/mail/store/index.js';
import { startPeer, type Peer } from '../lib/peer.js';
import { freePort, tcpPortOpen } from '../lib/ports.js';
import type { TempDir } from '../lib/temp.js';
import { requireCommand, SERVER_CORE } from '../lib/tools.js';

import { ROOT } from '../lib/root.js';

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

/** Seeds Outpost's store in `dataDir` with the messages, in committed batches. */
async function seedOutpost(dataDir: string, messages: readonly Buffer[]): Promise<void> {
  const store = openSqliteMailStore({ path: join(dataDir, 'mail.db') });
  try {
    const receivedAt = new Date();
    for (let i = 0; i < messages.length; i += 500) {
      await Promise.all(
        messages
          .slice(i, i + 500)
          .map((bytes) => store.accept({ receivedAt, local: [{ user: USER }], localBytes: bytes })),
      );
    }
  } finally {
    await store.close();
  }
}

const outpost: Pop3ServerDef = {
  name: 'outpost',
  label: () => 'Outpost (suite, SQLite store)',
  async start(tmp, messages) {
    const port = await freePort();
    const dataDir = tmp.path('outpost-data');
    mkdirSync(dataDir, { recursive: true });
    await seedOutpost(dataDir, messages);
    const conf = tmp.write(
      'outpost.toml',
      [
        `data_dir = ${JSON.stringify(dataDir)}`,
        'hostname = "mail.example.test"',
        '[log]',
        'level = "silent"',
        '[[users]]',
        `address = ${JSON.stringify(USER)}`,
        `password = ${JSON.stringify(PASSWORD)}`,
        '[pop3]',
        `listen = ["127.0.0.1:${String(port)}"]`,
        '',
      ].join('\n'),
    );
    const peer = await startPeer({
      name: 'outpost',
      command: process.execPath,
      args: ['--import', 'tsx', join(ROOT, 'bench', 'pop3', 'outpost-server.ts'), conf],
      cwd: ROOT,
      core: SERVER_CORE,
      logFile: tmp.path('outpost.log'),
      ready: () => tcpPortOpen(port),
      readyTimeoutMs: 30_000,
    });
    return { peer, port };
  },
};

function dovecotVersion(): string {
  const r = spawnSync(requireCommand('dovecot', 'dovecot-pop3d'), ['--version'], { encoding: 'utf8' });
  return (r.stdout || '?').trim().split(' ')[0] ?? '?';
}

/** Writes the Maildir with names as Dovecot's LDA makes them: `<time>.M<usec>P<pid>.<host>,S=,W=:2,`. */
function writeMaildir(dir: string, messages: readonly Buffer[]): void {
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(dir, sub), { recursive: true });
  const base = 1767225600;
  messages.forEach((crlf, i) => {
    const lf = Buffer.from(crlf.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
    const usec = String((i * 7919) % 1_000_000).padStart(6, '0');
    const name = `${String(base + i * 60)}.M${usec}P${String(20000 + (i % 5000))}.mail.example.test,S=${String(lf.length)},W=${String(crlf.length)}:2,S`;
    writeFileSync(join(dir, 'cur', name), lf);
  });
}

function dovecotConfig(dir: string, port: number, uid: number, gid: number): string {
  return [
    `base_dir = ${dir}/run`,
    `state_dir = ${dir}/state`,
    `log_path = ${dir}/dovecot.log`,
    `info_log_path = ${dir}/dovecot.log`,
    'protocols = pop3',
    'listen = 127.0.0.1',
    'ssl = no',
    'disable_plaintext_auth = no',
    'auth_mechanisms = plain',
    'default_internal_user = dovecot',
    'default_login_user = dovenull',
    `mail_location = maildir:${dir}/mail/%u`,
    'pop3_no_flag_updates = yes',
    'pop3_uidl_format = %08Xu%08Xv',
    'passdb {',
    '  driver = passwd-file',
    `  args = scheme=PLAIN username_format=%u ${dir}/passwd`,
    '}',
    'userdb {',
    '  driver = passwd-file',
    `  args = username_format=%u ${dir}/passwd`,
    `  default_fields = uid=${String(uid)} gid=${String(gid)} home=${dir}/home/%u`,
    '}',
    'service pop3-login {',
    '  inet_listener pop3 {',
    `    port = ${String(port)}`,
    '  }',
    '  inet_listener pop3s {',
    '    port = 0',
    '  }',
    '  service_count = 0',
    '  process_min_avail = 1',
    '}',
    'service pop3 {',
    '  service_count = 0',
    '  process_min_avail = 1',
    '}',
    'service imap-login {',
    '  inet_listener imap {',
    '    port = 0',
    '  }',
    '  inet_listener imaps {',
    '    port = 0',
    '  }',
    '}',
    '',
  ].join('\n');
}

const dovecot: Pop3ServerDef = {
  name: 'dovecot',
  label: () => `Dovecot ${dovecotVersion()} (service_count = 0, Maildir)`,
  async start(tmp, messages) {
    const bin = requireCommand('dovecot', 'dovecot-pop3d');
    const port = await freePort();
    const dir = tmp.path('dovecot');
    // Dovecot's auth process runs as the `dovecot` user and must reach the passwd file.
    chmodSync(tmp.dir, 0o755);
    for (const sub of ['run', 'state', 'mail', 'home']) mkdirSync(join(dir, sub), { recursive: true });
    // Dovecot never accesses mail as uid 0: as root, the mail belongs to `nobody`.
    const asRoot = process.getuid?.() === 0;
    const uid = asRoot ? 65534 : (process.getuid?.() ?? 65534);
    const gid = asRoot ? 65534 : (process.getgid?.() ?? 65534);
    writeFileSync(join(dir, 'passwd'), `${USER}:{PLAIN}${PASSWORD}::::::\n`);
    writeMaildir(join(dir, 'mail', USER), messages);
    if (asRoot)
      spawnSync('chown', ['-R', `${String(uid)}:${String(gid)}`, join(dir, 'mail'), join(dir, 'home')]);
    const conf = join(dir, 'dovecot.conf');
    writeFileSync(conf, dovecotConfig(dir, port, uid, gid));
    const peer = await startPeer({
      name: 'dovecot',
      command: bin,
      args: ['-F', '-c', conf],
      core: SERVER_CORE,
      logFile: tmp.path('dovecot.out'),
      extraLogs: [join(dir, 'dovecot.log')],
      ready: () => tcpPortOpen(port),
      readyTimeoutMs: 15_000,
    });
    return { peer, port };
  },
};

/** Every contender; Dovecot is the reference. */
export const POP3_SERVERS: readonly Pop3ServerDef[] = [outpost, dovecot];
