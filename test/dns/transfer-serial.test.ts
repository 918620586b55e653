// Tier 1: RFC 1982 serial arithmetic (wrap-around, the undefined 2^31 distance) and the primary's
// decision to send NOTIFY on a serial change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serialAdd, serialCompare, serialGreater } from '../../src/dns/transfer/serial.js';
import { notifyOnChange, shouldNotify } from '../../src/dns/transfer/notify-on-change.js';
import type { SendNotifyOptions } from '../../src/dns/transfer/notify.js';
import { RRClass, RRType } from '../../src/dns/index.js';

const MAX = 0xffffffff;
const HALF = 2 ** 31;

test('serialGreater: plain increments', () => {
  assert.equal(serialGreater(2, 1), true);
  assert.equal(serialGreater(1, 2), false);
  assert.equal(serialGreater(5, 5), false);
  assert.equal(serialGreater(2024061502, 2024061501), true);
});

test('serialGreater: wrap-around past 2^32 - 1 (RFC 1982 §3.2)', () => {
  assert.equal(serialGreater(0, MAX), true);
  assert.equal(serialGreater(MAX, 0), false);
  assert.equal(serialGreater(5, MAX - 5), true);
  assert.equal(serialGreater(HALF - 1, 0), true); // largest forward step
  assert.equal(serialGreater(0, HALF - 1), false);
  assert.equal(serialGreater(HALF + 1, 0), false); // more than half way round: 0 is the newer
  assert.equal(serialGreater(0, HALF + 1), true);
});

test('serialGreater: serials exactly 2^31 apart are incomparable', () => {
  assert.equal(serialGreater(HALF, 0), false);
  assert.equal(serialGreater(0, HALF), false);
  assert.equal(serialCompare(HALF, 0), undefined);
  assert.equal(serialCompare(MAX, HALF - 1), undefined);
});

test('serialCompare and serialAdd', () => {
  assert.equal(serialCompare(7, 7), 0);
  assert.equal(serialCompare(0, MAX), 1);
  assert.equal(serialCompare(MAX, 0), -1);
  assert.equal(serialAdd(MAX, 1), 0);
  assert.equal(serialAdd(MAX - 1, 10), 8);
  assert.equal(serialGreater(serialAdd(MAX - 1, 10), MAX - 1), true);
  assert.throws(() => serialAdd(1, HALF), RangeError);
  assert.throws(() => serialGreater(-1, 0), RangeError);
  assert.throws(() => serialGreater(2 ** 32, 0), RangeError);
  assert.throws(() => serialGreater(1.5, 0), RangeError);
});

test('shouldNotify: first load and increases notify, equal or lower do not', () => {
  assert.equal(shouldNotify(undefined, 1), true);
  assert.equal(shouldNotify(1, 2), true);
  assert.equal(shouldNotify(MAX, 0), true);
  assert.equal(shouldNotify(2, 2), false);
  assert.equal(shouldNotify(3, 2), false);
  assert.equal(shouldNotify(0, HALF), false);
});

test('notifyOnChange sends only on a change, with the new SOA', async () => {
  const sent: SendNotifyOptions[] = [];
  const send = (o: SendNotifyOptions): Promise<[]> => {
    sent.push(o);
    return Promise.resolve([]);
  };
  const newSoa = {
    name: 'example.test.',
    type: RRType.SOA,
    class: RRClass.IN,
    ttl: 3600,
    data: {
      type: 'SOA' as const,
      mname: 'ns1.example.test.',
      rname: 'h.example.test.',
      serial: 11,
      refresh: 1,
      retry: 1,
      expire: 1,
      minimum: 1,
    },
  };
  const base = { apex: 'example.test.', newSoa, secondaries: ['127.0.0.1:5300'], send };
  assert.equal(await notifyOnChange({ ...base, oldSerial: 11 }), null);
  assert.equal(await notifyOnChange({ ...base, oldSerial: 10, secondaries: [] }), null);
  assert.deepEqual(await notifyOnChange({ ...base, oldSerial: 10 }), []);
  assert.equal(sent.length, 1);
  assert.equal(sent[0]?.soa?.data.serial, 11);
  assert.deepEqual(sent[0].targets, ['127.0.0.1:5300']);
});
