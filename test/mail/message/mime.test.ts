// MIME: build -> parse round trips, headers (RFC 2047 / RFC 6532), DSN (RFC 3464), hostile input.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { ErrorCodes, hasCode } from '../../../src/core/errors.js';
import { parseAddressList } from '../../../src/mail/message/address.js';
import { buildDsn, parseDeliveryStatus } from '../../../src/mail/message/dsn.js';
import { decodeEncodedWords } from '../../../src/mail/message/encoded-word.js';
import { getHeader, parseHeaderSection } from '../../../src/mail/message/headers.js';
import { buildMessage } from '../../../src/mail/message/mime-build.js';
import {
  decodedBody,
  parseMime,
  partFilename,
  textContent,
  walkParts,
} from '../../../src/mail/message/mime-parse.js';

function assertLinesShort(bytes: Buffer): void {
  for (const line of bytes.toString('latin1').split('\r\n')) assert.ok(line.length <= 998, 'RFC 5322 §2.1.1');
  assert.ok(!/(^|[^\r])\n/.test(bytes.toString('latin1')), 'CRLF only');
}

test('text only: 7bit when plain, quoted-printable when not', () => {
  const plain = buildMessage({
    from: 'a@x.test',
    to: 'b@y.test',
    subject: 'hi',
    text: 'hello\nworld',
    hostname: 'x.test',
  });
  const root = parseMime(plain);
  assert.equal(root.contentType, 'text/plain');
  assert.equal(root.transferEncoding, '7bit');
  assert.equal(textContent(root), 'hello\r\nworld\r\n');
  assert.match(getHeader(root.headers, 'Message-ID') ?? '', /@x\.test>$/);
  const fancy = buildMessage({ from: 'a@x.test', to: 'b@y.test', text: `Grüße ${'long '.repeat(40)}\n.dot` });
  const p = parseMime(fancy);
  assert.equal(p.transferEncoding, 'quoted-printable');
  assert.equal(textContent(p), `Grüße ${'long '.repeat(40)}\r\n.dot\r\n`);
  assertLinesShort(fancy);
});

test('alternative + attachments: structure, filenames (RFC 2231), exact bytes back', () => {
  const bin = randomBytes(5000);
  const msg = buildMessage({
    from: 'Zoë <zoe@crepes.test>',
    to: 'Bob <bob@hamburger.test>, carol@hamburger.test',
    cc: 'Team: dave@x.test;',
    subject: 'Crêpes & burgers — menu',
    text: 'plain version',
    html: '<p>html version</p>',
    attachments: [
      { filename: 'data.bin', content: bin },
      { filename: 'menü du jour.txt', content: Buffer.from('crêpe\n') },
    ],
  });
  assertLinesShort(msg);
  const header = parseHeaderSection(msg);
  assert.ok(
    !/[^\t\r\n\x20-\x7e]/.test(msg.subarray(0, header.bodyOffset).toString('latin1')),
    'headers are 7-bit',
  );
  assert.equal(decodeEncodedWords(getHeader(header.fields, 'Subject') ?? ''), 'Crêpes & burgers — menu');
  const from = parseAddressList(getHeader(header.fields, 'From') ?? '');
  assert.deepEqual(
    from.map((a) => a.kind === 'mailbox' && [a.name, a.address]),
    [['Zoë', 'zoe@crepes.test']],
  );
  const cc = parseAddressList(getHeader(header.fields, 'Cc') ?? '');
  assert.equal(cc[0]?.kind, 'group');

  const root = parseMime(msg);
  assert.equal(root.contentType, 'multipart/mixed');
  assert.deepEqual(
    root.children.map((c) => c.contentType),
    ['multipart/alternative', 'application/octet-stream', 'text/plain'],
  );
  const alt = root.children[0];
  assert.deepEqual(
    alt?.children.map((c) => textContent(c)),
    ['plain version\r\n', '<p>html version</p>\r\n'],
  );
  const [, a1, a2] = root.children;
  assert.ok(a1 && a2);
  assert.equal(partFilename(a1), 'data.bin');
  assert.deepEqual(decodedBody(a1), bin);
  assert.equal(partFilename(a2), 'menü du jour.txt');
  assert.equal(decodedBody(a2).toString(), 'crêpe\n');
  assert.equal(a2.disposition?.value, 'attachment');
  for (const line of a1.body.toString('latin1').split('\r\n')) assert.ok(line.length <= 76);
  assert.equal(walkParts(root).length, 6);
});

test('RFC 6532: raw UTF-8 headers when asked', () => {
  const msg = buildMessage({
    from: 'Zoë <zoë@crêpes.test>',
    to: 'b@y.test',
    subject: 'Grüße',
    utf8Headers: true,
  });
  const h = parseHeaderSection(msg);
  assert.equal(getHeader(h.fields, 'Subject'), 'Grüße');
  assert.equal(getHeader(h.fields, 'From'), 'Zoë <zoë@crêpes.test>');
});

test('header injection through values is refused', () => {
  assert.throws(
    () => buildMessage({ from: 'a@x.test', subject: 'x\r\nBcc: evil@x.test' }),
    (e) => hasCode(e, ErrorCodes.UNSAFE_OUTPUT),
  );
  assert.throws(
    () => buildMessage({ from: 'a@x.test', headers: [['X-A: b', 'c']] }),
    (e) => hasCode(e, ErrorCodes.UNSAFE_OUTPUT),
  );
});

test('header section: unfolding, LF endings, obs whitespace before colon, non-field line ends it', () => {
  const h = parseHeaderSection(
    Buffer.from('Subject: a\r\n  folded\r\n\tmore\r\nX-Obs  : v\r\nnot a header\r\nX: y\r\n'),
  );
  assert.deepEqual(
    h.fields.map((f) => [f.name, f.value]),
    [
      ['Subject', 'a  folded\tmore'],
      ['X-Obs', 'v'],
    ],
  );
  assert.equal(h.hasSeparator, false);
  const lf = parseHeaderSection(Buffer.from('A: 1\nB: 2\n\nbody'));
  assert.equal(lf.eol, '\n');
  assert.equal(lf.bodyOffset, 'A: 1\nB: 2\n\n'.length);
});

test('hostile headers: too many, too large, one huge field — bounded errors', () => {
  const many = Buffer.from('X: y\r\n'.repeat(1001) + '\r\n');
  assert.throws(
    () => parseHeaderSection(many),
    (e) => hasCode(e, ErrorCodes.INPUT_TOO_LARGE),
  );
  const huge = Buffer.from('X: y\r\n' + ' z'.repeat(40_000) + '\r\n\r\n');
  assert.throws(
    () => parseHeaderSection(huge),
    (e) => hasCode(e, ErrorCodes.INPUT_TOO_LARGE),
  );
  const section = Buffer.from(('X: ' + 'y'.repeat(990) + '\r\n').repeat(1100));
  assert.throws(
    () => parseHeaderSection(section),
    (e) => hasCode(e, ErrorCodes.INPUT_TOO_LARGE),
  );
  assert.equal(parseHeaderSection(Buffer.alloc(0)).fields.length, 0);
});

test('hostile MIME: deep nesting and part floods are bounded, missing close tolerated', () => {
  let deep = 'text\r\n';
  for (let i = 0; i < 100; i++) {
    deep = `Content-Type: multipart/mixed; boundary="b${String(i)}"\r\n\r\n--b${String(i)}\r\n${deep}\r\n--b${String(i)}--\r\n`;
  }
  const root = parseMime(Buffer.from(deep));
  const depth = Math.max(...walkParts(root).map((p) => p.depth));
  assert.equal(depth, 20);
  const flood =
    'Content-Type: multipart/mixed; boundary=b\r\n\r\n' + '--b\r\n\r\nx\r\n'.repeat(5000) + '--b--\r\n';
  assert.ok(walkParts(parseMime(Buffer.from(flood))).length <= 1000);
  const unclosed = parseMime(
    Buffer.from('Content-Type: multipart/mixed; boundary=b\r\n\r\npre\r\n--b\r\n\r\none\r\n--b\r\n\r\ntwo'),
  );
  assert.deepEqual(
    unclosed.children.map((c) => c.body.toString()),
    ['one', 'two'],
  );
  // A boundary appearing mid-line is not a delimiter.
  const mid = parseMime(
    Buffer.from('Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nx --b y\r\n--b--\r\n'),
  );
  assert.deepEqual(
    mid.children.map((c) => c.body.toString()),
    ['x --b y'],
  );
});

test('DSN (RFC 3464): multipart/report parsed back, HDRS vs FULL', () => {
  const original = buildMessage({
    from: 'alice@crepes.test',
    to: 'bob@hamburger.test',
    subject: 'lunch',
    text: 'see you',
  });
  const now = new Date('2026-11-21T12:00:00Z');
  for (const ret of ['HDRS', 'FULL'] as const) {
    const dsn = buildDsn({
      reportingMta: 'mx.crepes.test',
      to: 'alice@crepes.test',
      ret,
      envId: 'QQ314159',
      arrivalDate: now,
      now,
      original,
      recipients: [
        {
          address: 'bob@hamburger.test',
          originalRecipient: 'rfc822;bob@hamburger.test',
          action: 'failed',
          status: '5.1.1',
          remoteMta: 'mx.hamburger.test',
          diagnostic: '550 5.1.1 no such user',
          lastAttempt: now,
        },
      ],
    });
    assertLinesShort(dsn);
    const root = parseMime(dsn);
    assert.equal(root.contentType, 'multipart/report');
    assert.equal(root.params.get('report-type'), 'delivery-status');
    assert.equal(getHeader(root.headers, 'To'), '<alice@crepes.test>');
    const [human, status, returned] = root.children;
    assert.ok(human && status && returned);
    assert.match(textContent(human), /bob@hamburger\.test.*550 5\.1\.1 no such user/);
    assert.equal(status.contentType, 'message/delivery-status');
    const ds = parseDeliveryStatus(status.body);
    assert.equal(getHeader(ds.perMessage, 'Reporting-MTA'), 'dns; mx.crepes.test');
    assert.equal(getHeader(ds.perMessage, 'Original-Envelope-Id'), 'QQ314159');
    assert.equal(ds.recipients.length, 1);
    const r = ds.recipients[0] ?? [];
    assert.equal(getHeader(r, 'Final-Recipient'), 'rfc822; bob@hamburger.test');
    assert.equal(getHeader(r, 'Action'), 'failed');
    assert.equal(getHeader(r, 'Status'), '5.1.1');
    assert.equal(getHeader(r, 'Diagnostic-Code'), 'smtp; 550 5.1.1 no such user');
    if (ret === 'FULL') {
      assert.equal(returned.contentType, 'message/rfc822');
      assert.equal(textContent(returned.children[0] ?? returned), 'see you\r\n');
    } else {
      assert.equal(returned.contentType, 'text/rfc822-headers');
      assert.match(returned.body.toString(), /^From: alice@crepes\.test/);
      assert.ok(!returned.body.toString().includes('see you'));
    }
  }
});
