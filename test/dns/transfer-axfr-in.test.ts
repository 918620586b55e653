// Tier 3: pulling a zone over TCP from 127.0.0.1. A round trip against our own primary (a
// createDnsServer whose handler answers with axfr-out), then hostile primaries scripted on raw
// TCP sockets: a server that never finishes, a wrong id, no closing SOA, too many records or
// octets, REFUSED, no AA, a wrong question, out-of-zone data, garbage frames.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { ErrorCodes, OutpostError } from '../../src/core/errors.js';
import { Rcode, RRClass, RRType } from '../../src/dns/index.js';
import type { Message, ResourceRecord } from '../../src/dns/index.js';
import { createDnsServer } from '../../src/dns/server/dns-server.js';
import {
  answerTransfer,
  axfrMessages,
  isTransferQuery,
  type TransferZone,
} from '../../src/dns/transfer/axfr-out.js';
import { transferZone } from '../../src/dns/transfer/axfr-in.js';
import { DnsRcodeError, TransferErrorCodes } from '../../src/dns/transfer/errors.js';
import {
  bigZone,
  canonicalTexts,
  fakeTcpServer,
  fixtureZone,
  soaRecord,
  writeFramed,
  APEX,
} from './transfer-fixtures.js';

async function primary(zone: TransferZone, allow: string[] = ['127.0.0.1']) {
  const server = createDnsServer({
    handler: (q, ctx) => (isTransferQuery(q) ? answerTransfer(q, zone, ctx, { allowTransfer: allow }) : null),
  });
  const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
  return { server, port };
}

function expectCode(code: string): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof OutpostError, `expected OutpostError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return true;
  };
}

/** The AXFR stream of `zone` as the query asked (id and question echoed). */
function stream(query: Message, zone: TransferZone): Message[] {
  return axfrMessages(query, zone);
}

test('round trip: a 5000-record zone through createDnsServer and transferZone', async () => {
  const zone = bigZone(5000);
  const { server, port } = await primary(zone);
  try {
    const result = await transferZone({
      server: { host: '127.0.0.1', port },
      apex: zone.apex,
      timeoutMs: 10_000,
    });
    assert.ok(result.messages > 1);
    assert.equal(result.upToDate, false);
    assert.equal(result.soa.data.serial, 1);
    assert.equal(result.records[0]?.type, RRType.SOA);
    assert.deepEqual(canonicalTexts(result.records), canonicalTexts(zone.records));
  } finally {
    await server.close();
  }
});

test('IXFR in: up to date gets upToDate, an older serial gets the whole zone', async () => {
  const zone = fixtureZone();
  const { server, port } = await primary(zone);
  try {
    const same = await transferZone({
      server: { host: '127.0.0.1', port },
      apex: APEX,
      ixfrSerial: 2024061501,
    });
    assert.equal(same.upToDate, true);
    assert.equal(same.records.length, 0);
    const older = await transferZone({
      server: { host: '127.0.0.1', port },
      apex: APEX,
      ixfrSerial: 2024061400,
    });
    assert.equal(older.upToDate, false);
    assert.deepEqual(canonicalTexts(older.records), canonicalTexts(zone.records));
  } finally {
    await server.close();
  }
});

test('an incremental IXFR reply falls back to AXFR', async () => {
  const zone = fixtureZone();
  const queries: number[] = [];
  const fake = await fakeTcpServer((q, socket) => {
    const type = q.questions[0]?.type ?? 0;
    queries.push(type);
    if (type === RRType.IXFR) {
      // RFC 1995 §4 incremental: new SOA, old SOA, deletions, new SOA, additions, new SOA.
      const answers = [soaRecord(APEX, 5), soaRecord(APEX, 4), soaRecord(APEX, 5), soaRecord(APEX, 5)];
      writeFramed(socket, { ...stream(q, zone)[0]!, answers });
    } else {
      for (const m of stream(q, zone)) writeFramed(socket, m);
    }
  });
  try {
    const r = await transferZone({
      server: { host: '127.0.0.1', port: fake.port },
      apex: APEX,
      ixfrSerial: 4,
    });
    assert.deepEqual(queries, [RRType.IXFR, RRType.AXFR]);
    assert.deepEqual(canonicalTexts(r.records), canonicalTexts(zone.records));
  } finally {
    await fake.close();
  }
});

test('REFUSED by the primary is ERR_DNS_RCODE with rcode 5', async () => {
  const { server, port } = await primary(fixtureZone(), ['192.0.2.1']);
  try {
    await assert.rejects(
      transferZone({ server: { host: '127.0.0.1', port }, apex: APEX }),
      (err: unknown) => {
        assert.ok(err instanceof DnsRcodeError);
        assert.equal(err.code, TransferErrorCodes.RCODE);
        assert.equal(err.rcode, Rcode.REFUSED);
        return true;
      },
    );
  } finally {
    await server.close();
  }
});

/** Runs `transferZone` against a fake primary that follows `script`. */
async function against(
  script: (q: Message, socket: Socket) => void,
  options: { timeoutMs?: number; maxRecords?: number; maxBytes?: number; maxMessages?: number } = {},
): Promise<unknown> {
  const fake = await fakeTcpServer(script);
  try {
    await transferZone({
      server: { host: '127.0.0.1', port: fake.port },
      apex: APEX,
      timeoutMs: 2000,
      ...options,
    });
    return undefined;
  } catch (err) {
    return err;
  } finally {
    await fake.close();
  }
}

const zone = fixtureZone();

test('a server that never finishes hits the deadline (ERR_TIMEOUT)', async () => {
  const started = Date.now();
  const err = await against(
    (q, socket) => {
      const first = stream(q, zone)[0]!;
      writeFramed(socket, { ...first, answers: first.answers.slice(0, -1) }); // no closing SOA, stays open
    },
    { timeoutMs: 300 },
  );
  expectCode(ErrorCodes.TIMEOUT)(err);
  assert.ok(Date.now() - started < 2000);
});

test('a silent server hits the deadline too', async () => {
  expectCode(ErrorCodes.TIMEOUT)(await against(() => undefined, { timeoutMs: 200 }));
});

test('wrong id is ERR_PARSE', async () => {
  const err = await against((q, socket) => {
    writeFramed(socket, stream({ ...q, header: { ...q.header, id: (q.header.id + 1) & 0xffff } }, zone)[0]!);
  });
  expectCode(ErrorCodes.PARSE)(err);
  assert.match((err as Error).message, /id/);
});

test('closing the connection before the closing SOA is ERR_CONNECTION_CLOSED', async () => {
  const err = await against((q, socket) => {
    const first = stream(q, zone)[0]!;
    writeFramed(socket, { ...first, answers: first.answers.slice(0, -1) });
    socket.end();
  });
  expectCode(ErrorCodes.CONNECTION_CLOSED)(err);
  assert.match((err as Error).message, /closing SOA/);
});

test('too many records, octets or messages is ERR_INPUT_TOO_LARGE', async () => {
  const big = bigZone(3000, 1, APEX);
  const send = (q: Message, socket: Socket): void => {
    for (const m of stream(q, big)) writeFramed(socket, m);
  };
  expectCode(ErrorCodes.INPUT_TOO_LARGE)(await against(send, { maxRecords: 100 }));
  expectCode(ErrorCodes.INPUT_TOO_LARGE)(await against(send, { maxBytes: 10_000 }));
  expectCode(ErrorCodes.INPUT_TOO_LARGE)(await against(send, { maxMessages: 1 }));
});

test('protocol violations are ERR_PARSE: no AA, wrong question, first RR not SOA, out-of-zone, foreign SOA, data after the end', async () => {
  const first = (q: Message): Message => stream(q, zone)[0]!;
  const cases: [string, (q: Message, s: Socket) => void][] = [
    [
      'no AA',
      (q, s) => {
        writeFramed(s, { ...first(q), header: { ...first(q).header, aa: false } });
      },
    ],
    [
      'wrong question',
      (q, s) => {
        writeFramed(s, {
          ...first(q),
          questions: [{ name: 'other.test.', type: RRType.AXFR, class: RRClass.IN }],
        });
      },
    ],
    [
      'first RR not SOA',
      (q, s) => {
        writeFramed(s, { ...first(q), answers: first(q).answers.slice(1) });
      },
    ],
    [
      'not a response',
      (q, s) => {
        writeFramed(s, { ...first(q), header: { ...first(q).header, qr: false } });
      },
    ],
    [
      'TC set',
      (q, s) => {
        writeFramed(s, { ...first(q), header: { ...first(q).header, tc: true } });
      },
    ],
    [
      'out of zone',
      (q, s) => {
        const alien: ResourceRecord = {
          name: 'evil.test.',
          type: RRType.A,
          class: RRClass.IN,
          ttl: 1,
          data: { type: 'A', address: '192.0.2.66' },
        };
        const a = first(q).answers;
        writeFramed(s, { ...first(q), answers: [a[0]!, alien, ...a.slice(1)] });
      },
    ],
    [
      'SOA of another serial inside',
      (q, s) => {
        const a = first(q).answers;
        writeFramed(s, { ...first(q), answers: [a[0]!, a[1]!, soaRecord(APEX, 1), ...a.slice(2)] });
      },
    ],
    [
      'records after the closing SOA',
      (q, s) => {
        const a = first(q).answers;
        writeFramed(s, { ...first(q), answers: [...a, a[1]!] });
      },
    ],
    [
      'garbage frame',
      (_q, s) => {
        s.write(Buffer.from([0, 3, 1, 2, 3]));
      },
    ],
    [
      'undecodable message',
      (q, s) => {
        const wire = Buffer.alloc(20);
        wire.writeUInt16BE(q.header.id, 0);
        wire.writeUInt16BE(0x8400, 2);
        wire.writeUInt16BE(5, 6); // 5 answers announced, none there
        writeFramed(s, wire);
      },
    ],
  ];
  for (const [name, script] of cases) {
    const err = await against(script);
    assert.ok(err instanceof OutpostError, `${name}: ${String(err)}`);
    assert.equal(err.code, ErrorCodes.PARSE, `${name}: ${err.message}`);
  }
});

test('a refused connection is ERR_CONNECTION_CLOSED', async () => {
  const fake = await fakeTcpServer(() => undefined);
  const port = fake.port;
  await fake.close();
  await assert.rejects(
    transferZone({ server: { host: '127.0.0.1', port }, apex: APEX, timeoutMs: 2000 }),
    expectCode(ErrorCodes.CONNECTION_CLOSED),
  );
});
