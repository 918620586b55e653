/**
 * The `outpost dig` command line, parsed the way dig parses it: tokens in any order, `@server`,
 * `-p port`, `-t type`, `-c class`, `-q name`, `-x address`, `+[no]option` switches, and bare
 * tokens taken as a type when they spell one (`MX`, `TYPE123`), then as a class, else as the
 * name. Pure: no I/O, so every rule is unit-tested. Errors are `DigUsageError` (exit 1).
 */
import { classFromString, parseIpv4, parseIpv6, RRClass, RRType, typeFromString } from '../dns/index.js';
import { canonicalName } from '../dns/index.js';
import { DEFAULT_EDNS_PAYLOAD, DEFAULT_RETRIES, DEFAULT_TIMEOUT_MS, DNS_PORT } from '../dns/client/index.js';

/** A command-line mistake; `outpost dig` prints it with the usage line and exits 1. */
export class DigUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DigUsageError';
  }
}

/** The usage line printed with every usage error. */
export const DIG_USAGE =
  'Usage: outpost dig [@server] [-p port] [-t type] [-c class] [-x addr] [name] [type] [class] ' +
  '[+[no]tcp] [+[no]rec] [+[no]short] [+[no]edns] [+[no]trace] [+bufsize=N] [+time=S] [+tries=N] [+retry=N]';

/** Everything `outpost dig` needs to ask its question. */
export interface DigRequest {
  readonly name: string;
  readonly type: number;
  readonly class: number;
  /** The `@server` token without the `@`; undefined means "from resolv.conf". */
  readonly server: string | undefined;
  readonly port: number;
  readonly tcp: boolean;
  readonly recurse: boolean;
  readonly short: boolean;
  readonly edns: { readonly payload: number } | false;
  readonly timeoutMs: number;
  readonly retries: number;
  /** `+trace`: iterate from the root ourselves and print each step. */
  readonly trace: boolean;
}

function integer(text: string, what: string, min: number, max: number): number {
  if (!/^[0-9]+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new DigUsageError(`invalid ${what} "${text}" (expected ${min}..${max})`);
  }
  return Number(text);
}

/** The reverse-lookup name of an address (RFC 1035 §3.5 in-addr.arpa, RFC 3596 §2.5 ip6.arpa). */
export function reverseName(address: string): string {
  try {
    if (address.includes(':')) {
      const nibbles: string[] = [];
      for (const b of parseIpv6(address)) nibbles.push((b >> 4).toString(16), (b & 0xf).toString(16));
      return `${nibbles.reverse().join('.')}.ip6.arpa.`;
    }
    return `${[...parseIpv4(address)].reverse().join('.')}.in-addr.arpa.`;
  } catch {
    throw new DigUsageError(`invalid address "${address}" for -x`);
  }
}

function checkedName(text: string): string {
  try {
    return canonicalName(text);
  } catch (err) {
    throw new DigUsageError(err instanceof Error ? err.message : String(err));
  }
}

function checkedType(text: string): number {
  const type = typeFromString(text);
  if (type === undefined) throw new DigUsageError(`unknown type "${text}"`);
  return type;
}

function checkedClass(text: string): number {
  const cls = classFromString(text);
  if (cls === undefined) throw new DigUsageError(`unknown class "${text}"`);
  return cls;
}

interface Draft {
  name?: string;
  type?: number;
  class?: number;
  server?: string;
  port: number;
  tcp: boolean;
  recurse: boolean;
  short: boolean;
  edns: boolean;
  payload: number;
  timeoutMs: number;
  retries: number;
  trace: boolean;
}

/** Apply one `+[no]keyword[=value]` switch. */
function plusOption(token: string, d: Draft): void {
  const m = /^\+(no)?([a-z0-9-]+)(?:=(.*))?$/i.exec(token);
  if (m === null) throw new DigUsageError(`invalid option ${token}`);
  const on = m[1] === undefined;
  const key = (m[2] ?? '').toLowerCase();
  const value = m[3];
  const needValue = (): string => {
    if (value === undefined || !on) throw new DigUsageError(`${token}: expected +${key}=value`);
    return value;
  };
  switch (key) {
    case 'tcp':
    case 'vc':
      d.tcp = on;
      return;
    case 'rec':
    case 'recurse':
      d.recurse = on;
      return;
    case 'short':
      d.short = on;
      return;
    case 'trace':
      d.trace = on;
      return;
    case 'edns':
      if (on && value !== undefined && value !== '0')
        throw new DigUsageError(`${token}: only EDNS version 0`);
      d.edns = on;
      return;
    case 'bufsize':
      d.payload = integer(needValue(), 'buffer size', 512, 65535);
      return;
    case 'time':
      d.timeoutMs = integer(needValue(), 'timeout', 1, 60) * 1000;
      return;
    case 'tries':
      d.retries = integer(needValue(), 'tries', 1, 10) - 1;
      return;
    case 'retry':
      d.retries = integer(needValue(), 'retry', 0, 9);
      return;
    default:
      throw new DigUsageError(`invalid option ${token}`);
  }
}

/** Parse the arguments after `dig`. Throws `DigUsageError` on anything dig would reject. */
export function parseDigArgs(args: readonly string[]): DigRequest {
  const d: Draft = {
    port: DNS_PORT,
    tcp: false,
    recurse: true,
    short: false,
    edns: true,
    payload: DEFAULT_EDNS_PAYLOAD,
    timeoutMs: DEFAULT_TIMEOUT_MS,
    retries: DEFAULT_RETRIES,
    trace: false,
  };
  const setName = (name: string): void => {
    if (d.name !== undefined)
      throw new DigUsageError(`only one query name is supported (got ${d.name} and ${name})`);
    d.name = checkedName(name);
  };
  for (let i = 0; i < args.length; i++) {
    const token = args[i] ?? '';
    if (token.startsWith('@')) {
      if (token.length === 1) throw new DigUsageError('missing server after @');
      d.server = token.slice(1);
    } else if (token.startsWith('+')) {
      plusOption(token, d);
    } else if (/^-[ptcqx]/.test(token)) {
      const flag = token.charAt(1);
      const value = token.length > 2 ? token.slice(2) : args[++i];
      if (value === undefined) throw new DigUsageError(`option -${flag} needs a value`);
      if (flag === 'p') d.port = integer(value, 'port', 1, 65535);
      else if (flag === 't') d.type = checkedType(value);
      else if (flag === 'c') d.class = checkedClass(value);
      else if (flag === 'q') setName(value);
      else {
        setName(reverseName(value));
        d.type ??= RRType.PTR;
      }
    } else if (token.startsWith('-') && token.length > 1) {
      throw new DigUsageError(`invalid option ${token}`);
    } else if (d.type === undefined && typeFromString(token) !== undefined) {
      d.type = checkedType(token);
    } else if (d.class === undefined && classFromString(token) !== undefined) {
      d.class = checkedClass(token);
    } else {
      setName(token);
    }
  }
  const type = d.type ?? (d.name === undefined ? RRType.NS : RRType.A);
  if (type === RRType.AXFR || type === RRType.IXFR) {
    throw new DigUsageError('zone transfers (AXFR/IXFR) are not supported by outpost dig yet');
  }
  return {
    name: d.name ?? '.',
    type,
    class: d.class ?? RRClass.IN,
    server: d.server,
    port: d.port,
    tcp: d.tcp,
    recurse: d.recurse,
    short: d.short,
    edns: d.edns ? { payload: d.payload } : false,
    timeoutMs: d.timeoutMs,
    retries: d.retries,
    trace: d.trace,
  };
}
