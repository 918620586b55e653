/**
 * The values `outpost telnet` takes apart before connecting: the escape character (`^]`, `^X`
 * notation, one character, or `none`), the port (a number or a service name like `smtp`), the
 * `--dns HOST:PORT` server and the `--environ` variables. Pure, so each rule is tested alone.
 */
import { ErrorCodes, OutpostError } from '../core/errors.js';

function invalid(message: string): OutpostError {
  return new OutpostError(ErrorCodes.CONFIG_INVALID, message);
}

/** The escape character's byte, or null for `none`/`off` (no escape at all). */
export function parseEscape(text: string): number | null {
  if (text === 'none' || text === 'off') return null;
  if (/^\^[@-_a-z?]$/.test(text)) {
    const c = text.toUpperCase().charCodeAt(1);
    return c === 0x3f ? 0x7f : c - 0x40;
  }
  if (text.length === 1 && text.charCodeAt(0) < 0x80) return text.charCodeAt(0);
  throw invalid(`escape character must be one character, ^X, or none: "${text}"`);
}

/** How the escape character reads: `^]`. */
export function escapeName(byte: number | null): string {
  if (byte === null) return 'none';
  if (byte === 0x7f) return '^?';
  return byte < 0x20 ? `^${String.fromCharCode(byte + 0x40)}` : String.fromCharCode(byte);
}

/** Ports by the names people type (`outpost telnet mx.test smtp`). */
const SERVICES: Readonly<Record<string, number>> = {
  ftp: 21,
  telnet: 23,
  smtp: 25,
  http: 80,
  pop3: 110,
  imap: 143,
  https: 443,
  smtps: 465,
  submission: 587,
  imaps: 993,
  pop3s: 995,
};

/** A port number (1..65535) or a service name; 23 when absent. */
export function parsePort(text: string | undefined): number {
  if (text === undefined) return 23;
  const named = SERVICES[text.toLowerCase()];
  if (named !== undefined) return named;
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalid(`invalid port "${text}"`);
  return port;
}

/** `HOST:PORT`, `[V6]:PORT` or a bare host (port 53). */
export function parseDnsServer(text: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(text) ?? /^([^:]+)(?::(\d+))?$/.exec(text);
  const host = m?.[1];
  if (host === undefined) throw invalid(`--dns wants HOST:PORT, got "${text}"`);
  return { host, port: m?.[2] === undefined ? 53 : parsePort(m[2]) };
}

/**
 * The variables NEW-ENVIRON may send: `NAME` takes this process's value, `NAME=VALUE` gives one.
 * Names come comma-separated, from one or several `--environ`. A name this process has no value
 * for is left out, so a server asking for it hears "undefined" (RFC 1572).
 */
export function parseEnviron(
  lists: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of lists.flatMap((l) => l.split(','))) {
    const entry = item.trim();
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    const name = eq < 0 ? entry : entry.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw invalid(`--environ: invalid variable name "${name}"`);
    const value = eq < 0 ? env[name] : entry.slice(eq + 1);
    if (value !== undefined) out.set(name, value);
  }
  return out;
}
