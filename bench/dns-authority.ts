/**
 * Micro-benchmark of the authoritative answer engine (not a test): builds the fixture zone, then
 * times `Authority.answer` alone and the whole per-packet server path (decode query -> answer ->
 * encode reply with UDP truncation at 1232) for typical queries, printing operations per second.
 * The server target is ~70k queries/s from one Node thread, so the full path needs to stay well
 * above that. Run: `npx tsx bench/dns-authority.ts [seconds-per-case]`.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Authority, loadZoneFile } from '../src/dns/authority/index.js';
import { decodeMessage, MessageEncoder, RRType, type Message } from '../src/dns/index.js';
import { microBench } from './lib/micro.js';

const fixture = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'test',
  'dns',
  'fixtures',
  'example.test.zone',
);
const seconds = Number(process.argv[2] ?? '1');

const loadStart = process.hrtime.bigint();
const authority = new Authority([loadZoneFile('example.test', fixture)]);
console.log(`zone load + index: ${(Number(process.hrtime.bigint() - loadStart) / 1e6).toFixed(1)} ms`);

const encoder = new MessageEncoder();

function query(name: string, type: number): Message {
  return {
    header: {
      id: 0x1234,
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
    },
    questions: [{ name, type, class: 1 }],
    answers: [],
    authorities: [],
    additionals: [],
    edns: { udpPayloadSize: 1232, extendedRcode: 0, version: 0, dnssecOk: false, z: 0, options: [] },
  };
}

function bench(name: string, fn: () => unknown): void {
  microBench(name, seconds, fn, 52);
}

const cases: [string, string, number][] = [
  ['positive A (answer + NS + glue)', 'www.example.test.', RRType.A],
  ['MX with additional addresses', 'example.test.', RRType.MX],
  ['CNAME chain (2 links)', 'alias1.example.test.', RRType.A],
  ['wildcard synthesis', 'foo.wild.example.test.', RRType.A],
  ['NXDOMAIN', 'nothing.example.test.', RRType.A],
  ['referral with glue', 'host.sub.example.test.', RRType.A],
  ['mixed case (0x20 echo)', 'WwW.ExAmPle.TeSt.', RRType.A],
  ['REFUSED (not our zone)', 'www.example.org.', RRType.A],
];

for (const [label, name, type] of cases) {
  const q = query(name, type);
  bench(`answer: ${label}`, () => authority.answer(q));
}
for (const [label, name, type] of cases.slice(0, 5)) {
  const wire = encoder.encode(query(name, type));
  bench(`decode+answer+encode: ${label}`, () => {
    const reply = authority.answer(decodeMessage(wire));
    if (typeof reply !== 'string') encoder.encode(reply, { maxSize: 1232 });
  });
}
