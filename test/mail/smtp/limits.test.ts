// The SMTP caps in src/mail/smtp/limits.ts are the ones the codec and the session enforce: each
// is accepted at its value and refused one past it; the values fixed by RFCs keep their numbers
// whether they are spelled here or taken from core's limits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBdatArgs, parseMailArgs, parseRcptArgs } from '../../../src/mail/smtp/codec/command.js';
import { SMTP_LIMITS } from '../../../src/mail/smtp/limits.js';
import { startSmtpSession } from './helpers/session-harness.js';

const xs = (n: number): string => 'x'.repeat(n);

test('the RFC numbers: 512-octet commands, 1000-octet text lines, 12288-octet AUTH lines, 255-octet HELO', () => {
  assert.equal(SMTP_LIMITS.commandLineOctets, 512);
  assert.equal(SMTP_LIMITS.dataLineOctets, 1000);
  assert.equal(SMTP_LIMITS.authLineOctets, 12_288);
  assert.equal(SMTP_LIMITS.heloArgOctets, 255);
  assert.equal(SMTP_LIMITS.idleTimeoutMs, 5 * 60_000);
});

test('ENVID, ORCPT, SIZE and BDAT sizes: accepted at the cap, refused one past it', () => {
  assert.ok(parseMailArgs(`FROM:<a@b.test> ENVID=${xs(SMTP_LIMITS.envIdChars)}`).ok);
  assert.ok(!parseMailArgs(`FROM:<a@b.test> ENVID=${xs(SMTP_LIMITS.envIdChars + 1)}`).ok);
  const orcpt = (n: number): string => `rfc822;${xs(n - 'rfc822;'.length)}`;
  assert.ok(parseRcptArgs(`TO:<a@b.test> ORCPT=${orcpt(SMTP_LIMITS.orcptChars)}`).ok);
  assert.ok(!parseRcptArgs(`TO:<a@b.test> ORCPT=${orcpt(SMTP_LIMITS.orcptChars + 1)}`).ok);
  assert.ok(parseMailArgs(`FROM:<a@b.test> SIZE=${'9'.repeat(SMTP_LIMITS.sizeParamDigits)}`).ok);
  assert.ok(!parseMailArgs(`FROM:<a@b.test> SIZE=${'9'.repeat(SMTP_LIMITS.sizeParamDigits + 1)}`).ok);
  assert.deepEqual(parseBdatArgs(`${'1'.repeat(SMTP_LIMITS.bdatSizeDigits)} LAST`), {
    size: Number('1'.repeat(SMTP_LIMITS.bdatSizeDigits)),
    last: true,
  });
  assert.equal(parseBdatArgs('1'.repeat(SMTP_LIMITS.bdatSizeDigits + 1)), null);
});

test('a HELO name of heloArgOctets is greeted, one octet more is a syntax error', async () => {
  const { client, done } = await startSmtpSession();
  await client.play(`
    S: 220 *
    C: HELO ${xs(SMTP_LIMITS.heloArgOctets)}
    S: 250 *
    C: HELO ${xs(SMTP_LIMITS.heloArgOctets + 1)}
    S: 501 5.5.4 Syntax: HELO hostname
    C: QUIT
    S: 221 *
  `);
  await done;
});
