// The small value codecs: sequence sets (resolution, membership, compact form), IMAP dates,
// transcript redaction and the IDLE terminator.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  formatDate,
  formatDateTime,
  formatNumberSet,
  formatSequenceSet,
  inRanges,
  isIdleDone,
  parseDateText,
  parseDateTime,
  redactImapLine,
  resolveRanges,
} from '../../../src/imap/codec/index.js';
import { prng } from '../../helpers/prng.js';

test('sequence sets resolve * and reversed ranges, merge, and answer membership', () => {
  assert.deepEqual(
    resolveRanges(
      [
        { from: 4, to: 2 },
        { from: 3, to: '*' },
        { from: 9, to: 9 },
        { from: 7, to: 8 },
        { from: 12, to: 12 },
      ],
      6,
    ),
    [
      { low: 2, high: 9 },
      { low: 12, high: 12 },
    ],
    'adjacent ranges merge',
  );
  assert.deepEqual(resolveRanges([{ from: 1, to: '*' }], 0), [], 'an empty mailbox');
  assert.deepEqual(
    resolveRanges([{ from: 559, to: '*' }], 500),
    [{ low: 500, high: 559 }],
    'n:* includes the highest (RFC 9051 §6.4.9)',
  );
  const rand = prng(5);
  for (let i = 0; i < 300; i++) {
    const max = Math.floor(rand() * 50);
    const ranges = Array.from({ length: 1 + Math.floor(rand() * 5) }, () => ({
      from: rand() < 0.1 ? ('*' as const) : 1 + Math.floor(rand() * 60),
      to: rand() < 0.1 ? ('*' as const) : 1 + Math.floor(rand() * 60),
    }));
    const resolved = resolveRanges(ranges, max);
    for (let n = 1; n <= 70; n++) {
      const expected = ranges.some((r) => {
        if (max < 1 && (r.from === '*' || r.to === '*')) return false;
        const a = r.from === '*' ? max : r.from;
        const b = r.to === '*' ? max : r.to;
        return n >= Math.min(a, b) && n <= Math.max(a, b);
      });
      assert.equal(inRanges(resolved, n), expected, JSON.stringify({ ranges, max, n }));
    }
  }
});

test('number sets in compact form, and parsed sets back to text', () => {
  assert.equal(formatNumberSet([9, 1, 2, 3, 3, 7]), '1:3,7,9');
  assert.equal(formatNumberSet([]), '');
  assert.equal(
    formatSequenceSet({
      kind: 'ranges',
      ranges: [
        { from: 1, to: '*' },
        { from: 5, to: 5 },
      ],
    }),
    '1:*,5',
  );
  assert.equal(formatSequenceSet({ kind: 'saved' }), '$');
});

test('dates: real calendar dates only, both directions', () => {
  assert.deepEqual(parseDateText('1-Feb-1994'), { year: 1994, month: 2, day: 1 });
  assert.deepEqual(parseDateText('29-feb-2024'), { year: 2024, month: 2, day: 29 });
  for (const bad of [
    '29-Feb-2023',
    '32-Jan-2026',
    '0-Jan-2026',
    '1-Foo-2026',
    '1-Feb-94',
    '01-02-2026',
    '',
  ]) {
    assert.equal(parseDateText(bad), null, bad);
  }
  assert.equal(formatDate({ year: 2026, month: 12, day: 7 }), '7-Dec-2026');
  const d = parseDateTime('17-Jul-1996 02:44:25 -0700');
  assert.equal(d?.toISOString(), '1996-07-17T09:44:25.000Z');
  assert.equal(parseDateTime(' 7-Jul-1996 02:44:25 +0000')?.toISOString(), '1996-07-07T02:44:25.000Z');
  for (const bad of [
    '17-Jul-1996 24:00:00 +0000',
    '17-Jul-1996 02:44:25',
    '17-Jul-1996 02:44:25 +00',
    '7-Jul-1996 02:44:25 +0000',
  ]) {
    assert.equal(parseDateTime(bad), null, bad);
  }
  const now = new Date('2026-12-07T17:13:25Z');
  assert.equal(parseDateTime(formatDateTime(now).slice(1, -1))?.getTime(), now.getTime(), 'round trip');
});

test('transcript redaction and the IDLE terminator', () => {
  assert.equal(redactImapLine('a1 LOGIN alice "s3cret"'), 'a1 LOGIN ****');
  assert.equal(redactImapLine('a1 login {5}'), 'a1 login ****');
  assert.equal(redactImapLine('a2 AUTHENTICATE PLAIN AGFsaWNlAHB3'), 'a2 AUTHENTICATE PLAIN ****');
  assert.equal(redactImapLine('a2 AUTHENTICATE PLAIN'), 'a2 AUTHENTICATE PLAIN');
  assert.equal(redactImapLine('a3 SELECT INBOX'), 'a3 SELECT INBOX');
  assert.ok(isIdleDone(Buffer.from('DONE')));
  assert.ok(isIdleDone(Buffer.from('done')));
  assert.ok(!isIdleDone(Buffer.from('DONE ')));
  assert.ok(!isIdleDone(Buffer.from('a DONE')));
});
