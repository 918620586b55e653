// Replication through the suite's DNS service, two Outpost instances on loopback: B is a
// secondary of A; A's zone file changes, A reloads and sends NOTIFY, B transfers and serves the
// new serial. AXFR is served only to the allow-list; NOTIFY only accepted from the primary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { configFromObject } from '../../src/core/config/load.js';
import type { OutpostConfigInput } from '../../src/core/config/schema.js';
import { soaSerial, startDnsSuite } from './service-helpers.js';
import { queryDns } from '../../src/dns/client/query.js';
import { transferZone } from '../../src/dns/transfer/index.js';
import { buildNotify } from '../../src/dns/transfer/notify.js';
import { exchangeUdp } from '../../src/dns/client/query.js';
import { Rcode, RRType, encodeMessage, type Message } from '../../src/dns/index.js';
import { tempDir } from '../helpers/temp.js';
import { eventually } from '../helpers/eventually.js';

const fixture = resolve(import.meta.dirname, 'fixtures/example.test.zone');

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  await eventually(check, { timeoutMs: 15_000, intervalMs: 100, what });
}

test('primary -> NOTIFY -> secondary transfer, through two Outpost instances', async () => {
  const dirA = tempDir('outpost-primary-');
  const dirB = tempDir('outpost-secondary-');
  const zoneFile = join(dirA, 'example.test.zone');
  copyFileSync(fixture, zoneFile);
  const aConfig = (notify: string[]): OutpostConfigInput => ({
    data_dir: join(dirA, 'data'),
    dns: {
      listen: ['127.0.0.1:0'],
      zones: [{ name: 'example.test', file: zoneFile, allow_transfer: ['127.0.0.1'], notify }],
    },
  });
  const a = await startDnsSuite(aConfig([]));
  const b = await startDnsSuite({
    data_dir: join(dirB, 'data'),
    dns: {
      listen: ['127.0.0.1:0'],
      zones: [{ name: 'example.test', primary: `127.0.0.1:${a.port}`, allow_transfer: ['127.0.0.1'] }],
    },
  });
  try {
    const original = await soaSerial(a.port);
    assert.ok(original !== undefined);
    await until('the initial transfer', async () => (await soaSerial(b.port)) === original);
    // B's copy is persisted for restarts.
    const persisted = join(dirB, 'data', 'dns', 'secondary', 'example.test.zone');
    await until('the persisted copy', () => Promise.resolve(existsSync(persisted)));

    // A learns about B (reload with a notify target), then its zone changes on disk.
    const bumped = original + 1;
    const reloadConfig = configFromObject(aConfig([`127.0.0.1:${b.port}`]));
    await a.suite.reload(reloadConfig);
    writeFileSync(
      zoneFile,
      readFileSync(zoneFile, 'utf8').replace(String(original), String(bumped)) +
        '\nadded-by-test IN A 192.0.2.99\n',
    );
    await a.suite.reload(reloadConfig);
    assert.equal(await soaSerial(a.port), bumped);
    // The secondary's refresh timer is hours: only NOTIFY can make this happen in time.
    await until('NOTIFY and the new transfer', async () => (await soaSerial(b.port)) === bumped);
    const added = await queryDns({
      server: { host: '127.0.0.1', port: b.port },
      name: 'added-by-test.example.test',
      type: RRType.A,
    });
    assert.equal(
      added.message.answers[0]?.data.type === 'A' && added.message.answers[0].data.address,
      '192.0.2.99',
    );

    // A full AXFR from the secondary equals the primary's.
    const fromA = await transferZone({ server: { host: '127.0.0.1', port: a.port }, apex: 'example.test.' });
    const fromB = await transferZone({ server: { host: '127.0.0.1', port: b.port }, apex: 'example.test.' });
    assert.equal(fromB.records.length, fromA.records.length);
  } finally {
    await b.suite.close();
    await a.suite.close();
  }
});

test('AXFR is refused to addresses outside allow_transfer; NOTIFY from a stranger is refused', async () => {
  const dir = tempDir('outpost-acl-');
  const zoneFile = join(dir, 'example.test.zone');
  copyFileSync(fixture, zoneFile);
  const a = await startDnsSuite({
    data_dir: join(dir, 'data'),
    dns: {
      listen: ['127.0.0.1:0'],
      zones: [{ name: 'example.test', file: zoneFile, allow_transfer: ['192.0.2.1'] }],
    },
  });
  try {
    await assert.rejects(
      transferZone({ server: { host: '127.0.0.1', port: a.port }, apex: 'example.test.' }),
      (err: unknown) => (err as { rcode?: number }).rcode === Rcode.REFUSED,
    );
    // A NOTIFY for a zone we are primary for (not a secondary of anyone) is refused.
    const notify: Message = buildNotify('example.test.', 77);
    const reply = await exchangeUdp(
      encodeMessage(notify),
      { host: '127.0.0.1', port: a.port, address: '127.0.0.1', family: 4 },
      2000,
    );
    assert.equal(reply.message.header.rcode, Rcode.REFUSED);
  } finally {
    await a.suite.close();
  }
});
