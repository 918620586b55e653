// Tier 2: SecondaryZone driven by fake time and a fake primary (injected SOA query and
// transfer): initial transfer, REFRESH, RETRY, EXPIRE and revival (RFC 1035 §4.3.5), the NOTIFY
// path with RFC 1982 serials (wrap-around), a NOTIFY during a check, persistence to a zone file
// and the restart that serves it at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, OutpostError } from '../../src/core/errors.js';
import { RRClass, RRType } from '../../src/dns/index.js';
import type { ResourceRecord } from '../../src/dns/index.js';
import type { TransferOptions, TransferResult } from '../../src/dns/transfer/axfr-in.js';
import { SecondaryZone, type SecondaryStatus, type ZoneVersion } from '../../src/dns/transfer/secondary.js';
import { canonicalTexts, soaRecord } from './transfer-fixtures.js';
import { tempDir } from '../helpers/temp.js';

const APEX = 'sec.test.';
const TIMERS = { refresh: 100, retry: 20, expire: 300 };
const T0 = Date.UTC(2025, 0, 1);

/** Fake clock and timers: `advance` fires due timers in order and lets async work settle. */
class FakeTime {
  now = T0;
  #timers = new Map<number, { at: number; fn: () => void }>();
  #next = 1;
  readonly timers = {
    setTimeout: (fn: () => void, ms: number): unknown => {
      const id = this.#next++;
      this.#timers.set(id, { at: this.now + ms, fn });
      return id;
    },
    clearTimeout: (handle: unknown): void => {
      this.#timers.delete(handle as number);
    },
  };

  get pending(): number {
    return this.#timers.size;
  }

  async advance(ms: number, settle: () => Promise<void>): Promise<void> {
    const target = this.now + ms;
    for (;;) {
      let due: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.#timers)
        if (entry[1].at <= target && (due === undefined || entry[1].at < due[1].at)) due = entry;
      if (due === undefined) break;
      this.#timers.delete(due[0]);
      this.now = Math.max(this.now, due[1].at);
      due[1].fn();
      await settle();
    }
    this.now = target;
  }
}

/** A primary in memory: serial, records, and whether it is reachable. */
class FakePrimary {
  serial: number;
  up = true;
  soaQueries = 0;
  transfers = 0;
  /** Resolves the next transfer only when released (to test NOTIFY during a check). */
  gate: Promise<void> | undefined;

  constructor(serial: number) {
    this.serial = serial;
  }

  records(): ResourceRecord[] {
    return [
      soaRecord(APEX, this.serial, TIMERS),
      {
        name: APEX,
        type: RRType.NS,
        class: RRClass.IN,
        ttl: 300,
        data: { type: 'NS', target: `ns1.${APEX}` },
      },
      {
        name: `ns1.${APEX}`,
        type: RRType.A,
        class: RRClass.IN,
        ttl: 300,
        data: { type: 'A', address: '192.0.2.53' },
      },
      {
        name: `v.${APEX}`,
        type: RRType.TXT,
        class: RRClass.IN,
        ttl: 300,
        data: { type: 'TXT', strings: [new TextEncoder().encode(`serial ${this.serial}`)] },
      },
    ];
  }

  readonly querySerial = (): Promise<number> => {
    this.soaQueries++;
    return this.up
      ? Promise.resolve(this.serial)
      : Promise.reject(new OutpostError(ErrorCodes.TIMEOUT, 'down'));
  };

  readonly transfer = async (o: TransferOptions): Promise<TransferResult> => {
    this.transfers++;
    assert.equal(o.apex, APEX);
    if (this.gate !== undefined) await this.gate;
    if (!this.up) throw new OutpostError(ErrorCodes.CONNECTION_CLOSED, 'down');
    const records = this.records();
    return { soa: soaRecord(APEX, this.serial, TIMERS), records, upToDate: false, messages: 1, bytes: 100 };
  };
}

function setup(serial: number, file?: string) {
  const time = new FakeTime();
  const primary = new FakePrimary(serial);
  const zones: ZoneVersion[] = [];
  const statuses: SecondaryStatus[] = [];
  const sec = new SecondaryZone({
    apex: APEX,
    primary: { host: '127.0.0.1', port: 1 },
    ...(file === undefined ? {} : { file }),
    now: () => time.now,
    timers: time.timers,
    querySerial: primary.querySerial,
    transfer: primary.transfer,
    onZone: (z) => zones.push(z),
    onStatus: (s) => statuses.push(s),
  });
  const advance = (seconds: number): Promise<void> => time.advance(seconds * 1000, () => sec.idle());
  return { time, primary, zones, statuses, sec, advance };
}

test('start transfers the zone, then REFRESH checks the SOA without transferring', async () => {
  const { time, primary, zones, sec, advance } = setup(10);
  await sec.start();
  await sec.idle();
  assert.equal(sec.status, 'serving');
  assert.equal(sec.serial, 10);
  assert.equal(zones.length, 1);
  assert.equal(primary.transfers, 1);
  assert.equal(primary.soaQueries, 0, 'no SOA query before the first transfer');
  assert.equal(sec.nextCheckAt, time.now + TIMERS.refresh * 1000);
  await advance(TIMERS.refresh - 1);
  assert.equal(primary.soaQueries, 0);
  await advance(1);
  assert.equal(primary.soaQueries, 1);
  assert.equal(primary.transfers, 1, 'same serial: no transfer');
  await advance(TIMERS.refresh * 5);
  assert.equal(primary.soaQueries, 6);
  assert.equal(sec.status, 'serving', 'successful checks keep pushing EXPIRE back');
  sec.stop();
  assert.equal(time.pending, 0);
});

test('REFRESH finds a newer serial and transfers', async () => {
  const { primary, zones, sec, advance } = setup(10);
  await sec.start();
  await sec.idle();
  primary.serial = 11;
  await advance(TIMERS.refresh);
  assert.equal(primary.transfers, 2);
  assert.equal(sec.serial, 11);
  assert.equal(zones.at(-1)?.soa.data.serial, 11);
  assert.deepEqual(canonicalTexts(sec.zone?.records ?? []), canonicalTexts(primary.records()));
  sec.stop();
});

test('RETRY after failures, EXPIRE stops serving, a later success revives the zone', async () => {
  const { time, primary, statuses, sec, advance } = setup(10);
  await sec.start();
  await sec.idle();
  primary.up = false;
  await advance(TIMERS.refresh);
  assert.equal(primary.soaQueries, 1);
  assert.equal(sec.nextCheckAt, time.now + TIMERS.retry * 1000, 'failure: next check after RETRY');
  await advance(TIMERS.retry);
  assert.equal(primary.soaQueries, 2);
  assert.equal(sec.status, 'serving');
  // Last success at t=0; EXPIRE is 300 s: at 299 s still serving, at 300 s expired.
  await advance(TIMERS.expire - TIMERS.refresh - TIMERS.retry - 1);
  assert.equal(sec.status, 'serving');
  await advance(1);
  assert.equal(sec.status, 'expired');
  assert.equal(sec.zone, undefined, 'an expired zone is not served');
  assert.equal(sec.serial, 10, 'but kept');
  assert.deepEqual(statuses, ['serving', 'expired']);
  primary.up = true;
  await advance(TIMERS.retry);
  assert.equal(sec.status, 'serving');
  assert.equal(primary.transfers, 1, 'same serial: revived without a transfer');
  assert.deepEqual(statuses, ['serving', 'expired', 'serving']);
  sec.stop();
});

test('no zone yet: the first transfer is retried after the initial retry interval', async () => {
  const { primary, sec, advance } = setup(10);
  primary.up = false;
  await sec.start();
  await sec.idle();
  assert.equal(sec.status, 'pending');
  assert.equal(primary.transfers, 1);
  primary.up = true;
  await advance(29);
  assert.equal(primary.transfers, 1);
  await advance(1);
  assert.equal(sec.status, 'serving');
  assert.equal(primary.transfers, 2);
  sec.stop();
});

test('NOTIFY: transfer only when the serial is newer (RFC 1982, across the wrap)', async () => {
  const { primary, sec } = setup(0xfffffffe);
  await sec.start();
  await sec.idle();
  await sec.notified();
  assert.equal(primary.soaQueries, 1);
  assert.equal(primary.transfers, 1, 'same serial: no transfer');
  primary.serial = 3; // 0xfffffffe -> 3 is an increase of 5 modulo 2^32
  await sec.notified();
  assert.equal(primary.transfers, 2);
  assert.equal(sec.serial, 3);
  primary.serial = 0xfffffff0; // behind us under RFC 1982: ignored
  await sec.notified();
  assert.equal(primary.transfers, 2);
  assert.equal(sec.serial, 3);
  sec.stop();
});

test('a NOTIFY during a running check queues exactly one more check', async () => {
  const { primary, sec } = setup(1);
  await sec.start();
  await sec.idle();
  primary.serial = 2;
  let release = (): void => undefined;
  primary.gate = new Promise<void>((r) => (release = r));
  const first = sec.notified();
  await new Promise((r) => setImmediate(r));
  const second = sec.notified();
  const third = sec.notified();
  primary.serial = 3;
  primary.gate = undefined;
  release();
  await Promise.all([first, second, third]);
  assert.equal(primary.soaQueries, 2, 'the running check plus one queued');
  assert.equal(sec.serial, 3);
  sec.stop();
});

test('the zone is persisted atomically and a restart serves it at once', async (t) => {
  const dir = tempDir('outpost-secondary-');
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const file = join(dir, 'sec.test.zone');
  const a = setup(42, file);
  await a.sec.start();
  await a.sec.idle();
  a.sec.stop();
  const text = readFileSync(file, 'utf8');
  assert.match(text, /^; zone sec\.test\. serial 42/);
  assert.match(text, /\$ORIGIN sec\.test\./);

  // Restart with the primary down: the file is served at once.
  const b = setup(42, file);
  b.primary.up = false;
  b.time.now = Date.now();
  await b.sec.start();
  assert.equal(b.sec.status, 'serving');
  assert.equal(b.zones.length, 1);
  assert.deepEqual(canonicalTexts(b.sec.zone?.records ?? []), canonicalTexts(a.primary.records()));
  await b.sec.idle();
  assert.equal(b.sec.status, 'serving', 'a failed check does not drop a fresh copy');
  b.sec.stop();

  // A file older than EXPIRE loads as expired.
  const old = (Date.now() - (TIMERS.expire + 10) * 1000) / 1000;
  utimesSync(file, old, old);
  const c = setup(42, file);
  c.primary.up = false;
  c.time.now = Date.now();
  await c.sec.start();
  assert.equal(c.sec.status, 'expired');
  assert.equal(c.sec.zone, undefined);
  c.sec.stop();

  // A damaged file is ignored: the zone is transferred again and the file rewritten.
  writeFileSync(file, '$ORIGIN sec.test.\n@ IN SOA broken\n');
  const d = setup(43, file);
  await d.sec.start();
  assert.equal(d.sec.status, 'pending');
  await d.sec.idle();
  assert.equal(d.sec.status, 'serving');
  assert.equal(d.sec.serial, 43);
  assert.match(readFileSync(file, 'utf8'), /serial 43/);
  d.sec.stop();

  // A file that cannot be written is logged; the zone is still served.
  const e = setup(44, join(dir, 'missing-dir', 'x.zone'));
  await e.sec.start();
  await e.sec.idle();
  assert.equal(e.sec.status, 'serving', 'a persist failure does not stop serving');
  e.sec.stop();
});
