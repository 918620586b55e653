// Tier 1: the transfer allow-list: single addresses, IPv4 and IPv6 CIDR prefixes, IPv4-mapped
// IPv6 on either side, invalid entries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasCode, ErrorCodes } from '../../src/core/errors.js';
import { isTransferAllowed, parseAllowEntry, parseAllowList } from '../../src/dns/transfer/allow-list.js';

test('single IPv4 and IPv6 addresses', () => {
  assert.equal(isTransferAllowed('127.0.0.1', ['127.0.0.1']), true);
  assert.equal(isTransferAllowed('127.0.0.2', ['127.0.0.1']), false);
  assert.equal(isTransferAllowed('::1', ['::1']), true);
  assert.equal(isTransferAllowed('0:0:0:0:0:0:0:1', ['::1']), true);
  assert.equal(isTransferAllowed('::2', ['::1']), false);
  assert.equal(isTransferAllowed('127.0.0.1', []), false);
});

test('IPv4 CIDR prefixes, including non-octet boundaries', () => {
  const list = ['10.0.0.0/8', '192.0.2.128/25', '198.51.100.7/32'];
  assert.equal(isTransferAllowed('10.255.1.2', list), true);
  assert.equal(isTransferAllowed('11.0.0.1', list), false);
  assert.equal(isTransferAllowed('192.0.2.200', list), true);
  assert.equal(isTransferAllowed('192.0.2.127', list), false);
  assert.equal(isTransferAllowed('198.51.100.7', list), true);
  assert.equal(isTransferAllowed('198.51.100.8', list), false);
  assert.equal(isTransferAllowed('203.0.113.9', ['0.0.0.0/0']), true);
});

test('IPv6 CIDR prefixes', () => {
  const list = ['2001:db8::/32', 'fd00:1234:5678::/49'];
  assert.equal(isTransferAllowed('2001:db8:ffff::1', list), true);
  assert.equal(isTransferAllowed('2001:db9::1', list), false);
  assert.equal(isTransferAllowed('fd00:1234:5678:7fff::1', list), true);
  assert.equal(isTransferAllowed('fd00:1234:5678:8000::1', list), false);
  assert.equal(isTransferAllowed('2001:db8::1', ['::/0']), true);
  assert.equal(isTransferAllowed('[2001:db8::1]', list), true);
  assert.equal(isTransferAllowed('fe80::1%eth0', ['fe80::/10']), true);
});

test('IPv4-mapped IPv6 matches IPv4 entries and the other way round', () => {
  assert.equal(isTransferAllowed('::ffff:127.0.0.1', ['127.0.0.1']), true);
  assert.equal(isTransferAllowed('::ffff:10.1.2.3', ['10.0.0.0/8']), true);
  assert.equal(isTransferAllowed('127.0.0.1', ['::ffff:127.0.0.1']), true);
  assert.equal(isTransferAllowed('10.9.9.9', ['::ffff:10.0.0.0/104']), true);
  assert.equal(isTransferAllowed('11.9.9.9', ['::ffff:10.0.0.0/104']), false);
  assert.equal(isTransferAllowed('::ffff:7f00:1', ['127.0.0.1']), true);
  // IPv4 never matches a plain IPv6 prefix, and v6 never matches IPv4.
  assert.equal(isTransferAllowed('127.0.0.1', ['::/0']), false);
  assert.equal(isTransferAllowed('::1', ['0.0.0.0/0']), false);
});

test('invalid entries never match; parseAllowList rejects them', () => {
  for (const bad of [
    '',
    'example.test',
    '10.0.0.0/33',
    '2001:db8::/129',
    '10.0.0.0/x',
    '1.2.3',
    '::ffff:10.0.0.0/64',
  ]) {
    assert.equal(parseAllowEntry(bad), undefined, bad);
    assert.equal(isTransferAllowed('10.0.0.1', [bad]), false, bad);
  }
  assert.equal(isTransferAllowed('not-an-ip', ['0.0.0.0/0']), false);
  assert.throws(
    () => parseAllowList(['127.0.0.1', '300.1.1.1']),
    (err: unknown) => hasCode(err, ErrorCodes.CONFIG_INVALID),
  );
  const parsed = parseAllowList(['127.0.0.0/8', '::1']);
  assert.equal(isTransferAllowed('127.1.2.3', parsed), true);
});
