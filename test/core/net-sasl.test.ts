// Loopback detection and SASL PLAIN decoding, shared by every protocol's login policy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLoopback } from '../../src/core/net.js';
import {
  decodeSaslPlain,
  decodeSaslResponse,
  encodeSaslPlain,
  isProxyAuthorization,
} from '../../src/core/sasl.js';

test('isLoopback: 127/8, ::1 and mapped forms only', () => {
  for (const ip of [
    '127.0.0.1',
    '127.255.0.9',
    '::1',
    '::ffff:127.0.0.2',
    '::FFFF:127.0.0.1',
    '0:0:0:0:0:0:0:1',
  ]) {
    assert.equal(isLoopback(ip), true, ip);
  }
  for (const ip of [
    '10.0.0.1',
    '128.0.0.1',
    '::ffff:10.0.0.1',
    '::2',
    '1127.0.0.1',
    '127.0.0.1.evil',
    '',
    'localhost',
  ]) {
    assert.equal(isLoopback(ip), false, ip);
  }
});

test('SASL responses: canonical base64 or "=" only', () => {
  assert.equal(decodeSaslResponse('='), '');
  assert.equal(decodeSaslResponse('YWJj'), 'abc');
  for (const bad of ['YWJ', 'YW=j', 'Y WJj', 'YWJj\r', '====', '*', 'ab$=', 'YQ==YQ=='])
    assert.equal(decodeSaslResponse(bad), null, bad);
});

test('SASL PLAIN: RFC 4616 messages; foreign authzid flagged; empty parts refused', () => {
  const round = decodeSaslResponse(encodeSaslPlain('alice@example.test', 'pw'));
  assert.deepEqual(decodeSaslPlain(round ?? ''), {
    authzid: '',
    username: 'alice@example.test',
    password: 'pw',
  });
  const same = decodeSaslPlain('Alice@example.test\0alice@example.test\0pw');
  assert.ok(same && !isProxyAuthorization(same), 'authzid equal to the login is fine');
  const proxy = decodeSaslPlain('bob@example.test\0alice@example.test\0pw');
  assert.ok(proxy && isProxyAuthorization(proxy), 'acting as someone else is flagged');
  assert.equal(decodeSaslPlain('\0\0pw'), null);
  assert.equal(decodeSaslPlain('\0alice\0'), null);
  assert.equal(decodeSaslPlain('\0alice\0pw\0extra'), null);
  assert.equal(decodeSaslPlain('alice pw'), null);
});
