// The DNS transcript on the shared tap, watched with recordTranscript while ISC's dig queries the
// suite's DNS service over UDP and TCP: one C:/S: pair per query with dig's own id and counts,
// the answer records in presentation format (bounded), AXFR and NOTIFY summaries, undecodable
// packets, and nothing published (nor decoded) for a server nobody watches.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { once } from 'node:events';
import { copyFileSync, appendFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { transcriptActive, type TranscriptEntry } from '../../src/core/transcript.js';
import { encodeMessage, requestHeader, RRType } from '../../src/dns/index.js';
import { describeQuery, tapExchange, TRANSCRIPT_MAX_RECORDS } from '../../src/dns/server/transcript.js';
import { frameMessage } from '../../src/dns/tcp-frame.js';
import { sendNotify, transferZone } from '../../src/dns/transfer/index.js';
import type { Suite } from '../../src/suite/suite.js';
import { recordTranscript } from '../../src/testing/index.js';
import { run } from '../helpers/run.js';
import { startDnsSuite } from './service-helpers.js';
import { tempDir } from '../helpers/temp.js';
import { eventually } from '../helpers/eventually.js';

const MANY = 30;
let suite: Suite;
let port: number;

before(async () => {
  const dir = tempDir('outpost-dns-transcript-');
  const zoneFile = join(dir, 'example.test.zone');
  copyFileSync(resolve(import.meta.dirname, 'fixtures/example.test.zone'), zoneFile);
  appendFileSync(
    zoneFile,
    Array.from({ length: MANY }, (_, i) => `many 300 IN A 198.51.100.${i + 1}\n`).join(''),
  );
  ({ suite, port } = await startDnsSuite({
    data_dir: join(dir, 'data'),
    dns: {
      listen: ['127.0.0.1:0'],
      zones: [{ name: 'example.test', file: zoneFile, allow_transfer: ['127.0.0.1'] }],
    },
  }));
});
after(() => suite.close());

async function dig(args: readonly string[]): Promise<string> {
  const r = await run('dig', ['@127.0.0.1', '-p', String(port), ...args], { timeoutMs: 20_000 });
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.toString();
}

/** Runs `action` while recording the DNS transcript; waits (bounded) until `done` holds. */
async function watch(
  action: () => Promise<string>,
  done: (entries: TranscriptEntry[]) => boolean = (e) => e.some((x) => x.direction === 'S'),
): Promise<{ out: string; entries: TranscriptEntry[] }> {
  const rec = recordTranscript((e) => e.protocol === 'dns');
  try {
    const out = await action();
    await eventually(() => done(rec.entries), {
      timeoutMs: 2_000,
      intervalMs: 10,
      what: 'the transcript entries',
    });
    return { out, entries: rec.entries };
  } finally {
    rec.stop();
  }
}

/** dig's id and section counts (ADDITIONAL counts the OPT record, like the wire). */
function digHeader(out: string): { id: string; rcode: string; an: number; ns: number; ar: number } {
  const h = /status: (\w+), id: (\d+)/.exec(out);
  const c = /ANSWER: (\d+), AUTHORITY: (\d+), ADDITIONAL: (\d+)/.exec(out);
  assert.ok(h && c, out);
  return { rcode: h[1] ?? '', id: h[2] ?? '', an: Number(c[1]), ns: Number(c[2]), ar: Number(c[3]) };
}

/** A plain query (or, with `qr`, a response) for www.example.test A without EDNS. */
function rawQuery(id: number, qr = false): Buffer {
  return encodeMessage({
    header: requestHeader(id, { rd: true, qr }),
    questions: [{ name: 'www.example.test.', type: RRType.A, class: 1 }],
    answers: [],
    authorities: [],
    additionals: [],
  });
}

const lines = (entries: TranscriptEntry[], direction: TranscriptEntry['direction']): string[] =>
  entries.filter((e) => e.direction === direction).map((e) => e.text);

test("dig over UDP: one C:/S: pair with dig's id, flags, EDNS and counts, then the answers", async () => {
  const { out, entries } = await watch(() => dig(['www.example.test', 'A', '+dnssec', '+bufsize=1232']));
  const h = digHeader(out);
  assert.equal(new Set(entries.map((e) => e.sessionId)).size, 1);
  assert.ok(entries.every((e) => e.remoteAddress === '127.0.0.1'));
  const [c, ...rest] = lines(entries, 'C');
  assert.equal(rest.length, 0, 'one C: line');
  // dig 9.18 sets RD and AD by default; +dnssec sets DO.
  assert.equal(c, `${h.id} www.example.test. A IN rd ad edns=1232 do`);
  const s = lines(entries, 'S');
  assert.match(
    s[0] ?? '',
    new RegExp(`^${h.id} NOERROR qr aa rd edns=\\d+ do an=${h.an} ns=${h.ns} ar=${h.ar}$`),
  );
  assert.equal(h.an, 2);
  assert.deepEqual(s.slice(1).sort(), [
    'www.example.test. 3600 IN A 192.0.2.80',
    'www.example.test. 3600 IN A 192.0.2.81',
  ]);
  assert.equal(lines(entries, '*').length, 0, 'UDP has no connect/close entries');
});

test('dig +tcp: connect and closed entries, answers bounded to the first records', async () => {
  const { out, entries } = await watch(
    () => dig(['+tcp', 'many.example.test', 'A']),
    (e) => e.some((x) => x.text === 'closed'),
  );
  const h = digHeader(out);
  assert.equal(h.an, MANY);
  assert.equal(new Set(entries.map((e) => e.sessionId)).size, 1);
  assert.match(entries[0]?.text ?? '', /^connect from 127\.0\.0\.1:\d+ \(tcp\)$/);
  assert.equal(entries.at(-1)?.text, 'closed');
  const s = lines(entries, 'S');
  assert.match(s[0] ?? '', new RegExp(`^${h.id} NOERROR qr aa rd .*an=${MANY} ns=${h.ns} ar=${h.ar}$`));
  const records = s.slice(1, -1);
  assert.equal(records.length, TRANSCRIPT_MAX_RECORDS);
  for (const r of records) assert.match(r, /^many\.example\.test\. 300 IN A 198\.51\.100\.\d+$/);
  assert.equal(s.at(-1), `… ${MANY - TRANSCRIPT_MAX_RECORDS} more records`);
});

test('NXDOMAIN shows the authority SOA', async () => {
  const { out, entries } = await watch(() => dig(['nope.example.test', 'AAAA', '+noedns']));
  const h = digHeader(out);
  assert.equal(h.rcode, 'NXDOMAIN');
  const s = lines(entries, 'S');
  assert.equal(s[0], `${h.id} NXDOMAIN qr aa rd an=0 ns=${h.ns} ar=0`);
  assert.match(
    s[1] ?? '',
    /^authority: example\.test\. \d+ IN SOA ns1\.example\.test\. hostmaster\.example\.test\. 2024061501 /,
  );
});

test('dig AXFR: the transfer summarized with the record total, SOA first', async () => {
  const { out, entries } = await watch(
    () => dig(['example.test', 'AXFR']),
    (e) => e.some((x) => x.text === 'closed'),
  );
  const size = /XFR size: (\d+) records \(messages (\d+)/.exec(out);
  assert.ok(size, out);
  const total = Number(size[1]);
  const messages = Number(size[2]);
  const c = lines(entries, 'C');
  assert.match(c[0] ?? '', /^\d+ example\.test\. AXFR IN/);
  const s = lines(entries, 'S');
  const messagesText = messages > 1 ? ` messages=${messages}` : '';
  assert.match(s[0] ?? '', new RegExp(`^\\d+ NOERROR qr aa .*an=${total} ns=0 ar=\\d+${messagesText}$`));
  assert.match(s[1] ?? '', /^example\.test\. 3600 IN SOA ns1\.example\.test\. /);
  assert.equal(s.length, 1 + TRANSCRIPT_MAX_RECORDS + 1);
  assert.equal(s.at(-1), `… ${total - TRANSCRIPT_MAX_RECORDS} more records`);
});

test('NOTIFY (dig +opcode=notify) shows its opcode both ways', async () => {
  const { out, entries } = await watch(() =>
    dig(['+opcode=notify', '+norecurse', '+noadflag', '+noedns', 'example.test', 'SOA']),
  );
  const h = /opcode: NOTIFY, status: (\w+), id: (\d+)/.exec(out);
  assert.ok(h, out);
  assert.deepEqual(lines(entries, 'C'), [`${h[2]} example.test. SOA IN opcode=NOTIFY`]);
  assert.match(lines(entries, 'S')[0] ?? '', new RegExp(`^${h[2]} ${h[1]} opcode=NOTIFY qr`));
});

test('undecodable and dropped packets', async () => {
  const udp = createSocket('udp4');
  try {
    const { entries } = await watch(
      () => {
        udp.send(Buffer.from([1, 2, 3, 4, 5]), port, '127.0.0.1');
        // A response (QR=1) is never answered (no loops between servers).
        udp.send(rawQuery(99, true), port, '127.0.0.1');
        return Promise.resolve('');
      },
      (e) => e.filter((x) => x.text === 'no reply').length >= 2,
    );
    const c = lines(entries, 'C');
    assert.ok(c.includes('[5 octets, not a decodable message]'), c.join('\n'));
    assert.ok(
      c.some((t) => /^99 www\.example\.test\. A IN qr rd$/.test(t)),
      c.join('\n'),
    );
    assert.equal(lines(entries, '*').filter((t) => t === 'no reply').length, 2);
    assert.equal(lines(entries, 'S').length, 0);
  } finally {
    udp.close();
  }
});

test('without a subscriber nothing is published; a connection opened unwatched is tapped once watched', async () => {
  assert.equal(transcriptActive(), false);
  const socket = connect({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  let replies = 0;
  socket.on('data', () => {
    replies++;
  });
  try {
    // Unwatched: a UDP query through dig and a TCP query on the raw connection.
    await dig(['www.example.test', 'A']);
    socket.write(frameMessage(rawQuery(4242)));
    await eventually(() => replies > 0, { timeoutMs: 2_000, intervalMs: 10, what: 'the TCP reply' });
    assert.equal(replies, 1);
    const { entries } = await watch(() => {
      socket.write(frameMessage(rawQuery(4343)));
      return Promise.resolve('');
    });
    assert.equal(transcriptActive(), false);
    const all = entries.map((e) => e.text);
    assert.ok(!all.some((t) => t.startsWith('4242 ')), 'the unwatched query was not published');
    assert.deepEqual(lines(entries, 'C'), ['4343 www.example.test. A IN rd']);
    assert.ok(!all.some((t) => t.startsWith('connect from')), 'no connect entry for an earlier connection');
  } finally {
    socket.destroy();
  }
});

test('tapExchange: a long transfer is decoded only until the listed records, the rest counted', () => {
  const published: string[] = [];
  const tap = (direction: TranscriptEntry['direction'], text: string): void => {
    published.push(`${direction}: ${text}`);
  };
  const reply = (first: number): Buffer =>
    encodeMessage({
      header: requestHeader(7, { qr: true, aa: true }),
      questions: [],
      answers: Array.from({ length: 15 }, (_, i) => ({
        name: 'many.example.test.',
        type: RRType.A,
        class: 1,
        ttl: 60,
        data: { type: 'A' as const, address: `10.0.0.${first + i}` },
      })),
      authorities: [],
      additionals: [],
    });
  const replies = [reply(1), reply(16), reply(31), Buffer.from([0, 7, 0x84])];
  tapExchange(tap, rawQuery(7), replies);
  assert.equal(published[0], 'C: 7 www.example.test. A IN rd');
  // The fourth "message" is a runt: reported, not trusted, not counted.
  assert.equal(published[1], 'S: [3 octets, not a decodable message]');
  assert.equal(published[2], 'S: 7 NOERROR qr aa an=45 ns=0 ar=0 messages=3');
  assert.equal(published.filter((p) => p.startsWith('S: many.example.test. 60 IN A ')).length, 20);
  assert.equal(published.at(-1), 'S: … 25 more records');
  // Hostile shapes: no question, several questions.
  const empty = { header: requestHeader(1), questions: [], answers: [], authorities: [], additionals: [] };
  assert.equal(describeQuery(empty), '1 (no question)');
  const q = { name: 'a.test.', type: RRType.A, class: 1 };
  assert.equal(describeQuery({ ...empty, questions: [q, q] }), '1 a.test. A IN qd=2');
});

test('our own side of a transfer and of a NOTIFY (secondary pulling, primary notifying) is a session too', async () => {
  let serial = 0;
  const { entries } = await watch(
    async () => {
      const result = await transferZone({ server: { host: '127.0.0.1', port }, apex: 'example.test.' });
      serial = result.soa.data.serial;
      const [outcome] = await sendNotify({
        apex: 'example.test.',
        targets: [`127.0.0.1:${port}`],
        retries: 0,
      });
      assert.ok(outcome?.rcode !== undefined, 'the server answered the NOTIFY');
      return '';
    },
    (e) => e.filter((x) => x.text === 'closed').length >= 3,
  );
  const bySession = new Map<string, string[]>();
  for (const e of entries)
    bySession.set(e.sessionId, [...(bySession.get(e.sessionId) ?? []), `${e.direction}: ${e.text}`]);
  const sessions = [...bySession.values()];
  // The transfer seen from the secondary (us): connect, the AXFR query, the summary, closed.
  const pull = sessions.find((s) => s[0]?.startsWith(`*: connect to 127.0.0.1#${port} (tcp, zone transfer)`));
  assert.ok(pull, JSON.stringify(sessions, null, 1));
  assert.match(pull[1] ?? '', /^C: \d+ example\.test\. AXFR IN$/);
  assert.match(
    pull[2] ?? '',
    new RegExp(`^S: \\d+ AXFR example\\.test\\. complete: 1 message, \\d+ records, serial ${serial}$`),
  );
  assert.equal(pull.at(-1), '*: closed');
  // The same transfer seen from the primary (the suite's server).
  assert.ok(
    sessions.some((s) => s[0]?.startsWith('*: connect from 127.0.0.1:') && s.some((l) => / AXFR IN/.test(l))),
  );
  // The NOTIFY from both ends: ours (C: then S:), the server's (C: then S:), same id.
  const notifies = sessions.filter((s) => s.some((l) => l.includes('opcode=NOTIFY')));
  assert.equal(notifies.length, 2, JSON.stringify(notifies));
  for (const s of notifies) {
    assert.match(s[0] ?? '', /^C: \d+ example\.test\. SOA IN opcode=NOTIFY aa$/);
    assert.match(s[1] ?? '', /^S: \d+ REFUSED opcode=NOTIFY qr/);
  }
  assert.equal(notifies[0]?.[0], notifies[1]?.[0]);
});
