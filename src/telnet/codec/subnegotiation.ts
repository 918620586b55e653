/**
 * The payloads of the sub-negotiations the client takes part in: TERMINAL-TYPE (RFC 1091: the
 * server's SEND, our IS with the terminal's name), NAWS (RFC 1073: width and height as two
 * 16-bit numbers) and NEW-ENVIRON (RFC 1572: the server's SEND with the names it wants, our IS
 * with the values we were allowed to give). Payloads here exclude IAC SB option and IAC SE;
 * encodeSubnegotiation frames them. Pure.
 */
import { MAX_ENVIRON_VALUE, MAX_TERMINAL_TYPE_LENGTH, MAX_WINDOW_DIMENSION } from '../limits.js';
import { Env, Sub } from './constants.js';

/** True for a TERMINAL-TYPE SEND (RFC 1091: the payload is exactly SEND). */
export function isTerminalTypeSend(payload: Uint8Array): boolean {
  return payload.length === 1 && payload[0] === Sub.SEND;
}

/** TERMINAL-TYPE IS name: printable ASCII only, at most 40 characters (RFC 1010's names). */
export function terminalTypeIs(name: string): Buffer {
  const clean = name.replace(/[^\x21-\x7e]/g, '').slice(0, MAX_TERMINAL_TYPE_LENGTH);
  return Buffer.concat([Buffer.of(Sub.IS), Buffer.from(clean === '' ? 'UNKNOWN' : clean, 'ascii')]);
}

/** The NAWS payload (RFC 1073): width then height, 16 bits each, big-endian, clamped. */
export function nawsPayload(columns: number, rows: number): Buffer {
  const clamp = (n: number): number => Math.max(0, Math.min(MAX_WINDOW_DIMENSION, Math.floor(n) || 0));
  const out = Buffer.alloc(4);
  out.writeUInt16BE(clamp(columns), 0);
  out.writeUInt16BE(clamp(rows), 2);
  return out;
}

/** One variable of a NEW-ENVIRON SEND: its kind and name. */
export interface EnvironRequest {
  readonly kind: 'VAR' | 'USERVAR';
  readonly name: string;
}

/** Well-known variables (RFC 1572 §3): sent as VAR; every other name is a USERVAR. */
const WELL_KNOWN = new Set(['USER', 'JOB', 'ACCT', 'PRINTER', 'SYSTEMTYPE', 'DISPLAY']);

/**
 * A NEW-ENVIRON SEND's list of requested variables, or null when the payload is not a SEND.
 * An empty list means "send everything you may" (RFC 1572 §4). ESC escapes the next byte.
 */
export function parseEnvironSend(payload: Uint8Array): EnvironRequest[] | null {
  if (payload[0] !== Sub.SEND) return null;
  const requests: EnvironRequest[] = [];
  let current: { kind: EnvironRequest['kind']; bytes: number[] } | null = null;
  const close = (): void => {
    if (current !== null)
      requests.push({ kind: current.kind, name: Buffer.from(current.bytes).toString('latin1') });
    current = null;
  };
  for (let i = 1; i < payload.length; i++) {
    const b = payload[i] ?? 0;
    if (b === Env.VAR || b === Env.USERVAR) {
      close();
      current = { kind: b === Env.VAR ? 'VAR' : 'USERVAR', bytes: [] };
    } else if (current !== null && current.bytes.length < MAX_ENVIRON_VALUE) {
      if (b === Env.ESC && i + 1 < payload.length) current.bytes.push(payload[++i] ?? 0);
      else current.bytes.push(b);
    }
  }
  close();
  return requests;
}

function escapeEnv(text: string): number[] {
  const out: number[] = [];
  for (const b of Buffer.from(text.slice(0, MAX_ENVIRON_VALUE), 'utf8')) {
    if (b <= Env.USERVAR) out.push(Env.ESC);
    out.push(b);
  }
  return out;
}

/**
 * NEW-ENVIRON IS with the `allowed` variables the SEND asked for (all of them for an empty list);
 * a requested name we may not give is listed without a value, which RFC 1572 reads as undefined.
 */
export function environIs(requests: readonly EnvironRequest[], allowed: ReadonlyMap<string, string>): Buffer {
  const out: number[] = [Sub.IS];
  const wanted: EnvironRequest[] =
    requests.length > 0
      ? [...requests]
      : [...allowed.keys()].map((name) => ({ kind: WELL_KNOWN.has(name) ? 'VAR' : 'USERVAR', name }));
  for (const { kind, name } of wanted) {
    out.push(kind === 'VAR' ? Env.VAR : Env.USERVAR, ...escapeEnv(name));
    const value = allowed.get(name);
    if (value !== undefined) out.push(Env.VALUE, ...escapeEnv(value));
  }
  return Buffer.from(out);
}
