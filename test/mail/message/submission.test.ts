// completeForSubmission: Message-ID:/Date: added only when missing (RFC 6409 §8.2-8.3).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDate } from '../../../src/mail/message/date.js';
import { getHeader, parseHeaderSection } from '../../../src/mail/message/headers.js';
import { completeForSubmission } from '../../../src/mail/message/submission.js';

const opts = { hostname: 'mail.crepes.test', now: new Date('2026-11-21T16:09:42Z') };

test('adds Message-ID and Date when both are missing', () => {
  const input = Buffer.from('From: alice@crepes.test\r\nSubject: hi\r\n\r\nbody\r\n');
  const out = completeForSubmission(input, opts);
  const h = parseHeaderSection(out);
  assert.match(getHeader(h.fields, 'message-id') ?? '', /^<[a-z0-9.]+@mail\.crepes\.test>$/);
  assert.equal(getHeader(h.fields, 'Date'), 'Sat, 21 Nov 2026 16:09:42 +0000');
  assert.equal(parseDate(getHeader(h.fields, 'Date') ?? '')?.getTime(), opts.now.getTime());
  assert.ok(out.subarray(out.length - input.length).equals(input), 'original bytes kept');
});

test('keeps a message that has both untouched (same buffer)', () => {
  const input = Buffer.from('Date: Fri, 20 Nov 2026 10:00:00 +0100\r\nmessage-id: <a@b>\r\n\r\nx\r\n');
  assert.equal(completeForSubmission(input, opts), input);
});

test('adds only the missing one; folded existing header is recognised', () => {
  const input = Buffer.from('Message-ID:\r\n <x@y>\r\nSubject: s\r\n\r\n');
  const out = completeForSubmission(input, opts).toString();
  assert.equal(out.match(/^Message-ID:/gim)?.length, 1);
  assert.match(out, /^Date: /m);
});

test('a message without a header section gets one plus the separator', () => {
  const out = completeForSubmission(Buffer.from('just text\r\n'), opts).toString();
  const h = parseHeaderSection(Buffer.from(out));
  assert.equal(h.fields.length, 2);
  assert.equal(out.slice(h.bodyOffset), 'just text\r\n');
});

test('LF-only messages get LF line endings', () => {
  const out = completeForSubmission(Buffer.from('Subject: s\n\nb\n'), opts).toString();
  assert.ok(!out.includes('\r'));
});

test('a Date: in the body does not count', () => {
  const out = completeForSubmission(Buffer.from('Subject: s\r\n\r\nDate: no\r\n'), opts).toString();
  assert.match(out, /^Date: Sat/m);
});
