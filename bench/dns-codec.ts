/**
 * Micro-benchmark of the DNS codec (not a test): encode and decode a typical query and a typical
 * authoritative answer (2 A in the answer, 2 NS in authority, 2 glue A/AAAA and an OPT), printing
 * operations per second. Run: `npx tsx bench/dns-codec.ts [seconds-per-case]`.
 */
import {
  decodeHeader,
  decodeMessage,
  encodeMessage,
  MessageEncoder,
  type Message,
} from '../src/dns/index.js';
import { microBench } from './lib/micro.js';

const header = {
  id: 0x1234,
  qr: false,
  opcode: 0,
  aa: false,
  tc: false,
  rd: false,
  ra: false,
  z: false,
  ad: false,
  cd: false,
  rcode: 0,
};
const edns = { udpPayloadSize: 1232, extendedRcode: 0, version: 0, dnssecOk: false, z: 0, options: [] };
const question = { name: 'wWw.ExAmple.TeSt.', type: 1, class: 1 };

const query: Message = { header, questions: [question], answers: [], authorities: [], additionals: [], edns };
const answer: Message = {
  header: { ...header, qr: true, aa: true },
  questions: [question],
  answers: [
    { name: 'www.example.test.', type: 1, class: 1, ttl: 3600, data: { type: 'A', address: '192.0.2.80' } },
    { name: 'www.example.test.', type: 1, class: 1, ttl: 3600, data: { type: 'A', address: '192.0.2.81' } },
  ],
  authorities: [
    {
      name: 'example.test.',
      type: 2,
      class: 1,
      ttl: 3600,
      data: { type: 'NS', target: 'ns1.example.test.' },
    },
    {
      name: 'example.test.',
      type: 2,
      class: 1,
      ttl: 3600,
      data: { type: 'NS', target: 'ns2.example.test.' },
    },
  ],
  additionals: [
    { name: 'ns1.example.test.', type: 1, class: 1, ttl: 3600, data: { type: 'A', address: '192.0.2.53' } },
    {
      name: 'ns1.example.test.',
      type: 28,
      class: 1,
      ttl: 3600,
      data: { type: 'AAAA', address: '2001:db8::53' },
    },
  ],
  edns,
};

const seconds = Number(process.argv[2] ?? '1');
const encoder = new MessageEncoder();
const queryWire = encoder.encode(query);
const answerWire = encoder.encode(answer, { maxSize: 1232 });

function bench(name: string, fn: () => unknown): void {
  microBench(name, seconds, fn, 44);
}

console.log(`query ${queryWire.length} octets, answer ${answerWire.length} octets`);
bench('decodeHeader(query)', () => decodeHeader(queryWire));
bench('decodeMessage(query)', () => decodeMessage(queryWire));
bench('MessageEncoder.encode(query)', () => encoder.encode(query));
bench('decodeMessage(answer)', () => decodeMessage(answerWire));
bench('MessageEncoder.encode(answer, maxSize 1232)', () => encoder.encode(answer, { maxSize: 1232 }));
bench('encodeMessage(answer) one-shot', () => encodeMessage(answer));
bench('server path: decode query + encode answer', () => {
  decodeMessage(queryWire);
  encoder.encode(answer, { maxSize: 1232 });
});
