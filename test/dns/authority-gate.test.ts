/**
 * Everything `answer` decides before looking at a zone, matched to NSD 4.x: responses dropped,
 * NOTIFY and AXFR/IXFR handed on, NOTIMP for other opcodes, FORMERR for malformed queries, EDNS
 * echo (our payload size, DO copied) and BADVERS (RFC 6891 §6.1.3), REFUSED with Extended DNS
 * Errors (RFC 8914) for foreign names and classes, QCLASS ANY, and a fuzz loop proving that no
 * hostile input makes `answer` throw.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formErr, type Deferral } from '../../src/dns/authority/index.js';
import {
  decodeHeader,
  decodeMessage,
  encodeMessage,
  Opcode,
  Rcode,
  RRClass,
  RRType,
  type Message,
} from '../../src/dns/index.js';
import {
  ask,
  EDNS0,
  fixtureAuthority,
  flags,
  lines,
  query,
  raw,
  sections,
  wireAnswer,
} from './authority-helpers.js';
import { prng } from './helpers.js';

const auth = fixtureAuthority();

function reply(m: Message | Deferral): Message {
  assert.notEqual(typeof m, 'string');
  return m as Message;
}

test('responses (QR set) are dropped, never answered', () => {
  assert.equal(raw(auth, query('www.example.test.', RRType.A, { header: { qr: true } })), 'drop');
});

test('NOTIFY is handed on; AXFR and IXFR are left to the transfer module', () => {
  assert.equal(
    raw(auth, query('example.test.', RRType.SOA, { header: { opcode: Opcode.NOTIFY } })),
    'notify',
  );
  assert.equal(raw(auth, query('example.test.', RRType.AXFR)), 'transfer');
  const ixfr: Message = {
    ...query('example.test.', RRType.IXFR),
    authorities: [
      {
        name: 'example.test.',
        type: RRType.SOA,
        class: 1,
        ttl: 0,
        data: {
          type: 'SOA',
          mname: 'a.',
          rname: 'b.',
          serial: 1,
          refresh: 0,
          retry: 0,
          expire: 0,
          minimum: 0,
        },
      },
    ],
  };
  assert.equal(raw(auth, ixfr), 'transfer');
});

test('NOTIMP for other opcodes: the query flags echoed, no question, no OPT (NSD)', () => {
  for (const opcode of [Opcode.IQUERY, Opcode.STATUS, Opcode.UPDATE, 3, 15]) {
    const m = wireAnswer(auth, query('www.example.test.', RRType.A, { header: { opcode, cd: true } }));
    assert.equal(m.header.rcode, Rcode.NOTIMP);
    assert.equal(m.header.opcode, opcode);
    assert.equal(flags(m), '4 qr rd cd');
    assert.deepEqual(m.questions, []);
    assert.equal(m.edns, undefined);
  }
});

test('FORMERR: no question, two questions, records in answer/authority/additional', () => {
  const q = query('www.example.test.', RRType.A);
  const a = {
    name: 'x.',
    type: RRType.A,
    class: 1,
    ttl: 0,
    data: { type: 'A' as const, address: '192.0.2.1' },
  };
  const cases: [Message, string][] = [
    [{ ...q, questions: [] }, '1 qr rd'],
    [{ ...q, questions: [...q.questions, ...q.questions] }, '1 qr'], // NSD clears RD here
    [{ ...q, answers: [a] }, '1 qr rd'],
    [{ ...q, authorities: [a] }, '1 qr rd'],
    [{ ...q, additionals: [a] }, '1 qr rd'],
  ];
  for (const [bad, expected] of cases) {
    const m = reply(raw(auth, bad));
    assert.equal(flags(m), expected);
    assert.deepEqual(m.questions, []);
    assert.equal(m.edns, undefined);
    assert.equal(m.header.id, 0xbeef);
    assert.doesNotThrow(() => encodeMessage(m));
  }
});

test('formErr builds a reply from a header alone (for packets that do not decode)', () => {
  const wire = encodeMessage(query('www.example.test.', RRType.A));
  const truncated = wire.subarray(0, 20);
  assert.throws(() => decodeMessage(truncated));
  const m = decodeMessage(encodeMessage(formErr(decodeHeader(truncated))));
  assert.equal(flags(m), '1 qr rd');
  assert.equal(m.header.id, 0xbeef);
});

test('EDNS: our OPT with payload 1232, version 0, DO copied; no OPT without EDNS', () => {
  const m = ask(auth, 'www.example.test.', RRType.A);
  assert.deepEqual(m.edns, {
    udpPayloadSize: 1232,
    extendedRcode: 0,
    version: 0,
    dnssecOk: false,
    z: 0,
    options: [],
  });
  const withDo = ask(auth, 'www.example.test.', RRType.A, {
    edns: { ...EDNS0, dnssecOk: true, udpPayloadSize: 512 },
  });
  assert.equal(withDo.edns?.dnssecOk, true);
  assert.equal(withDo.edns.udpPayloadSize, 1232);
  const cookie = ask(auth, 'www.example.test.', RRType.A, {
    edns: { ...EDNS0, options: [{ code: 10, data: new Uint8Array(8) }] },
  });
  assert.deepEqual(cookie.edns?.options, [], 'options are not echoed');
  const plain = ask(auth, 'www.example.test.', RRType.A, { edns: false });
  assert.equal(plain.edns, undefined);
  assert.equal(plain.answers.length, 2);
});

test('BADVERS for EDNS version > 0: question kept, OPT version 0, no AA, no data (RFC 6891 §6.1.3)', () => {
  const m = ask(auth, 'www.example.test.', RRType.A, { edns: { ...EDNS0, version: 1, dnssecOk: true } });
  assert.equal(m.header.rcode, Rcode.BADVERS);
  assert.equal(flags(m), '16 qr rd');
  assert.equal(m.questions[0]?.name, 'www.example.test.');
  assert.deepEqual(m.edns, {
    udpPayloadSize: 1232,
    extendedRcode: 1,
    version: 0,
    dnssecOk: false,
    z: 0,
    options: [],
  });
  assert.deepEqual(sections(m), { an: [], ns: [], ar: [] });
});

test('REFUSED outside our zones carries EDE 20 "Not Authoritative" when EDNS is on (RFC 8914 §4.21)', () => {
  const m = ask(auth, 'www.example.org.', RRType.A);
  assert.equal(flags(m), '5 qr rd');
  assert.deepEqual(m.edns?.options, [{ code: 15, data: Uint8Array.of(0, 20) }]);
  assert.equal(ask(auth, 'www.example.org.', RRType.A, { edns: false }).edns, undefined);
});

test('classes: CH and others are REFUSED with EDE 21; CH keeps the question, others drop it', () => {
  const ch = ask(auth, 'version.bind.', RRType.TXT, { cls: RRClass.CH });
  assert.equal(flags(ch), '5 qr rd');
  assert.equal(ch.questions.length, 1);
  assert.deepEqual(ch.edns?.options, [{ code: 15, data: Uint8Array.of(0, 21) }]);
  const hs = ask(auth, 'www.example.test.', RRType.A, { cls: RRClass.HS });
  assert.equal(flags(hs), '5 qr rd');
  assert.deepEqual(hs.questions, []);
});

test('QCLASS ANY: data without AA, no NS in authority, no SOA in negative answers (NSD)', () => {
  const m = ask(auth, 'www.example.test.', RRType.A, { cls: RRClass.ANY });
  assert.equal(flags(m), '0 qr rd');
  assert.deepEqual(sections(m), {
    an: ['www.example.test. 3600 IN A 192.0.2.80', 'www.example.test. 3600 IN A 192.0.2.81'],
    ns: [],
    ar: [],
  });
  const nx = ask(auth, 'nx.example.test.', RRType.A, { cls: RRClass.ANY });
  assert.equal(flags(nx), '3 qr rd');
  assert.deepEqual(sections(nx), { an: [], ns: [], ar: [] });
  assert.deepEqual(
    lines(ask(auth, 'sub.example.test.', RRType.A, { cls: RRClass.ANY }).authorities).length,
    3,
  );
});

test('hand-built questions: names without a trailing dot work, invalid names are FORMERR', () => {
  const noDot = reply(raw(auth, query('www.example.test', RRType.A)));
  assert.equal(noDot.answers.length, 2);
  const bad = reply(raw(auth, query('a..b.example.test.', RRType.A)));
  assert.equal(bad.header.rcode, Rcode.FORMERR);
  const escaped = reply(raw(auth, query('w\\119w.example.test.', RRType.A)));
  assert.equal(escaped.answers.length, 2, '\\119 is "w"');
});

test('hostile decoded messages never make answer() throw', () => {
  const rand = prng(0x5eed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const names = [
    'www.example.test.',
    '.',
    '',
    'x',
    '*.wild.example.test.',
    'a\\.b.example.test.',
    '..',
    'dname.example.test.',
  ];
  for (let i = 0; i < 3000; i++) {
    const q: Message = {
      header: {
        id: Math.floor(rand() * 65536),
        qr: rand() < 0.1,
        opcode: Math.floor(rand() * 16),
        aa: rand() < 0.5,
        tc: rand() < 0.5,
        rd: rand() < 0.5,
        ra: rand() < 0.5,
        z: rand() < 0.5,
        ad: rand() < 0.5,
        cd: rand() < 0.5,
        rcode: Math.floor(rand() * 16),
      },
      questions: Array.from({ length: pick([0, 1, 1, 1, 2]) }, () => ({
        name: pick(names) + (rand() < 0.5 ? '' : pick(['foo.', 'c.example.test.', 'sub.example.test.'])),
        type: pick([1, 2, 5, 6, 15, 28, 33, 39, 43, 48, 251, 252, 255, Math.floor(rand() * 65536)]),
        class: pick([1, 1, 1, 3, 255, 254, Math.floor(rand() * 65536)]),
      })),
      answers: [],
      authorities: [],
      additionals: [],
      ...(rand() < 0.5
        ? {}
        : {
            edns: {
              ...EDNS0,
              version: pick([0, 0, 1, 255]),
              dnssecOk: rand() < 0.5,
              udpPayloadSize: Math.floor(rand() * 65536),
            },
          }),
    };
    const r = auth.answer(q);
    if (typeof r !== 'string') assert.doesNotThrow(() => encodeMessage(r, { maxSize: 1232 }));
  }
});

test('random wire packets that decode are answered without throwing', () => {
  const rand = prng(42);
  const base = encodeMessage(query('foo.wild.example.test.', RRType.MX));
  let decoded = 0;
  for (let i = 0; i < 5000; i++) {
    const buf = Buffer.from(base);
    for (let k = 0; k < 1 + Math.floor(rand() * 4); k++)
      buf[Math.floor(rand() * buf.length)] = Math.floor(rand() * 256);
    let m: Message;
    try {
      m = decodeMessage(buf, { trailing: 'ignore' });
    } catch {
      continue;
    }
    decoded++;
    const r = auth.answer(m);
    if (typeof r !== 'string') encodeMessage(r, { maxSize: 1232 });
  }
  assert.ok(decoded > 1000);
});
