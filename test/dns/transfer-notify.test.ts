// Tier 1-3: NOTIFY (RFC 1996). The pure reply builder (echoed question, AA, REFUSED for a
// non-primary, FORMERR for a malformed NOTIFY), host:port parsing, and sending over UDP to fake
// secondaries on 127.0.0.1 that drop datagrams, answer REFUSED or never answer (retries, §3.6).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { decodeMessage, encodeMessage, Opcode, Rcode, RRClass, RRType } from '../../src/dns/index.js';
import type { Message } from '../../src/dns/index.js';
import { createDnsServer } from '../../src/dns/server/dns-server.js';
import {
  buildNotify,
  notifiedZone,
  notifyReply,
  parseHostPort,
  sendNotify,
} from '../../src/dns/transfer/notify.js';
import { hasCode, ErrorCodes } from '../../src/core/errors.js';
import { APEX, soaRecord } from './transfer-fixtures.js';

test('buildNotify: opcode NOTIFY, AA, SOA question, optional SOA answer', () => {
  const m = decodeMessage(encodeMessage(buildNotify(APEX, 99, soaRecord(APEX, 42))));
  assert.equal(m.header.opcode, Opcode.NOTIFY);
  assert.equal(m.header.aa, true);
  assert.equal(m.header.qr, false);
  assert.deepEqual(m.questions, [{ name: APEX, type: RRType.SOA, class: RRClass.IN }]);
  assert.equal(m.answers[0]?.data.type === 'SOA' && m.answers[0].data.serial, 42);
  assert.deepEqual(notifiedZone(m), { apex: APEX, serial: 42 });
  assert.deepEqual(notifiedZone(buildNotify(APEX, 1)), { apex: APEX });
  assert.equal(notifiedZone({ ...m, header: { ...m.header, opcode: Opcode.QUERY } }), undefined);
});

test('notifyReply: echo, QR and AA; REFUSED when not allowed; FORMERR when malformed', () => {
  const q = buildNotify(APEX, 1234, soaRecord(APEX, 7));
  const ok = notifyReply(q, true);
  assert.equal(ok.header.id, 1234);
  assert.equal(ok.header.qr, true);
  assert.equal(ok.header.aa, true);
  assert.equal(ok.header.opcode, Opcode.NOTIFY);
  assert.equal(ok.header.rcode, Rcode.NOERROR);
  assert.deepEqual(ok.questions, q.questions);
  assert.equal(ok.answers.length, 0);
  const refused = notifyReply(q, false);
  assert.equal(refused.header.rcode, Rcode.REFUSED);
  assert.equal(refused.header.opcode, Opcode.NOTIFY);
  assert.equal(notifyReply({ ...q, questions: [] }, true).header.rcode, Rcode.FORMERR);
  const wrongType: Message = { ...q, questions: [{ name: APEX, type: RRType.A, class: RRClass.IN }] };
  assert.equal(notifyReply(wrongType, true).header.rcode, Rcode.FORMERR);
});

test('parseHostPort', () => {
  assert.deepEqual(parseHostPort('127.0.0.1:5300'), { host: '127.0.0.1', port: 5300 });
  assert.deepEqual(parseHostPort('ns.example.test'), { host: 'ns.example.test', port: 53 });
  assert.deepEqual(parseHostPort('[::1]:5353'), { host: '::1', port: 5353 });
  assert.deepEqual(parseHostPort('[::1]'), { host: '::1', port: 53 });
  assert.deepEqual(parseHostPort('2001:db8::1'), { host: '2001:db8::1', port: 53 });
  for (const bad of ['127.0.0.1:0', '127.0.0.1:70000', ':53', '127.0.0.1:x', '']) {
    assert.throws(
      () => parseHostPort(bad),
      (e: unknown) => hasCode(e, ErrorCodes.CONFIG_INVALID),
      bad,
    );
  }
});

/** A UDP secondary that ignores the first `drop` NOTIFYs and answers the rest with `rcode`. */
async function fakeSecondary(drop: number, rcode: number = Rcode.NOERROR) {
  const socket = createSocket('udp4');
  let seen = 0;
  socket.on('message', (packet, rinfo) => {
    seen++;
    if (seen <= drop) return;
    const reply = notifyReply(decodeMessage(packet), rcode !== Rcode.REFUSED);
    socket.send(encodeMessage({ ...reply, header: { ...reply.header, rcode } }), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    port: socket.address().port,
    seen: () => seen,
    close: () =>
      new Promise<void>((resolve) =>
        socket.close(() => {
          resolve();
        }),
      ),
  };
}

test('sendNotify retransmits until the secondary answers (RFC 1996 §3.6)', async () => {
  const sec = await fakeSecondary(2);
  try {
    const [outcome] = await sendNotify({
      apex: APEX,
      targets: [`127.0.0.1:${sec.port}`],
      soa: soaRecord(APEX, 3),
      timeoutMs: 100,
      retries: 4,
    });
    assert.equal(outcome?.ok, true);
    assert.equal(outcome.attempts, 3);
    assert.equal(sec.seen(), 3);
  } finally {
    await sec.close();
  }
});

test('sendNotify: REFUSED ends the retries; silence exhausts them; targets run in parallel', async () => {
  const refusing = await fakeSecondary(0, Rcode.REFUSED);
  const silent = await fakeSecondary(Infinity);
  try {
    const started = Date.now();
    const [a, b] = await sendNotify({
      apex: APEX,
      targets: [`127.0.0.1:${refusing.port}`, { host: '127.0.0.1', port: silent.port }],
      timeoutMs: 100,
      retries: 2,
    });
    assert.equal(a?.ok, false);
    assert.equal(a.rcode, Rcode.REFUSED);
    assert.equal(a.attempts, 1);
    assert.equal(b?.ok, false);
    assert.equal(b.attempts, 3);
    assert.equal(silent.seen(), 3);
    assert.ok(b.error !== undefined && hasCode(b.error, ErrorCodes.TIMEOUT));
    assert.ok(Date.now() - started < 1500);
  } finally {
    await refusing.close();
    await silent.close();
  }
});

test('end to end: NOTIFY to a createDnsServer answering with notifyReply', async () => {
  const received: string[] = [];
  const server = createDnsServer({
    handler: (q, ctx) => {
      if (q.header.opcode !== Opcode.NOTIFY) return null;
      received.push(`${q.questions[0]?.name ?? ''} from ${ctx.remoteAddress}`);
      return notifyReply(q, ctx.remoteAddress === '127.0.0.1');
    },
  });
  const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
  try {
    const [outcome] = await sendNotify({
      apex: APEX,
      targets: [`127.0.0.1:${port}`],
      timeoutMs: 500,
      retries: 1,
    });
    assert.equal(outcome?.ok, true);
    assert.deepEqual(received, [`${APEX} from 127.0.0.1`]);
  } finally {
    await server.close();
  }
});
