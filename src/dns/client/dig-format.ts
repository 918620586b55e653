/**
 * A reply laid out the way dig (BIND 9.18) prints it, so people and scripts used to dig can read
 * `outpost dig` without surprises: the banner, `->>HEADER<<-` and flags lines, the OPT
 * pseudo-section, the four sections with dig's column alignment (owner padded to column 24,
 * then TTL, class and type to 32, 40 and 48, tabs of width 8, as BIND's masterdump `indent()`
 * does) and the trailer. `formatShort` is `+short`: the RDATA of each answer, one per line.
 * Pure: the caller passes the clock reading and everything else.
 */
import { classToString, EdnsOption, opcodeToString, rcodeToString, typeToString } from '../constants.js';
import { rdataToText, toHex } from '../presentation.js';
import type { Edns, Message, Question, ResourceRecord } from '../types.js';
import type { QueryResult } from './query.js';

/** What the long format needs besides the reply. */
export interface DigFormatContext {
  /** The command-line arguments after `dig`, echoed in the banner. */
  readonly args: readonly string[];
  /** When the reply arrived (the `;; WHEN:` line). */
  readonly when: Date;
  /** Version shown in the banner, e.g. `0.1.0`. */
  readonly version?: string;
  /** True when the user named a server with `@`: dig then prints `; (1 server found)`. */
  readonly serverGiven?: boolean;
  /** True when the user asked for TCP; otherwise a TCP reply means a TC=1 fallback happened. */
  readonly tcpRequested?: boolean;
}

/** BIND's dig style: TTL, class, type and RDATA columns, tab width 8. */
const TTL_COLUMN = 24;
const CLASS_COLUMN = 32;
const TYPE_COLUMN = 40;
const RDATA_COLUMN = 48;
const TAB_WIDTH = 8;

/** Pad from column `from` to `to` with tabs then spaces, always at least one character. */
function indent(from: number, to: number): { text: string; column: number } {
  const target = Math.max(to, from + 1);
  const tabs = Math.floor(target / TAB_WIDTH) - Math.floor(from / TAB_WIDTH);
  if (tabs > 0) {
    const at = Math.floor(target / TAB_WIDTH) * TAB_WIDTH;
    return { text: '\t'.repeat(tabs) + ' '.repeat(target - at), column: target };
  }
  return { text: ' '.repeat(target - from), column: target };
}

/**
 * Lay out `fields` at the given columns. `prefix` is written before the first field without
 * counting towards the columns (dig's `;` in front of a question).
 */
function columns(fields: readonly string[], stops: readonly number[], prefix = ''): string {
  let line = prefix + (fields[0] ?? '');
  let column = (fields[0] ?? '').length;
  for (let i = 1; i < fields.length; i++) {
    const pad = indent(column, stops[i - 1] ?? column + 1);
    const field = fields[i] ?? '';
    line += pad.text + field;
    column = pad.column + field.length;
  }
  return line;
}

/** One record as dig prints it in a section. */
export function digRecordLine(rr: ResourceRecord): string {
  return columns(
    [rr.name, String(rr.ttl), classToString(rr.class), typeToString(rr.type), rdataToText(rr.data)],
    [TTL_COLUMN, CLASS_COLUMN, TYPE_COLUMN, RDATA_COLUMN],
  );
}

function questionLine(q: Question): string {
  return columns([q.name, classToString(q.class), typeToString(q.type)], [CLASS_COLUMN, TYPE_COLUMN], ';');
}

/** The header flags that are set, dig's way: ` qr aa rd` (each with a leading space). */
export function flagList(m: Message): string {
  const h = m.header;
  const set: [boolean, string][] = [
    [h.qr, 'qr'],
    [h.aa, 'aa'],
    [h.tc, 'tc'],
    [h.rd, 'rd'],
    [h.ra, 'ra'],
    [h.ad, 'ad'],
    [h.cd, 'cd'],
  ];
  return set
    .filter(([on]) => on)
    .map(([, name]) => ` ${name}`)
    .join('');
}

function printable(data: Uint8Array): string {
  let s = '';
  for (const c of data) s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
  return s;
}

/** Extended DNS Error names (RFC 8914 §4), as dig prints them after the code. */
const EDE_NAMES = [
  'Other',
  'Unsupported DNSKEY Algorithm',
  'Unsupported DS Digest Type',
  'Stale Answer',
  'Forged Answer',
  'DNSSEC Indeterminate',
  'DNSSEC Bogus',
  'Signature Expired',
  'Signature Not Yet Valid',
  'DNSKEY Missing',
  'RRSIGs Missing',
  'No Zone Key Bit Set',
  'NSEC Missing',
  'Cached Error',
  'Not Ready',
  'Blocked',
  'Censored',
  'Filtered',
  'Prohibited',
  'Stale NXDOMAIN Answer',
  'Not Authoritative',
  'Not Supported',
  'No Reachable Authority',
  'Network Error',
  'Invalid Data',
];

/** `20 (Not Authoritative)` plus `: (extra text)` when the server sent some (RFC 8914 §2). */
function edeText(data: Uint8Array): string {
  if (data.length < 2) return toHex(data);
  const code = ((data[0] ?? 0) << 8) | (data[1] ?? 0);
  const name = EDE_NAMES[code];
  const extra = data.length > 2 ? `: (${printable(data.subarray(2))})` : '';
  return `${code}${name === undefined ? '' : ` (${name})`}${extra}`;
}

function ednsLines(edns: Edns): string[] {
  const mbz = edns.z === 0 ? '' : ` MBZ: 0x${edns.z.toString(16).padStart(4, '0')},`;
  const lines = [
    ';; OPT PSEUDOSECTION:',
    `; EDNS: version: ${edns.version}, flags:${edns.dnssecOk ? ' do' : ''};${mbz} udp: ${edns.udpPayloadSize}`,
  ];
  for (const o of edns.options) {
    if (o.code === EdnsOption.COOKIE) lines.push(`; COOKIE: ${toHex(o.data).toLowerCase()}`);
    else if (o.code === EdnsOption.EDE) lines.push(`; EDE: ${edeText(o.data)}`);
    else if (o.code === EdnsOption.NSID) lines.push(`; NSID: ${toHex(o.data)} ("${printable(o.data)}")`);
    else lines.push(`; OPT=${o.code}: ${toHex(o.data)} ("${printable(o.data)}")`);
  }
  return lines;
}

const SECTIONS = [
  ['ANSWER', 'answers'],
  ['AUTHORITY', 'authorities'],
  ['ADDITIONAL', 'additionals'],
] as const;

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Sat Nov 21 15:13:02 UTC 2026`: dig's `;; WHEN:` format, always in UTC. */
export function formatWhen(when: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return (
    `${DAYS[when.getUTCDay()] ?? ''} ${MONTHS[when.getUTCMonth()] ?? ''} ${two(when.getUTCDate())} ` +
    `${two(when.getUTCHours())}:${two(when.getUTCMinutes())}:${two(when.getUTCSeconds())} UTC ${when.getUTCFullYear()}`
  );
}

/** The full dig-style report of `result`, ending with a blank line like dig's. */
export function formatDig(result: QueryResult, ctx: DigFormatContext): string {
  const m = result.message;
  const h = m.header;
  const out: string[] = [];
  if (result.transport === 'tcp' && ctx.tcpRequested !== true)
    out.push(';; Truncated, retrying in TCP mode.');
  out.push(
    '',
    `; <<>> Outpost dig${ctx.version === undefined ? '' : ` ${ctx.version}`} <<>> ${ctx.args.join(' ')}`,
  );
  if (ctx.serverGiven === true) out.push('; (1 server found)');
  out.push(';; global options: +cmd', ';; Got answer:');
  out.push(
    `;; ->>HEADER<<- opcode: ${opcodeToString(h.opcode)}, status: ${rcodeToString(h.rcode)}, id: ${h.id}`,
  );
  const additional = m.additionals.length + (m.edns === undefined ? 0 : 1);
  out.push(
    `;; flags:${flagList(m)}; QUERY: ${m.questions.length}, ANSWER: ${m.answers.length}, ` +
      `AUTHORITY: ${m.authorities.length}, ADDITIONAL: ${additional}`,
  );
  if (result.query.header.rd && !h.ra) out.push(';; WARNING: recursion requested but not available');
  out.push('');
  if (m.edns !== undefined) out.push(...ednsLines(m.edns));
  if (m.questions.length > 0) out.push(';; QUESTION SECTION:', ...m.questions.map(questionLine), '');
  for (const [title, key] of SECTIONS) {
    const records = m[key];
    if (records.length > 0) out.push(`;; ${title} SECTION:`, ...records.map(digRecordLine), '');
  }
  const { server } = result;
  out.push(
    `;; Query time: ${Math.round(result.elapsedMs)} msec`,
    `;; SERVER: ${server.address}#${server.port}(${server.host}) (${result.transport.toUpperCase()})`,
    `;; WHEN: ${formatWhen(ctx.when)}`,
    `;; MSG SIZE  rcvd: ${result.bytes}`,
    '',
    '',
  );
  return out.join('\n');
}

/** `+short`: the RDATA of every answer record, one per line (empty when there are none). */
export function formatShort(message: Message): string {
  return message.answers.map((rr) => rdataToText(rr.data) + '\n').join('');
}
