// Tier-3 tests of the DNS transport: UDP and TCP on one port, the header gate (drop responses,
// FORMERR, NOTIMP, SERVFAIL), UDP truncation with TC=1 and the full answer over TCP, TCP framing
// with several pipelined queries, hostile frames and idle timeout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { once } from 'node:events';
import {
  decodeMessage,
  encodeMessage,
  Opcode,
  Rcode,
  requestHeader,
  RRType,
  RRClass,
} from '../../src/dns/index.js';
import type { Message, ResourceRecord } from '../../src/dns/index.js';
import { createMetrics } from '../../src/core/metrics.js';
import { createDnsServer } from '../../src/dns/server/dns-server.js';
import type { DnsHandler } from '../../src/dns/server/query-processor.js';

function query(
  name: string,
  type: number,
  options: { id?: number; edns?: number; opcode?: number } = {},
): Buffer {
  const msg: Message = {
    header: requestHeader(options.id ?? 4242, { opcode: options.opcode ?? Opcode.QUERY }),
    questions: [{ name, type, class: RRClass.IN }],
    answers: [],
    authorities: [],
    additionals: [],
    ...(options.edns !== undefined
      ? {
          edns: {
            udpPayloadSize: options.edns,
            extendedRcode: 0,
            version: 0,
            dnssecOk: false,
            z: 0,
            options: [],
          },
        }
      : {}),
  };
  return encodeMessage(msg);
}

/** Answers `big.test` with 60 A records, `boom.test` by throwing, anything else with one A. */
const handler: DnsHandler = (q) => {
  const question = q.questions[0];
  if (!question) return null;
  if (question.name.toLowerCase() === 'boom.test.') throw new Error('handler bug');
  const count = question.name.toLowerCase() === 'big.test.' ? 60 : 1;
  const answers: ResourceRecord[] = [];
  for (let i = 0; i < count; i++) {
    answers.push({
      name: question.name,
      type: RRType.A,
      class: RRClass.IN,
      ttl: 300,
      data: { type: 'A', address: `192.0.2.${i}` },
    });
  }
  return {
    header: { ...q.header, qr: true, aa: true },
    questions: q.questions,
    answers,
    authorities: [],
    additionals: [],
    ...(q.edns ? { edns: { ...q.edns, udpPayloadSize: 1232 } } : {}),
  };
};

async function udpExchange(port: number, packet: Buffer, timeoutMs = 1000): Promise<Message | null> {
  const socket = createSocket('udp4');
  try {
    socket.send(packet, port, '127.0.0.1');
    const result = await Promise.race([
      once(socket, 'message').then(([msg]) => msg as Buffer),
      new Promise<null>((resolve) =>
        setTimeout(() => {
          resolve(null);
        }, timeoutMs),
      ),
    ]);
    return result ? decodeMessage(result) : null;
  } finally {
    socket.close();
  }
}

async function tcpExchange(port: number, packets: Buffer[], expected: number): Promise<Message[]> {
  const socket = connect({ port, host: '127.0.0.1' });
  await once(socket, 'connect');
  let buffer = Buffer.alloc(0);
  const replies: Message[] = [];
  const done = new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 2 && buffer.length >= 2 + buffer.readUInt16BE(0)) {
        const len = buffer.readUInt16BE(0);
        replies.push(decodeMessage(buffer.subarray(2, 2 + len)));
        buffer = buffer.subarray(2 + len);
      }
      if (replies.length >= expected) resolve();
    });
    socket.on('error', reject);
    socket.on('close', () => {
      resolve();
    });
  });
  // All queries in one write: pipelining.
  socket.write(
    Buffer.concat(packets.map((p) => Buffer.concat([Buffer.from([p.length >> 8, p.length & 0xff]), p]))),
  );
  await done;
  socket.destroy();
  return replies;
}

test('UDP and TCP answer on the same port, question case preserved', async () => {
  await using server = createDnsServer({ handler });
  const { port } = await server.listen({ port: 0 });
  const udp = await udpExchange(port, query('WwW.Example.TEST.', RRType.A));
  assert.equal(udp?.questions[0]?.name, 'WwW.Example.TEST.');
  assert.equal(udp.answers.length, 1);
  const [tcp] = await tcpExchange(port, [query('www.example.test.', RRType.A)], 1);
  assert.equal(tcp?.header.id, 4242);
  assert.equal(tcp.answers.length, 1);
});

test('over UDP a large answer is truncated with TC=1 (512 without EDNS, payload size with), full over TCP', async () => {
  await using server = createDnsServer({ handler });
  const { port } = await server.listen({ port: 0 });
  const plain = await udpExchange(port, query('big.test.', RRType.A));
  assert.ok(plain);
  assert.equal(plain.header.tc, true);
  assert.equal(plain.answers.length, 0, 'no partial RRset');
  const withEdns = await udpExchange(port, query('big.test.', RRType.A, { edns: 4096 }));
  assert.equal(withEdns?.header.tc, false, '60 A records fit in 1232 octets');
  assert.equal(withEdns.answers.length, 60);
  const [tcp] = await tcpExchange(port, [query('big.test.', RRType.A)], 1);
  assert.equal(tcp?.header.tc, false);
  assert.equal(tcp.answers.length, 60);
});

test('the gate: responses are dropped, garbage gets FORMERR, UPDATE gets NOTIMP, a handler bug SERVFAIL', async () => {
  await using server = createDnsServer({ handler });
  const { port } = await server.listen({ port: 0 });
  const response = query('www.test.', RRType.A);
  response[2] = (response[2] ?? 0) | 0x80; // QR=1
  assert.equal(await udpExchange(port, response, 300), null, 'never answer a response');
  assert.equal(await udpExchange(port, Buffer.from([1, 2, 3]), 300), null, 'shorter than a header: dropped');
  const garbage = Buffer.concat([
    query('www.test.', RRType.A).subarray(0, 12),
    Buffer.from([0xc0, 0x0c, 0, 1]),
  ]);
  const formerr = await udpExchange(port, garbage);
  assert.equal(formerr?.header.rcode, Rcode.FORMERR);
  assert.equal(formerr.header.id, 4242);
  const update = await udpExchange(port, query('www.test.', RRType.SOA, { opcode: Opcode.UPDATE }));
  assert.equal(update?.header.rcode, Rcode.NOTIMP);
  const boom = await udpExchange(port, query('boom.test.', RRType.A));
  assert.equal(boom?.header.rcode, Rcode.SERVFAIL);
});

test('TCP: pipelined queries are all answered in order on one connection', async () => {
  await using server = createDnsServer({ handler });
  const { port } = await server.listen({ port: 0 });
  const packets = Array.from({ length: 25 }, (_, i) => query(`q${i}.test.`, RRType.A, { id: 1000 + i }));
  const replies = await tcpExchange(port, packets, 25);
  assert.deepEqual(
    replies.map((r) => r.header.id),
    packets.map((_, i) => 1000 + i),
  );
  assert.equal(server.stats.tcpQueries, 25);
});

test('TCP: a frame too short for a header closes the connection; the server keeps serving', async () => {
  await using server = createDnsServer({ handler });
  const { port } = await server.listen({ port: 0 });
  const socket = connect({ port, host: '127.0.0.1' });
  await once(socket, 'connect');
  socket.write(Buffer.from([0, 3, 1, 2, 3]));
  await once(socket, 'close');
  const ok = await udpExchange(port, query('www.test.', RRType.A));
  assert.equal(ok?.answers.length, 1);
});

test('TCP: an idle connection is closed after the idle timeout', async () => {
  await using server = createDnsServer({ handler, tcpIdleTimeoutMs: 200 });
  const { port } = await server.listen({ port: 0 });
  const socket = connect({ port, host: '127.0.0.1' });
  await once(socket, 'connect');
  socket.write(Buffer.from([0, 40])); // announces 40 octets, sends none
  const started = Date.now();
  await once(socket, 'close');
  assert.ok(Date.now() - started < 5000);
});

test('TCP: connections over the per-IP cap are refused, earlier ones keep working', async () => {
  await using server = createDnsServer({ handler, maxTcpConnectionsPerIp: 2, tcpIdleTimeoutMs: 60_000 });
  const { port } = await server.listen({ port: 0 });
  const a = connect({ port, host: '127.0.0.1' });
  const b = connect({ port, host: '127.0.0.1' });
  await Promise.all([once(a, 'connect'), once(b, 'connect')]);
  await new Promise((r) => setTimeout(r, 50));
  const c = connect({ port, host: '127.0.0.1' });
  c.on('error', () => undefined);
  const started = Date.now();
  await once(c, 'close');
  assert.ok(Date.now() - started < 2000, 'refused at once, not by the idle timeout');
  const [reply] = await tcpExchange(port, [query('still.test.', RRType.A)], 1).catch(() => [undefined]);
  assert.equal(reply, undefined, 'still at the cap while a and b are open');
  a.destroy();
  b.destroy();
});

test('close() is idempotent and frees the port', async () => {
  const server = createDnsServer({ handler });
  const { port } = await server.listen({ port: 0 });
  await Promise.all([server.close(), server.close()]);
  await using again = createDnsServer({ handler });
  const second = await again.listen({ port });
  assert.equal(second.port, port);
});

test('two DNS servers on one metric set both report their queries in outpost_dns_queries_total', async () => {
  const metrics = createMetrics();
  await using first = createDnsServer({ handler, metrics });
  await using second = createDnsServer({ handler, metrics });
  const a = await first.listen({ port: 0, host: '127.0.0.1' });
  const b = await second.listen({ port: 0, host: '127.0.0.1' });
  assert.ok(await udpExchange(a.port, query('one.test.', RRType.A)));
  assert.ok(await udpExchange(b.port, query('two.test.', RRType.A)));
  assert.ok(await udpExchange(b.port, query('three.test.', RRType.A)));
  assert.equal((await tcpExchange(b.port, [query('four.test.', RRType.MX)], 1)).length, 1);
  const text = await metrics.registry.metrics();
  assert.match(text, /^outpost_dns_queries_total\{transport="udp",type="A",rcode="NOERROR"\} 3$/m);
  assert.match(text, /^outpost_dns_queries_total\{transport="tcp",type="MX",rcode="NOERROR"\} 1$/m);
  assert.equal(first.queries.get('udp', 'A', 'NOERROR'), 1);
  assert.equal(second.queries.get('udp', 'A', 'NOERROR'), 2);
});
