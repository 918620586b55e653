/**
 * Presentation-format RDATA -> typed record data, one small parser per type (RFC 1035 §5.1 and
 * each type's RFC), plus the RFC 3597 §5 generic form `\# <len> <hex>` for every type. Generic data
 * for a type we model is decoded into the typed form, so `TYPE1 \# 4 C0000201` and `A 192.0.2.1`
 * load identically. Names are resolved against the current origin (`@` is the origin).
 */
import { ErrorCodes, OutpostError } from '../../core/errors.js';
import { RRType, typeToString } from '../constants.js';
import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from '../ip.js';
import { MAX_CHARACTER_STRING } from '../limits.js';
import { formatLabels, parseName } from '../name.js';
import { decodeRdataBytes } from '../rdata-decode.js';
import type { RecordData } from '../types.js';
import type { Token } from './lexer.js';
import { looksLikeTtl, parseTtl } from './ttl.js';

function fail(message: string): never {
  throw new OutpostError(ErrorCodes.PARSE, message);
}

const textEncoder = new TextEncoder();

/**
 * Decode a character-string token's escapes (`\X`, `\DDD`, RFC 1035 §5.1) into octets; non-ASCII
 * characters become UTF-8. `\DDD` must be three digits and at most 255.
 */
export function decodeCharString(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) {
      if (i + 1 >= text.length) fail('backslash at end of string');
      const d = text.charCodeAt(i + 1);
      if (d >= 0x30 && d <= 0x39) {
        const digits = text.slice(i + 1, i + 4);
        if (!/^[0-9]{3}$/.test(digits)) fail(`bad escape "\\${digits}" (\\DDD needs three digits)`);
        const v = Number(digits);
        if (v > 255) fail(`bad escape "\\${digits}" (\\DDD must be at most 255)`);
        out.push(v);
        i += 3;
        continue;
      }
      i++;
    }
    const cp = text.codePointAt(i) ?? 0;
    if (cp < 0x80) out.push(cp);
    else {
      out.push(...textEncoder.encode(String.fromCodePoint(cp)));
      if (cp > 0xffff) i++;
    }
  }
  return Uint8Array.from(out);
}

/** Resolve a name token against `origin`: `@` is the origin, names without a final dot are relative. */
export function resolveName(token: Token, origin: string, what = 'name'): string {
  if (token.quoted) fail(`${what}: quoted string where a domain name is expected`);
  if (token.text === '@') return origin;
  const parsed = parseName(token.text);
  if (parsed.absolute) return formatLabels(parsed.labels);
  const o = parseName(origin);
  const joined = formatLabels([...parsed.labels, ...o.labels]);
  parseName(joined); // the combined name must still fit 255 octets
  return joined;
}

function unsigned(token: Token | undefined, max: number, what: string): number {
  if (token === undefined) fail(`missing ${what}`);
  if (token.quoted || !/^[0-9]+$/.test(token.text)) fail(`${what} "${token.text}" is not a number`);
  const v = Number(token.text);
  if (v > max) fail(`${what} ${token.text} is larger than ${max}`);
  return v;
}

function timeValue(token: Token | undefined, what: string): number {
  if (token === undefined) fail(`missing ${what}`);
  if (!looksLikeTtl(token.text)) fail(`${what} "${token.text}" is not a number`);
  return parseTtl(token.text);
}

function charString(token: Token | undefined, what: string): Uint8Array {
  if (token === undefined) fail(`missing ${what}`);
  const bytes = decodeCharString(token.text);
  if (bytes.length > MAX_CHARACTER_STRING) fail(`${what} is ${bytes.length} octets (at most 255)`);
  return bytes;
}

function name(token: Token | undefined, origin: string, what: string): string {
  if (token === undefined) fail(`missing ${what}`);
  return resolveName(token, origin, what);
}

function parseGeneric(type: number, tokens: readonly Token[]): RecordData {
  const lenToken = tokens[1];
  const len = unsigned(lenToken, 65535, 'RFC 3597 rdata length');
  let hex = '';
  for (const t of tokens.slice(2)) {
    if (t.quoted) fail('RFC 3597 rdata must be hex, not a quoted string');
    hex += t.text;
  }
  if (!/^[0-9a-fA-F]*$/.test(hex)) fail('RFC 3597 rdata contains a non-hex character');
  if (hex.length !== len * 2)
    fail(`RFC 3597 rdata length ${len} does not match ${hex.length / 2} octets of hex`);
  const bytes = Uint8Array.from(Buffer.from(hex, 'hex'));
  return decodeRdataBytes(type, bytes);
}

function noMore(tokens: readonly Token[], count: number, type: string): void {
  const extra = tokens[count];
  if (extra !== undefined) fail(`unexpected "${extra.text}" after ${type} data`);
}

/**
 * Parse the RDATA tokens of one record of numeric `type`. Throws ERR_PARSE with a message that the
 * zone parser prefixes with `file:line`.
 */
export function parseRdataText(type: number, tokens: readonly Token[], origin: string): RecordData {
  const first = tokens[0];
  if (first !== undefined && !first.quoted && first.text === '\\#') return parseGeneric(type, tokens);
  const t = (i: number): Token | undefined => tokens[i];
  const typeName = typeToString(type);
  let data: RecordData;
  let used: number;
  switch (type) {
    case RRType.A: {
      const tok = t(0);
      if (tok === undefined) fail('missing IPv4 address');
      data = { type: 'A', address: formatIpv4(parseIpv4(tok.text)) };
      used = 1;
      break;
    }
    case RRType.AAAA: {
      const tok = t(0);
      if (tok === undefined) fail('missing IPv6 address');
      data = { type: 'AAAA', address: formatIpv6(parseIpv6(tok.text)) };
      used = 1;
      break;
    }
    case RRType.NS:
    case RRType.CNAME:
    case RRType.PTR:
    case RRType.DNAME:
      data = {
        type: typeName as 'NS' | 'CNAME' | 'PTR' | 'DNAME',
        target: name(t(0), origin, `${typeName} target`),
      };
      used = 1;
      break;
    case RRType.MX:
      data = {
        type: 'MX',
        preference: unsigned(t(0), 0xffff, 'MX preference'),
        exchange: name(t(1), origin, 'MX exchange'),
      };
      used = 2;
      break;
    case RRType.SOA:
      data = {
        type: 'SOA',
        mname: name(t(0), origin, 'SOA mname'),
        rname: name(t(1), origin, 'SOA rname'),
        serial: unsigned(t(2), 0xffffffff, 'SOA serial'),
        refresh: timeValue(t(3), 'SOA refresh'),
        retry: timeValue(t(4), 'SOA retry'),
        expire: timeValue(t(5), 'SOA expire'),
        minimum: timeValue(t(6), 'SOA minimum'),
      };
      used = 7;
      break;
    case RRType.TXT:
      if (tokens.length === 0) fail('TXT needs at least one string');
      data = { type: 'TXT', strings: tokens.map((tok, i) => charString(tok, `TXT string ${i + 1}`)) };
      used = tokens.length;
      break;
    case RRType.HINFO:
      data = { type: 'HINFO', cpu: charString(t(0), 'HINFO cpu'), os: charString(t(1), 'HINFO os') };
      used = 2;
      break;
    case RRType.SRV:
      data = {
        type: 'SRV',
        priority: unsigned(t(0), 0xffff, 'SRV priority'),
        weight: unsigned(t(1), 0xffff, 'SRV weight'),
        port: unsigned(t(2), 0xffff, 'SRV port'),
        target: name(t(3), origin, 'SRV target'),
      };
      used = 4;
      break;
    case RRType.CAA: {
      const flags = unsigned(t(0), 255, 'CAA flags');
      const tag = t(1);
      if (tag === undefined) fail('missing CAA tag');
      if (tag.quoted || !/^[A-Za-z0-9]{1,255}$/.test(tag.text))
        fail(`CAA tag "${tag.text}" must be letters and digits`);
      const value = t(2);
      if (value === undefined) fail('missing CAA value');
      // RFC 8659 §4.1.1: the value is one token, not limited to 255 octets.
      data = { type: 'CAA', flags, tag: tag.text, value: decodeCharString(value.text) };
      used = 3;
      break;
    }
    default:
      fail(`no presentation format for type ${typeName}; use the RFC 3597 form "\\# <length> <hex>"`);
  }
  noMore(tokens, used, typeName);
  return data;
}
