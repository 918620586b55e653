/**
 * Informational handlers: SYST, NOOP, HELP and FEAT (both generated from the command table,
 * which they reach through the session context),
 * OPTS (RFC 2389 §4: UTF8, MLST), SITE, STAT (server status, transfer progress, or a listing over
 * the control connection), and the 502 of SMNT.
 */
import { mlstFeature, parseMlstOpts } from '../codec/listing.js';
import { ftpReply as reply } from '../codec/reply.js';
import type { FtpSessionContext as Ctx, HandlerResult } from './context.js';
import { collect, listText } from './listings.js';
import { siteChmod } from './handlers-files.js';

/** SYST (the answer every client expects, RFC 959 §4.1.3, names in RFC 1700). */
export function syst(): HandlerResult {
  return reply(215, 'UNIX Type: L8');
}

/** NOOP. */
export function noop(): HandlerResult {
  return reply(200, 'NOOP ok');
}

/** SMNT and friends. */
export function notImplemented(): HandlerResult {
  return reply(502, 'Command not implemented');
}

/** HELP [verb]: from the table. */
export function help(s: Ctx, arg: string): HandlerResult {
  const verb = arg.trim().toUpperCase();
  if (verb !== '') {
    const spec = s.commands.get(verb);
    return spec ? reply(214, `Syntax: ${spec.help}`) : reply(502, `Unknown command ${verb.slice(0, 4)}`);
  }
  const verbs = [...s.commands.keys()];
  const rows: string[] = [];
  for (let i = 0; i < verbs.length; i += 8)
    rows.push(
      ' ' +
        verbs
          .slice(i, i + 8)
          .map((v) => v.padEnd(5))
          .join(' ')
          .trimEnd(),
    );
  return reply(214, ['The following commands are recognized:', ...rows, 'Help OK']);
}

/** FEAT (RFC 2389 §3): every table entry with a feature line, plus MLST facts and TVFS. */
export function feat(s: Ctx): HandlerResult {
  const lines = new Set<string>();
  for (const spec of s.commands.values()) {
    if (spec.feat === undefined) continue;
    if (spec.feat === 'AUTH TLS' && !s.tls()) continue;
    lines.add(spec.feat);
  }
  lines.add(mlstFeature(s.settings.mlstFacts));
  lines.add('TVFS');
  return reply(211, ['Features:', ...[...lines].sort().map((l) => ` ${l}`), 'End']);
}

/** OPTS UTF8 ON|OFF (always UTF-8), OPTS MLST facts. */
export function opts(s: Ctx, arg: string): HandlerResult {
  const [name = '', ...rest] = arg.trim().split(/\s+/);
  const value = rest.join(' ');
  switch (name.toUpperCase()) {
    case 'UTF8':
    case 'UTF-8':
      if (value.toUpperCase() === 'ON' || value === '') return reply(200, 'Always in UTF8 mode');
      return reply(504, 'UTF8 cannot be turned off');
    case 'MLST': {
      s.settings.mlstFacts = parseMlstOpts(value);
      return reply(200, `MLST OPTS ${[...s.settings.mlstFacts].map((f) => `${f};`).join('')}`);
    }
    default:
      return reply(501, 'Option not understood');
  }
}

/** SITE HELP; other SITE commands are not offered. */
export function site(s: Ctx, arg: string): HandlerResult | Promise<HandlerResult> {
  const m = /^(\S+)(?: (.*))?$/.exec(arg.trim());
  const sub = (m?.[1] ?? '').toUpperCase();
  if (sub === 'HELP')
    return reply(214, ['SITE commands:', ' CHMOD <sp> octal-mode <sp> pathname', ' HELP', 'End']);
  if (sub === 'CHMOD') {
    if (s.state.kind !== 'ready') return reply(530, 'Please login with USER and PASS');
    return siteChmod(s.state, m?.[2] ?? '');
  }
  return reply(500, 'Unknown SITE command');
}

/** STAT: transfer progress, a listing over the control connection, or the server status. */
export async function stat(s: Ctx, arg: string): Promise<HandlerResult> {
  const ready = s.state.kind === 'ready' ? s.state : null;
  const transfer = ready?.transfer;
  if (transfer) {
    const secs = Math.max((s.now().getTime() - transfer.startedAt) / 1000, 0.001);
    return reply(
      213,
      `Status: ${transfer.bytes} bytes of ${transfer.verb} ${transfer.path} transferred (${Math.round(transfer.bytes / secs)} bytes/s)`,
    );
  }
  if (arg.trim() !== '') {
    if (!ready) return reply(530, 'Please login with USER and PASS');
    if (!ready.fs.permissions.read) return reply(550, 'Permission denied');
    const { virtual, entries } = await collect(ready, arg, { parseOptions: true });
    const lines = listText(entries, s.now())
      .split('\r\n')
      .filter((l) => l !== '');
    return reply(213, [`Status of ${virtual}:`, ...lines, 'End of status']);
  }
  const lines = [
    'Outpost FTP server status:',
    ` Connected to ${s.conn.remoteAddress}`,
    ready ? ` Logged in as ${ready.user.name}` : ' Not logged in',
    ...(ready?.host ? [` Virtual host ${ready.host.name}`] : []),
    ` TYPE: ${s.settings.type === 'I' ? 'BINARY' : 'ASCII'}; STRUcture: File; transfer MODE: Stream`,
    ` Control connection ${s.conn.secure ? 'protected by TLS' : 'plain text'}; data connections ${s.settings.prot === 'P' ? 'private' : 'clear'}`,
    ' No data connection',
    'End of status',
  ];
  return reply(211, lines);
}
