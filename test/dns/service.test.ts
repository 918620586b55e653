// The DNS service inside the suite: zones from config, answers over UDP, all-or-nothing loads
// (a broken zone file stops the start with file:line; a broken reload keeps the old version),
// reload on SIGHUP (suite.reload) and when the file changes on disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Suite } from '../../src/suite/suite.js';
import { soaSerial, startDnsSuite } from './service-helpers.js';
import { queryDns } from '../../src/dns/client/query.js';
import { Rcode, RRType } from '../../src/dns/index.js';
import { tempDir } from '../helpers/temp.js';
import { eventually } from '../helpers/eventually.js';

const fixture = resolve(import.meta.dirname, 'fixtures/example.test.zone');

function zoneCopy(): { dir: string; file: string } {
  const dir = tempDir('outpost-dns-service-');
  const file = join(dir, 'example.test.zone');
  copyFileSync(fixture, file);
  return { dir, file };
}

function startSuite(dir: string, file: string): Promise<{ suite: Suite; port: number }> {
  return startDnsSuite({
    data_dir: join(dir, 'data'),
    dns: { listen: ['127.0.0.1:0'], zones: [{ name: 'example.test', file }] },
  });
}

/** The served serial; a missing SOA fails the test. */
async function servedSerial(port: number): Promise<number> {
  const serial = await soaSerial(port);
  assert.ok(serial !== undefined, 'no SOA in the answer');
  return serial;
}

function bumpSerial(file: string, to: number): void {
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, text.replace(/\b20\d{8}\b/, String(to)));
}

test('serves the configured zone; the table lists the endpoint and zone', async () => {
  const { dir, file } = zoneCopy();
  const { suite, port } = await startSuite(dir, file);
  try {
    const endpoint = suite.endpoints()[0];
    assert.equal(endpoint?.transport, 'udp+tcp');
    assert.equal(endpoint.note, 'authoritative: example.test');
    const r = await queryDns({
      server: { host: '127.0.0.1', port },
      name: 'nope.example.test',
      type: RRType.A,
    });
    assert.equal(r.message.header.rcode, Rcode.NXDOMAIN);
    assert.equal(r.message.header.aa, true);
    const refused = await queryDns({
      server: { host: '127.0.0.1', port },
      name: 'example.org',
      type: RRType.A,
    });
    assert.equal(refused.message.header.rcode, Rcode.REFUSED);
  } finally {
    await suite.close();
  }
});

test('a zone file with errors stops the start, naming file and line', async () => {
  const dir = tempDir('outpost-dns-bad-');
  const file = join(dir, 'bad.zone');
  writeFileSync(file, '$ORIGIN example.test.\n$TTL 60\n@ SOA ns hm 1 2 3 4 5\n@ NS ns\nns A 300.1.1.1\n');
  await assert.rejects(startSuite(dir, file), (err: unknown) => {
    assert.match(String(err), /bad\.zone:5: invalid IPv4 address/);
    return true;
  });
});

test('reload (SIGHUP) applies a new serial; a broken file keeps the old version serving', async () => {
  const { dir, file } = zoneCopy();
  const { suite, port } = await startSuite(dir, file);
  try {
    const before = await servedSerial(port);
    bumpSerial(file, before + 1);
    await suite.reload();
    assert.equal(await servedSerial(port), before + 1);
    writeFileSync(file, readFileSync(file, 'utf8') + '\nbroken IN A not-an-address\n');
    await suite.reload();
    assert.equal(await servedSerial(port), before + 1, 'still serving the last good version');
  } finally {
    await suite.close();
  }
});

test('a changed zone file is picked up without a signal', async () => {
  const { dir, file } = zoneCopy();
  const { suite, port } = await startSuite(dir, file);
  try {
    const before = await servedSerial(port);
    bumpSerial(file, before + 7);
    await eventually(async () => (await servedSerial(port)) === before + 7, {
      timeoutMs: 10_000,
      intervalMs: 200,
      what: 'the zone file change to be picked up',
    });
  } finally {
    await suite.close();
  }
});
