/**
 * Byte-exact codec vectors: the RFC 1035 §4.1.4 compression example, a hand-assembled dig query,
 * header flag bits, EDNS (RFC 6891) including the extended rcode, and DNS 0x20 case preservation.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeHeader, decodeMessage, encodeMessage, Rcode, RRClass, RRType } from '../../src/dns/index.js';
import { fromHex, makeMessage, rr } from './helpers.js';

test('RFC 1035 §4.1.4 compression example decodes and re-encodes to the same bytes', () => {
  // F.ISI.ARPA at offset 12, FOO.F.ISI.ARPA as FOO + pointer to 12, ARPA as a pointer to
  // offset 18 (inside the first name), and the root: the layout of the RFC's figure.
  const rdata = '00010001 0000012c 0004 c0000201';
  const packet = fromHex(
    '0000 8400 0000 0004 0000 0000' +
      '01 46 03 495349 04 41525041 00' +
      rdata +
      '03 464f4f c00c' +
      rdata +
      'c012' +
      rdata +
      '00' +
      rdata,
  );
  const msg = decodeMessage(packet);
  assert.deepEqual(
    msg.answers.map((r) => r.name),
    ['F.ISI.ARPA.', 'FOO.F.ISI.ARPA.', 'ARPA.', '.'],
  );
  assert.deepEqual(encodeMessage(msg), packet);
});

test('a hand-assembled dig query encodes byte for byte and decodes back', () => {
  const bytes = fromHex('abcd 0120 0001 0000 0000 0000 07 6578616d706c65 03 636f6d 00 0001 0001');
  const msg = makeMessage({
    header: { id: 0xabcd, qr: false, aa: false, rd: true, ad: true },
    questions: [{ name: 'example.com.', type: RRType.A, class: RRClass.IN }],
  });
  assert.deepEqual(encodeMessage(msg), bytes);
  assert.deepEqual(decodeMessage(bytes), msg);
});

test('names are accepted without the trailing dot and always come back with it', () => {
  const bytes = encodeMessage(makeMessage({ questions: [{ name: 'example.com', type: 1, class: 1 }] }));
  assert.equal(decodeMessage(bytes).questions[0]?.name, 'example.com.');
});

test('every header flag maps to its bit (RFC 1035 §4.1.1, RFC 4035 §3.2)', () => {
  const bits: [keyof typeof flagsAll, number][] = [
    ['qr', 0x8000],
    ['aa', 0x0400],
    ['tc', 0x0200],
    ['rd', 0x0100],
    ['ra', 0x0080],
    ['z', 0x0040],
    ['ad', 0x0020],
    ['cd', 0x0010],
  ];
  const flagsAll = { qr: false, aa: false, tc: false, rd: false, ra: false, z: false, ad: false, cd: false };
  for (const [flag, bit] of bits) {
    const bytes = encodeMessage(makeMessage({ header: { ...flagsAll, [flag]: true } }));
    assert.equal(bytes.readUInt16BE(2), bit, flag);
    assert.equal(decodeHeader(bytes)[flag], true);
  }
  const op = encodeMessage(makeMessage({ header: { ...flagsAll, opcode: 4, rcode: 5 } }));
  assert.equal(op.readUInt16BE(2), (4 << 11) | 5);
});

test('decodeHeader peeks at the header and counts without parsing the rest', () => {
  // Counts claim far more than the packet holds: the peek does not care, the full parse does.
  const bytes = fromHex('0001 2800 0001 0002 0003 0004');
  const h = decodeHeader(bytes);
  assert.equal(h.opcode, 5);
  assert.deepEqual([h.qdcount, h.ancount, h.nscount, h.arcount], [1, 2, 3, 4]);
  assert.throws(() => decodeMessage(bytes));
});

test('EDNS OPT becomes a structure and the 12-bit rcode is joined (RFC 6891 §6.1.3)', () => {
  // rcode BADVERS (16): header rcode 0, OPT extended rcode 1, version 0, DO set, one option.
  const bytes = fromHex(
    '0007 8000 0000 0000 0000 0001' + '00 0029 04d0 01008000 000c' + '000a 0008 0102030405060708',
  );
  const msg = decodeMessage(bytes);
  assert.equal(msg.header.rcode, Rcode.BADVERS);
  assert.deepEqual(msg.edns, {
    udpPayloadSize: 1232,
    extendedRcode: 1,
    version: 0,
    dnssecOk: true,
    z: 0,
    options: [{ code: 10, data: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]) }],
  });
  assert.deepEqual(msg.additionals, []);
  assert.deepEqual(encodeMessage(msg), bytes);
});

test('an rcode above 15 without EDNS cannot be encoded', () => {
  assert.throws(() => encodeMessage(makeMessage({ header: { rcode: 16 } })), { code: 'ERR_ENCODE' });
});

test('question case is preserved exactly (DNS 0x20) and compression matches case-insensitively', () => {
  const msg = makeMessage({
    questions: [{ name: 'wWw.ExAmPlE.CoM.', type: RRType.A, class: RRClass.IN }],
    answers: [rr('www.example.com.', { type: 'A', address: '192.0.2.1' })],
  });
  const bytes = encodeMessage(msg);
  // The answer owner is a single pointer to the question name (offset 12).
  assert.equal(bytes.readUInt16BE(12 + 17 + 4), 0xc00c);
  const back = decodeMessage(bytes);
  assert.equal(back.questions[0]?.name, 'wWw.ExAmPlE.CoM.');
});

test('compression reuses suffixes of earlier names, including names inside RDATA', () => {
  const msg = makeMessage({
    questions: [{ name: 'example.com.', type: RRType.MX, class: RRClass.IN }],
    answers: [
      rr('example.com.', { type: 'MX', preference: 10, exchange: 'mail.example.com.' }),
      rr('example.com.', { type: 'MX', preference: 20, exchange: 'mail2.example.com.' }),
    ],
    additionals: [rr('mail.example.com.', { type: 'A', address: '192.0.2.25' })],
  });
  const bytes = encodeMessage(msg);
  // header 12 + question 17; each MX: ptr 2 + 10 + pref 2 + label + ptr 2.
  const expectedLength = 12 + 17 + (2 + 10 + 2 + 5 + 2) + (2 + 10 + 2 + 6 + 2) + (2 + 10 + 4);
  assert.equal(bytes.length, expectedLength);
  assert.deepEqual(decodeMessage(bytes), msg);
});

test('SRV and DNAME targets are never compressed (RFC 3597 §4, RFC 2782, RFC 6672)', () => {
  const msg = makeMessage({
    questions: [{ name: 'example.com.', type: RRType.SRV, class: RRClass.IN }],
    answers: [
      rr('example.com.', { type: 'SRV', priority: 1, weight: 2, port: 3, target: 'example.com.' }),
      rr('example.com.', { type: 'DNAME', target: 'example.com.' }),
    ],
  });
  const bytes = encodeMessage(msg);
  assert.equal(bytes.length, 12 + 17 + (2 + 10 + 6 + 13) + (2 + 10 + 13));
  assert.deepEqual(decodeMessage(bytes), msg);
});

test('names past offset 0x3fff are not used as compression targets', () => {
  const answers = [];
  for (let i = 0; i < 70; i++)
    answers.push(rr(`n${i}.example.com.`, { type: 'TXT', strings: [new Uint8Array(250)] }));
  answers.push(rr('late.zzz.', { type: 'A', address: '192.0.2.1' }));
  answers.push(rr('late.zzz.', { type: 'A', address: '192.0.2.2' }));
  const msg = makeMessage({ answers });
  const bytes = encodeMessage(msg);
  assert.ok(bytes.length > 0x4000);
  assert.deepEqual(decodeMessage(bytes), msg);
});
