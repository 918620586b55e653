// queryDns / exchangeUdp / exchangeTcp against scripted fake servers on loopback (tier 3): the
// happy path over UDP, TC=1 fallback to TCP, spoofed and malformed datagrams ignored, bounded
// timeouts and retries, TCP framing edge cases, DNS 0x20, IPv6, and the option checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { ErrorCodes, OutpostError } from '../../src/core/errors.js';
import { encodeMessage, Rcode, RRType, type Message } from '../../src/dns/index.js';
import {
  buildQuery,
  exchangeTcp,
  exchangeUdp,
  queryDns,
  randomizeCase,
  replyMismatch,
  type QueryOptions,
} from '../../src/dns/client/index.js';
import { rr } from './helpers.js';
import { answer, frame, startFake, wire, type FakeScript, type FakeServer } from './client-fake-server.js';

const A = (address: string, name = 'www.example.test.') => rr(name, { type: 'A', address });

async function withFake(
  script: FakeScript,
  body: (s: FakeServer) => Promise<void>,
  host?: string,
): Promise<void> {
  const server = await startFake(script, host);
  try {
    await body(server);
  } finally {
    await server.close();
  }
}

function ask(
  s: FakeServer,
  extra: Partial<QueryOptions> = {},
): Promise<Awaited<ReturnType<typeof queryDns>>> {
  return queryDns({
    server: { host: s.host, port: s.port },
    name: 'www.example.test',
    type: RRType.A,
    timeoutMs: 1000,
    retries: 0,
    ...extra,
  });
}

async function rejectsWith(p: Promise<unknown>, code: string, pattern?: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof OutpostError, `expected an OutpostError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (pattern) assert.match(err.message, pattern);
    return true;
  });
}

const answersWith = (address: string): FakeScript => ({
  udp: (q, reply) => {
    reply(wire(answer(q, [A(address)])));
  },
  tcp: (q, reply) => {
    reply(wire(answer(q, [A(address)])));
  },
});

test('UDP: a plain answer comes back decoded with size, transport and server', async () => {
  await withFake(answersWith('192.0.2.1'), async (s) => {
    const r = await ask(s);
    assert.equal(r.transport, 'udp');
    assert.deepEqual(
      r.message.answers.map((a) => a.data),
      [{ type: 'A', address: '192.0.2.1' }],
    );
    assert.equal(r.message.header.id, r.query.header.id);
    assert.equal(r.bytes, encodeMessage(answer(r.query, [A('192.0.2.1')])).length);
    assert.equal(r.server.address, '127.0.0.1');
    assert.equal(r.server.port, s.port);
    assert.ok(r.elapsedMs >= 0);
    assert.equal(s.udpQueries, 1);
    assert.equal(s.tcpQueries, 0);
  });
});

test('the query carries a random id, RD, and EDNS 1232 unless told otherwise', () => {
  const ids = new Set<number>();
  for (let i = 0; i < 50; i++)
    ids.add(buildQuery({ server: { host: '::1', port: 53 }, name: 'x', type: 1 }).header.id);
  assert.ok(ids.size > 40, 'ids are random');
  const q = buildQuery({ server: { host: '::1', port: 53 }, name: 'x.', type: 28, id: 7 });
  assert.equal(q.header.id, 7);
  assert.equal(q.header.rd, true);
  assert.equal(q.edns?.udpPayloadSize, 1232);
  const bare = buildQuery({
    server: { host: '::1', port: 53 },
    name: 'x.',
    type: 28,
    edns: false,
    recursionDesired: false,
  });
  assert.equal(bare.edns, undefined);
  assert.equal(bare.header.rd, false);
  assert.equal(
    buildQuery({ server: { host: '::1', port: 53 }, name: 'x.', type: 1, edns: { payload: 4096 } }).edns
      ?.udpPayloadSize,
    4096,
  );
});

test('TC=1 over UDP is retried over TCP, which returns the whole RRset', async () => {
  const many = Array.from({ length: 40 }, (_, i) => A(`198.51.100.${i + 1}`));
  await withFake(
    {
      udp: (q, reply) => {
        reply(wire(answer(q, [], { tc: true })));
      },
      tcp: (q, reply) => {
        reply(wire(answer(q, many)));
      },
    },
    async (s) => {
      const r = await ask(s);
      assert.equal(r.transport, 'tcp');
      assert.equal(r.message.header.tc, false);
      assert.equal(r.message.answers.length, 40);
      assert.equal(s.udpQueries, 1);
      assert.equal(s.tcpQueries, 1);
    },
  );
});

test('a truncated UDP reply cut in the middle of a record still triggers the TCP retry', async () => {
  await withFake(
    {
      udp: (q, reply) => {
        const full = wire(answer(q, [A('192.0.2.1'), A('192.0.2.2')], { tc: true }));
        reply(full.subarray(0, full.length - 3));
      },
      tcp: (q, reply) => {
        reply(wire(answer(q, [A('192.0.2.1'), A('192.0.2.2')])));
      },
    },
    async (s) => {
      const r = await ask(s);
      assert.equal(r.transport, 'tcp');
      assert.equal(r.message.answers.length, 2);
    },
  );
});

test('tcp: true goes straight to TCP', async () => {
  await withFake(answersWith('192.0.2.9'), async (s) => {
    const r = await ask(s, { tcp: true });
    assert.equal(r.transport, 'tcp');
    assert.equal(s.udpQueries, 0);
    assert.equal(s.tcpQueries, 1);
  });
});

test('spoofed datagrams (wrong id, wrong question, not a response, other port) are ignored', async () => {
  const spoofer = createSocket('udp4');
  spoofer.bind(0, '127.0.0.1');
  await once(spoofer, 'listening');
  try {
    await withFake(
      {
        udp: (q, reply, _n, from) => {
          const evil = A('6.6.6.6');
          // Right id and question but from another port: the connected socket never sees it.
          spoofer.send(wire(answer(q, [evil])), from.port, from.address);
          reply(wire(answer(q, [evil], { id: (q.header.id + 1) & 0xffff })));
          reply(wire({ ...answer(q, [evil]), questions: [{ name: 'evil.test.', type: 1, class: 1 }] }));
          reply(
            wire({ ...answer(q, [evil]), questions: [{ name: 'www.example.test.', type: 28, class: 1 }] }),
          );
          reply(wire(answer(q, [evil], { qr: false })));
          reply(Buffer.from([1, 2, 3]));
          setTimeout(() => {
            reply(wire(answer(q, [A('192.0.2.1')])));
          }, 30);
        },
      },
      async (s) => {
        const ignored: string[] = [];
        const query = encodeMessage(buildQuery({ server: s, name: 'www.example.test', type: 1 }));
        const r = await exchangeUdp(query, s, 1000, { onIgnored: (why) => ignored.push(why) });
        assert.deepEqual(
          r.message.answers.map((a) => a.data),
          [{ type: 'A', address: '192.0.2.1' }],
        );
        assert.equal(ignored.length, 5, ignored.join('\n'));
        assert.ok(ignored.some((w) => w.includes('question name evil.test.')));
        assert.ok(ignored.some((w) => w.includes('question type/class 28/1')));
        assert.ok(ignored.some((w) => w.includes('QR bit clear')));
        const viaQuery = await ask(s);
        assert.deepEqual(viaQuery.message.answers[0]?.data, { type: 'A', address: '192.0.2.1' });
      },
    );
  } finally {
    spoofer.close();
  }
});

test('a server that never answers: TIMEOUT after 1 + retries bounded attempts', async () => {
  await withFake({}, async (s) => {
    const started = Date.now();
    await rejectsWith(ask(s, { timeoutMs: 100, retries: 2 }), ErrorCodes.TIMEOUT, /within 100 ms \(UDP\)/);
    const took = Date.now() - started;
    assert.equal(s.udpQueries, 3);
    assert.ok(took >= 250 && took < 2000, `took ${took} ms`);
  });
});

test('garbage: without our id it is ignored (TIMEOUT); with our id it is a PARSE error', async () => {
  await withFake(
    {
      udp: (_q, reply) => {
        reply(Buffer.from('this is not DNS at all, just some text'));
      },
    },
    async (s) => {
      await rejectsWith(ask(s, { timeoutMs: 100 }), ErrorCodes.TIMEOUT);
    },
  );
  await withFake(
    {
      udp: (q, reply) => {
        const junk = Buffer.alloc(40, 0xff);
        junk.writeUInt16BE(q.header.id, 0);
        reply(junk);
      },
    },
    async (s) => {
      await rejectsWith(ask(s, { timeoutMs: 100 }), ErrorCodes.PARSE, /malformed reply/);
    },
  );
});

test('TCP: a reply split into single octets, followed by junk, is read exactly', async () => {
  await withFake(
    {
      tcp: (q, _reply, _n, socket) => {
        const bytes = Buffer.concat([frame(wire(answer(q, [A('192.0.2.7')]))), Buffer.alloc(100, 0xee)]);
        let i = 0;
        const drip = (): void => {
          if (i < bytes.length && !socket.destroyed) {
            socket.write(bytes.subarray(i, i + 1));
            i++;
            setImmediate(drip);
          }
        };
        drip();
      },
    },
    async (s) => {
      const r = await ask(s, { tcp: true });
      assert.deepEqual(r.message.answers[0]?.data, { type: 'A', address: '192.0.2.7' });
    },
  );
});

test('TCP errors: early close, short length, wrong id, garbage, silence, refused', async () => {
  const cases: [string, FakeScript['tcp'], string, RegExp][] = [
    [
      'closes after half a frame',
      (q, _r, _n, sock) => {
        sock.end(frame(wire(answer(q, [A('192.0.2.1')]))).subarray(0, 10));
      },
      ErrorCodes.CONNECTION_CLOSED,
      /closed the connection after 10 of/,
    ],
    [
      'length below a header',
      (_q, _r, _n, sock) => {
        sock.write(Buffer.from([0, 5, 1, 2, 3, 4, 5]));
      },
      ErrorCodes.PARSE,
      /5-octet reply/,
    ],
    [
      'wrong id',
      (q, reply) => {
        reply(wire(answer(q, [A('192.0.2.1')], { id: (q.header.id + 1) & 0xffff })));
      },
      ErrorCodes.PARSE,
      /does not match the query: id/,
    ],
    [
      'garbage',
      (q, reply) => {
        const junk = Buffer.alloc(30, 0xff);
        junk.writeUInt16BE(q.header.id, 0);
        reply(junk);
      },
      ErrorCodes.PARSE,
      /malformed reply/,
    ],
    ['silence', () => undefined, ErrorCodes.TIMEOUT, /\(TCP\)/],
  ];
  for (const [what, tcp, code, pattern] of cases) {
    await withFake(tcp === undefined ? {} : { tcp }, async (s) => {
      await rejectsWith(ask(s, { tcp: true, timeoutMs: 300 }), code, pattern);
    }).catch((err: unknown) => {
      throw new Error(`case "${what}": ${String(err)}`, { cause: err });
    });
  }
  const closed = await startFake({});
  await closed.close();
  await rejectsWith(ask(closed, { tcp: true }), ErrorCodes.CONNECTION_CLOSED, /connection refused \(TCP\)/);
  await rejectsWith(ask(closed, { retries: 1 }), ErrorCodes.CONNECTION_CLOSED, /connection refused \(UDP\)/);
});

test('question names match ignoring case; with 0x20 randomisation the exact case is required', async () => {
  const echo = (transform: (name: string) => string): FakeScript => ({
    udp: (q, reply) => {
      const m = answer(q, [A('192.0.2.1')]);
      reply(wire({ ...m, questions: q.questions.map((x) => ({ ...x, name: transform(x.name) })) }));
    },
  });
  await withFake(
    echo((n) => n.toUpperCase()),
    async (s) => {
      const r = await ask(s);
      assert.equal(r.message.questions[0]?.name, 'WWW.EXAMPLE.TEST.');
      await rejectsWith(
        ask(s, { randomizeCase: true, timeoutMs: 150, name: 'www.example.test.' }),
        ErrorCodes.TIMEOUT,
      );
    },
  );
  await withFake(
    echo((n) => n),
    async (s) => {
      const r = await ask(s, { randomizeCase: true, name: 'a-long-name-with-many-letters.example.test' });
      assert.equal(r.message.questions[0]?.name, r.query.questions[0]?.name);
    },
  );
  assert.equal(
    randomizeCase('ab\\065c.', () => true),
    'ab\\065c.',
  );
  assert.equal(
    randomizeCase('ab\\.c.', () => false),
    'AB\\.C.',
  );
});

test('replyMismatch: error replies may omit the question, NOERROR ones may not', () => {
  const q = buildQuery({ server: { host: '::1', port: 53 }, name: 'x.test', type: 1, id: 9 });
  const noQuestion = (rcode: number): Message => ({ ...answer(q, [], { rcode }), questions: [] });
  assert.equal(replyMismatch(q, noQuestion(Rcode.FORMERR)), undefined);
  assert.equal(replyMismatch(q, noQuestion(Rcode.NOERROR)), 'no question section in a NOERROR reply');
  assert.match(replyMismatch(q, answer(q, [], { opcode: 4 })) ?? '', /opcode/);
});

test('IPv6 servers work over UDP and TCP', async () => {
  await withFake(
    answersWith('192.0.2.6'),
    async (s) => {
      const udp = await ask(s);
      assert.equal(udp.server.family, 6);
      const tcp = await ask(s, { tcp: true });
      assert.equal(tcp.transport, 'tcp');
      const bracketed = await ask(s, { server: { host: '[::1]', port: s.port } });
      assert.equal(bracketed.server.address, '::1');
    },
    '::1',
  );
});

test('exchangeTcp is usable on its own', async () => {
  await withFake(answersWith('192.0.2.5'), async (s) => {
    const query = encodeMessage(buildQuery({ server: s, name: 'www.example.test', type: 1, id: 77 }));
    const r = await exchangeTcp(query, s, 500);
    assert.equal(r.message.header.id, 77);
    assert.equal(
      r.bytes.length,
      wire(answer(buildQuery({ server: s, name: 'www.example.test', type: 1, id: 77 }), [A('192.0.2.5')]))
        .length,
    );
  });
});

test('out-of-range options are rejected before anything is sent', async () => {
  const base = { server: { host: '127.0.0.1', port: 53 }, name: 'x', type: 1 };
  await rejectsWith(queryDns({ ...base, retries: 11 }), ErrorCodes.CONFIG_INVALID, /retries/);
  await rejectsWith(queryDns({ ...base, timeoutMs: 0 }), ErrorCodes.CONFIG_INVALID, /timeoutMs/);
  await rejectsWith(queryDns({ ...base, id: 70000 }), ErrorCodes.CONFIG_INVALID, /id/);
  await rejectsWith(queryDns({ ...base, edns: { payload: 100 } }), ErrorCodes.CONFIG_INVALID, /EDNS payload/);
  await rejectsWith(
    queryDns({ ...base, server: { host: '127.0.0.1', port: 0 } }),
    ErrorCodes.CONFIG_INVALID,
    /port/,
  );
  await rejectsWith(queryDns({ ...base, name: 'a..b' }), ErrorCodes.PARSE);
});
