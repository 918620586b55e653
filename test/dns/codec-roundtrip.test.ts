/**
 * Round trips for every modelled record type (and opaque RFC 3597 data), the presentation text
 * dig would print for each, and the name/IP helpers the codec relies on.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  canonicalName,
  decodeMessage,
  decodeRdataBytes,
  encodeMessage,
  formatIpv6,
  isSubdomain,
  MessageEncoder,
  nameKey,
  parseIpv6,
  parseName,
  rdataToText,
  recordToText,
  RRType,
  typeFromString,
  typeToString,
  classFromString,
  classToString,
  type RecordData,
} from '../../src/dns/index.js';
import { formatLabels } from '../../src/dns/name.js';
import { prng } from '../helpers/prng.js';
import { assertParseError, enc, makeMessage, rr } from './helpers.js';

const cases: [RecordData, string][] = [
  [{ type: 'A', address: '192.0.2.1' }, '192.0.2.1'],
  [{ type: 'AAAA', address: '2001:db8::1' }, '2001:db8::1'],
  [{ type: 'AAAA', address: '::ffff:192.0.2.1' }, '::ffff:192.0.2.1'],
  [{ type: 'NS', target: 'ns1.example.test.' }, 'ns1.example.test.'],
  [{ type: 'CNAME', target: 'www.example.test.' }, 'www.example.test.'],
  [{ type: 'PTR', target: 'host.example.test.' }, 'host.example.test.'],
  [{ type: 'DNAME', target: 'example.net.' }, 'example.net.'],
  [{ type: 'MX', preference: 10, exchange: 'mail.example.test.' }, '10 mail.example.test.'],
  [
    {
      type: 'SOA',
      mname: 'ns1.example.test.',
      rname: 'host\\.master.example.test.',
      serial: 4294967295,
      refresh: 7200,
      retry: 3600,
      expire: 1209600,
      minimum: 300,
    },
    'ns1.example.test. host\\.master.example.test. 4294967295 7200 3600 1209600 300',
  ],
  [
    {
      type: 'TXT',
      strings: [enc('v=spf1 -all'), enc('say "hi"\\'), Uint8Array.from([0, 9, 255]), new Uint8Array(0)],
    },
    '"v=spf1 -all" "say \\"hi\\"\\\\" "\\000\\009\\255" ""',
  ],
  [{ type: 'HINFO', cpu: enc('Generic PC'), os: enc('Linux') }, '"Generic PC" "Linux"'],
  [
    { type: 'SRV', priority: 10, weight: 60, port: 5060, target: 'sip.example.test.' },
    '10 60 5060 sip.example.test.',
  ],
  [{ type: 'CAA', flags: 0, tag: 'issue', value: enc('ca.example.net') }, '0 issue "ca.example.net"'],
  [{ type: 'CAA', flags: 128, tag: 'tbs', value: new Uint8Array(0) }, '128 tbs ""'],
  [{ type: 65280, data: Uint8Array.from([0x0a, 0, 0, 1]) }, '\\# 4 0A000001'],
  [{ type: 99, data: new Uint8Array(0) }, '\\# 0'],
  [{ type: RRType.DS, data: Uint8Array.from([1, 2, 3, 4, 5]) }, '\\# 5 0102030405'],
];

for (const [data, text] of cases) {
  const name = typeof data.type === 'number' ? typeToString(data.type) : data.type;
  test(`${name} round trips and prints as ${text}`, () => {
    const msg = makeMessage({
      questions: [{ name: 'example.test.', type: RRType.ANY, class: 1 }],
      answers: [rr('example.test.', data), rr('other.example.test.', data, 86400)],
      authorities: [rr('example.test.', data, 0)],
      additionals: [rr('x.example.test.', data, 2147483647)],
    });
    const back = decodeMessage(encodeMessage(msg));
    assert.deepEqual(back, msg);
    assert.equal(rdataToText(data), text);
  });
}

test('recordToText lays a record out like dig', () => {
  assert.equal(
    recordToText(rr('www.example.test.', { type: 'A', address: '192.0.2.1' }, 60)),
    'www.example.test.\t60\tIN\tA\t192.0.2.1',
  );
  assert.equal(
    recordToText({
      name: 'x.',
      type: 65280,
      class: 300,
      ttl: 1,
      data: { type: 65280, data: Uint8Array.from([1]) },
    }),
    'x.\t1\tCLASS300\tTYPE65280\t\\# 1 01',
  );
});

test('opaque data for a known type is written raw and read back typed', () => {
  const msg = makeMessage({ answers: [rr('a.test.', { type: 1, data: Uint8Array.from([192, 0, 2, 7]) })] });
  assert.deepEqual(decodeMessage(encodeMessage(msg)).answers[0]?.data, { type: 'A', address: '192.0.2.7' });
  assert.deepEqual(decodeRdataBytes(RRType.MX, Uint8Array.from([0, 5, 1, 0x61, 0])), {
    type: 'MX',
    preference: 5,
    exchange: 'a.',
  });
  assertParseError(() => decodeRdataBytes(RRType.NS, Uint8Array.from([0xc0, 0])), /pointer not allowed/);
});

test('a MessageEncoder can be reused across messages without leaking compression state', () => {
  const e = new MessageEncoder(64);
  const m1 = makeMessage({ answers: [rr('a.example.', { type: 'NS', target: 'ns.example.' })] });
  const m2 = makeMessage({ answers: [rr('b.other.', { type: 'NS', target: 'ns.other.' })] });
  const first = e.encode(m1);
  assert.deepEqual(decodeMessage(e.encode(m2)), m2);
  assert.deepEqual(e.encode(m1), first);
  assert.deepEqual(decodeMessage(first), m1);
});

test('encoder rejects records whose TYPE disagrees with their data, and bad field values', () => {
  const bad = {
    name: 'a.',
    type: RRType.AAAA,
    class: 1,
    ttl: 1,
    data: { type: 'A', address: '192.0.2.1' },
  } as const;
  assert.throws(() => encodeMessage(makeMessage({ answers: [bad] })), { code: 'ERR_ENCODE' });
  assert.throws(
    () =>
      encodeMessage(makeMessage({ answers: [rr('a.', { type: 'MX', preference: 70000, exchange: 'b.' })] })),
    { code: 'ERR_ENCODE' },
  );
  assert.throws(
    () => encodeMessage(makeMessage({ answers: [rr('a.', { type: 'A', address: '192.0.2.256' })] })),
    {
      code: 'ERR_ENCODE',
    },
  );
  assert.throws(
    () =>
      encodeMessage(makeMessage({ answers: [rr('a.', { type: 'TXT', strings: [new Uint8Array(256)] })] })),
    {
      code: 'ERR_ENCODE',
    },
  );
  assert.throws(() => encodeMessage(makeMessage({ answers: [rr('a.', { type: 'TXT', strings: [] })] })), {
    code: 'ERR_ENCODE',
  });
  assertParseError(() =>
    encodeMessage(makeMessage({ answers: [rr('a..b.', { type: 'A', address: '192.0.2.1' })] })),
  );
});

test('presentation names: escapes, limits and comparisons', () => {
  assert.equal(canonicalName('a\\.b.example'), 'a\\.b.example.');
  assert.equal(canonicalName('\\065\\032x.'), 'A\\032x.');
  assert.deepEqual(
    parseName('a.b.').labels.map((l) => l.length),
    [1, 1],
  );
  assert.equal(parseName('a.b').absolute, false);
  assert.equal(canonicalName('.'), '.');
  assertParseError(() => parseName('a'.repeat(64)), /63/);
  assertParseError(() => parseName(`${'a'.repeat(63)}.`.repeat(4)), /255/);
  parseName(`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}.`); // exactly 255
  assertParseError(() => parseName('a\\256'), /octet/);
  assertParseError(() => parseName('a\\12'), /DDD/);
  assertParseError(() => parseName('a\\'), /backslash/);
  assert.equal(nameKey('WWW.Example.'), 'www.example.');
  assert.ok(isSubdomain('a.b.Example.', 'example'));
  assert.ok(!isSubdomain('aexample.', 'example.'));
  assert.ok(!isSubdomain('a\\.example.', 'example.'));
  assert.ok(isSubdomain('anything.', '.'));
});

test('IPv6 text follows RFC 5952 and accepts embedded IPv4', () => {
  const cases: [string, string][] = [
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['::1', '::1'],
    ['2001:db8::', '2001:db8::'],
    ['2001:db8:1:1:1:1:1:1', '2001:db8:1:1:1:1:1:1'],
    ['2001:0:0:1::1', '2001:0:0:1::1'],
    ['::ffff:c000:0201', '::ffff:192.0.2.1'],
    ['::192.0.2.1', '::c000:201'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
  ];
  for (const [input, output] of cases) assert.equal(formatIpv6(parseIpv6(input)), output, input);
  for (const bad of [
    '1::2::3',
    '12345::',
    '1:2:3:4:5:6:7:8:9',
    ':::',
    'g::1',
    '1:2:3:4:5:6:7',
    '::1.2.3',
    '1.2.3.4::',
  ])
    assertParseError(() => parseIpv6(bad));
});

test('type and class mnemonics, including RFC 3597 generic names', () => {
  assert.equal(typeFromString('mx'), 15);
  assert.equal(typeFromString('TYPE65280'), 65280);
  assert.equal(typeFromString('TYPE65536'), undefined);
  assert.equal(typeFromString('BOGUS'), undefined);
  assert.equal(typeToString(257), 'CAA');
  assert.equal(typeToString(65280), 'TYPE65280');
  assert.equal(classFromString('class3'), 3);
  assert.equal(classToString(1), 'IN');
  assert.equal(classToString(42), 'CLASS42');
});

test('canonicalName and nameKey agree with the full parse on random names (their fast path for plain names)', () => {
  const next = prng(4343);
  const alphabet = ['a', 'Z', '0', '-', '_', '*', '.', '.', '\\', '\\.', '\\065', 'é', ' '];
  const slow = (text: string): string => formatLabels(parseName(text).labels);
  const outcome = (f: () => string): string => {
    try {
      return f();
    } catch (err) {
      return `throws ${err instanceof Error ? err.message : String(err)}`;
    }
  };
  for (let i = 0; i < 5000; i++) {
    const length = Math.floor(next() * (i % 10 === 0 ? 300 : 30));
    let text = '';
    for (let k = 0; k < length; k++) text += alphabet[Math.floor(next() * alphabet.length)] ?? '';
    if (i % 7 === 0) text = `${'a'.repeat(Math.floor(next() * 70))}.example.`;
    assert.equal(
      outcome(() => canonicalName(text)),
      outcome(() => slow(text)),
      JSON.stringify(text),
    );
    assert.equal(
      outcome(() => nameKey(text)),
      outcome(() => slow(text).replace(/[A-Z]/g, (c) => c.toLowerCase())),
      JSON.stringify(text),
    );
  }
  assert.equal(nameKey('WwW.Example.TEST'), 'www.example.test.');
  assert.equal(canonicalName('WwW.Example.TEST.'), 'WwW.Example.TEST.');
});
