// Account addresses: canonical form, case handling, RFC 5321 length limits, quoted local parts,
// and hostile input (CRLF injection, NUL, angle brackets, overlong, missing or extra @).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCodes, hasCode } from '../../src/core/errors.js';
import {
  addressKey,
  isValidAddress,
  normalizeAddress,
  normalizeDomain,
  parseAddress,
} from '../../src/core/accounts/address.js';

const isInvalid = (err: unknown): boolean => hasCode(err, ErrorCodes.INVALID_ADDRESS);

test('lowercases the domain, keeps the local part, and keys case-insensitively', () => {
  assert.deepEqual(parseAddress('Alice.Smith@Example.TEST'), {
    local: 'Alice.Smith',
    domain: 'example.test',
    address: 'Alice.Smith@example.test',
  });
  assert.equal(
    addressKey(normalizeAddress('ALICE@example.test')),
    addressKey(normalizeAddress('alice@EXAMPLE.test')),
  );
  assert.equal(normalizeAddress("o'brien+tag@a-b.example"), "o'brien+tag@a-b.example");
  assert.equal(normalizeAddress('root@localhost'), 'root@localhost');
});

test('quoted local parts: unquoted when unnecessary, may contain @, domain is after the last @', () => {
  assert.equal(normalizeAddress('"alice"@example.test'), 'alice@example.test');
  assert.equal(normalizeAddress('"a\\lice"@example.test'), 'alice@example.test');
  assert.deepEqual(parseAddress('"a@b"@example.test'), {
    local: '"a@b"',
    domain: 'example.test',
    address: '"a@b"@example.test',
  });
  assert.equal(normalizeAddress('"a..b"@x.test'), '"a..b"@x.test');
  assert.equal(normalizeAddress('"q\\"uote"@x.test'), '"q\\"uote"@x.test');
});

test('rejects CR, LF, NUL, controls, spaces, angle brackets and non-ASCII, without echoing them', () => {
  const hostile = [
    'alice@example.test\r\nRCPT TO:<victim@x>',
    'alice\r@example.test',
    'alice\n@example.test',
    'alice\0@example.test',
    'alice@exa\0mple.test',
    'al\tice@example.test',
    'alice @example.test',
    ' alice@example.test',
    'alice@example.test ',
    '<alice@example.test>',
    'al<ice@example.test',
    '"a b"@example.test',
    '"a\r\nb"@example.test',
    '"a\\\0"@example.test',
    'alïce@example.test',
    'alice@exämple.test',
    'alice@example.test\x7f',
  ];
  for (const s of hostile) {
    assert.equal(isValidAddress(s), false, JSON.stringify(s));
    assert.throws(
      () => parseAddress(s),
      (err: unknown) => isInvalid(err) && !/[\r\n\0<]/.test((err as Error).message),
      JSON.stringify(s),
    );
  }
});

test('rejects structural errors: missing or misplaced @, empty parts, bad dots, bad domains', () => {
  const bad = [
    '',
    'alice',
    '@example.test',
    'alice@',
    'a@b@example.test',
    'alice@@example.test',
    '.alice@example.test',
    'alice.@example.test',
    'al..ice@example.test',
    '"unterminated@example.test',
    '"a"b"@example.test',
    '""@example.test',
    '"a\\"@example.test',
    'alice@example..test',
    'alice@.example.test',
    'alice@example.test.',
    'alice@-example.test',
    'alice@example-.test',
    'alice@exa_mple.test',
    'alice@[127.0.0.1]',
    'alice@example.test:25',
    'alice(comment)@example.test',
  ];
  for (const s of bad) assert.equal(isValidAddress(s), false, JSON.stringify(s));
});

test('length limits of RFC 5321 §4.5.3.1: local 64, label 63, domain 255, path 256', () => {
  const label63 = 'a'.repeat(63);
  assert.ok(isValidAddress(`${'l'.repeat(64)}@example.test`));
  assert.equal(isValidAddress(`${'l'.repeat(65)}@example.test`), false);
  assert.equal(isValidAddress(`"${'l'.repeat(65)}"@example.test`), false);
  assert.ok(isValidAddress(`a@${label63}.test`));
  assert.equal(isValidAddress(`a@${'a'.repeat(64)}.test`), false);
  // 4 labels of 63 + 3 dots = 255 octets: a legal domain, but too long for a 256-octet path.
  const domain255 = [label63, label63, label63, label63].join('.');
  assert.equal(normalizeDomain(domain255), domain255);
  assert.throws(() => normalizeDomain(`${domain255}a`), isInvalid);
  assert.equal(isValidAddress(`a@${domain255}`), false);
  // 64 + 1 + 189 = 254 octets, the longest address that fits in <...> within 256.
  const domain189 = [label63, label63, 'a'.repeat(61)].join('.');
  assert.equal(domain189.length, 189);
  assert.ok(isValidAddress(`${'l'.repeat(64)}@${domain189}`));
  assert.equal(isValidAddress(`${'l'.repeat(64)}@${domain189}a`), false);
  assert.equal(isValidAddress(`${'x'.repeat(100_000)}@example.test`), false);
});

test('normalizeDomain lowercases and validates', () => {
  assert.equal(normalizeDomain('Example.TEST'), 'example.test');
  assert.equal(normalizeDomain('123.example'), '123.example');
  for (const d of ['', '.', 'a..b', 'exa mple.test', 'x\r\n.test', 'a.b.']) {
    assert.throws(() => normalizeDomain(d), isInvalid, JSON.stringify(d));
  }
});
