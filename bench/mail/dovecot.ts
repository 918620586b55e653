/**
 * Dovecot 2.3 (Debian's dovecot-pop3d / dovecot-imapd) as the reference peer of the mail
 * benchmarks, shared by bench/pop3.ts and bench/imap.ts: one instance per run, unprivileged on a
 * free port of 127.0.0.1, every file in the run's temp directory, high-performance mode
 * (`service_count = 0` login and protocol processes, one kept ready), a passwd-file passdb and
 * userdb with a {PLAIN} password, and Maildir written directly with the names Dovecot's LDA gives
 * (`<time>.M<usec>P<pid>.<host>,S=<size>,W=<crlf size>:2,<flags>`). As root, Dovecot never
 * touches mail as uid 0: the mail then belongs to `nobody` and the internal processes run as
 * Debian's `dovecot`/`dovenull` users.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPeer, type Peer } from '../lib/peer.js';
import { freePort, tcpPortOpen } from '../lib/ports.js';
import type { TempDir } from '../lib/temp.js';
import { requireCommand, SERVER_CORE } from '../lib/tools.js';

/** The protocols the bench peers use; each gets its listener, the others none. */
export type DovecotProtocol = 'pop3' | 'imap';

const PACKAGE: Record<DovecotProtocol, string> = { pop3: 'dovecot-pop3d', imap: 'dovecot-imapd' };

/** "2.3.19.1", or "?" when it cannot be asked. */
export function dovecotVersion(protocol: DovecotProtocol): string {
  const r = spawnSync(requireCommand('dovecot', PACKAGE[protocol]), ['--version'], { encoding: 'utf8' });
  return (r.stdout || '?').trim().split(' ')[0] ?? '?';
}

/**
 * Writes `messages` (CRLF) into the Maildir `dir` as LF files in cur/, named as Dovecot's LDA
 * names them, with the maildir flag letters `flags` ('S' = \Seen, '' = none).
 */
export function writeMaildir(dir: string, messages: readonly Buffer[], flags: string): void {
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(dir, sub), { recursive: true });
  const base = 1767225600;
  messages.forEach((crlf, i) => {
    const lf = Buffer.from(crlf.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
    const usec = String((i * 7919) % 1_000_000).padStart(6, '0');
    const name = `${String(base + i * 60)}.M${usec}P${String(20000 + (i % 5000))}.mail.example.test,S=${String(lf.length)},W=${String(crlf.length)}:2,${flags}`;
    writeFileSync(join(dir, 'cur', name), lf);
  });
}

function listeners(protocol: DovecotProtocol, active: DovecotProtocol, port: number): string[] {
  const on = protocol === active;
  return [
    `service ${protocol}-login {`,
    `  inet_listener ${protocol} {`,
    `    port = ${on ? String(port) : '0'}`,
    '  }',
    `  inet_listener ${protocol}s {`,
    '    port = 0',
    '  }',
    ...(on ? ['  service_count = 0', '  process_min_avail = 1'] : []),
    '}',
  ];
}

function config(dir: string, spec: DovecotSpec, port: number, uid: number, gid: number): string {
  return [
    `base_dir = ${dir}/run`,
    `state_dir = ${dir}/state`,
    `log_path = ${dir}/dovecot.log`,
    `info_log_path = ${dir}/dovecot.log`,
    `protocols = ${spec.protocol}`,
    'listen = 127.0.0.1',
    'ssl = no',
    'disable_plaintext_auth = no',
    'auth_mechanisms = plain',
    'default_internal_user = dovecot',
    'default_login_user = dovenull',
    `mail_location = maildir:${dir}/mail/%u`,
    'passdb {',
    '  driver = passwd-file',
    `  args = scheme=PLAIN username_format=%u ${dir}/passwd`,
    '}',
    'userdb {',
    '  driver = passwd-file',
    `  args = username_format=%u ${dir}/passwd`,
    `  default_fields = uid=${String(uid)} gid=${String(gid)} home=${dir}/home/%u`,
    '}',
    ...listeners('pop3', spec.protocol, port),
    ...listeners('imap', spec.protocol, port),
    `service ${spec.protocol} {`,
    '  service_count = 0',
    '  process_min_avail = 1',
    ...(spec.serviceSettings ?? []).map((l) => `  ${l}`),
    '}',
    ...(spec.settings ?? []),
    '',
  ].join('\n');
}

/** What to start. */
export interface DovecotSpec {
  readonly tmp: TempDir;
  readonly protocol: DovecotProtocol;
  readonly user: string;
  readonly password: string;
  /** INBOX content (CRLF), written as Maildir files. */
  readonly messages: readonly Buffer[];
  /** Maildir flag letters of every seeded message ('S' = \Seen). */
  readonly flags: string;
  /** Extra top-level settings (e.g. `pop3_no_flag_updates = yes`). */
  readonly settings?: readonly string[];
  /** Extra settings inside `service <protocol> { }` (e.g. `process_limit = 1024`). */
  readonly serviceSettings?: readonly string[];
}

/** A started Dovecot, with the directory its files are in. */
export interface RunningDovecot {
  readonly peer: Peer;
  readonly port: number;
  readonly dir: string;
}

/** Writes the passwd file, the Maildir and the config, starts `dovecot -F`, waits for the port. */
export async function startDovecot(spec: DovecotSpec): Promise<RunningDovecot> {
  const bin = requireCommand('dovecot', PACKAGE[spec.protocol]);
  const port = await freePort();
  const dir = spec.tmp.path('dovecot');
  // Dovecot's auth process runs as the `dovecot` user and must reach the passwd file.
  chmodSync(spec.tmp.dir, 0o755);
  for (const sub of ['run', 'state', 'mail', 'home']) mkdirSync(join(dir, sub), { recursive: true });
  const asRoot = process.getuid?.() === 0;
  const uid = asRoot ? 65534 : (process.getuid?.() ?? 65534);
  const gid = asRoot ? 65534 : (process.getgid?.() ?? 65534);
  writeFileSync(join(dir, 'passwd'), `${spec.user}:{PLAIN}${spec.password}::::::\n`);
  writeMaildir(join(dir, 'mail', spec.user), spec.messages, spec.flags);
  if (asRoot)
    spawnSync('chown', ['-R', `${String(uid)}:${String(gid)}`, join(dir, 'mail'), join(dir, 'home')]);
  const conf = join(dir, 'dovecot.conf');
  writeFileSync(conf, config(dir, spec, port, uid, gid));
  const peer = await startPeer({
    name: 'dovecot',
    command: bin,
    args: ['-F', '-c', conf],
    core: SERVER_CORE,
    logFile: spec.tmp.path('dovecot.out'),
    extraLogs: [join(dir, 'dovecot.log')],
    ready: () => tcpPortOpen(port),
    readyTimeoutMs: 15_000,
  });
  return { peer, port, dir };
}
