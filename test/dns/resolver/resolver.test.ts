/**
 * The Resolver object over the in-memory world: serve-stale when every authority fails (RFC
 * 8767) and after the client-response timer, prefetch of popular entries, one upstream resolution for identical questions in
 * flight, the client reply (RA, EDE with text, the query gate) and RD=0 queries (cache only).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EdnsOption, Rcode, RRClass, RRType, type Message } from '../../../src/dns/index.js';
import { Ede, type UpstreamTransport } from '../../../src/dns/resolver/iterator.js';
import { Resolver } from '../../../src/dns/resolver/resolver.js';
import { parseRootHints } from '../../../src/dns/resolver/root-hints.js';
import { hints, q, type FakeUpstream } from './fake-world.js';
import { world } from './world-zones.js';

function make(up: FakeUpstream): Resolver {
  return new Resolver({ hints: parseRootHints(hints()), transport: up, now: up.now });
}

const query = (name: string, type: number, changes: Partial<Message> = {}): Message => ({
  header: {
    id: 7,
    qr: false,
    opcode: 0,
    aa: false,
    tc: false,
    rd: true,
    ra: false,
    z: false,
    ad: false,
    cd: false,
    rcode: 0,
  },
  questions: [{ name, type, class: RRClass.IN }],
  answers: [],
  authorities: [],
  additionals: [],
  edns: { udpPayloadSize: 1232, extendedRcode: 0, version: 0, dnssecOk: false, z: 0, options: [] },
  ...changes,
});

describe('resolver', () => {
  it('serves expired data with TTL 30 and EDE 3 when every authority fails (RFC 8767)', async () => {
    const up = world();
    const resolver = make(up);
    await resolver.resolve(q('www.example.test.', RRType.A));
    up.t += 4 * 3600 * 1000; // everything expired, the delegations too
    up.servers.clear();
    const res = await resolver.resolve(q('www.example.test.', RRType.A));
    assert.equal(res.rcode, Rcode.NOERROR);
    assert.equal(res.stale, true);
    assert.equal(res.answers[0]?.ttl, 30);
    assert.equal(res.ede?.code, Ede.STALE_ANSWER);
    const fresh = await resolver.resolve(q('mail.example.test.', RRType.A));
    assert.equal(fresh.rcode, Rcode.SERVFAIL, 'nothing stale to serve');
  });

  it('answers stale data after the client-response timer while resolution goes on (RFC 8767 §5)', async () => {
    const up = world();
    let delayMs = 0;
    const slow: UpstreamTransport = {
      query: async (request) => {
        if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
        return up.query(request);
      },
    };
    const make = (clientResponseMs: number): Resolver =>
      new Resolver({ hints: parseRootHints(hints()), transport: slow, now: up.now, clientResponseMs });
    const resolver = make(50);
    const ask = () => resolver.answer(query('www.example.test.', RRType.A));
    assert.equal((await ask()).answers[0]?.ttl, 300);
    up.t += 4 * 3600 * 1000; // expired, the delegations too
    delayMs = 150; // each of the three upstream steps now takes 150 ms
    const started = Date.now();
    const stale = await ask();
    const waited = Date.now() - started;
    assert.ok(waited >= 45 && waited < 400, `answered after ${String(waited)} ms`);
    assert.equal(stale.header.rcode, Rcode.NOERROR);
    assert.equal(stale.answers[0]?.ttl, 30);
    const ede = stale.edns?.options.find((o) => o.code === EdnsOption.EDE);
    assert.equal((ede?.data[0] ?? 0) * 256 + (ede?.data[1] ?? 0), Ede.STALE_ANSWER);
    assert.equal(resolver.pending, 1, 'the resolution goes on');
    const busy = (): boolean => resolver.pending > 0;
    while (busy()) await new Promise((r) => setTimeout(r, 20));
    delayMs = 0;
    const sent = up.log.length;
    assert.equal((await ask()).answers[0]?.ttl, 300, 'the cache was refreshed');
    assert.equal(up.log.length, sent);
    // With the timer off, the client waits for the fresh answer.
    const patient = make(0);
    await patient.answer(query('www.example.test.', RRType.A));
    up.t += 4 * 3600 * 1000;
    delayMs = 100;
    const fresh = await patient.answer(query('www.example.test.', RRType.A));
    assert.equal(fresh.answers[0]?.ttl, 300);
  });

  it('prefetches a popular entry before it expires', async () => {
    const up = world();
    const resolver = make(up);
    for (let i = 0; i < 4; i++) await resolver.resolve(q('www.example.test.', RRType.A));
    const sent = up.log.length;
    up.t += 290_000; // 10 of 300 s left
    const res = await resolver.resolve(q('www.example.test.', RRType.A));
    assert.equal(res.answers[0]?.ttl, 10);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(resolver.prefetches, 1);
    assert.deepEqual(
      up.log.slice(sent).map((x) => x.name),
      ['www.example.test.'],
    );
    const after = await resolver.resolve(q('www.example.test.', RRType.A));
    assert.equal(after.answers[0]?.ttl, 300);
  });

  it('resolves identical questions in flight once', async () => {
    const up = world();
    const resolver = make(up);
    const [a, b] = await Promise.all([
      resolver.resolve(q('www.example.test.', RRType.A)),
      resolver.resolve(q('WWW.EXAMPLE.TEST.', RRType.A)),
    ]);
    assert.deepEqual(a, b);
    const single = make(world());
    await single.resolve(q('www.example.test.', RRType.A));
    assert.equal(up.log.length, 3);
  });

  it('replies with RA and the question as asked, and SERVFAIL with EDE and its text', async () => {
    const up = world();
    const resolver = make(up);
    const ok = await resolver.answer(query('Www.Example.Test.', RRType.A));
    assert.equal(ok.header.ra, true);
    assert.equal(ok.header.aa, false);
    assert.equal(ok.questions[0]?.name, 'Www.Example.Test.');
    up.servers.clear();
    const bad = await resolver.answer(query('nothing.example.test.', RRType.A));
    assert.equal(bad.header.rcode, Rcode.SERVFAIL);
    const ede = bad.edns?.options.find((o) => o.code === EdnsOption.EDE);
    assert.ok(ede);
    assert.equal((ede.data[0] ?? 0) * 256 + (ede.data[1] ?? 0), Ede.NO_REACHABLE_AUTHORITY);
    assert.match(Buffer.from(ede.data.subarray(2)).toString(), /example\.test\./);
  });

  it('answers RD=0 queries from the cache only: REFUSED with EDE 20 on a miss, no upstream traffic', async () => {
    const up = world();
    const resolver = make(up);
    const norec = (name: string): Message => {
      const base = query(name, RRType.A);
      return { ...base, header: { ...base.header, rd: false } };
    };
    const miss = await resolver.answer(norec('far.example.test.'));
    assert.equal(miss.header.rcode, Rcode.REFUSED);
    assert.equal(miss.header.rd, false);
    const ede = miss.edns?.options.find((o) => o.code === EdnsOption.EDE);
    assert.equal((ede?.data[0] ?? 0) * 256 + (ede?.data[1] ?? 0), Ede.NOT_AUTHORITATIVE);
    assert.equal(up.log.length, 0, 'no upstream query for RD=0');
    await resolver.answer(query('far.example.test.', RRType.A));
    await resolver.answer(query('nope.example.test.', RRType.A));
    const sent = up.log.length;
    const hit = await resolver.answer(norec('far.example.test.'));
    assert.equal(hit.header.rcode, Rcode.NOERROR);
    assert.deepEqual(
      hit.answers.map((r) => `${r.name} ${r.data.type}`),
      ['far.example.test. CNAME', 'www.other.test. A'],
    );
    const negative = await resolver.answer(norec('nope.example.test.'));
    assert.equal(negative.header.rcode, Rcode.NXDOMAIN);
    assert.equal(negative.authorities[0]?.type, RRType.SOA);
    up.t += 4 * 3600 * 1000; // expired: RD=0 does not refresh, nor serve stale
    assert.equal((await resolver.answer(norec('far.example.test.'))).header.rcode, Rcode.REFUSED);
    assert.equal(up.log.length, sent);
  });

  it('refuses transfers and other classes, rejects other meta types and several questions', async () => {
    const resolver = make(world());
    assert.equal((await resolver.answer(query('example.test.', RRType.AXFR))).header.rcode, Rcode.REFUSED);
    const ch = query('version.bind.', RRType.TXT);
    const chaos = { ...ch, questions: [{ name: 'version.bind.', type: RRType.TXT, class: RRClass.CH }] };
    assert.equal((await resolver.answer(chaos)).header.rcode, Rcode.REFUSED);
    assert.equal((await resolver.answer(query('example.test.', RRType.MAILA))).header.rcode, Rcode.NOTIMP);
    const two = query('a.test.', RRType.A);
    const twice = { ...two, questions: [...two.questions, ...two.questions] };
    assert.equal((await resolver.answer(twice)).header.rcode, Rcode.FORMERR);
  });
});
