// The store's structures through the codec: a message stored by the mail store's structureOf
// (src/mail/message/structure-of.ts) comes out as the BODYSTRUCTURE and ENVELOPE a client
// expects, and each section's byte range (partAt) cuts exactly that part out of the message.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { partAt } from '../../../src/mail/message/body-structure.js';
import { structureOf } from '../../../src/mail/message/structure-of.js';
import { bodyStructureText, envelopeText } from '../../../src/imap/codec/index.js';

const message = Buffer.from(
  [
    'From: Ann <ann@example.test>',
    'To: bob@example.test',
    'Subject: test',
    'Date: Mon, 7 Dec 2026 17:00:00 +0000',
    'Message-ID: <m1@example.test>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'hello',
    '--b1',
    'Content-Type: application/octet-stream; name="x.bin"',
    'Content-Transfer-Encoding: base64',
    'Content-Disposition: attachment; filename="x.bin"',
    '',
    'AAEC',
    '--b1--',
    '',
  ].join('\r\n'),
);

test('BODYSTRUCTURE, BODY and ENVELOPE of a stored multipart message', () => {
  const { envelope, body } = structureOf(message);
  assert.equal(
    bodyStructureText(body, true, false),
    '(("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "7BIT" 5 1 NIL NIL NIL NIL)' +
      '("APPLICATION" "OCTET-STREAM" ("NAME" "x.bin") NIL NIL "BASE64" 4 NIL ("ATTACHMENT" ("FILENAME" "x.bin")) NIL NIL)' +
      ' "MIXED" ("BOUNDARY" "b1") NIL NIL NIL)',
  );
  assert.equal(
    bodyStructureText(body, false, false),
    '(("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "7BIT" 5 1)("APPLICATION" "OCTET-STREAM" ("NAME" "x.bin") NIL NIL "BASE64" 4) "MIXED")',
  );
  assert.equal(
    envelopeText(envelope, false),
    '("Mon, 7 Dec 2026 17:00:00 +0000" "test" (("Ann" NIL "ann" "example.test")) (("Ann" NIL "ann" "example.test")) (("Ann" NIL "ann" "example.test")) ((NIL NIL "bob" "example.test")) NIL NIL NIL "<m1@example.test>")',
  );
});

test('section ranges cut BODY[1], BODY[2.MIME], BODY[TEXT] and BODY[HEADER] out of the stored bytes', () => {
  const { body } = structureOf(message);
  const slice = (start: number, end: number) => message.subarray(start, end).toString();
  const p1 = partAt(body, [1]);
  const p2 = partAt(body, [2]);
  assert.ok(p1 && p2);
  assert.equal(slice(p1.range.bodyStart, p1.range.bodyEnd), 'hello');
  assert.equal(slice(p2.range.bodyStart, p2.range.bodyEnd), 'AAEC');
  assert.equal(
    slice(p2.range.headerStart, p2.range.bodyStart),
    'Content-Type: application/octet-stream; name="x.bin"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="x.bin"\r\n\r\n',
  );
  assert.ok(slice(body.range.headerStart, body.range.bodyStart).startsWith('From: Ann'));
  assert.ok(slice(body.range.headerStart, body.range.bodyStart).endsWith('boundary="b1"\r\n\r\n'));
  assert.ok(slice(body.range.bodyStart, body.range.bodyEnd).startsWith('--b1\r\n'));
  assert.equal(partAt(body, [3]), null);
});
