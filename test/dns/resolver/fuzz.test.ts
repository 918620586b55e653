/**
 * Hostile input on both sides of the resolver, from a seeded PRNG so a failure replays: fuzzed
 * client queries through the server pipeline (every reply must decode, never a throw or a hang),
 * and fuzzed upstream replies (mutated octets that still decode, flipped header bits, records
 * moved between sections) that must always end in a well-formed resolution.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeMessage,
  encodeMessage,
  Rcode,
  RRType,
  type Message,
  type ResourceRecord,
} from '../../../src/dns/index.js';
import { buildQuery } from '../../../src/dns/client/query.js';
import { QueryProcessor } from '../../../src/dns/server/query-processor.js';
import { Resolver } from '../../../src/dns/resolver/resolver.js';
import { parseRootHints } from '../../../src/dns/resolver/root-hints.js';
import { prng } from '../helpers.js';
import { hints, q, type FakeServer } from './fake-world.js';
import { world } from './world-zones.js';

const NAMES = [
  'www.example.test.',
  'far.example.test.',
  'www.old.dn.test.',
  'nope.example.test.',
  'a.b.c.deep.example.test.',
];

describe('resolver fuzzing', () => {
  it('answers fuzzed client queries with well-formed replies or nothing', async () => {
    const up = world();
    const resolver = new Resolver({ hints: parseRootHints(hints()), transport: up, now: up.now });
    const processor = new QueryProcessor((query) => resolver.answer(query), undefined, { cacheEntries: 0 });
    const rand = prng(1717);
    for (let i = 0; i < 400; i++) {
      const base = encodeMessage(
        buildQuery({
          server: { host: '127.0.0.1', port: 53 },
          name: NAMES[i % NAMES.length] ?? '.',
          type: RRType.A,
        }),
      );
      const bytes = Buffer.from(base);
      const flips = 1 + Math.floor(rand() * 4);
      for (let f = 0; f < flips; f++) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
      const cut = rand() < 0.2 ? bytes.subarray(0, Math.floor(rand() * bytes.length)) : bytes;
      const replies = await processor.process(cut, {
        transport: 'udp',
        remoteAddress: '127.0.0.1',
        remotePort: 1,
      });
      for (const reply of replies) {
        const m = decodeMessage(reply);
        assert.equal(m.header.qr, true);
      }
    }
  });

  it('survives fuzzed upstream replies and always ends with a well-formed resolution', async () => {
    const rand = prng(4242);
    const pick = <T>(list: readonly T[]): T | undefined => list[Math.floor(rand() * list.length)];
    for (let round = 0; round < 60; round++) {
      const up = world();
      for (const [address, server] of [...up.servers]) {
        const evil: FakeServer = (query) => {
          const reply = server(query);
          if (reply === null || rand() < 0.3) return reply;
          const mode = Math.floor(rand() * 3);
          if (mode === 0) {
            const bytes = Buffer.from(encodeMessage(reply));
            for (let f = 0; f < 3; f++)
              bytes[12 + Math.floor(rand() * (bytes.length - 12))] = Math.floor(rand() * 256);
            try {
              const m = decodeMessage(bytes, { trailing: 'ignore' });
              return {
                ...m,
                header: { ...m.header, id: reply.header.id, qr: true },
                questions: reply.questions,
              };
            } catch {
              return null; // undecodable: the real transport ignores it, here it times out
            }
          }
          if (mode === 1) {
            return {
              ...reply,
              header: {
                ...reply.header,
                aa: rand() < 0.5,
                tc: rand() < 0.1,
                rcode: pick([0, 0, 0, 2, 3, 5]) ?? 0,
              },
            };
          }
          const all: ResourceRecord[] = [...reply.answers, ...reply.authorities, ...reply.additionals];
          const sections: ResourceRecord[][] = [[], [], []];
          for (const r of all) sections[Math.floor(rand() * 3)]?.push(r);
          const [answers = [], authorities = [], additionals = []] = sections;
          return { ...reply, answers, authorities, additionals } satisfies Message;
        };
        up.servers.set(address, evil);
      }
      const resolver = new Resolver({ hints: parseRootHints(hints()), transport: up, now: up.now });
      for (const name of NAMES) {
        const res = await resolver.resolve(
          q(name, pick([RRType.A, RRType.AAAA, RRType.MX, RRType.ANY]) ?? RRType.A),
        );
        assert.ok(
          [Rcode.NOERROR, Rcode.NXDOMAIN, Rcode.SERVFAIL].includes(res.rcode as 0 | 2 | 3),
          String(res.rcode),
        );
        if (res.rcode === Rcode.SERVFAIL) assert.ok(res.ede !== undefined);
        for (const r of res.answers) assert.equal(r.class, 1);
      }
      assert.ok(up.log.length <= NAMES.length * 60, `${up.log.length} upstream queries`);
    }
  });
});
