/**
 * The iteration engine against lying and abusive upstreams: every poisoning attempt the bailiwick
 * rules answer (unrelated answer records, out-of-bailiwick glue, referrals for unrelated or
 * upper zones, out-of-zone answers and SOAs), the work limits (NXNSAttack fan-out, referral
 * depth, upstream query count, CNAME chain length) and relaxed QNAME minimisation's fallback for
 * servers that answer NXDOMAIN for empty non-terminals.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rcode, RRType, type Message, type ResourceRecord } from '../../../src/dns/index.js';
import { engine, FakeUpstream, q, SOA, zoneServer, type FakeServer } from './fake-world.js';
import { EXAMPLE1, EXAMPLE2, exampleZone, ROOT, TLD, tldZone, world } from './world-zones.js';

const A = (name: string, address: string, ttl = 300): ResourceRecord => ({
  name,
  type: RRType.A,
  class: 1,
  ttl,
  data: { type: 'A', address },
});

/** Wrap a server so `edit` may rewrite its replies. */
function lying(server: FakeServer, edit: (reply: Message, query: Message) => Message): FakeServer {
  return (query) => {
    const reply = server(query);
    return reply === null ? null : edit(reply, query);
  };
}

function both(up: FakeUpstream, server: FakeServer): void {
  up.servers.set(EXAMPLE1, server);
  up.servers.set(EXAMPLE2, server);
}

const exampleServer = (): FakeServer => zoneServer(['example.test.', exampleZone]);

describe('bailiwick and poisoning', () => {
  it('drops answer records that are not on the chain of the question, in zone or not', async () => {
    const up = world();
    both(
      up,
      lying(exampleServer(), (reply) => ({
        ...reply,
        answers: [
          ...reply.answers,
          A('www.bank.test.', '203.0.113.66'),
          A('evil.example.test.', '203.0.113.66'),
        ],
      })),
    );
    const { iterator, cache } = engine(up);
    const res = await iterator.resolve(q('www.example.test.', RRType.A));
    assert.deepEqual(
      res.answers.map((r) => r.name),
      ['www.example.test.'],
    );
    assert.equal(cache.get('www.bank.test.', RRType.A, 1), undefined);
    assert.equal(cache.get('evil.example.test.', RRType.A, 1), undefined);
  });

  it('drops out-of-bailiwick glue and glue for names that are not the NS names', async () => {
    const up = world();
    up.servers.set(
      TLD,
      lying(up.servers.get(TLD) as FakeServer, (reply) =>
        reply.authorities.some((r) => r.type === RRType.NS && r.name === 'example.test.')
          ? {
              ...reply,
              additionals: [
                ...reply.additionals,
                A('www.bank.com.', '203.0.113.66'),
                A('www.example.test.', '203.0.113.66'),
              ],
            }
          : reply,
      ),
    );
    const { iterator, cache } = engine(up);
    const res = await iterator.resolve(q('www.example.test.', RRType.A));
    assert.deepEqual(
      res.answers.map((r) => (r.data.type === 'A' ? r.data.address : '')),
      ['192.0.2.1'],
    );
    assert.equal(cache.get('www.bank.com.', RRType.A, 1), undefined);
    assert.ok(cache.get('ns1.example.test.', RRType.A, 1), 'real glue is kept');
  });

  it('ignores glue outside the zone it was asked about even for the NS names', async () => {
    const up = world();
    // The TLD tries to give an address for an NS name in net., which it was not asked about.
    up.servers.set(
      TLD,
      lying(up.servers.get(TLD) as FakeServer, (reply) =>
        reply.authorities.some((r) => r.name === 'other.test.')
          ? { ...reply, additionals: [A('ns.dns.net.', '127.53.9.9')] }
          : reply,
      ),
    );
    const { iterator } = engine(up);
    const res = await iterator.resolve(q('www.other.test.', RRType.A));
    assert.equal(res.rcode, Rcode.NOERROR);
    assert.equal(up.to('127.53.9.9').length, 0);
  });

  it('treats a referral for an unrelated zone as lame and caches nothing from it', async () => {
    const up = world();
    up.servers.set('127.53.0.2', (query) => ({
      header: { ...query.header, qr: true, aa: false },
      questions: query.questions,
      answers: [],
      authorities: [
        {
          name: 'bank.test.',
          type: RRType.NS,
          class: 1,
          ttl: 3600,
          data: { type: 'NS', target: 'ns.evil.test.' },
        },
      ],
      additionals: [A('ns.evil.test.', '127.53.9.9')],
    }));
    const { iterator, cache } = engine(up, {
      hintsText:
        '. 3600000 NS a.root.test.\n. 3600000 NS b.root.test.\nb.root.test. 3600000 A 127.53.0.2\na.root.test. 3600000 A 127.53.0.1\n',
    });
    const res = await iterator.resolve(q('www.example.test.', RRType.A));
    assert.equal(res.rcode, Rcode.NOERROR);
    assert.equal(cache.get('bank.test.', RRType.NS, 1), undefined);
    assert.equal(cache.get('ns.evil.test.', RRType.A, 1), undefined);
    assert.equal(up.to('127.53.9.9').length, 0);
  });

  it('treats an upward referral as lame', async () => {
    const up = world();
    up.servers.set(EXAMPLE1, (query) => ({
      header: { ...query.header, qr: true, aa: false },
      questions: query.questions,
      answers: [],
      authorities: [
        {
          name: 'test.',
          type: RRType.NS,
          class: 1,
          ttl: 3600,
          data: { type: 'NS', target: 'ns1.nic.test.' },
        },
      ],
      additionals: [],
    }));
    const { iterator } = engine(up, { qnameMinimisation: false });
    const res = await iterator.resolve(q('www.example.test.', RRType.A));
    assert.equal(res.rcode, Rcode.NOERROR, 'answered by the other server');
  });

  it('does not take a zone’s word for a name outside it: the CNAME target is resolved afresh', async () => {
    const up = world();
    both(
      up,
      lying(exampleServer(), (reply, query) =>
        /^alias\./i.test(query.questions[0]?.name ?? '')
          ? {
              ...reply,
              answers: [
                {
                  name: query.questions[0]?.name ?? '',
                  type: RRType.CNAME,
                  class: 1,
                  ttl: 300,
                  data: { type: 'CNAME', target: 'www.other.test.' },
                },
                A('www.other.test.', '203.0.113.66'),
              ],
            }
          : reply,
      ),
    );
    const { iterator } = engine(up);
    const res = await iterator.resolve(q('alias.example.test.', RRType.A));
    const last = res.answers.at(-1);
    assert.equal(last?.data.type === 'A' ? last.data.address : '', '198.51.100.7');
  });

  it('does not cache a negative answer whose SOA is out of bailiwick', async () => {
    const up = world();
    both(
      up,
      lying(exampleServer(), (reply) =>
        reply.header.rcode === Rcode.NXDOMAIN
          ? {
              ...reply,
              authorities: [
                {
                  name: 'bank.test.',
                  type: RRType.SOA,
                  class: 1,
                  ttl: 3600,
                  data: {
                    type: 'SOA',
                    mname: 'a.',
                    rname: 'b.',
                    serial: 1,
                    refresh: 1,
                    retry: 1,
                    expire: 1,
                    minimum: 3600,
                  },
                },
              ],
            }
          : reply,
      ),
    );
    const { iterator, cache } = engine(up);
    const res = await iterator.resolve(q('nope.example.test.', RRType.A));
    assert.equal(res.rcode, Rcode.NXDOMAIN);
    assert.equal(res.authorities.length, 0);
    assert.equal(cache.get('bank.test.', RRType.SOA, 1), undefined);
    assert.equal(cache.get('nope.example.test.', RRType.A, 1), undefined);
  });

  it('lets no glue overwrite an authoritative answer already cached', async () => {
    const up = world();
    const { iterator, cache } = engine(up);
    await iterator.resolve(q('ns1.example.test.', RRType.A));
    up.servers.set(
      TLD,
      lying(up.servers.get(TLD) as FakeServer, (reply) => ({
        ...reply,
        additionals: reply.additionals.map((r) =>
          r.name === 'ns1.example.test.' ? A(r.name, '127.53.9.9') : r,
        ),
      })),
    );
    cache.delete('example.test.', RRType.NS, 1);
    await iterator.resolve(q('mail.example.test.', RRType.A));
    const hit = cache.get('ns1.example.test.', RRType.A, 1);
    assert.equal(hit?.records[0]?.data.type === 'A' ? hit.records[0].data.address : '', EXAMPLE1);
  });
});

describe('work limits', () => {
  it('caps NS-name lookups for a referral full of glueless NS names (NXNSAttack)', async () => {
    const up = world();
    const ns = Array.from({ length: 40 }, (_, i) => `attack.test. 3600 NS ns${i}.victim.net.`).join('\n');
    const net = `${SOA('net.')}\nnet. 3600 NS ns1.nic.test.\nvictim.net. 3600 NS ns.victim.net.\nns.victim.net. 3600 A 127.53.5.1\n`;
    up.servers.set(TLD, zoneServer(['test.', `${tldZone}\n${ns}\n`], ['net.', net]));
    const victimZone = `${SOA('victim.net.')}\nvictim.net. 3600 NS ns.victim.net.\nns.victim.net. 3600 A 127.53.5.1\n`;
    up.servers.set('127.53.5.1', zoneServer(['victim.net.', victimZone]));
    const { iterator } = engine(up);
    const res = await iterator.resolve(q('www.attack.test.', RRType.A));
    assert.equal(res.rcode, Rcode.SERVFAIL);
    const victim = up.to('127.53.5.1').length;
    assert.ok(victim > 0 && victim <= iterator.limits.maxNsNames * 2, `${victim} queries reached the victim`);
    assert.ok(up.log.length <= iterator.limits.maxUpstreamQueries);
  });

  it('stops after the referral depth limit', async () => {
    const up = new FakeUpstream();
    // A server that delegates every name one label deeper, to itself.
    up.servers.set(ROOT, (query) => {
      const name = query.questions[0]?.name ?? '.';
      return {
        header: { ...query.header, qr: true, aa: false },
        questions: query.questions,
        answers: [],
        authorities: [
          { name, type: RRType.NS, class: 1, ttl: 3600, data: { type: 'NS', target: `ns.${name}` } },
        ],
        additionals: [A(`ns.${name}`, ROOT)],
      };
    });
    const { iterator } = engine(up, { limits: { maxReferralDepth: 5 } });
    const deep = Array.from({ length: 12 }, (_, i) => `l${i}`).join('.') + '.';
    const res = await iterator.resolve(q(deep, RRType.A));
    assert.equal(res.rcode, Rcode.SERVFAIL);
    assert.match(res.ede?.text ?? '', /more than 5 referrals/);
    assert.equal(up.log.length, 6);
  });

  it('stops after the upstream query limit', async () => {
    const { iterator } = engine(world(), { limits: { maxUpstreamQueries: 2 } });
    const res = await iterator.resolve(q('www.example.test.', RRType.A));
    assert.equal(res.rcode, Rcode.SERVFAIL);
    assert.match(res.ede?.text ?? '', /more than 2 upstream queries/);
  });

  it('follows a CNAME chain up to the limit and no further', async () => {
    const chain = (n: number): string =>
      Array.from(
        { length: n },
        (_, i) => `c${i}.example.test. 300 CNAME ${i === n - 1 ? 'www' : `c${i + 1}`}.example.test.`,
      ).join('\n');
    for (const [n, rcode] of [
      [11, Rcode.NOERROR],
      [12, Rcode.SERVFAIL],
    ] as const) {
      const up = world();
      both(up, zoneServer(['example.test.', `${exampleZone}\n${chain(n)}\n`]));
      const { iterator } = engine(up);
      const res = await iterator.resolve(q('c0.example.test.', RRType.A));
      assert.equal(res.rcode, rcode, `${n} links`);
    }
  });
});

describe('QNAME minimisation, relaxed', () => {
  it('falls back to the full name when a server says NXDOMAIN for an empty non-terminal', async () => {
    const up = world();
    both(
      up,
      lying(exampleServer(), (reply, query) =>
        /^c\.deep\./i.test(query.questions[0]?.name ?? '')
          ? { ...reply, header: { ...reply.header, rcode: Rcode.NXDOMAIN } }
          : reply,
      ),
    );
    const { iterator } = engine(up);
    const res = await iterator.resolve(q('a.b.c.deep.example.test.', RRType.A));
    assert.equal(res.rcode, Rcode.NOERROR);
    assert.equal(res.answers.length, 1);
  });
});
