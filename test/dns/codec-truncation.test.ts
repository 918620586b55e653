/**
 * UDP truncation in the encoder (RFC 2181 §9, RFC 1035 §4.2.1, RFC 6891 §7): whole RRsets are
 * dropped from the end, TC is set only when answer or authority data is lost, OPT survives, and
 * the result never exceeds maxSize.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCodes } from '../../src/core/errors.js';
import { decodeMessage, encodeMessage, type Edns, type ResourceRecord } from '../../src/dns/index.js';
import { enc, makeMessage, prng, rr } from './helpers.js';

const q = [{ name: 'big.example.test.', type: 1, class: 1 }];
const bigA = Array.from({ length: 30 }, (_, i) =>
  rr('big.example.test.', { type: 'A', address: `198.51.100.${i + 1}` }),
);
const ns = [
  rr('example.test.', { type: 'NS', target: 'ns1.example.test.' }),
  rr('example.test.', { type: 'NS', target: 'ns2.example.test.' }),
];
const glue = [
  rr('ns1.example.test.', { type: 'A', address: '192.0.2.53' }),
  rr('ns2.example.test.', { type: 'A', address: '192.0.2.54' }),
];
const edns: Edns = { udpPayloadSize: 1232, extendedRcode: 0, version: 0, dnssecOk: false, z: 0, options: [] };

test('a message that fits is left alone', () => {
  const msg = makeMessage({ questions: q, answers: bigA.slice(0, 5), authorities: ns, additionals: glue });
  const out = encodeMessage(msg, { maxSize: 512 });
  assert.deepEqual(decodeMessage(out), msg);
});

test('additional RRsets are dropped first and do not set TC', () => {
  const answers = bigA.slice(0, 24);
  const msg = makeMessage({ questions: q, answers, authorities: ns, additionals: glue });
  const full = encodeMessage(msg);
  const out = encodeMessage(msg, { maxSize: full.length - 1 });
  const back = decodeMessage(out);
  assert.equal(back.header.tc, false);
  assert.equal(back.answers.length, 24);
  assert.equal(back.authorities.length, 2);
  assert.deepEqual(back.additionals, glue.slice(0, 1)); // two RRsets (ns1 A, ns2 A): the last one went
});

test('an answer RRset that does not fit is dropped whole and TC is set', () => {
  const msg = makeMessage({ questions: q, answers: bigA, authorities: ns, additionals: glue });
  const out = encodeMessage(msg, { maxSize: 512 });
  assert.ok(out.length <= 512);
  const back = decodeMessage(out);
  assert.equal(back.header.tc, true);
  assert.deepEqual(back.answers, []);
  assert.deepEqual(back.authorities, []);
  assert.deepEqual(back.questions, q);
});

test('earlier RRsets are kept when a later answer RRset does not fit', () => {
  const cname = rr('alias.example.test.', { type: 'CNAME', target: 'big.example.test.' });
  const msg = makeMessage({ questions: q, answers: [cname, ...bigA] });
  const back = decodeMessage(encodeMessage(msg, { maxSize: 512 }));
  assert.equal(back.header.tc, true);
  assert.deepEqual(back.answers, [cname]);
});

test('losing authority data sets TC', () => {
  const answers = bigA.slice(0, 27);
  const msg = makeMessage({ questions: q, answers, authorities: ns });
  const full = encodeMessage(msg);
  const back = decodeMessage(encodeMessage(msg, { maxSize: full.length - 1 }));
  assert.equal(back.header.tc, true);
  assert.equal(back.answers.length, 27);
  assert.deepEqual(back.authorities, []);
});

test('the OPT record is always kept and its size is reserved', () => {
  const opts: Edns = { ...edns, options: [{ code: 10, data: new Uint8Array(24) }] };
  const msg = makeMessage({ questions: q, answers: bigA, additionals: glue, edns: opts });
  for (const maxSize of [100, 300, 512, 600]) {
    const out = encodeMessage(msg, { maxSize });
    assert.ok(out.length <= maxSize, `${out.length} <= ${maxSize}`);
    const back = decodeMessage(out);
    assert.deepEqual(back.edns, opts);
    assert.equal(back.header.tc, back.answers.length < bigA.length);
  }
});

test('a pre-set TC bit is kept', () => {
  const msg = makeMessage({ header: { tc: true }, questions: q });
  assert.equal(decodeMessage(encodeMessage(msg, { maxSize: 512 })).header.tc, true);
});

test('without maxSize a message over 65535 octets throws ERR_INPUT_TOO_LARGE', () => {
  const answers = Array.from({ length: 300 }, (_, i) =>
    rr(`n${i}.example.test.`, { type: 'TXT', strings: [new Uint8Array(255)] }),
  );
  assert.throws(() => encodeMessage(makeMessage({ answers })), { code: ErrorCodes.INPUT_TOO_LARGE });
  const out = encodeMessage(makeMessage({ answers }), { maxSize: 65535 });
  assert.ok(out.length <= 65535);
  assert.equal(decodeMessage(out).header.tc, true);
});

test('random messages and sizes: never over maxSize, never a partial RRset', () => {
  const r = prng(42);
  const int = (n: number): number => Math.floor(r() * n);
  for (let i = 0; i < 300; i++) {
    const section = (prefix: string): ResourceRecord[] => {
      const out: ResourceRecord[] = [];
      for (let s = 0; s < int(4); s++) {
        const owner = `${prefix}${s}.example.test.`;
        for (let k = 0; k < 1 + int(6); k++)
          out.push(rr(owner, { type: 'TXT', strings: [enc('x'.repeat(int(60)) + String(k))] }));
      }
      return out;
    };
    const msg = makeMessage({
      questions: q,
      answers: section('an'),
      authorities: section('ns'),
      additionals: section('ar'),
      ...(r() < 0.5 ? { edns } : {}),
    });
    const maxSize = 60 + int(1200);
    const out = encodeMessage(msg, { maxSize });
    assert.ok(
      out.length <= maxSize ||
        out.length === encodeMessage({ ...msg, answers: [], authorities: [], additionals: [] }).length,
    );
    const back = decodeMessage(out);
    for (const [sent, got] of [
      [msg.answers, back.answers],
      [msg.authorities, back.authorities],
      [msg.additionals, back.additionals],
    ] as const) {
      // what survives is a prefix of what was sent, ending on an RRset boundary
      assert.deepEqual(got, sent.slice(0, got.length));
      const next = sent[got.length];
      const last = got.at(-1);
      if (next !== undefined && last !== undefined) assert.notEqual(next.name, last.name);
    }
    const lostRequired =
      back.answers.length < msg.answers.length || back.authorities.length < msg.authorities.length;
    assert.equal(back.header.tc, lostRequired);
  }
});
