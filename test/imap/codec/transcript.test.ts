// The transcript's view of raw response chunks (ResponseTranscriber) and which commands hide
// their continuation lines (hasSecretContinuation).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  FetchResponseBuilder,
  hasSecretContinuation,
  ResponseTranscriber,
} from '../../../src/imap/codec/index.js';

test('FETCH chunks become lines with literals as sizes, across chunks and inline', () => {
  const t = new ResponseTranscriber();
  const body = Buffer.from('Subject: x\r\n\r\n{3}\r\nabc\r\n');
  const chunks = new FetchResponseBuilder(1)
    .uid(7)
    .section({ kind: 'BODY[]', section: { part: [], text: null, fields: [] }, peek: true, partial: null }, [
      body.subarray(0, 5),
      body.subarray(5),
    ])
    .finish();
  const lines = chunks.flatMap((c) => t.lines(c));
  assert.deepEqual(lines, [
    `* 1 FETCH (UID 7 BODY[] {${String(body.length)}}`,
    `<${String(body.length)} octets>`,
    ')',
  ]);
  // A long ENVELOPE string is an inline literal inside a text chunk; UTF-8 counted in octets.
  const inline = new ResponseTranscriber();
  assert.deepEqual(inline.lines('* 2 FETCH (ENVELOPE ({5}\r\né€'), [
    '* 2 FETCH (ENVELOPE ({5}',
    '<5 octets>',
  ]);
  assert.deepEqual(inline.lines(Buffer.from(' NIL))\r\n')), [' NIL))']);
});

test('LOGIN and AUTHENTICATE continuation lines are secret, others are not', () => {
  for (const line of ['a LOGIN {5}', 'x1 login alice {6+}', 'a AUTHENTICATE PLAIN'])
    assert.equal(hasSecretContinuation(Buffer.from(line)), true, line);
  for (const line of ['a APPEND INBOX {5}', 'a SEARCH TEXT {5}', 'LOGIN {5}'])
    assert.equal(hasSecretContinuation(Buffer.from(line)), false, line);
});
