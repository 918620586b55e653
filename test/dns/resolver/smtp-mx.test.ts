/**
 * The SMTP queue's MX lookups through the suite's own resolver: with `[smtp] dns_server` unset
 * and a `[resolver]` configured, the queue asks the resolver (queueDnsServer), which iterates the
 * loopback hierarchy; `dns_server` still wins when set.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { configFromObject } from '../../../src/core/config/load.js';
import { resolverServiceDefinition } from '../../../src/dns/resolver/service.js';
import { queueDnsServer } from '../../../src/mail/queue/from-config.js';
import { DnsMxResolver } from '../../../src/mail/queue/mx-resolver.js';
import { Suite } from '../../../src/suite/suite.js';
import { tempDir } from '../../helpers/temp.js';
import { startLoopbackWorld, type LoopbackWorld } from './loopback-world.js';

describe('SMTP queue MX lookups through the suite resolver', () => {
  let world: LoopbackWorld;
  before(async () => {
    world = await startLoopbackWorld();
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
