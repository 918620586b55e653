// The dig-style formatter against golden text copied from BIND 9.18's dig (column alignment,
// header and flags lines, OPT pseudo-section, trailer), `+short`, and the WHEN clock format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RRType, type Message } from '../../src/dns/index.js';
import {
  buildQuery,
  digRecordLine,
  formatDig,
  formatShort,
  formatWhen,
  type QueryResult,
} from '../../src/dns/client/index.js';
import { enc, makeMessage, rr } from './helpers.js';

const when = new Date(Date.UTC(2026, 10, 1, 5, 3, 2));
const query = buildQuery({
  server: { host: '127.0.0.1', port: 10053 },
  name: 'www.example.test',
  type: 1,
  id: 4242,
});

function result(message: Message, transport: 'udp' | 'tcp' = 'udp', q: Message = query): QueryResult {
  return {
    message,
    bytes: 198,
    transport,
    elapsedMs: 3.4,
    server: { host: '127.0.0.1', port: 10053, address: '127.0.0.1', family: 4 },
    query: q,
  };
}

const reply = makeMessage({
  header: { id: 4242, aa: true, rd: true },
  questions: [{ name: 'www.example.test.', type: 1, class: 1 }],
  answers: [rr('www.example.test.', { type: 'A', address: '192.0.2.80' }, 3600)],
  authorities: [rr('example.test.', { type: 'NS', target: 'ns1.example.test.' }, 3600)],
  additionals: [rr('ns2.example.test.', { type: 'A', address: '198.51.100.53' }, 300)],
  edns: { udpPayloadSize: 1232, extendedRcode: 0, version: 0, dnssecOk: false, z: 0, options: [] },
});

test('the long format matches dig line for line', () => {
  const text = formatDig(result(reply), {
    args: ['www.example.test', '@127.0.0.1', '-p', '10053'],
    when,
    serverGiven: true,
  });
  assert.equal(
    text,
    [
      '',
      '; <<>> Outpost dig <<>> www.example.test @127.0.0.1 -p 10053',
      '; (1 server found)',
      ';; global options: +cmd',
      ';; Got answer:',
      ';; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 4242',
      ';; flags: qr aa rd; QUERY: 1, ANSWER: 1, AUTHORITY: 1, ADDITIONAL: 2',
      ';; WARNING: recursion requested but not available',
      '',
      ';; OPT PSEUDOSECTION:',
      '; EDNS: version: 0, flags:; udp: 1232',
      ';; QUESTION SECTION:',
      ';www.example.test.\t\tIN\tA',
      '',
      ';; ANSWER SECTION:',
      'www.example.test.\t3600\tIN\tA\t192.0.2.80',
      '',
      ';; AUTHORITY SECTION:',
      'example.test.\t\t3600\tIN\tNS\tns1.example.test.',
      '',
      ';; ADDITIONAL SECTION:',
      'ns2.example.test.\t300\tIN\tA\t198.51.100.53',
      '',
      ';; Query time: 3 msec',
      ';; SERVER: 127.0.0.1#10053(127.0.0.1) (UDP)',
      ';; WHEN: Sun Nov 01 05:03:02 UTC 2026',
      ';; MSG SIZE  rcvd: 198',
      '',
      '',
    ].join('\n'),
  );
});

test('no EDNS, no RD, an error rcode, empty sections and a TC fallback', () => {
  const norec = buildQuery({
    server: { host: '::1', port: 53 },
    name: 'nx.example.test',
    type: 1,
    recursionDesired: false,
  });
  const m = makeMessage({
    header: { id: 1, aa: true, rd: false, rcode: 3 },
    questions: [{ name: 'nx.example.test.', type: 1, class: 1 }],
  });
  const text = formatDig(result(m, 'tcp', norec), {
    args: ['nx.example.test', '+norec'],
    when,
    version: '1.2.3',
  });
  assert.ok(
    text.startsWith(
      ';; Truncated, retrying in TCP mode.\n\n; <<>> Outpost dig 1.2.3 <<>> nx.example.test +norec\n;; global',
    ),
  );
  assert.match(
    text,
    /status: NXDOMAIN, id: 1\n;; flags: qr aa; QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 0\n\n;; QUESTION SECTION:\n;nx\.example\.test\.\t\tIN\tA\n\n;; Query time/,
  );
  assert.doesNotMatch(text, /WARNING|OPT PSEUDOSECTION|ANSWER SECTION/);
  assert.match(text, /\(TCP\)\n/);
  const asked = formatDig(result(m, 'tcp', norec), { args: [], when, tcpRequested: true });
  assert.doesNotMatch(asked, /Truncated/);
});

test('EDNS flags, MBZ and options are shown like dig', () => {
  const m = makeMessage({
    header: { rd: true, ra: true, ad: true, cd: true, tc: true },
    edns: {
      udpPayloadSize: 4096,
      extendedRcode: 0,
      version: 0,
      dnssecOk: true,
      z: 1,
      options: [
        { code: 3, data: enc('ns1') },
        { code: 10, data: Uint8Array.from([0xab, 0xcd]) },
        { code: 65001, data: Uint8Array.from([0x41, 0x00]) },
        { code: 15, data: Uint8Array.from([0, 20]) },
        { code: 15, data: Uint8Array.from([0, 18, 0x6e, 0x6f]) },
      ],
    },
  });
  const text = formatDig(result(m), { args: [], when });
  assert.match(text, /;; flags: qr aa tc rd ra ad cd;/);
  assert.match(
    text,
    /; EDNS: version: 0, flags: do; MBZ: 0x0001, udp: 4096\n; NSID: 6E7331 \("ns1"\)\n; COOKIE: abcd\n; OPT=65001: 4100 \("A\."\)\n; EDE: 20 \(Not Authoritative\)\n; EDE: 18 \(Prohibited\): \(no\)\n/,
  );
});

test('columns follow BIND: long owners and long types get one space', () => {
  const long = 'a-rather-long-owner-name.example.test.';
  assert.equal(
    digRecordLine(rr(long, { type: 'A', address: '192.0.2.1' }, 60)),
    `${long} 60 IN A\t192.0.2.1`,
  );
  assert.equal(
    digRecordLine(rr('unknown.example.test.', { type: 65280, data: Uint8Array.from([10, 0, 0, 1]) }, 3600)),
    'unknown.example.test.\t3600\tIN\tTYPE65280 \\# 4 0A000001',
  );
  assert.equal(
    digRecordLine(
      rr(
        'example.test.',
        {
          type: 'SOA',
          mname: 'ns1.example.test.',
          rname: 'hostmaster.example.test.',
          serial: 1,
          refresh: 2,
          retry: 3,
          expire: 4,
          minimum: 5,
        },
        300,
      ),
    ),
    'example.test.\t\t300\tIN\tSOA\tns1.example.test. hostmaster.example.test. 1 2 3 4 5',
  );
  assert.equal(
    digRecordLine(rr('x.', { type: 'A', address: '192.0.2.1' }, 2147483647)),
    'x.\t\t\t2147483647 IN\tA\t192.0.2.1',
  );
});

test('+short prints the RDATA of each answer, one per line', () => {
  const m = makeMessage({
    answers: [
      rr('ftp.example.test.', { type: 'CNAME', target: 'www.example.test.' }),
      rr('www.example.test.', { type: 'A', address: '192.0.2.80' }),
      rr('t.example.test.', { type: 'TXT', strings: [enc('a "q"'), enc('b')] }),
    ],
  });
  assert.equal(formatShort(m), 'www.example.test.\n192.0.2.80\n"a \\"q\\"" "b"\n');
  assert.equal(formatShort(makeMessage({})), '');
  assert.equal(RRType.A, 1);
});

test('WHEN is formatted like date(1) in UTC', () => {
  assert.equal(formatWhen(new Date(Date.UTC(2024, 0, 9, 23, 59, 59))), 'Tue Jan 09 23:59:59 UTC 2024');
});
