// RFC 2047 encoded words, RFC 2045 QP/base64 (76-column lines), RFC 2231 parameters, dates, folding.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { formatParams, parseParamHeader } from '../../../src/mail/message/content-type.js';
import { formatDate, parseDate } from '../../../src/mail/message/date.js';
import {
  decodeEncodedWords,
  encodeUnstructured,
  encodeWords,
  foldHeader,
} from '../../../src/mail/message/encoded-word.js';
import {
  decodeBase64,
  decodeQuotedPrintable,
  encodeBase64,
  encodeQuotedPrintable,
} from '../../../src/mail/message/transfer-encoding.js';

function lines(text: string): string[] {
  return text.split('\r\n').filter((l, i, a) => i < a.length - 1 || l !== '');
}

test('RFC 2047 §8 examples decode', () => {
  assert.equal(decodeEncodedWords('=?US-ASCII?Q?Keith_Moore?='), 'Keith Moore');
  assert.equal(decodeEncodedWords('=?ISO-8859-1?Q?Olle_J=E4rnefors?='), 'Olle Järnefors');
  assert.equal(
    decodeEncodedWords(
      '=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?= =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=',
    ),
    'If you can read this you understand the example.',
  );
  assert.equal(decodeEncodedWords('(=?ISO-8859-1?Q?a?= b)'), '(a b)');
  assert.equal(decodeEncodedWords('(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)'), '(ab)');
  assert.equal(decodeEncodedWords('(=?ISO-8859-1?Q?a?=  \r\n  =?ISO-8859-1?Q?b?=)'), '(ab)');
  assert.equal(decodeEncodedWords('(=?ISO-8859-1?Q?a_b?=)'), '(a b)');
  // RFC 2231 §5 language tag.
  assert.equal(decodeEncodedWords('=?US-ASCII*EN?Q?Keith_Moore?='), 'Keith Moore');
  // Malformed and unknown charsets stay as they are.
  assert.equal(decodeEncodedWords('=?x-nope?Q?abc?='), '=?x-nope?Q?abc?=');
  assert.equal(decodeEncodedWords('=?utf-8?Q?abc'), '=?utf-8?Q?abc');
});

test('encoded words round trip, at most 75 characters, UTF-8 never split', () => {
  const samples = [
    'Grüße aus Köln',
    '日本語のテキストはとても長くなることがありますのでいくつかの単語に分割されます',
    'a'.repeat(200) + 'é',
    '🎉'.repeat(40),
  ];
  for (const s of samples) {
    const enc = encodeWords(s);
    for (const w of enc.split(' ')) {
      assert.ok(w.length <= 75, w);
      assert.match(w, /^=\?utf-8\?[BQ]\?[^?\s]*\?=$/);
      // Each word decodes on its own (no split characters): no replacement characters.
      assert.ok(!decodeEncodedWords(w).includes('\ufffd'), w);
    }
    assert.equal(decodeEncodedWords(enc), s);
  }
  const mixed = encodeUnstructured('Hello Wörld and more');
  assert.match(mixed, /^Hello =\?utf-8\?Q\?W=C3=B6rld\?= and more$/);
  assert.equal(decodeEncodedWords(mixed), 'Hello Wörld and more');
});

test('quoted-printable: lines <= 76, round trip on random and tricky data', () => {
  const samples = [
    Buffer.from('a'.repeat(300)),
    Buffer.from('line with trailing space \r\nnext\t\r\n'),
    Buffer.from('=='.repeat(100)),
    Buffer.from('.starts with dot\r\nFrom me\r\n'),
    Buffer.from('é'.repeat(100)),
    ...Array.from({ length: 20 }, (_, i) =>
      Buffer.from(
        randomBytes(200 + i * 37)
          .toString('latin1')
          .replace(/[\r\n]/g, 'x'),
        'latin1',
      ),
    ),
  ];
  for (const s of samples) {
    const enc = encodeQuotedPrintable(s);
    for (const l of lines(enc)) {
      assert.ok(l.length <= 76, `${String(l.length)}: ${l}`);
      assert.ok(!/[ \t]$/.test(l), 'no trailing whitespace');
      assert.ok(!/[^\x20-\x7e\t]/.test(l), 'ASCII only');
      assert.ok(!l.startsWith('.'), 'no leading dot');
    }
    // Input lines end with CRLF (hard breaks): round trip is exact when the input used CRLF.
    const expect = s.toString('latin1').endsWith('\r\n') ? s : Buffer.concat([s, Buffer.from('\r\n')]);
    assert.deepEqual(decodeQuotedPrintable(enc), expect);
  }
  assert.equal(decodeQuotedPrintable('a=3db=\r\nc =0A=zz').toString('latin1'), 'a=bc \n=zz');
  assert.equal(decodeQuotedPrintable('trail   \r\nx').toString(), '\r\nx'.replace(/^/, 'trail'));
});

test('base64: 76-character lines and round trip', () => {
  for (const n of [0, 1, 56, 57, 58, 1000, 4096]) {
    const data = randomBytes(n);
    const enc = encodeBase64(data);
    for (const l of lines(enc)) assert.ok(l.length <= 76);
    assert.deepEqual(decodeBase64(enc), data);
  }
  assert.deepEqual(decodeBase64('aGVs\r\nbG8*!'), Buffer.from('hello'));
});

test('RFC 2231 parameters: continuations, charsets, round trip', () => {
  const p = parseParamHeader(
    'message/external-body; access-type=URL;\r\n URL*0="ftp://";\r\n URL*1="cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar"',
  );
  assert.equal(p.value, 'message/external-body');
  assert.equal(p.params.get('url'), 'ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar');
  assert.equal(
    parseParamHeader(
      "application/x-stuff; title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A",
    ).params.get('title'),
    'This is ***fun***',
  );
  assert.equal(
    parseParamHeader('text/plain; charset="utf-8" (comment); format=flowed').params.get('format'),
    'flowed',
  );
  for (const name of [
    'simple.txt',
    'with space.pdf',
    'quote"and\\slash',
    'Grüße.txt',
    'ü'.repeat(60) + '.bin',
  ]) {
    const text = `attachment${formatParams([['filename', name]])}`;
    assert.ok(!/[^\x20-\x7e]/.test(text));
    assert.equal(parseParamHeader(text).params.get('filename'), name);
  }
});

test('dates: RFC 5322 §3.3 format and tolerant parse (obsolete forms)', () => {
  const d = new Date('2026-01-02T03:04:05Z');
  assert.equal(formatDate(d), 'Fri, 2 Jan 2026 03:04:05 +0000');
  assert.equal(formatDate(d, -330), 'Thu, 1 Jan 2026 21:34:05 -0530');
  assert.equal(parseDate(formatDate(d, -330))?.getTime(), d.getTime());
  assert.equal(parseDate('Fri, 21 Nov 1997 09:55:06 -0600')?.toISOString(), '1997-11-21T15:55:06.000Z');
  assert.equal(parseDate('21 Nov 97 09:55:06 GMT')?.toISOString(), '1997-11-21T09:55:06.000Z');
  assert.equal(
    parseDate('Thu,\r\n 13\r\n  Feb\r\n  1969\r\n  23:32\r\n  -0330 (Newfoundland Time)')?.toISOString(),
    '1969-02-14T03:02:00.000Z',
  );
  assert.equal(parseDate('not a date'), null);
  assert.equal(parseDate('32 Jan 2020 00:00 +0000'), null);
});

test('folding keeps lines within 78 where whitespace allows and unfolds back', () => {
  const value = Array.from({ length: 40 }, (_, i) => `word${String(i)}`).join(' ');
  const folded = foldHeader('Subject', value);
  for (const l of folded.split('\r\n')) assert.ok(l.length <= 78, l);
  assert.equal(folded.replace(/\r\n(?=[ \t])/g, ''), `Subject: ${value}`);
});
