/**
 * Access-control handlers: USER/PASS (suite accounts or anonymous, RFC 959 §4.1.1), ACCT, REIN,
 * QUIT, HOST (RFC 7151), and the RFC 4217 security commands AUTH TLS, PBSZ and PROT.
 */
import { parseHostArgument } from '../codec/host.js';
import { ftpReply as reply } from '../codec/reply.js';
import { UserFs, type FtpPermissions } from '../server/user-fs.js';
import type { FtpUser, VirtualHost } from './state.js';
import type { FtpSessionContext as Ctx, HandlerResult } from './context.js';

const ANONYMOUS = new Set(['anonymous', 'ftp']);

/** USER: remembers the name; anonymous only when an anonymous root is configured. */
export function user(s: Ctx, arg: string): HandlerResult {
  const name = arg.trim();
  const host = s.state.kind === 'login' || s.state.kind === 'password' ? s.state.host : null;
  if (ANONYMOUS.has(name.toLowerCase())) {
    s.state = { kind: 'password', host, user: name.toLowerCase() };
    return reply(331, 'Anonymous login ok, send your e-mail address as password');
  }
  if (s.plaintextRefused()) {
    return reply(530, 'Plaintext login refused: use AUTH TLS first');
  }
  s.state = { kind: 'password', host, user: name };
  return reply(331, 'Password required');
}

/** Logs `user` in on `host`: opens their confined filesystem at `root`, starting in `/`. */
async function enter(
  s: Ctx,
  login: { user: FtpUser; host: VirtualHost | null },
  root: string,
  permissions: FtpPermissions,
): Promise<void> {
  const fs = await UserFs.open(root, permissions);
  s.state = {
    kind: 'ready',
    user: login.user,
    host: login.host,
    fs,
    cwd: '/',
    renameFrom: null,
    restart: 0,
    transfer: null,
  };
}

/** PASS: checks the password; 230 and a confined filesystem, or 530. */
export async function pass(s: Ctx, arg: string): Promise<HandlerResult> {
  if (s.state.kind !== 'password') return reply(503, 'Login with USER first');
  const { user: name, host } = s.state;
  if (ANONYMOUS.has(name)) {
    const root = host?.anonymousRoot ?? s.options.anonymousRoot;
    if (root === undefined) {
      s.state = { kind: 'login', host };
      return reply(530, 'Login incorrect');
    }
    const user = { name: 'anonymous', anonymous: true };
    await enter(s, { user, host }, root, { read: true, write: false, delete: false });
    s.logger.info({ ip: s.conn.remoteAddress }, 'ftp anonymous login');
    return reply(230, 'Anonymous access granted, read-only');
  }
  const outcome = await s.options.authenticate(name, arg, s.conn.remoteAddress, host);
  if (!outcome.ok) {
    s.state = { kind: 'login', host };
    if (outcome.reason === 'throttled') {
      s.state = { kind: 'closing' };
      return reply(421, 'Too many failed logins, try again later');
    }
    return reply(530, 'Login incorrect');
  }
  await enter(s, { user: outcome.user, host }, outcome.root, outcome.permissions);
  return reply(230, 'User logged in, proceed');
}

/** ACCT: accounts are not used (RFC 959: 202 "superfluous"). */
export function acct(): HandlerResult {
  return reply(202, 'ACCT not needed');
}

/** REIN: back to "before USER", keeping the control connection and its TLS. */
export function rein(s: Ctx): HandlerResult {
  s.data.reset();
  s.state = { kind: 'login', host: null };
  s.settings.type = 'A';
  s.settings.epsvAll = false;
  return reply(220, 'Service ready for new user');
}

/** QUIT. */
export function quit(s: Ctx): HandlerResult {
  s.state = { kind: 'closing' };
  return reply(221, 'Goodbye');
}

/**
 * HOST (RFC 7151 §3): selects the virtual host whose accounts and anonymous tree the login that
 * follows uses. Only before USER (the command table answers 503 after it); a malformed name is
 * 501, one the server does not serve 504, and a second HOST before USER replaces the first.
 */
export async function host(s: Ctx, arg: string): Promise<HandlerResult> {
  const requested = parseHostArgument(arg);
  if (requested === null) return reply(501, 'Syntax: HOST <sp> hostname | [address]');
  const shown = requested.kind === 'name' ? requested.name : `[${requested.address}]`;
  const selected = s.options.virtualHost ? await s.options.virtualHost(requested) : { name: shown };
  if (selected === null) return reply(504, `Unknown virtual host ${shown}`);
  s.state = { kind: 'login', host: selected };
  return reply(220, `Host ${shown} selected`);
}

/** AUTH TLS (RFC 4217 §4): 234, then the handshake; pipelined plaintext is discarded. */
export async function authTls(s: Ctx, arg: string): Promise<HandlerResult> {
  const mech = arg.trim().toUpperCase();
  if (mech !== 'TLS' && mech !== 'TLS-C' && mech !== 'SSL') return reply(504, 'Only AUTH TLS is supported');
  if (s.conn.secure) return reply(503, 'TLS already active');
  const ctx = s.tls();
  if (!ctx) return reply(431, 'TLS not available');
  try {
    await s.conn.startTls(ctx, '234 AUTH TLS successful');
  } catch {
    s.state = { kind: 'closing' };
    return null;
  }
  s.settings.pbsz = false;
  s.settings.prot = 'C';
  return null;
}

/** PBSZ (RFC 4217 §8): only 0 makes sense for TLS. */
export function pbsz(s: Ctx, arg: string): HandlerResult {
  if (!s.conn.secure) return reply(503, 'PBSZ needs AUTH TLS first');
  if (!/^\d{1,10}$/.test(arg.trim())) return reply(501, 'Syntax: PBSZ <sp> 0');
  s.settings.pbsz = true;
  return reply(200, 'PBSZ=0');
}

/** PROT (RFC 4217 §9): C (clear) or P (private) data connections. */
export function prot(s: Ctx, arg: string): HandlerResult {
  if (!s.conn.secure || !s.settings.pbsz) return reply(503, 'PROT needs AUTH TLS and PBSZ first');
  const level = arg.trim().toUpperCase();
  if (level === 'C' || level === 'P') {
    s.settings.prot = level;
    return reply(200, `Protection level set to ${level}`);
  }
  if (level === 'S' || level === 'E') return reply(536, 'Protection level not supported');
  return reply(504, 'Unknown protection level');
}
