/**
 * The resolver over real sockets against a loopback hierarchy of our own authoritative servers
 * (loopback-world.ts): iteration over UDP, TCP after a truncated reply, an unreachable server,
 * and the upstream transport's defences seen from a hostile server: fresh random source port and
 * ID per query, 0x20 case randomisation that must be echoed (with the fallback for a server that
 * folds case), and spoofed or malformed datagrams that are ignored without ending the wait (TuDoor).
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { decodeMessage, encodeMessage, Rcode, RRType, type Message } from '../../../src/dns/index.js';
import { Resolver } from '../../../src/dns/resolver/resolver.js';
import { loadRootHints } from '../../../src/dns/resolver/root-hints.js';
import { NetworkUpstream } from '../../../src/dns/resolver/upstream.js';
import { startLoopbackWorld, standardZones, type LoopbackWorld } from './loopback-world.js';
import { EXAMPLE1 } from './world-zones.js';

const bigTxt = Array.from(
  { length: 12 },
  (_, i) => `big.example.test. 300 TXT "${String(i).padStart(3, '0')}${'x'.repeat(180)}"`,
).join('\n');

describe('resolver over loopback sockets', () => {
  let world: LoopbackWorld;
  before(async () => {
    world = await startLoopbackWorld(standardZones(`\n${bigTxt}\n`));
  });
  after(async () => {
    await world.close();
  });

  const make = (transport = new NetworkUpstream()): Resolver =>
    new Resolver({ hints: loadRootHints(world.hintsFile), upstreamPort: world.port, transport });

  it('iterates root → TLD → authoritative and chases a CNAME into another zone', async () => {
    const upstream = new NetworkUpstream();
    const resolver = make(upstream);
    const res = await resolver.resolve({ name: 'www.example.test.', type: RRType.A, class: 1 });
    assert.equal(res.rcode, Rcode.NOERROR);
    assert.deepEqual(
      res.answers.map((r) => (r.data.type === 'A' ? r.data.address : '')),
      ['192.0.2.1'],
    );
    const far = await resolver.resolve({ name: 'far.example.test.', type: RRType.A, class: 1 });
    assert.deepEqual(
      far.answers.map((r) => r.name),
      ['far.example.test.', 'www.other.test.'],
    );
    assert.ok(upstream.sent.udp >= 4);
    assert.equal(upstream.sent.tcp, 0);
  });

  it('retries over TCP when the UDP reply is truncated', async () => {
    const upstream = new NetworkUpstream();
    const res = await make(upstream).resolve({ name: 'big.example.test.', type: RRType.TXT, class: 1 });
    assert.equal(res.rcode, Rcode.NOERROR);
    assert.equal(res.answers.length, 12);
    assert.equal(upstream.sent.tcp, 1);
  });

  it('answers from the other server when one of the delegation is down', async () => {
    const down = world.servers.get(EXAMPLE1);
    await down?.close();
    try {
      const resolver = make();
      for (const name of ['www.example.test.', 'mail.example.test.']) {
        const res = await resolver.resolve({ name, type: RRType.A, class: 1 });
        assert.equal(res.rcode, Rcode.NOERROR, name);
      }
    } finally {
      world.servers.delete(EXAMPLE1);
    }
  });
});

describe('upstream transport against a hostile server', () => {
  it('uses a new port and id per query, randomises case, and ignores spoofed and malformed datagrams', async () => {
    const server = createSocket('udp4');
    server.bind(0, '127.53.20.1');
    await once(server, 'listening');
    const port = server.address().port;
    const seen: { port: number; id: number; name: string }[] = [];
    server.on('message', (bytes, rinfo) => {
      const query = decodeMessage(bytes);
      const q = query.questions[0];
      seen.push({ port: rinfo.port, id: query.header.id, name: q?.name ?? '' });
      const reply = (m: Partial<Message>): Buffer =>
        encodeMessage({
          header: { ...query.header, qr: true, aa: true },
          questions: query.questions,
          answers: [],
          authorities: [],
          additionals: [],
          ...m,
        });
      const send = (b: Uint8Array): void => {
        server.send(b, rinfo.port, rinfo.address);
      };
      send(Buffer.from('garbage'));
      const withId = Buffer.alloc(40, 0xff);
      withId.writeUInt16BE(query.header.id, 0);
      send(withId); // our id, undecodable
      send(reply({ header: { ...query.header, id: (query.header.id + 1) & 0xffff, qr: true } }));
      send(reply({ questions: [{ ...(q ?? { type: 1, class: 1 }), name: (q?.name ?? '').toLowerCase() }] }));
      send(reply({ header: { ...query.header, qr: true, rcode: Rcode.REFUSED }, questions: [] }));
      send(
        reply({
          answers: [
            {
              name: q?.name ?? '',
              type: RRType.A,
              class: 1,
              ttl: 60,
              data: { type: 'A', address: '192.0.2.80' },
            },
          ],
        }),
      );
    });
    try {
      const ignored: string[] = [];
      const upstream = new NetworkUpstream({ onIgnored: (r) => ignored.push(r) });
      const name = 'abcdefghijklmnopqrstuvwxyz.example.test.';
      for (let i = 0; i < 2; i++) {
        const reply = await upstream.query({
          server: { address: '127.53.20.1', port },
          question: { name, type: RRType.A, class: 1 },
          timeoutMs: 2000,
        });
        assert.equal(reply.answers[0]?.data.type === 'A' ? reply.answers[0].data.address : '', '192.0.2.80');
        assert.equal(reply.answers[0]?.name, name, 'names come back lower-cased');
      }
      assert.equal(ignored.length, 10, ignored.join('\n'));
      assert.equal(seen.length, 2);
      const [a, b] = seen;
      assert.ok(a && b);
      assert.notEqual(a.port, b.port);
      assert.notEqual(a.name, name, '0x20: the case was randomised');
      assert.notEqual(a.name, b.name);
      assert.equal(a.name.toLowerCase(), name);
    } finally {
      server.close();
    }
  });

  it('falls back to no 0x20 for a server that does not echo the case, keeping the other checks', async () => {
    const server = createSocket('udp4');
    server.bind(0, '127.53.20.3');
    await once(server, 'listening');
    const port = server.address().port;
    const seen: string[] = [];
    server.on('message', (bytes, rinfo) => {
      const query = decodeMessage(bytes);
      const name = (query.questions[0]?.name ?? '').toLowerCase();
      seen.push(query.questions[0]?.name ?? '');
      const reply = (id: number): Buffer =>
        encodeMessage({
          header: { ...query.header, id, qr: true, aa: true },
          questions: query.questions.map((q) => ({ ...q, name })), // case folded, as some servers do
          answers: [{ name, type: RRType.A, class: 1, ttl: 60, data: { type: 'A', address: '192.0.2.81' } }],
          authorities: [],
          additionals: [],
        });
      server.send(reply((query.header.id + 1) & 0xffff), rinfo.port, rinfo.address); // wrong id: still ignored
      server.send(reply(query.header.id), rinfo.port, rinfo.address);
    });
    try {
      const ignored: string[] = [];
      const upstream = new NetworkUpstream({ onIgnored: (r) => ignored.push(r) });
      const target = { address: '127.53.20.3', port };
      const ask = () =>
        upstream.query({
          server: target,
          question: { name: 'mixedcasefolding.example.test.', type: RRType.A, class: 1 },
          timeoutMs: 300,
        });
      const started = Date.now();
      const first = await ask();
      assert.ok(Date.now() - started >= 300, 'the case-folded reply itself was not accepted');
      assert.equal(first.answers[0]?.data.type === 'A' ? first.answers[0].data.address : '', '192.0.2.81');
      assert.equal(upstream.preservesCase(target), false);
      assert.equal(seen.length, 2);
      assert.notEqual(seen[0], 'mixedcasefolding.example.test.', 'first asked with 0x20');
      assert.equal(seen[1], 'mixedcasefolding.example.test.', 'then asked again without');
      const again = Date.now();
      await ask();
      assert.ok(Date.now() - again < 300, 'a known case-folding server is asked without 0x20 at once');
      assert.equal(seen.length, 3);
      assert.equal(seen[2], 'mixedcasefolding.example.test.');
      assert.equal(ignored.filter((r) => /id \d+, expected/.test(r) || /without our id/.test(r)).length, 3);
      // A server that never answers is not marked: the fallback needs a reply to our id and port.
      const silent = createSocket('udp4');
      silent.bind(0, '127.53.20.4');
      await once(silent, 'listening');
      try {
        const quiet = { address: '127.53.20.4', port: silent.address().port };
        await assert.rejects(
          upstream.query({ server: quiet, question: { name: 'x.test.', type: 1, class: 1 }, timeoutMs: 100 }),
        );
        assert.equal(upstream.preservesCase(quiet), true);
      } finally {
        silent.close();
      }
    } finally {
      server.close();
    }
  });

  it('sends the client subnet when asked (RFC 7871)', async () => {
    const server = createSocket('udp4');
    server.bind(0, '127.53.20.2');
    await once(server, 'listening');
    let option: Uint8Array | undefined;
    server.on('message', (bytes, rinfo) => {
      const query = decodeMessage(bytes);
      option = query.edns?.options.find((o) => o.code === 8)?.data;
      server.send(
        encodeMessage({ ...query, header: { ...query.header, qr: true, aa: true, rcode: Rcode.NXDOMAIN } }),
        rinfo.port,
        rinfo.address,
      );
    });
    try {
      const { clientSubnetOption } = await import('../../../src/dns/resolver/upstream.js');
      const subnet = clientSubnetOption('198.51.100.77');
      assert.ok(subnet);
      await new NetworkUpstream().query({
        server: { address: '127.53.20.2', port: server.address().port },
        question: { name: 'x.test.', type: RRType.A, class: 1 },
        timeoutMs: 2000,
        clientSubnet: subnet,
      });
      assert.deepEqual([...(option ?? [])], [0, 1, 24, 0, 198, 51, 100]);
      assert.deepEqual(
        [...(clientSubnetOption('2001:db8:1:2:3::9')?.data ?? [])],
        [0, 2, 56, 0, 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0],
      );
    } finally {
      server.close();
    }
  });
});
