// The POP3 caps in src/pop3/limits.ts are the ones the codec and the command table enforce: USER
// takes an address up to RFC 5321's 254 octets (not RFC 2449's 40), other arguments and keywords
// 40, an AUTH initial response the whole line; each is accepted at its cap and refused past it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommand, parseMessageNumber } from '../../src/pop3/codec/command.js';
import { POP3_LIMITS } from '../../src/pop3/limits.js';
import { startSession } from './helpers/session-harness.js';

test('the RFC numbers: 40-octet arguments (RFC 2449 §4), 254-octet addresses (RFC 5321 §4.5.3.1.3)', () => {
  assert.equal(POP3_LIMITS.maxArgOctets, 40);
  assert.equal(POP3_LIMITS.userArgOctets, 254);
  assert.equal(POP3_LIMITS.saslArgOctets, POP3_LIMITS.maxLineOctets);
});

test('USER takes userArgOctets, not one more; numbers and keywords take maxArgOctets', async () => {
  const { client } = await startSession();
  const user = (n: number): string => `${'a'.repeat(n - '@example.test'.length)}@example.test`;
  await client.play(`
    C: USER ${user(POP3_LIMITS.userArgOctets)}
    S: +OK Send your password
    C: USER ${user(POP3_LIMITS.userArgOctets + 1)}
    S: -ERR USER: argument too long
    C: QUIT
    S: +OK*
  `);
  assert.equal(parseMessageNumber('0'.repeat(POP3_LIMITS.maxArgOctets - 1) + '7'), 7);
  assert.equal(parseMessageNumber('7'.repeat(POP3_LIMITS.maxArgOctets + 1)), null);
  assert.ok(parseCommand('X'.repeat(POP3_LIMITS.maxArgOctets)).ok);
  assert.ok(!parseCommand('X'.repeat(POP3_LIMITS.maxArgOctets + 1)).ok);
});
