/**
 * Shared helpers of the authoritative-engine tests: the fixture zone as an Authority, small
 * inline zones, a query builder, and `ask`, which answers through a full wire round trip
 * (encode query, decode, answer, encode reply, decode) so every assertion is about what a client
 * would really receive, printed as zone-file lines for readable diffs.
 */
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Authority,
  loadZoneFile,
  loadZoneText,
  type Deferral,
  type ZoneIndex,
} from '../../src/dns/authority/index.js';
import {
  decodeMessage,
  encodeMessage,
  recordToText,
  RRClass,
  type Edns,
  type Header,
  type Message,
  type ResourceRecord,
} from '../../src/dns/index.js';

export const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
export const fixtureFile = join(fixtures, 'example.test.zone');

/** The fixture zone example.test, loaded from its file. */
export function fixtureZone(): ZoneIndex {
  return loadZoneFile('example.test', fixtureFile);
}

/** An inline zone: `$TTL 300`, an SOA (MINIMUM 60) and `NS ns` + `ns A` are prepended to `body`. */
export function zone(apex: string, body = '', soaTtl = 300): ZoneIndex {
  const head = `$TTL 300\n@ ${soaTtl} SOA ns hostmaster 1 7200 3600 1209600 60\n@ NS ns\nns A 192.0.2.1\n`;
  return loadZoneText(apex, head + body, `${apex}.zone`);
}

/** An Authority serving the fixture zone plus `extra` zones. */
export function fixtureAuthority(...extra: ZoneIndex[]): Authority {
  return new Authority([fixtureZone(), ...extra]);
}

export const EDNS0: Edns = {
  udpPayloadSize: 4096,
  extendedRcode: 0,
  version: 0,
  dnssecOk: false,
  z: 0,
  options: [],
};

/** Options of `query`. */
export interface QueryOptions {
  readonly cls?: number;
  readonly edns?: Edns | false;
  readonly header?: Partial<Header>;
}

/** A standard query (RD set like dig's default, EDNS0 unless `edns: false`). */
export function query(name: string, type: number, options: QueryOptions = {}): Message {
  const header: Header = {
    id: 0xbeef,
    qr: false,
    opcode: 0,
    aa: false,
    tc: false,
    rd: true,
    ra: false,
    z: false,
    ad: false,
    cd: false,
    rcode: 0,
    ...options.header,
  };
  const base = {
    header,
    questions: [{ name, type, class: options.cls ?? RRClass.IN }],
    answers: [],
    authorities: [],
    additionals: [],
  };
  const edns = options.edns === undefined ? EDNS0 : options.edns;
  return edns === false ? base : { ...base, edns };
}

/** Answer `q` through the wire both ways; fails the test on a Deferral. */
export function wireAnswer(auth: Authority, q: Message): Message {
  const reply = auth.answer(decodeMessage(encodeMessage(q)));
  if (typeof reply === 'string') assert.fail(`unexpected deferral ${reply}`);
  return decodeMessage(encodeMessage(reply));
}

/** `wireAnswer` for a standard query. */
export function ask(auth: Authority, name: string, type: number, options: QueryOptions = {}): Message {
  return wireAnswer(auth, query(name, type, options));
}

/** The Deferral (or message) `answer` returns for `q`, without a wire round trip. */
export function raw(auth: Authority, q: Message): Message | Deferral {
  return auth.answer(q);
}

/** A section as zone-file lines (`owner TTL IN TYPE rdata`, tabs as recordToText prints them). */
export function lines(records: readonly ResourceRecord[]): string[] {
  return records.map((r) => recordToText(r).replace(/\t+/g, ' '));
}

/** A summary of the header: rcode and the flags that are set, e.g. `0 qr aa rd`. */
export function flags(m: Message): string {
  const h = m.header;
  const set = (['qr', 'aa', 'tc', 'rd', 'ra', 'z', 'ad', 'cd'] as const).filter((f) => h[f]);
  return [String(h.rcode), ...set].join(' ');
}

/** The three sections as lines, for one-shot deep equality. */
export function sections(m: Message): { an: string[]; ns: string[]; ar: string[] } {
  return { an: lines(m.answers), ns: lines(m.authorities), ar: lines(m.additionals) };
}

/** The fixture's apex NS RRset and its in-zone addresses, as every positive answer carries them. */
export const APEX_NS = [
  'example.test. 3600 IN NS ns1.example.test.',
  'example.test. 3600 IN NS ns2.example.test.',
  'example.test. 3600 IN NS ns.outside.test.',
];
export const APEX_NS_ADDRESSES = [
  'ns1.example.test. 3600 IN A 192.0.2.53',
  'ns2.example.test. 300 IN A 198.51.100.53',
  'ns1.example.test. 3600 IN AAAA 2001:db8::53',
];
/** The fixture's negative-answer SOA: TTL min(3600, MINIMUM 300) = 300 (RFC 2308 §3). */
export const NEGATIVE_SOA = [
  'example.test. 300 IN SOA ns1.example.test. hostmaster.example.test. 2024061501 7200 3600 1209600 300',
];
