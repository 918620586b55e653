/**
 * The SMTP queue's MX lookups through the suite's own resolver: with `[smtp] dns_server` unset
 * and a `[resolver]` configured, the queue asks the resolver (queueDnsServer), which iterates the
 * loopback hierarchy; `dns_server` still wins when set. A resolver listening on port 0 is asked
 * on the port it actually bound: alice's mail to carol@relay.example.test is resolved through it
 * and relayed to the MX on 127.53.31.1.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { configFromObject } from '../../../src/core/config/load.js';
import { resolverServiceDefinition } from '../../../src/dns/resolver/service.js';
import { queueDnsServer } from '../../../src/mail/queue/from-config.js';
import { DnsMxResolver } from '../../../src/mail/queue/mx-resolver.js';
import { Suite } from '../../../src/suite/suite.js';
import { startTestOutpost } from '../../../src/testing/index.js';
import { tempDir } from '../../helpers/temp.js';
import { ALICE, submitAsAlice } from '../../mail/relay/helpers.js';
import { startLoopbackWorld, standardZones, type LoopbackWorld } from './loopback-world.js';

/** relay.example.test's MX, on an address of the resolver tests' 127.53.0.0/16. */
const RELAY_MX = '127.53.31.1';
const RELAY_ZONE = `
relay.example.test. 300 MX 10 mx.relay.example.test.
mx.relay.example.test. 300 A ${RELAY_MX}
`;

describe('SMTP queue MX lookups through the suite resolver', () => {
  let world: LoopbackWorld;
  before(async () => {
    world = await startLoopbackWorld(standardZones(RELAY_ZONE));
  });
  after(async () => {
    await world.close();
  });

  it('picks the resolver when dns_server is unset, dns_server when set', () => {
    const base = {
      data_dir: tempDir('outpost-mx-'),
      resolver: { listen: ['0.0.0.0:10054'], root_hints: '/x' },
    };
    assert.deepEqual(queueDnsServer(configFromObject(base)), { host: '127.0.0.1', port: 10054 });
    assert.deepEqual(queueDnsServer(configFromObject({ ...base, smtp: { dns_server: '127.0.0.9:5353' } })), {
      host: '127.0.0.9',
      port: 5353,
    });
    assert.equal(queueDnsServer(configFromObject({ data_dir: base.data_dir })), undefined);
    const bound = { host: '127.0.0.1', port: 40001 };
    const zero = configFromObject({ ...base, resolver: { listen: ['127.0.0.1:0'], root_hints: '/x' } });
    assert.equal(queueDnsServer(zero), undefined, 'port 0 cannot be named from the config alone');
    assert.deepEqual(queueDnsServer(zero, bound), bound);
  });

  it('relays through a resolver listening on port 0, asked on the port it bound', async () => {
    const carol = { address: 'carol@relay.example.test', password: 'carol-secret-1' };
    const receiver = await startTestOutpost({
      users: [carol],
      config: { hostname: 'mx.relay.example.test', smtp: { listen: [`${RELAY_MX}:0`] } },
    });
    const mxPort = receiver.smtp?.port ?? 0;
    const sender = await startTestOutpost({
      users: [ALICE],
      config: {
        hostname: 'mx.crepes.test',
        resolver: { listen: ['127.0.0.1:0'], root_hints: world.hintsFile, upstream_port: world.port },
        smtp: {
          listen: ['127.0.0.1:0'],
          submission_listen: ['127.0.0.1:0'],
          relay_port: mxPort,
          retry_initial_seconds: 1,
          retry_max_seconds: 2,
        },
      },
    });
    try {
      const resolverPort = sender.endpoints().find((e) => e.service === 'resolver')?.port ?? 0;
      assert.notEqual(resolverPort, 0);
      const sent = await submitAsAlice(sender.submission?.port ?? 0, {
        to: carol.address,
        subject: 'via the resolver',
        text: 'hello',
      });
      assert.deepEqual(sent.accepted, [carol.address]);
      const got = await receiver.waitForMessage(carol.address, { timeoutMs: 20_000 });
      assert.match(got.header('subject') ?? '', /via the resolver/);
    } finally {
      await sender.close();
      await receiver.close();
    }
  });

  it('finds the MX hosts of a domain by iteration', async () => {
    const suite = await Suite.start({
      config: configFromObject({
        data_dir: tempDir('outpost-mx-'),
        resolver: { listen: ['127.0.0.1:0'], root_hints: world.hintsFile, upstream_port: world.port },
      }),
      services: [resolverServiceDefinition],
    });
    try {
      const port = suite.endpoints()[0]?.port ?? 0;
      const mx = await new DnsMxResolver({ server: { host: '127.0.0.1', port } }).resolve('example.test');
      assert.ok(mx.kind === 'hosts', JSON.stringify(mx));
      assert.deepEqual(
        mx.hosts.map((h) => [h.exchange, h.addresses]),
        [['mail.example.test', ['192.0.2.25']]],
      );
    } finally {
      await suite.close();
    }
  });
});
