// Tier 4: zone transfer interop with a real NSD from Debian, both ways. (a) Outpost primary, NSD
// secondary: NSD pulls the fixture zone, we bump the serial and send NOTIFY, NSD pulls again (by
// IXFR, answered in AXFR format) and serves the same records (AXFR of both compared, sorted).
// (b) NSD primary, Outpost SecondaryZone: the initial transfer, then NSD is reloaded with a new
// serial, its NOTIFY reaches our server and the SecondaryZone pulls the new version. A missing
// NSD or dig fails these tests (scripts/install-test-peers.sh installs them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Opcode, Rcode, RRClass, RRType, namesEqual, typeToString } from '../../src/dns/index.js';
import type { Message, ResourceRecord } from '../../src/dns/index.js';
import { createDnsServer } from '../../src/dns/server/dns-server.js';
import { errorReply } from '../../src/dns/reply.js';
import {
  answerTransfer,
  isTransferQuery,
  zoneSoa,
  type TransferZone,
} from '../../src/dns/transfer/axfr-out.js';
import { transferZone } from '../../src/dns/transfer/axfr-in.js';
import { notifyReply, sendNotify } from '../../src/dns/transfer/notify.js';
import { SecondaryZone, type ZoneVersion } from '../../src/dns/transfer/secondary.js';
import { readZoneFile } from '../../src/dns/transfer/zone-file.js';
import { startNsd } from '../helpers/nsd.js';
import {
  digSerial,
  nsdPrimaryConfig,
  nsdSecondaryConfig,
  reloadNsd,
  waitForSerial,
} from '../helpers/nsd-xfr.js';
import { APEX, canonicalTexts, FIXTURE_ZONE, fixtureZone } from './transfer-fixtures.js';
import { tempDir } from '../helpers/temp.js';

const SERIAL = 2024061501;

/** A minimal primary handler: transfers via axfr-out, the apex SOA, REFUSED for the rest. */
function primaryHandler(getZone: () => TransferZone, transfers: string[]) {
  return (q: Message, ctx: { transport: 'udp' | 'tcp'; remoteAddress: string }): Message | Message[] => {
    const zone = getZone();
    if (isTransferQuery(q)) {
      transfers.push(`${typeToString(q.questions[0]?.type ?? 0)}/${ctx.transport}`);
      return answerTransfer(q, zone, ctx, { allowTransfer: ['127.0.0.1'] });
    }
    const question = q.questions[0];
    if (
      q.header.opcode === Opcode.QUERY &&
      question?.type === RRType.SOA &&
      namesEqual(question.name, zone.apex)
    ) {
      return {
        header: { ...q.header, qr: true, aa: true, ra: false, rcode: Rcode.NOERROR },
        questions: q.questions,
        answers: [zoneSoa(zone)],
        authorities: [],
        additionals: [],
      };
    }
    return errorReply(q, Rcode.REFUSED);
  };
}

function bumped(zone: TransferZone, serial: number): TransferZone {
  const soa = zoneSoa(zone);
  const extra: ResourceRecord = {
    name: `added.${APEX}`,
    type: RRType.A,
    class: RRClass.IN,
    ttl: 600,
    data: { type: 'A', address: '192.0.2.123' },
  };
  const records = zone.records
    .filter((rr) => !namesEqual(rr.name, `ptr.${APEX}`))
    .map((rr) => (rr === soa ? { ...soa, data: { ...soa.data, serial } } : rr));
  return { apex: zone.apex, records: [...records, extra] };
}

test('Outpost primary -> NSD secondary: AXFR, NOTIFY after a serial bump, same records', async (t) => {
  let zone = fixtureZone();
  const transfers: string[] = [];
  const server = createDnsServer({ handler: primaryHandler(() => zone, transfers) });
  const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
  t.after(() => server.close());
  const dir = tempDir('outpost-xfr-a-');
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const nsd = await startNsd(APEX, join(dir, 'nsd-secondary.zone'), { zoneConfig: nsdSecondaryConfig(port) });
  t.after(() => nsd.stop());

  // startNsd returns once NSD answers the SOA, i.e. after its first transfer from us.
  assert.equal(digSerial(nsd.port, APEX), SERIAL);
  const first = await transferZone({
    server: { host: '127.0.0.1', port: nsd.port },
    apex: APEX,
    timeoutMs: 10_000,
  });
  assert.deepEqual(canonicalTexts(first.records), canonicalTexts(zone.records));
  assert.deepEqual(transfers, ['AXFR/tcp'], 'NSD starts with a full transfer');

  zone = bumped(zone, SERIAL + 1);
  const [outcome] = await sendNotify({
    apex: APEX,
    targets: [`127.0.0.1:${nsd.port}`],
    soa: zoneSoa(zone),
    timeoutMs: 1000,
    retries: 3,
  });
  assert.equal(outcome?.ok, true, `NSD did not accept our NOTIFY: ${JSON.stringify(outcome)}`);
  await waitForSerial(nsd.port, APEX, SERIAL + 1);
  assert.equal(digSerial(nsd.port, APEX), SERIAL + 1);
  const second = await transferZone({
    server: { host: '127.0.0.1', port: nsd.port },
    apex: APEX,
    timeoutMs: 10_000,
  });
  assert.deepEqual(canonicalTexts(second.records), canonicalTexts(zone.records));
  assert.ok(second.records.some((rr) => namesEqual(rr.name, `added.${APEX}`)));
  assert.ok(!second.records.some((rr) => namesEqual(rr.name, `ptr.${APEX}`)));
  // After the NOTIFY NSD asks IXFR with its serial and takes our AXFR-format answer (RFC 1995 §4).
  assert.deepEqual(transfers, ['AXFR/tcp', 'IXFR/tcp']);
});

test('NSD primary -> Outpost SecondaryZone: initial transfer, NSD reload, NOTIFY, new version', async (t) => {
  const dir = tempDir('outpost-xfr-b-');
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const zoneFile = join(dir, 'primary.zone');
  copyFileSync(FIXTURE_ZONE, zoneFile);

  const versions: ZoneVersion[] = [];
  const waiters: (() => void)[] = [];
  let notifies = 0;
  const holder: { secondary?: SecondaryZone } = {};
  const server = createDnsServer({
    handler: (q, ctx) => {
      if (q.header.opcode !== Opcode.NOTIFY) return errorReply(q, Rcode.REFUSED);
      const allowed = ctx.remoteAddress === '127.0.0.1' && namesEqual(q.questions[0]?.name ?? '.', APEX);
      if (allowed) {
        notifies++;
        void holder.secondary?.notified();
      }
      return notifyReply(q, allowed);
    },
  });
  const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
  t.after(() => server.close());
  const nsd = await startNsd(APEX, zoneFile, { zoneConfig: nsdPrimaryConfig(port) });
  t.after(() => nsd.stop());

  const stored = join(dir, 'secondary.zone');
  const secondary = new SecondaryZone({
    apex: APEX,
    primary: { host: '127.0.0.1', port: nsd.port },
    file: stored,
    transferTimeoutMs: 10_000,
    onZone: (z) => {
      versions.push(z);
      for (const w of waiters.splice(0)) w();
    },
  });
  holder.secondary = secondary;
  t.after(() => {
    secondary.stop();
  });
  await secondary.start();
  await secondary.idle();
  assert.equal(secondary.status, 'serving');
  assert.equal(secondary.serial, SERIAL);
  assert.deepEqual(canonicalTexts(secondary.zone?.records ?? []), canonicalTexts(fixtureZone().records));

  // New version on NSD: change the file (mtime pushed forward so NSD sees it), SIGHUP.
  const text = readFileSync(zoneFile, 'utf8')
    .replace(String(SERIAL), String(SERIAL + 1))
    .concat('added           IN  A   192.0.2.124\n');
  writeFileSync(zoneFile, text);
  const later = Date.now() / 1000 + 5;
  utimesSync(zoneFile, later, later);
  const before = notifies;
  reloadNsd(nsd);
  const deadline = Date.now() + 20_000;
  while (secondary.serial !== SERIAL + 1 && Date.now() < deadline) {
    await new Promise<void>((resolve) => {
      waiters.push(resolve);
      setTimeout(resolve, 500);
    });
  }
  await secondary.idle();
  assert.equal(secondary.serial, SERIAL + 1, 'the SecondaryZone did not pick up the new serial');
  assert.ok(notifies > before, "the update came through NSD's NOTIFY");
  const fromNsd = await transferZone({
    server: { host: '127.0.0.1', port: nsd.port },
    apex: APEX,
    timeoutMs: 10_000,
  });
  assert.deepEqual(canonicalTexts(secondary.zone?.records ?? []), canonicalTexts(fromNsd.records));
  assert.ok(fromNsd.records.some((rr) => namesEqual(rr.name, `added.${APEX}`)));
  assert.equal(versions.at(-1)?.soa.data.serial, SERIAL + 1);

  // The persisted copy is the new version and loads through the zone parser.
  const persisted = await readZoneFile(stored, APEX);
  assert.deepEqual(canonicalTexts(persisted?.records ?? []), canonicalTexts(fromNsd.records));
});
