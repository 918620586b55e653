// The suite runtime: provisioning, service order, reload, failure handling, close.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { configFromObject } from '../../src/core/config/load.js';
import type { OutpostConfig } from '../../src/core/config/schema.js';
import { Suite, generatePassword } from '../../src/suite/suite.js';
import type { RunningService, ServiceDefinition } from '../../src/core/service/service.js';
import { formatStartupTable } from '../../src/suite/table.js';
import { tempDir } from '../helpers/temp.js';

function tempConfig(extra: Record<string, unknown> = {}): OutpostConfig {
  return configFromObject({ data_dir: tempDir('outpost-suite-'), ...extra });
}

function fakeService(
  name: string,
  events: string[],
  options: { failStart?: boolean } = {},
): ServiceDefinition {
  return {
    name,
    enabled: () => true,
    start: (context) => {
      if (options.failStart === true) return Promise.reject(new Error(`${name} cannot start`));
      events.push(`start ${name}`);
      const running: RunningService = {
        name,
        endpoints: () => [
          {
            service: name,
            transport: 'tcp',
            host: '127.0.0.1',
            port: 1,
            tls: context.tls ? 'starttls' : 'none',
          },
        ],
        reload: () => {
          events.push(`reload ${name}`);
          return Promise.resolve();
        },
        close: () => {
          events.push(`close ${name}`);
          return Promise.resolve();
        },
      };
      return Promise.resolve(running);
    },
  };
}

test('services start in list order and close in reverse; close is idempotent', async () => {
  const events: string[] = [];
  const suite = await Suite.start({
    config: tempConfig(),
    services: [fakeService('dns', events), fakeService('smtp', events)],
  });
  assert.deepEqual(suite.serviceNames, ['dns', 'smtp']);
  assert.deepEqual(
    suite.endpoints().map((e) => e.service),
    ['dns', 'smtp'],
  );
  await suite.reload();
  await Promise.all([suite.close(), suite.close()]);
  assert.deepEqual(events, [
    'start dns',
    'start smtp',
    'reload dns',
    'reload smtp',
    'close smtp',
    'close dns',
  ]);
});

test('a service failing to start closes those already started and rethrows', async () => {
  const events: string[] = [];
  await assert.rejects(
    Suite.start({
      config: tempConfig(),
      services: [fakeService('dns', events), fakeService('smtp', events, { failStart: true })],
    }),
    /smtp cannot start/,
  );
  assert.deepEqual(events, ['start dns', 'close dns']);
});

test('config domains and users are provisioned; reload applies password changes', async () => {
  const config = tempConfig({
    domains: [{ name: 'crepes.test' }],
    users: [
      { address: 'alice@crepes.test', password: 'first' },
      { address: 'bob@hamburger.test', password: 'b' },
    ],
  });
  await using suite = await Suite.start({ config, services: [] });
  const accounts = suite.context.accounts;
  assert.ok(await accounts.hasDomain('hamburger.test'), "a user's domain is added with it");
  assert.equal((await accounts.authenticate('alice@crepes.test', 'first', { ip: '127.0.0.1' })).ok, true);
  const changed = { ...config, users: [{ address: 'alice@crepes.test', password: 'second' }] };
  await suite.reload(changed);
  assert.equal((await accounts.authenticate('alice@crepes.test', 'first', { ip: '127.0.0.1' })).ok, false);
  assert.equal((await accounts.authenticate('alice@crepes.test', 'second', { ip: '127.0.0.1' })).ok, true);
});

test('a reload with unchanged users does not re-hash their passwords', async () => {
  const config = tempConfig({ users: [{ address: 'alice@crepes.test', password: 'first' }] });
  await using suite = await Suite.start({ config, services: [] });
  const accounts = suite.context.accounts;
  const before = (await accounts.getUser('alice@crepes.test'))?.updatedAt.getTime();
  await new Promise((resolve) => setTimeout(resolve, 5));
  await suite.reload(config);
  assert.equal(
    (await accounts.getUser('alice@crepes.test'))?.updatedAt.getTime(),
    before,
    'password row untouched',
  );
  await suite.reload({ ...config, users: [{ address: 'alice@crepes.test', password: 'second' }] });
  assert.notEqual(
    (await accounts.getUser('alice@crepes.test'))?.updatedAt.getTime(),
    before,
    'a changed password is applied',
  );
});

test('demo users get passwords once; a restart keeps them; a dev certificate when a service offers TLS', async () => {
  const config = tempConfig();
  const offersTls: ServiceDefinition = {
    name: 'tls-user',
    enabled: () => true,
    offersTls: () => true,
    start: () => Promise.resolve({ name: 'tls-user', endpoints: () => [], close: () => Promise.resolve() }),
  };
  const first = await Suite.start({ config, demo: true, services: [offersTls] });
  assert.deepEqual(
    first.newCredentials.map((c) => c.address),
    ['alice@example.test', 'bob@example.test'],
  );
  const alice = first.newCredentials[0];
  assert.ok(alice);
  assert.ok(first.context.tls, 'TLS available');
  assert.ok(existsSync(join(config.data_dir, 'tls', 'dev-cert.pem')));
  await first.close();
  await using second = await Suite.start({ config, demo: true, services: [] });
  assert.deepEqual(second.newCredentials, []);
  const auth = await second.context.accounts.authenticate(alice.address, alice.password, { ip: '127.0.0.1' });
  assert.equal(auth.ok, true);
});

test('generated passwords are 16 characters from an unambiguous alphabet, and differ', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const p = generatePassword();
    assert.match(p, /^[a-km-zA-HJ-NP-Z2-9]{16}$/);
    seen.add(p);
  }
  assert.equal(seen.size, 200);
});

test('the startup table aligns columns and lists credentials', () => {
  const table = formatStartupTable(
    [
      { service: 'dns', transport: 'udp+tcp', host: '127.0.0.1', port: 10053, tls: 'none' },
      { service: 'smtp', transport: 'tcp', host: '::1', port: 10025, tls: 'starttls', note: 'MX' },
    ],
    [{ address: 'alice@example.test', password: 'pw' }],
  );
  assert.equal(
    table,
    [
      '  SERVICE  TRANSPORT  ADDRESS          TLS',
      '  dns      udp+tcp    127.0.0.1:10053  none',
      '  smtp     tcp        [::1]:10025      starttls  MX',
      '',
      'Demo accounts (passwords are shown only now and stored hashed):',
      '  alice@example.test  password: pw',
    ].join('\n'),
  );
});
