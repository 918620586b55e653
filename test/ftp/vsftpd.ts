/**
 * Running vsftpd as a peer (tests and bench/ftp.ts): anonymous read + anonymous upload into
 * `incoming/`, bound to 127.0.0.1, in the foreground, with its config and chroot in a temporary
 * directory. PEERS.md: vsftpd writes fatal errors to fd 0 (so stdin is a file we read back) and
 * an unknown option kills it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, openSync, readFileSync, writeFileSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '../helpers/eventually.js';
import { portAccepts } from '../helpers/port.js';

/** Where vsftpd serves from. */
export interface VsftpdLayout {
  /** Anonymous root (not writable, as vsftpd demands of a chroot). */
  readonly root: string;
  /** Writable upload directory inside the root. */
  readonly incoming: string;
  readonly configFile: string;
  /** vsftpd's fd 0: fatal errors land here. */
  readonly errorFile: string;
}

/** Writes the config and directories under `dir`; returns the layout. */
export function writeVsftpdConfig(dir: string, port: number, extra: readonly string[] = []): VsftpdLayout {
  const root = join(dir, 'root');
  const incoming = join(root, 'incoming');
  const empty = join(dir, 'empty');
  mkdirSync(incoming, { recursive: true });
  mkdirSync(empty, { recursive: true });
  chmodSync(dir, 0o755);
  chmodSync(root, 0o755);
  chmodSync(incoming, 0o777);
  const configFile = join(dir, 'vsftpd.conf');
  writeFileSync(
    configFile,
    [
      'listen=YES',
      'listen_ipv6=NO',
      'listen_address=127.0.0.1',
      `listen_port=${port}`,
      'background=NO',
      'anonymous_enable=YES',
      'local_enable=NO',
      'write_enable=YES',
      'anon_upload_enable=YES',
      'anon_mkdir_write_enable=YES',
      'anon_other_write_enable=YES',
      'anon_world_readable_only=NO',
      'anon_umask=022',
      `anon_root=${root}`,
      'no_anon_password=YES',
      `secure_chroot_dir=${empty}`,
      'seccomp_sandbox=NO',
      'xferlog_enable=NO',
      'max_clients=0',
      'max_per_ip=0',
      ...extra,
      '',
    ].join('\n'),
  );
  const errorFile = join(dir, 'vsftpd.stdin');
  writeFileSync(errorFile, '');
  return { root, incoming, configFile, errorFile };
}

/** Spawns vsftpd (optionally through `prefix`, e.g. taskset); resolves once it accepts. */
export async function startVsftpd(
  layout: VsftpdLayout,
  port: number,
  prefix: readonly string[] = [],
): Promise<{ child: ChildProcess; stop(): Promise<void> }> {
  const fd0 = openSync(layout.errorFile, 'r+');
  const command = prefix[0] ?? 'vsftpd';
  const args = [...prefix.slice(1), ...(prefix.length > 0 ? ['vsftpd'] : []), layout.configFile];
  const child = spawn(command, args, { stdio: [fd0, 'ignore', 'ignore'] });
  closeSync(fd0);
  const state = { exited: false };
  child.on('exit', () => {
    state.exited = true;
  });
  await eventually(
    () => {
      if (state.exited) throw new Error(`vsftpd exited: ${readFileSync(layout.errorFile, 'utf8')}`);
      return portAccepts(port);
    },
    { timeoutMs: 10_000, intervalMs: 50, what: 'vsftpd to listen' },
  );
  return {
    child,
    stop: async () => {
      if (state.exited) return;
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await done;
    },
  };
}
