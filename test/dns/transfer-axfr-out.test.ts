// Tier 1/2: the primary's transfer answers: AXFR split into several messages for a large zone
// (each within 65535 octets, each decodable, SOA first and last, every record once), the
// refusals (allow-list, UDP, wrong zone) and IXFR without a journal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessage, encodeMessage, Rcode, RRType } from '../../src/dns/index.js';
import type { Message } from '../../src/dns/index.js';
import { answerTransfer, axfrMessages, isTransferQuery } from '../../src/dns/transfer/axfr-out.js';
import { APEX, bigZone, canonicalTexts, fixtureZone, transferQuery } from './transfer-fixtures.js';

const tcp = { transport: 'tcp' as const, remoteAddress: '127.0.0.1' };
const udp = { transport: 'udp' as const, remoteAddress: '127.0.0.1' };
const policy = { allowTransfer: ['127.0.0.1', '2001:db8::/32'] };

function asList(result: Message | Message[]): Message[] {
  return Array.isArray(result) ? result : [result];
}

test('a large zone is split into several messages, each <= 65535 octets, SOA first and last', () => {
  const zone = bigZone(6000);
  const query = transferQuery(zone.apex, RRType.AXFR, 777);
  const messages = axfrMessages(query, zone);
  assert.ok(messages.length >= 3, `expected several messages, got ${messages.length}`);
  const all = [];
  for (const [i, m] of messages.entries()) {
    const wire = encodeMessage(m);
    assert.ok(wire.length <= 65535);
    const back = decodeMessage(wire);
    assert.equal(back.header.id, 777);
    assert.equal(back.header.qr, true);
    assert.equal(back.header.aa, true);
    assert.equal(back.header.rcode, Rcode.NOERROR);
    assert.equal(back.questions.length, i === 0 ? 1 : 0);
    assert.ok(back.answers.length > 100, 'many RRs per message');
    all.push(...back.answers);
  }
  assert.equal(all[0]?.type, RRType.SOA);
  assert.equal(all.at(-1)?.type, RRType.SOA);
  assert.equal(all.filter((rr) => rr.type === RRType.SOA).length, 2);
  assert.deepEqual(canonicalTexts(all.slice(0, -1)), canonicalTexts(zone.records));
  // Packed close to the budget: no more messages than needed plus one.
  const total = messages.reduce((n, m) => n + encodeMessage(m).length, 0);
  assert.ok(messages.length <= Math.ceil(total / 60000) + 1);
});

test('the fixture zone fits one message with the question and the SOA twice', () => {
  const zone = fixtureZone();
  const result = asList(answerTransfer(transferQuery(APEX, RRType.AXFR), zone, tcp, policy));
  assert.equal(result.length, 1);
  const m = decodeMessage(encodeMessage(result[0]!));
  assert.equal(m.questions[0]?.type, RRType.AXFR);
  assert.equal(m.answers.length, zone.records.length + 1);
  assert.equal(m.answers[0]?.type, RRType.SOA);
  assert.equal(m.answers.at(-1)?.type, RRType.SOA);
});

test('a zone whose SOA is not the first record still streams SOA first', () => {
  const zone = fixtureZone();
  const reordered = { apex: zone.apex, records: [...zone.records.slice(1), zone.records[0]!] };
  const m = asList(answerTransfer(transferQuery(APEX, RRType.AXFR), reordered, tcp, policy))[0]!;
  assert.equal(m.answers[0]?.type, RRType.SOA);
  assert.equal(m.answers.at(-1)?.type, RRType.SOA);
  assert.equal(m.answers.filter((rr) => rr.type === RRType.SOA).length, 2);
});

test('refusals: allow-list (REFUSED), UDP (FORMERR), another zone (NOTAUTH)', () => {
  const zone = fixtureZone();
  const q = transferQuery(APEX, RRType.AXFR);
  const refused = asList(answerTransfer(q, zone, { transport: 'tcp', remoteAddress: '192.0.2.9' }, policy));
  assert.equal(refused.length, 1);
  assert.equal(refused[0]?.header.rcode, Rcode.REFUSED);
  assert.equal(refused[0].answers.length, 0);
  const v6 = asList(answerTransfer(q, zone, { transport: 'tcp', remoteAddress: '2001:db8::7' }, policy));
  assert.equal(v6[0]?.header.rcode, Rcode.NOERROR);
  const mapped = asList(
    answerTransfer(q, zone, { transport: 'tcp', remoteAddress: '::ffff:127.0.0.1' }, policy),
  );
  assert.equal(mapped[0]?.header.rcode, Rcode.NOERROR);
  assert.equal(asList(answerTransfer(q, zone, udp, policy))[0]?.header.rcode, Rcode.FORMERR);
  const other = transferQuery('other.test.', RRType.AXFR);
  assert.equal(asList(answerTransfer(other, zone, tcp, policy))[0]?.header.rcode, Rcode.NOTAUTH);
  assert.equal(
    asList(answerTransfer({ ...q, questions: [] }, zone, tcp, policy))[0]?.header.rcode,
    Rcode.FORMERR,
  );
});

test('IXFR with the same or a newer client serial gets a single SOA (RFC 1995 §2)', () => {
  const zone = fixtureZone();
  const serial = 2024061501;
  for (const client of [serial, serial + 5]) {
    for (const ctx of [tcp, udp]) {
      const result = asList(answerTransfer(transferQuery(APEX, RRType.IXFR, 9, client), zone, ctx, policy));
      assert.equal(result.length, 1);
      const m = result[0]!;
      assert.equal(m.header.rcode, Rcode.NOERROR);
      assert.equal(m.header.aa, true);
      assert.equal(m.questions[0]?.type, RRType.IXFR);
      assert.equal(m.answers.length, 1);
      assert.equal(m.answers[0]?.data.type === 'SOA' && m.answers[0].data.serial, serial);
    }
  }
});

test('IXFR from an older serial: full zone in AXFR format over TCP, one SOA over UDP', () => {
  const zone = fixtureZone();
  const q = transferQuery(APEX, RRType.IXFR, 9, 2024061400);
  const full = asList(answerTransfer(q, zone, tcp, policy));
  const answers = full.flatMap((m) => m.answers);
  assert.equal(answers.length, zone.records.length + 1);
  assert.equal(answers[1]?.type === RRType.SOA, false, 'AXFR format: the second record is not an SOA');
  assert.equal(full[0]?.questions[0]?.type, RRType.IXFR);
  const overUdp = asList(answerTransfer(q, zone, udp, policy));
  assert.equal(overUdp.length, 1);
  assert.equal(overUdp[0]?.answers.length, 1);
  const noSoa = transferQuery(APEX, RRType.IXFR);
  assert.equal(asList(answerTransfer(noSoa, zone, tcp, policy))[0]?.header.rcode, Rcode.FORMERR);
});

test('EDNS in the query gets OPT in every message; isTransferQuery', () => {
  const zone = bigZone(3000);
  const q: Message = {
    ...transferQuery(zone.apex, RRType.AXFR),
    edns: { udpPayloadSize: 4096, extendedRcode: 0, version: 0, dnssecOk: false, z: 0, options: [] },
  };
  const messages = axfrMessages(q, zone);
  assert.ok(messages.length >= 2);
  for (const m of messages) {
    assert.ok(m.edns !== undefined);
    assert.ok(encodeMessage(m).length <= 65535);
  }
  assert.equal(isTransferQuery(q), true);
  assert.equal(isTransferQuery(transferQuery(APEX, RRType.SOA)), false);
});
