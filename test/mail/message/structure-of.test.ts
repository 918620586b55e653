// structureOf/envelopeOf (src/mail/message/structure-of.ts): the ENVELOPE and BODYSTRUCTURE data
// the store keeps, on the edge cases the contract suite does not reach.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countLines, structureOf } from '../../../src/mail/message/structure-of.js';

const m = (...lines: string[]): Buffer => Buffer.from(lines.join('\r\n'));

test('a non-MIME message is one TEXT/PLAIN part; lines count a last line without CRLF', () => {
  const bytes = m('Subject: hi', '', 'one', 'two');
  const { envelope, body } = structureOf(bytes);
  assert.equal(envelope.subject, 'hi');
  assert.equal(envelope.from, null);
  assert.ok(body.kind === 'text');
  assert.deepEqual([body.type, body.subtype, body.encoding, body.params], ['TEXT', 'PLAIN', '7BIT', null]);
  assert.equal(body.lines, 2);
  assert.equal(body.size, 'one\r\ntwo'.length);
  assert.deepEqual(body.range, {
    headerStart: 0,
    bodyStart: 'Subject: hi\r\n\r\n'.length,
    bodyEnd: bytes.length,
  });
  assert.equal(countLines(Buffer.from('a\r\nb\r\n')), 2);
  assert.equal(countLines(Buffer.alloc(0)), 0);
});

test('an unparseable address keeps its text, marked with MISSING_DOMAIN; empty headers are NIL', () => {
  const { envelope } = structureOf(m('From: "unterminated <a@b>', 'To:', 'Cc: ', '', 'x'));
  assert.deepEqual(envelope.from, [
    { name: null, adl: null, mailbox: '"unterminated <a@b>', host: 'MISSING_DOMAIN' },
  ]);
  assert.equal(envelope.to, null);
  assert.equal(envelope.cc, null);
});

test('a multipart without a boundary is a TEXT/PLAIN part over its body', () => {
  const { body } = structureOf(m('Content-Type: multipart/mixed', '', '--x', '', 'a', '--x--', ''));
  assert.ok(body.kind === 'text');
  assert.deepEqual([body.type, body.subtype], ['TEXT', 'PLAIN']);
});

test('a transfer-encoded message/rfc822 part stays a basic part (its ranges could not point into the bytes)', () => {
  const inner = Buffer.from('Subject: inner\r\n\r\nhello\r\n').toString('base64');
  const { body } = structureOf(
    m(
      'Content-Type: multipart/mixed; boundary=b',
      '',
      '--b',
      'Content-Type: message/rfc822',
      'Content-Transfer-Encoding: base64',
      '',
      inner,
      '--b--',
      '',
    ),
  );
  assert.ok(body.kind === 'multipart');
  const part = body.parts[0];
  assert.ok(part?.kind === 'basic');
  assert.deepEqual([part.type, part.subtype, part.encoding], ['MESSAGE', 'RFC822', 'BASE64']);
});

test('a header section over the limits gives the fallback: empty envelope, one part, the whole message', () => {
  const huge = m(...Array.from({ length: 1500 }, (_, i) => `X-${i}: y`), '', 'body');
  const { envelope, body } = structureOf(huge);
  assert.equal(envelope.subject, null);
  assert.ok(body.kind === 'text');
  assert.deepEqual(body.range, { headerStart: 0, bodyStart: 0, bodyEnd: huge.length });
});

test('group names and non-ASCII display names stay encoded in the envelope', () => {
  const { envelope } = structureOf(
    m('To: Équipe: "Zoë" <z@x.test>;', 'From: =?utf-8?q?Zo=C3=AB?= <z@x.test>', '', ''),
  );
  const [group, member] = envelope.to ?? [];
  assert.deepEqual([group?.name, group?.host], [null, null], 'a group start');
  assert.match(group?.mailbox ?? '', /^=\?utf-8\?q\?=C3=89quipe\?=$/i);
  assert.match(member?.name ?? '', /^=\?utf-8\?/i);
  assert.match(envelope.from?.[0]?.name ?? '', /^=\?utf-8\?/i);
});
