/**
 * The iteration engine against scripted in-memory upstreams (fake-world.ts): referrals from the
 * root hints, QNAME minimisation, glue and glueless NS names, CNAME and DNAME chasing across
 * zones, negative answers, ANY, caching, dead and lame servers, and the SERVFAIL + EDE outcome.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rcode, RRType, rdataToText } from '../../../src/dns/index.js';
import { Ede } from '../../../src/dns/resolver/iterator.js';
import { engine, q } from './fake-world.js';
import { EXAMPLE1, EXAMPLE2, OTHER, ROOT, TLD, world } from './world-zones.js';

const texts = (records: readonly { name: string; data: Parameters<typeof rdataToText>[0] }[]): string[] =>
  records.map((r) => `${r.name} ${rdataToText(r.data)}`);

describe('iteration engine', () => {
  it('follows referrals from the root hints with minimised questions (RFC 9156)', async () => {
    const up = world();
    const { iterator } = engine(up);
    const res = await iterator.resolve(q('www.example.test.', RRType.A));
    assert.equal(res.rcode, Rcode.NOERROR);
    assert.deepEqual(texts(res.answers), ['www.example.test. 192.0.2.1']);
    assert.deepEqual(
      up.to(ROOT).map((x) => [x.name, x.type]),
      [['test.', RRType.A]],
    );
    assert.deepEqual(
      up.to(TLD).map((x) => [x.name, x.type]),
      [['example.test.', RRType.A]],
    );
    const auth = up.log.filter((x) => x.address === EXAMPLE1 || x.address === EXAMPLE2);
    assert.deepEqual(
      auth.map((x) => [x.name, x.type]),
      [['www.example.test.', RRType.A]],
    );
  });

  it('after a client primes `. NS` (no addresses in the answer) it still reaches the root from the hints', async () => {
    const up = world();
    const { iterator } = engine(up);
    const primed = await iterator.resolve(q('.', RRType.NS));
    assert.deepEqual(texts(primed.answers), ['. a.root.test.']);
    // `outpost dig +trace` asks just this pair of questions of a resolver.
    const res = await iterator.resolve(q('www.example.test.', RRType.A));
    assert.equal(res.rcode, Rcode.NOERROR, res.ede?.text);
    assert.deepEqual(texts(res.answers), ['www.example.test. 192.0.2.1']);
  });

  it('answers the second time from the cache, with TTLs counted down', async () => {
    const up = world();
    const { iterator } = engine(up);
    await iterator.resolve(q('www.example.test.', RRType.A));
    const sent = up.log.length;
    up.t += 100_000;
    const res = await iterator.resolve(q('WWW.Example.TEST.', RRType.A));
    assert.equal(up.log.length, sent);
    assert.ok((res.answers[0]?.ttl ?? 0) <= 200);
    // The delegation is cached too: a sibling name goes straight to example.test's servers.
    await iterator.resolve(q('mail.example.test.', RRType.A));
    assert.deepEqual(
      up.log.slice(sent).map((x) => x.name),
      ['mail.example.test.'],
    );
  });

  it('walks an empty non-terminal and deeper names one label at a time', async () => {
    const up = world();
    const { iterator } = engine(up);
    const res = await iterator.resolve(q('a.b.c.deep.example.test.', RRType.A));
    assert.deepEqual(texts(res.answers), ['a.b.c.deep.example.test. 192.0.2.99']);
    const auth = up.log.filter((x) => x.address.startsWith('127.53.2.')).map((x) => x.name);
    assert.deepEqual(auth, [
      'www.example.test.'.replace('www', 'deep'),
      'c.deep.example.test.',
      'b.c.deep.example.test.',
      'a.b.c.deep.example.test.',
    ]);
  });

  it('sends the full name without minimisation when turned off', async () => {
    const up = world();
    const { iterator } = engine(up, { qnameMinimisation: false });
    await iterator.resolve(q('www.example.test.', RRType.MX));
    assert.ok(up.log.every((x) => x.name === 'www.example.test.' && x.type === RRType.MX));
  });

  it('chases a CNAME inside a zone and across zones, resolving a glueless NS name', async () => {
    const up = world();
    const { iterator } = engine(up);
    const inZone = await iterator.resolve(q('alias.example.test.', RRType.A));
    assert.deepEqual(texts(inZone.answers), [
      'alias.example.test. www.example.test.',
      'www.example.test. 192.0.2.1',
    ]);
    const far = await iterator.resolve(q('far.example.test.', RRType.A));
    assert.equal(far.rcode, Rcode.NOERROR);
    assert.deepEqual(texts(far.answers), [
      'far.example.test. www.other.test.',
      'www.other.test. 198.51.100.7',
    ]);
    assert.ok(up.to(OTHER).length > 0, 'other.test asked through its NS name ns.dns.net');
  });

  it('answers a CNAME question with the CNAME itself', async () => {
    const { iterator } = engine(world());
    const res = await iterator.resolve(q('alias.example.test.', RRType.CNAME));
    assert.deepEqual(texts(res.answers), ['alias.example.test. www.example.test.']);
  });

  it('follows a DNAME with its own synthesised CNAME (RFC 6672)', async () => {
    const { iterator } = engine(world());
    const res = await iterator.resolve(q('www.old.dn.test.', RRType.A));
    assert.equal(res.rcode, Rcode.NOERROR);
    assert.deepEqual(texts(res.answers), [
      'old.dn.test. example.test.',
      'www.old.dn.test. www.example.test.',
      'www.example.test. 192.0.2.1',
    ]);
  });

  it('answers a name under a cached DNAME from the cache, DNAME included', async () => {
    const up = world();
    const { iterator } = engine(up);
    await iterator.resolve(q('www.old.dn.test.', RRType.A));
    await iterator.resolve(q('mail.example.test.', RRType.A));
    const sent = up.log.length;
    const again = await iterator.resolve(q('www.old.dn.test.', RRType.A));
    assert.equal(again.answers[0]?.type, RRType.DNAME);
    const other = await iterator.resolve(q('mail.old.dn.test.', RRType.A));
    assert.deepEqual(texts(other.answers), [
      'old.dn.test. example.test.',
      'mail.old.dn.test. mail.example.test.',
      'mail.example.test. 192.0.2.25',
    ]);
    assert.equal(up.log.length, sent);
  });

  it('returns NXDOMAIN and NODATA with the SOA, and caches both (RFC 2308)', async () => {
    const up = world();
    const { iterator, cache } = engine(up);
    const nx = await iterator.resolve(q('nope.example.test.', RRType.A));
    assert.equal(nx.rcode, Rcode.NXDOMAIN);
    assert.equal(nx.authorities[0]?.type, RRType.SOA);
    const nodata = await iterator.resolve(q('www.example.test.', RRType.AAAA));
    assert.equal(nodata.rcode, Rcode.NOERROR);
    assert.equal(nodata.answers.length, 0);
    assert.equal(nodata.authorities[0]?.type, RRType.SOA);
    const sent = up.log.length;
    assert.equal((await iterator.resolve(q('nope.example.test.', RRType.MX))).rcode, Rcode.NXDOMAIN);
    assert.equal((await iterator.resolve(q('www.example.test.', RRType.AAAA))).rcode, Rcode.NOERROR);
    assert.equal(up.log.length, sent);
    assert.equal(cache.get('nope.example.test.', RRType.TXT, 1)?.kind, 'nxdomain');
  });

  it('answers NXDOMAIN at the end of a CNAME chain with the chain (RFC 6604)', async () => {
    const up = world();
    up.servers.set(EXAMPLE1, (query) => {
      const name = query.questions[0]?.name ?? '';
      if (!/^dangling\./i.test(name)) return null;
      return {
        header: { ...query.header, qr: true, aa: true, rcode: Rcode.NXDOMAIN },
        questions: query.questions,
        answers: [
          {
            name,
            type: RRType.CNAME,
            class: 1,
            ttl: 60,
            data: { type: 'CNAME', target: 'gone.example.test.' },
          },
        ],
        authorities: [
          {
            name: 'example.test.',
            type: RRType.SOA,
            class: 1,
            ttl: 60,
            data: {
              type: 'SOA',
              mname: 'a.',
              rname: 'b.',
              serial: 1,
              refresh: 1,
              retry: 1,
              expire: 1,
              minimum: 60,
            },
          },
        ],
        additionals: [],
      };
    });
    up.servers.delete(EXAMPLE2);
    const { iterator } = engine(up, { qnameMinimisation: false });
    const res = await iterator.resolve(q('dangling.example.test.', RRType.A));
    assert.equal(res.rcode, Rcode.NXDOMAIN);
    assert.deepEqual(texts(res.answers), ['dangling.example.test. gone.example.test.']);
  });

  it('answers ANY with what the authority returns (RFC 8482)', async () => {
    const { iterator } = engine(world());
    const res = await iterator.resolve(q('www.example.test.', RRType.ANY));
    assert.equal(res.rcode, Rcode.NOERROR);
    assert.ok(res.answers.length >= 1);
    assert.ok(res.answers.every((r) => r.name === 'www.example.test.'));
  });

  it('answers a DS question from the parent side of the cut', async () => {
    const up = world();
    const { iterator } = engine(up);
    await iterator.resolve(q('www.example.test.', RRType.A));
    const sent = up.log.length;
    const res = await iterator.resolve(q('example.test.', RRType.DS));
    assert.equal(res.rcode, Rcode.NOERROR);
    assert.deepEqual(
      up.log.slice(sent).map((x) => x.address),
      [TLD],
    );
  });

  it('an unresponsive server costs one timeout, then is avoided', async () => {
    const up = world();
    up.servers.delete(EXAMPLE1);
    const { iterator } = engine(up, { qnameMinimisation: false });
    const first = await iterator.resolve(q('www.example.test.', RRType.A));
    assert.equal(first.rcode, Rcode.NOERROR);
    const deadBefore = up.to(EXAMPLE1).length;
    assert.ok(deadBefore <= 1);
    await iterator.resolve(q('mail.example.test.', RRType.A));
    await iterator.resolve(q('example.test.', RRType.MX));
    assert.equal(up.to(EXAMPLE1).length, deadBefore, 'the dead server is not asked again');
  });

  it('skips a lame server (REFUSED, upward referral) for the next one', async () => {
    const up = world();
    up.servers.set(EXAMPLE1, (query) => ({
      header: { ...query.header, qr: true, rcode: Rcode.REFUSED },
      questions: query.questions,
      answers: [],
      authorities: [],
      additionals: [],
    }));
    const { iterator } = engine(up, { qnameMinimisation: false });
    for (const name of ['www.example.test.', 'mail.example.test.']) {
      const res = await iterator.resolve(q(name, RRType.A));
      assert.equal(res.rcode, Rcode.NOERROR, name);
    }
  });

  it('gives SERVFAIL with EDE 22 when every server is dead, within the time limit', async () => {
    const up = world();
    up.servers.delete(EXAMPLE1);
    up.servers.delete(EXAMPLE2);
    const { iterator } = engine(up);
    const started = up.t;
    const res = await iterator.resolve(q('www.example.test.', RRType.A));
    assert.equal(res.rcode, Rcode.SERVFAIL);
    assert.equal(res.ede?.code, Ede.NO_REACHABLE_AUTHORITY);
    assert.ok(up.t - started <= iterator.limits.maxQueryTimeMs + 10, `${up.t - started} ms`);
  });

  it('gives SERVFAIL when the root hints point at a dead server', async () => {
    const up = world();
    up.servers.delete(ROOT);
    const { iterator } = engine(up);
    const res = await iterator.resolve(q('www.example.test.', RRType.A));
    assert.equal(res.rcode, Rcode.SERVFAIL);
    assert.match(res.ede?.text ?? '', /127\.53\.0\.1/);
  });

  it('ends a CNAME loop with SERVFAIL', async () => {
    const { iterator } = engine(world());
    const res = await iterator.resolve(q('loop1.example.test.', RRType.A));
    assert.equal(res.rcode, Rcode.SERVFAIL);
    assert.match(res.ede?.text ?? '', /loop/);
  });

  it('refuses loopback upstreams unless allowed', async () => {
    const { iterator } = engine(world(), { allowLoopback: false });
    const res = await iterator.resolve(q('www.example.test.', RRType.A));
    assert.equal(res.rcode, Rcode.SERVFAIL);
  });

  it('asks every server on the configured upstream port', async () => {
    const up = world();
    const ports: number[] = [];
    const inner = up.query.bind(up);
    up.query = (req) => {
      ports.push(req.server.port);
      return inner(req);
    };
    const { iterator } = engine(up, { upstreamPort: 5353 });
    await iterator.resolve(q('www.example.test.', RRType.A));
    assert.ok(ports.length > 0 && ports.every((p) => p === 5353));
  });
});
