// The world generator and config (src/world/): the plan's addresses and ports, the zone files
// (each loads and delegates to the next), world.toml read back through the suite's schema with
// matching resolver upstream_port and queue relay_port, the users stored hashed in their own
// organisation's accounts.db and nowhere in clear, and errors for an edited file. Starts nothing.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadZoneText } from '../../src/dns/index.js';
import type { OutpostConfig } from '../../src/core/config/schema.js';
import { openAccounts } from '../../src/suite/suite.js';
import {
  generateWorld,
  loadWorldFile,
  parseWorldText,
  worldFileText,
  worldPlan,
} from '../../src/world/index.js';
import { worldZoneFiles } from '../../src/world/zones.js';
import { tempDir } from '../helpers/temp.js';

test('the plan: hosts on the given /24, never .1 or .53; ports standard + offset, HTTP 8080 + offset', () => {
  const plan = worldPlan({ net: '127.77.0', portOffset: 30000 });
  const addresses = [
    plan.root,
    ...plan.tlds.values(),
    plan.resolver,
    ...plan.orgs.flatMap((o) => [o.ns, o.mail, o.www]),
    plan.cdn.ns,
    ...plan.cdn.edges.map((e) => e.address),
  ];
  assert.equal(plan.cdn.origin, plan.cdn.ns, 'the CDN name server and its origin share a host');
  assert.deepEqual(
    plan.cdn.edges.map((e) => [e.name, e.clients]),
    [
      ['edge-a', ['127.77.0.0/24']],
      ['edge-b', []],
    ],
  );
  assert.equal(new Set(addresses).size, addresses.length);
  for (const a of addresses) {
    assert.match(a, /^127\.77\.0\.\d+$/);
    assert.ok(!['127.77.0.1', '127.77.0.53'].includes(a));
  }
  assert.deepEqual(plan.ports, {
    dns: 30053,
    smtp: 30025,
    submission: 30587,
    pop3: 30110,
    imap: 30143,
    http: 38080,
  });
  assert.deepEqual(worldPlan({ portOffset: 0 }).ports, {
    dns: 53,
    smtp: 25,
    submission: 587,
    pop3: 110,
    imap: 143,
    http: 80,
  });
  assert.equal(worldPlan({ portOffset: 0 }).root, '127.0.0.10');
  assert.throws(() => worldPlan({ net: '10.0.0' }), /127\.0\.0\.0\/8/);
  assert.throws(() => worldPlan({ net: '127.0.300' }), /three octets/);
  assert.throws(() => worldPlan({ portOffset: 60000 }), /port offset/);
});

test('zone files load and chain: root → TLD → organisation, with glue; hints name the root', () => {
  const plan = worldPlan({ net: '127.77.0', portOffset: 30000 });
  const files = worldZoneFiles(plan);
  const root = loadZoneText('.', files.get('root.zone') ?? '');
  const test_ = loadZoneText('test', files.get('test.zone') ?? '');
  const org = loadZoneText('hamburger.test', files.get('hamburger.test.zone') ?? '');
  assert.deepEqual([root.apex, test_.apex, org.apex], ['.', 'test.', 'hamburger.test.']);
  assert.match(files.get('root.zone') ?? '', /^test\. IN NS a\.nic\.test\.$/m);
  assert.match(files.get('root.zone') ?? '', /^a\.nic\.test\. IN A 127\.77\.0\.11$/m);
  assert.match(files.get('test.zone') ?? '', /^hamburger\.test\. IN NS ns\.hamburger\.test\.$/m);
  assert.match(files.get('hamburger.test.zone') ?? '', /^@ IN MX 10 mail$/m);
  assert.match(files.get('hamburger.test.zone') ?? '', /^www IN A 127\.77\.0\.42$/m);
  assert.match(files.get('example.zone') ?? '', /^resolver\.example\. IN A 127\.77\.0\.20$/m);
  assert.match(files.get('root.hints') ?? '', /a\.root-servers\.example\. 3600000 A 127\.77\.0\.10/);
  // The CDN: delegated from test., one zone file per view, www differing only.
  assert.match(files.get('test.zone') ?? '', /^cdn\.test\. IN NS ns\.cdn\.test\.$/m);
  assert.match(files.get('test.zone') ?? '', /^ns\.cdn\.test\. IN A 127\.77\.0\.50$/m);
  const edgeA = loadZoneText('cdn.test', files.get('cdn.test.edge-a.zone') ?? '');
  const fallback = loadZoneText('cdn.test', files.get('cdn.test.zone') ?? '');
  assert.deepEqual([edgeA.apex, fallback.apex], ['cdn.test.', 'cdn.test.']);
  assert.match(files.get('cdn.test.edge-a.zone') ?? '', /^www 30 IN A 127\.77\.0\.51$/m);
  assert.match(files.get('cdn.test.zone') ?? '', /^www 30 IN A 127\.77\.0\.52$/m);
});

test('generateWorld writes world.toml and zones/, users hashed in their own accounts.db, passwords returned once', async () => {
  const dir = tempDir('outpost-world-gen-');
  const { file, credentials } = await generateWorld(dir, { net: '127.77.0', portOffset: 30000 });
  assert.deepEqual(
    credentials.map((c) => c.address),
    ['alice@crepes.test', 'bob@hamburger.test'],
  );
  assert.deepEqual(readdirSync(join(dir, 'zones')).sort(), [
    'cdn.test.edge-a.zone',
    'cdn.test.zone',
    'crepes.test.zone',
    'example.zone',
    'hamburger.test.zone',
    'root.hints',
    'root.zone',
    'test.zone',
  ]);
  const text = readFileSync(file, 'utf8');
  for (const { password } of credentials) assert.ok(!text.includes(password), 'no password in world.toml');
  assert.match(text, /standard ports \+ 30000/);
  const suites = loadWorldFile(file);
  assert.deepEqual(
    suites.map((s) => s.name),
    [
      'root-server',
      'tld-test',
      'tld-example',
      'resolver',
      'crepes.test',
      'hamburger.test',
      'cdn.test',
      'edge-a.cdn.test',
      'edge-b.cdn.test',
    ],
  );
  const config = (name: string): OutpostConfig => {
    const found = suites.find((s) => s.name === name);
    assert.ok(found, name);
    return found.config;
  };
  const resolver = config('resolver').resolver;
  assert.equal(resolver?.upstream_port, 30053);
  assert.equal(resolver.root_hints, join(dir, 'zones', 'root.hints'));
  assert.equal(resolver.send_client_subnet, true, 'the CDN’s views need the client’s subnet');
  const cdnZone = config('cdn.test').dns?.zones[0];
  assert.equal(cdnZone?.file, join(dir, 'zones', 'cdn.test.zone'));
  assert.deepEqual(
    cdnZone.views.map((v) => [v.match_clients, v.file]),
    [[['127.77.0.0/24'], join(dir, 'zones', 'cdn.test.edge-a.zone')]],
  );
  for (const [edge, address] of [
    ['edge-a', '127.77.0.51'],
    ['edge-b', '127.77.0.52'],
  ] as const) {
    const proxy = config(`${edge}.cdn.test`).proxy;
    assert.equal(proxy?.origin, 'http://127.77.0.50:38080');
    assert.deepEqual(proxy.listen, [{ host: address, port: 38080 }]);
  }
  const crepes = config('crepes.test');
  assert.equal(crepes.data_dir, join(dir, 'crepes.test'));
  assert.equal(crepes.smtp?.relay_port, 30025);
  assert.deepEqual(crepes.smtp.dns_server, { host: '127.77.0.20', port: 30053 });
  assert.deepEqual(crepes.dns?.listen, [{ host: '127.77.0.30', port: 30053 }]);
  for (const [org, address] of [
    ['crepes.test', 'alice@crepes.test'],
    ['hamburger.test', 'bob@hamburger.test'],
  ] as const) {
    const { db, accounts } = openAccounts(join(dir, org));
    try {
      const users = (await accounts.listUsers()).map((u) => u.address);
      assert.deepEqual(users, [address]);
      const password = credentials.find((c) => c.address === address)?.password ?? '';
      assert.equal((await accounts.authenticate(address, password, { ip: '127.0.0.1' })).ok, true);
    } finally {
      db.close();
    }
  }
  await assert.rejects(generateWorld(dir), /already exists/);
});

test('an edited world.toml is checked like a suite config, naming the suite and key', () => {
  const text = worldFileText(worldPlan({ net: '127.77.0', portOffset: 30000 }));
  assert.equal(parseWorldText(text, 'w.toml').length, 9);
  assert.throws(
    () => parseWorldText(text.replace('relay_port = 30025', 'relay_port = "x"'), 'w.toml'),
    /w\.toml \[suites\.crepes\.test\]: smtp\.relay_port/,
  );
  assert.throws(
    () => parseWorldText(`port_offset = 1\n${text}`, 'w.toml'),
    /unknown top-level key "port_offset"/,
  );
  assert.throws(() => parseWorldText('', 'w.toml'), /no \[suites\.NAME\] tables/);
  assert.throws(() => parseWorldText('[suites', 'w.toml'), /TOML syntax/);
  const dir = tempDir('outpost-world-bad-');
  writeFileSync(join(dir, 'world.toml'), '[suites.a]\nbogus = 1\n');
  assert.throws(() => loadWorldFile(join(dir, 'world.toml')), /unknown key "bogus"/);
});
